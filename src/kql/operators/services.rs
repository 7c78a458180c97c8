//! The plugins that call a service: a script sandbox, a database, a web
//! API, a model. Quarry runs KQL over local files and never reaches out,
//! so these are refused with what the plugin needs, at its name, rather
//! than as "not supported yet" (which promises a local version).

use crate::kql::ast::Ident;
use crate::kql::error::{ErrorKind, QueryError};

/// Each plugin that needs a service, and what it does there.
const SERVICES: &[(&str, &str)] = &[
    (
        "python",
        "runs a Python script in a Kusto cluster's sandbox",
    ),
    ("r", "runs an R script in a Kusto cluster's sandbox"),
    ("csharp", "runs C# code in a Kusto cluster's sandbox"),
    ("sql_request", "queries a SQL Server database"),
    ("mysql_request", "queries a MySQL database"),
    ("postgresql_request", "queries a PostgreSQL database"),
    (
        "cosmosdb_sql_request",
        "queries an Azure Cosmos DB container",
    ),
    ("http_request", "calls a web service"),
    ("http_request_post", "calls a web service"),
    (
        "azure_digital_twins_query_request",
        "queries an Azure Digital Twins instance",
    ),
    ("ai_chat_completion", "calls an Azure OpenAI model"),
    ("ai_chat_completion_prompt", "calls an Azure OpenAI model"),
    ("ai_embeddings", "calls an Azure OpenAI model"),
    ("ai_embed_text", "calls an Azure OpenAI model"),
    ("infer_storage_schema", "reads files in cloud storage"),
    (
        "infer_storage_schema_with_suggestions",
        "reads files in cloud storage",
    ),
    ("execute_query", "runs a query on another Kusto cluster"),
    (
        "execute_show_command",
        "runs a command on another Kusto cluster",
    ),
];

/// Whether `evaluate name(...)` needs a service.
pub fn needs_service(name: &str) -> bool {
    SERVICES.iter().any(|(n, _)| *n == name)
}

/// The error for `evaluate plugin(...)` when Quarry does not run it: what
/// the plugin needs if it is a service's, else "not supported yet".
pub fn plugin_unsupported(plugin: &Ident) -> QueryError {
    match SERVICES.iter().find(|(n, _)| *n == plugin.name) {
        Some((name, what)) => QueryError::new(
            ErrorKind::Unsupported,
            format!(
                "evaluate {name} {what}, a service Quarry cannot reach offline: run this query where the service is (on the cluster itself, or with quarry --remote)"
            ),
            Some(plugin.span),
        ),
        None => QueryError::unsupported(&format!("evaluate {}", plugin.name), plugin.span),
    }
}
