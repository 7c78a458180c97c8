//! Kusto's graph semantics: the documentation's examples of make-graph,
//! graph-match, graph-shortest-paths, graph-to-table and
//! graph-mark-components and of the graph functions, with their printed
//! outputs, and the pages' errors where the printed output cannot come
//! from the printed query (the semantics beyond the examples, the errors
//! and the limits are in graph_semantics.rs). Kusto promises no row order
//! for these operators, so documented outputs are compared as sets of rows
//! unless the query sorts.

use crate::common;

use common::{tidy, try_run};
use quarry::kql::check::check;

/// Asserts a query's rows, in any order (header first).
#[track_caller]
pub(crate) fn rows(query: &str, expected: &str) {
    let got = try_run(query).unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    let sorted = |t: &str| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        let header = lines.remove(0);
        lines.sort();
        (header, lines)
    };
    assert_eq!(
        sorted(&got),
        sorted(&tidy(expected)),
        "\nquery: {query}\n--- got ---\n{got}\n"
    );
}

/// make-graph-operator.md, "Edges and nodes graph".
#[test]
fn edges_and_nodes_graph() {
    rows(
        r#"let nodes = datatable(name:string, type:string, age:int) 
[ 
  "Alice", "Person", 23,  
  "Bob", "Person", 31,  
  "Eve", "Person", 17,  
  "Mallory", "Person", 29,  
  "Trent", "System", 99 
]; 
let edges = datatable(Source:string, Destination:string, edge_type:string) 
[ 
  "Alice", "Bob", "communicatesWith",  
  "Alice", "Trent", "trusts",  
  "Bob", "Trent", "hasPermission",  
  "Eve", "Alice", "attacks",  
  "Mallory", "Alice", "attacks",  
  "Mallory", "Bob", "attacks"  
]; 
edges 
| make-graph Source --> Destination with nodes on name 
| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(trent) 
  where mallory.name == "Mallory" and trent.name == "Trent" and attacks.edge_type == "attacks" and hasPermission.edge_type == "hasPermission" 
  project Attacker = mallory.name, Compromised = compromised.name, System = trent.name"#,
        r#"Attacker:string | Compromised:string | System:string
        "Mallory" | "Bob" | "Trent""#,
    );
}

/// make-graph-operator.md, "Default node identifier": the id is the node's `name` property.
#[test]
fn default_node_identifier() {
    rows(
        r#"let edges = datatable(source:string, destination:string, edge_type:string) 
[ 
  "Alice", "Bob", "communicatesWith",  
  "Alice", "Trent", "trusts",  
  "Bob", "Trent", "hasPermission",  
  "Eve", "Alice", "attacks",  
  "Mallory", "Alice", "attacks",  
  "Mallory", "Bob", "attacks"  
]; 
edges 
| make-graph source --> destination with_node_id=name
| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(trent) 
  where mallory.name == "Mallory" and trent.name == "Trent" and attacks.edge_type == "attacks" and hasPermission.edge_type == "hasPermission" 
  project Attacker = mallory.name, Compromised = compromised.name, System = trent.name"#,
        r#"Attacker:string | Compromised:string | System:string
        "Mallory" | "Bob" | "Trent""#,
    );
}

/// make-graph-operator.md, "Partitioned graph": one graph per tenant, the same graph-match on each.
#[test]
fn partitioned_graph() {
    rows(
        r#"// Nodes table representing users across multiple tenants (organizations)
let nodes = datatable(userId:string, tenantId:string, name:string, department:string, role:string, location:dynamic) 
[
    // Tenant: CompanyA - San Francisco Bay Area
    "u001", "CompanyA", "Alice Johnson", "Engineering", "Senior Developer", dynamic({"type": "Point", "coordinates": [-122.4194, 37.7749]}),
    "u002", "CompanyA", "Bob Smith", "Engineering", "Team Lead", dynamic({"type": "Point", "coordinates": [-122.4094, 37.7849]}),
    "u003", "CompanyA", "Charlie Black", "Marketing", "Manager", dynamic({"type": "Point", "coordinates": [-122.4294, 37.7649]}),
    "u004", "CompanyA", "Diana Finch", "HR", "Director", dynamic({"type": "Point", "coordinates": [-122.3994, 37.7949]}),
    "u005", "CompanyA", "Eve Wilson", "Engineering", "Junior Developer", dynamic({"type": "Point", "coordinates": [-122.4394, 37.7549]}),
    // Tenant: CompanyB - New York Area  
    "u006", "CompanyB", "Frank Miller", "Sales", "Account Manager", dynamic({"type": "Point", "coordinates": [-74.0060, 40.7128]}),
    "u007", "CompanyB", "Grace Lee", "Engineering", "Senior Developer", dynamic({"type": "Point", "coordinates": [-74.0160, 40.7228]}),
    "u008", "CompanyB", "Henry Davis", "Marketing", "Specialist", dynamic({"type": "Point", "coordinates": [-73.9960, 40.7028]}),
    "u009", "CompanyB", "Ivy Chen", "Engineering", "Team Lead", dynamic({"type": "Point", "coordinates": [-74.0260, 40.7328]}),
    "u010", "CompanyB", "Jack Thompson", "Operations", "Manager", dynamic({"type": "Point", "coordinates": [-73.9860, 40.6928]}),
    // Tenant: CompanyC - Austin Area
    "u011", "CompanyC", "Kate Anderson", "Finance", "Analyst", dynamic({"type": "Point", "coordinates": [-97.7431, 30.2672]}),
    "u012", "CompanyC", "Liam Murphy", "Engineering", "Architect", dynamic({"type": "Point", "coordinates": [-97.7331, 30.2772]}),
    "u013", "CompanyC", "Maya Patel", "Product", "Manager", dynamic({"type": "Point", "coordinates": [-97.7531, 30.2572]}),
    "u014", "CompanyC", "Noah Garcia", "Engineering", "Developer", dynamic({"type": "Point", "coordinates": [-97.7631, 30.2472]}),
    "u015", "CompanyC", "Olivia Rodriguez", "Marketing", "Director", dynamic({"type": "Point", "coordinates": [-97.7231, 30.2872]})
];
// Edges table representing relationships/interactions between users
let edges = datatable(sourceUserId:string, targetUserId:string, tenantId:string, relationshipType:string, strength:int)
[
    // CompanyA relationships
    "u001", "u002", "CompanyA", "reportsTo", 9,
    "u005", "u002", "CompanyA", "reportsTo", 8,
    "u002", "u003", "CompanyA", "collaborates", 6,
    "u001", "u005", "CompanyA", "mentors", 7,
    "u003", "u004", "CompanyA", "collaborates", 5,
    "u001", "u003", "CompanyA", "communicates", 4,
    // CompanyB relationships
    "u007", "u009", "CompanyB", "reportsTo", 9,
    "u006", "u010", "CompanyB", "reportsTo", 8,
    "u008", "u006", "CompanyB", "collaborates", 6,
    "u009", "u010", "CompanyB", "communicates", 5,
    "u007", "u008", "CompanyB", "mentors", 7,
    "u006", "u007", "CompanyB", "collaborates", 6,
    // CompanyC relationships  
    "u014", "u012", "CompanyC", "reportsTo", 9,
    "u012", "u013", "CompanyC", "collaborates", 7,
    "u011", "u013", "CompanyC", "collaborates", 6,
    "u013", "u015", "CompanyC", "reportsTo", 8,
    "u012", "u015", "CompanyC", "communicates", 5,
    "u011", "u014", "CompanyC", "mentors", 6
];
edges
| make-graph sourceUserId --> targetUserId with nodes on userId partitioned-by tenantId (
    graph-match cycles=none (n1)-[e*2..4]->(n2)
        where n1.userId != n2.userId and all(e, relationshipType == "collaborates") and
            geo_distance_2points(todouble(n1.location.coordinates[0]), todouble(n1.location.coordinates[1]),
                             todouble(n2.location.coordinates[0]), todouble(n2.location.coordinates[1])) < 10000
        project Start = strcat(n1.name, " (", n1.tenantId, ")"), Tenants = map(e, tenantId), End = strcat(n2.name, " (", n2.tenantId, ")")
)"#,
        r#"Start:string | Tenants:dynamic | End:string
        "Bob Smith (CompanyA)" | ["CompanyA","CompanyA"] | "Diana Finch (CompanyA)"
        "Henry Davis (CompanyB)" | ["CompanyB","CompanyB"] | "Grace Lee (CompanyB)""#,
    );
}

/// graph-match-operator.md: employees under Alice younger than 30, with the managers along the path (`map()` lists them in pattern order, from Alice).
#[test]
fn variable_length_reporting_paths() {
    rows(
        r#"let employees = datatable(name:string, age:long) 
[ 
  "Alice", 32,  
  "Bob", 31,  
  "Eve", 27,  
  "Joe", 29,  
  "Chris", 45, 
  "Alex", 35,
  "Ben", 23,
  "Richard", 39,
]; 
let reports = datatable(employee:string, manager:string) 
[ 
  "Bob", "Alice",  
  "Chris", "Alice",  
  "Eve", "Bob",
  "Ben", "Chris",
  "Joe", "Alice", 
  "Richard", "Bob"
]; 
reports 
| make-graph employee --> manager with employees on name 
| graph-match (alice)<-[reports*1..5]-(employee)
  where alice.name == "Alice" and employee.age < 30
  project employee = employee.name, age = employee.age, reportingPath = map(reports, manager)"#,
        r#"employee:string | age:long | reportingPath:dynamic
        "Eve" | 27 | ["Alice","Bob"]
        "Ben" | 23 | ["Alice","Chris"]
        "Joe" | 29 | ["Alice"]"#,
    );
}

/// graph-match-operator.md: the attack path to Apollo.
#[test]
fn attack_path() {
    rows(
        r#"let Entities = datatable(name:string, type:string, age:long) 
[ 
  "Alice", "Person", 23,  
  "Bob", "Person", 31,  
  "Eve", "Person", 17,  
  "Mallory", "Person", 29,  
  "Apollo", "System", 99 
]; 
let Actions = datatable(source:string, destination:string, action_type:string) 
[ 
  "Alice", "Bob", "communicatesWith",  
  "Alice", "Apollo", "trusts",  
  "Bob", "Apollo", "hasPermission",  
  "Eve", "Alice", "attacks",  
  "Mallory", "Alice", "attacks",  
  "Mallory", "Bob", "attacks"  
]; 
Actions 
| make-graph source --> destination with Entities on name 
| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(apollo) 
  where mallory.name == "Mallory" and apollo.name == "Apollo" and attacks.action_type == "attacks" and hasPermission.action_type == "hasPermission" 
  project Attacker = mallory.name, Compromised = compromised.name, System = apollo.name"#,
        r#"Attacker:string | Compromised:string | System:string
        "Mallory" | "Bob" | "Apollo""#,
    );
}

/// graph-match-operator.md: a second sequence through `compromised`, walked either way (`--`).
#[test]
fn two_sequences_share_a_node() {
    rows(
        r#"let Entities = datatable(name:string, type:string, age:long) 
[ 
  "Alice", "Person", 23,  
  "Bob", "Person", 31,  
  "Eve", "Person", 17,  
  "Mallory", "Person", 29,  
  "Apollo", "System", 99 
]; 
let Actions = datatable(source:string, destination:string, action_type:string) 
[ 
  "Alice", "Bob", "communicatesWith",  
  "Alice", "Apollo", "trusts",  
  "Bob", "Apollo", "hasPermission",  
  "Eve", "Alice", "attacks",  
  "Mallory", "Alice", "attacks",  
  "Mallory", "Bob", "attacks"  
]; 
Actions 
| make-graph source --> destination with Entities on name 
| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(apollo), (compromised)-[communicates]-(alice) 
  where mallory.name == "Mallory" and apollo.name == "Apollo" and attacks.action_type == "attacks" and hasPermission.action_type == "hasPermission" and alice.name == "Alice"
  project Attacker = mallory.name, Compromised = compromised.name, System = apollo.name"#,
        r#"Attacker:string | Compromised:string | System:string
        "Mallory" | "Bob" | "Apollo""#,
    );
}

/// graph-to-table-operator.md: the ids are Kusto's hash() of the node ids, as printed.
#[test]
fn edges_with_source_and_target_ids() {
    rows(
        r#"let nodes = datatable(name:string, type:string, age:long) 
[ 
	"Alice", "Person", 23,  
	"Bob", "Person", 31,  
	"Eve", "Person", 17,  
	"Mallory", "Person", 29,  
	"Trent", "System", 99 
]; 
let edges = datatable(source:string, destination:string, edge_type:string) 
[ 
	"Alice", "Bob", "communicatesWith",  
	"Alice", "Trent", "trusts",  
	"Bob", "Trent", "hasPermission",  
	"Eve", "Alice", "attacks",  
	"Mallory", "Alice", "attacks",  
	"Mallory", "Bob", "attacks"  
]; 
edges 
| make-graph source --> destination with nodes on name
| graph-to-table edges with_source_id=SourceId with_target_id=TargetId"#,
        r#"SourceId:long | TargetId:long | source:string | destination:string | edge_type:string
        -3122868243544336885 | -7133945255344544237 | "Alice" | "Bob" | "communicatesWith"
        -3122868243544336885 | 2533909231875758225 | "Alice" | "Trent" | "trusts"
        -7133945255344544237 | 2533909231875758225 | "Bob" | "Trent" | "hasPermission"
        4363395278938690453 | -3122868243544336885 | "Eve" | "Alice" | "attacks"
        3855580634910899594 | -3122868243544336885 | "Mallory" | "Alice" | "attacks"
        3855580634910899594 | -7133945255344544237 | "Mallory" | "Bob" | "attacks""#,
    );
}

/// graph-to-table-operator.md, "Get nodes": Mallory is only in the edges, so it has its id and no other property.
#[test]
fn nodes_with_node_id() {
    rows(
        r#"let nodes = datatable(name:string, type:string, age:long) 
[ 
	"Alice", "Person", 23,  
	"Bob", "Person", 31,  
	"Eve", "Person", 17,
	"Trent", "System", 99
]; 
let edges = datatable(source:string, destination:string, edge_type:string) 
[ 
	"Alice", "Bob", "communicatesWith",  
	"Alice", "Trent", "trusts",  
	"Bob", "Trent", "hasPermission",  
	"Eve", "Alice", "attacks",  
	"Mallory", "Alice", "attacks",  
	"Mallory", "Bob", "attacks"
]; 
edges 
| make-graph source --> destination with nodes on name
| graph-to-table nodes with_node_id=NodeId"#,
        r#"NodeId:long | name:string | type:string | age:long
        -3122868243544336885 | "Alice" | "Person" | 23
        -7133945255344544237 | "Bob" | "Person" | 31
        4363395278938690453 | "Eve" | "Person" | 17
        2533909231875758225 | "Trent" | "System" | 99
        3855580634910899594 | "Mallory" | "" | null"#,
    );
}

/// graph-shortest-paths-operator.md: output=any (the default) gives one path.
#[test]
fn shortest_path_any() {
    rows(
        r#"let connections = datatable(from_station:string, to_station:string, line:string) 
[ 
  "Central", "North", "red",
  "North", "Central", "red", 
  "Central", "South",  "red", 
  "South", "Central",  "red", 
  "South", "South-West", "red", 
  "South-West", "South", "red", 
  "South-West", "West", "red", 
  "West", "South-West", "red", 
  "Central", "East", "blue", 
  "East", "Central", "blue", 
  "Central", "West", "blue",
  "West", "Central", "blue",
]; 
connections 
| make-graph from_station --> to_station with_node_id=station
| graph-shortest-paths (start)-[connections*1..5]->(destination)
  where start.station == "South-West" and destination.station == "North"
  project from = start.station, path = map(connections, to_station), line = map(connections, line), to = destination.station"#,
        r#"from:string | path:dynamic | line:dynamic | to:string
        "South-West" | ["South","Central","North"] | ["red","red","red"] | "North""#,
    );
}

/// graph-shortest-paths-operator.md: output=all gives both paths of three connections.
#[test]
fn shortest_paths_all() {
    rows(
        r#"let connections = datatable(from_station:string, to_station:string, line:string) 
[ 
  "Central", "North", "red",
  "North", "Central", "red", 
  "Central", "South",  "red", 
  "South", "Central",  "red", 
  "South", "South-West", "red", 
  "South-West", "South", "red", 
  "South-West", "West", "red", 
  "West", "South-West", "red", 
  "Central", "East", "blue", 
  "East", "Central", "blue", 
  "Central", "West", "blue",
  "West", "Central", "blue",
]; 
connections 
| make-graph from_station --> to_station with_node_id=station
| graph-shortest-paths output=all (start)-[connections*1..5]->(destination)
  where start.station == "South-West" and destination.station == "North"
  project from = start.station, path = map(connections, to_station), line = map(connections, line), to = destination.station"#,
        r#"from:string | path:dynamic | line:dynamic | to:string
        "South-West" | ["South","Central","North"] | ["red","red","red"] | "North"
        "South-West" | ["West","Central","North"] | ["red","blue","red"] | "North""#,
    );
}

/// graph-mark-components-operator.md: two weak components, numbered in node order.
#[test]
fn components_of_a_family_graph() {
    rows(
        r#"let ChildOf = datatable(child:string, parent:string) 
[ 
  "Alice", "Bob",  
  "Carol", "Alice",  
  "Carol", "Dave",  
  "Greg", "Alice",  
  "Greg", "Dave",  
  "Howard", "Alice",  
  "Howard", "Dave",  
  "Eve", "Frank",  
  "Frank", "Mallory",
  "Eve", "Kirk",
]; 
ChildOf 
| make-graph child --> parent with_node_id=name
| graph-mark-components with_component_id = family
| graph-to-table nodes"#,
        r#"name:string | family:long
        "Alice" | 0
        "Bob" | 0
        "Carol" | 0
        "Dave" | 0
        "Greg" | 0
        "Howard" | 0
        "Eve" | 1
        "Frank" | 1
        "Mallory" | 1
        "Kirk" | 1"#,
    );
}

/// graph-mark-components-operator.md: the component id read in graph-match, then summarized.
#[test]
fn greatest_ancestor_per_family() {
    rows(
        r#"let ChildOf = datatable(child:string, parent:string) 
[ 
  "Alice", "Bob",  
  "Carol", "Alice",  
  "Carol", "Dave",  
  "Greg", "Alice",  
  "Greg", "Dave",  
  "Howard", "Alice",  
  "Howard", "Dave",  
  "Eve", "Frank",  
  "Frank", "Mallory",
  "Eve", "Kirk",
]; 
ChildOf 
| make-graph child --> parent with_node_id=name
| graph-mark-components with_component_id = family
| graph-match (descendant)-[childOf*1..5]->(ancestor)
  project name = ancestor.name, lineage = map(childOf, child), family = ancestor.family
| summarize (generations, name) = arg_max(array_length(lineage),name) by family"#,
        r#"family:long | generations:long | name:string
        0 | 2 | "Bob"
        1 | 2 | "Mallory""#,
    );
}

/// graph-best-practices.md: the graph of filtered tables, edges walked either way.
#[test]
fn best_practices_filtered_graph() {
    rows(
        r#"let allEmployees = datatable(organization: string, name:string, age:long)
[
  "R&D", "Alice", 32,
  "R&D","Bob", 31,
  "R&D","Eve", 27,
  "R&D","Mallory", 29,
  "Marketing", "Alex", 35
];
let allReports = datatable(employee:string, manager:string, modificationDate: datetime)
[
  "Bob", "Alice", datetime(2022-05-23),
  "Bob", "Eve", datetime(2023-01-01),
  "Eve", "Mallory", datetime(2022-05-23),
  "Alice", "Dave", datetime(2022-05-23)
];
let filteredEmployees =
    allEmployees
    | where organization == "R&D"
    | project-away age, organization;
let filteredReports =
    allReports
    | summarize arg_max(modificationDate, *) by employee
    | project-away modificationDate;
filteredReports
| make-graph employee --> manager with filteredEmployees on name
| graph-match (employee)-[hasManager*2..5]-(manager)
  where employee.name == "Bob"
  project employee = employee.name, topManager = manager.name"#,
        r#"employee:string | topManager:string
        "Bob" | "Mallory""#,
    );
}

/// graph-to-table-operator.md, "nodes and edges": the statement names
/// both tables; the statements after it show them, each asked for alone
/// and both at once (the documentation's `N; E`, a batch of two).
pub(crate) const NODES_AND_EDGES: &str = r#"let nodes = datatable(name:string, type:string, age:long) 
[ 
	"Alice", "Person", 23,  
	"Bob", "Person", 31,  
	"Eve", "Person", 17,
	"Trent", "System", 99
]; 
let edges = datatable(source:string, destination:string, edge_type:string) 
[ 
	"Alice", "Bob", "communicatesWith",  
	"Alice", "Trent", "trusts",  
	"Bob", "Trent", "hasPermission",  
	"Eve", "Alice", "attacks",  
	"Mallory", "Alice", "attacks",  
	"Mallory", "Bob", "attacks"
]; 
edges 
| make-graph source --> destination with nodes on name
| graph-to-table nodes as N with_node_id=NodeId, edges as E with_source_id=SourceId;
"#;

#[test]
fn nodes_and_edges_named_tables() {
    rows(
        &format!("{NODES_AND_EDGES}N"),
        r#"NodeId:long | name:string | type:string | age:long
        -3122868243544336885 | "Alice" | "Person" | 23
        -7133945255344544237 | "Bob" | "Person" | 31
        4363395278938690453 | "Eve" | "Person" | 17
        2533909231875758225 | "Trent" | "System" | 99
        3855580634910899594 | "Mallory" | "" | null"#,
    );
    rows(
        &format!("{NODES_AND_EDGES}E"),
        r#"SourceId:long | source:string | destination:string | edge_type:string
        -3122868243544336885 | "Alice" | "Bob" | "communicatesWith"
        -3122868243544336885 | "Alice" | "Trent" | "trusts"
        -7133945255344544237 | "Bob" | "Trent" | "hasPermission"
        4363395278938690453 | "Eve" | "Alice" | "attacks"
        3855580634910899594 | "Mallory" | "Alice" | "attacks"
        3855580634910899594 | "Mallory" | "Bob" | "attacks""#,
    );
    // The page's own query, `N; E`, is a batch: both tables, in order.
    let batch = format!("{NODES_AND_EDGES}N;\nE");
    let results = quarry::kql::run_results(
        &quarry::data::catalog::Catalog::new(),
        &batch,
        &quarry::kql::RunOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{}", e.render(&batch)));
    let got: Vec<(Option<&str>, String)> = results
        .iter()
        .map(|r| (r.name.as_deref(), common::render(&r.frame)))
        .collect();
    let alone = |q: &str| try_run(&format!("{NODES_AND_EDGES}{q}")).unwrap_or_default();
    assert_eq!(
        got,
        [(Some("Table 1"), alone("N")), (Some("Table 2"), alone("E"))]
    );
    assert_eq!(check(&batch, &[]), Ok(()));
    assert_eq!(check(&format!("{NODES_AND_EDGES}E"), &[]), Ok(()));
}

/// The expected rendering of an error, written indented in a test.
pub(crate) fn tidy_error(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().to_string();
    let rest: Vec<&str> = lines.collect();
    let indent = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    std::iter::once(first)
        .chain(
            rest.iter()
                .map(|l| l.get(indent..).unwrap_or("").to_string()),
        )
        .collect::<Vec<_>>()
        .join("\n")
}
