//! `macro-expand`: one subquery run on each entity of an entity group,
//! the results stacked as `union` stacks them (macro-expand-operator.md):
//!
//! ```text
//! macro-expand [kind=inner|outer] [isfuzzy=true|false] entity_group [T1, T2] as X (Subquery)
//! let G = entity_group [T1, T2]; macro-expand G as X (Subquery)
//! macro-expand X in G (Subquery)
//! ```
//!
//! The operator is a macro, as its name says: the subquery is read once
//! per entity, with its identifier replaced by that entity token by token
//! before it is parsed. So `X | where ...`, `join (X | ...)`, `let`s inside
//! the subquery and a nested `macro-expand` (with another identifier) read
//! as they would on a cluster, and each leg is an ordinary pipeline.
//!
//! Quarry queries one local database offline, the tables it loaded, and
//! that database has no name. So an entity group lists tables
//! (`DeviceProcessEvents`, `['My Table']`, or a tabular `let`), and
//! `cluster(...)`, `database(...)` and the other references to another
//! place are refused at the reference. `X.$current_database` and
//! `X.$current_cluster_endpoint` are empty strings (the local database is
//! unnamed and no cluster serves it; an empty string is KQL's "no value"
//! for text), and `X.Table`, a table of a database entity, is an error.
//! `isfuzzy=true`, or `set best_effort = true;` before the query, leaves
//! out the tables that are not loaded (the runner decides, see
//! `operators::macro_expand`).

use std::collections::HashMap;

use super::super::ast::*;
use super::super::error::{ErrorKind, QueryError, did_you_mean};
use super::super::lexer::{Token, TokenKind};
use super::names::take_option;
use super::pipeline::CROSS_RESOURCE;
use super::{PResult, Parser};

/// What `X.$current_database` reads: the local database has no name.
const CURRENT_DATABASE: &str = "";

/// What `X.$current_cluster_endpoint` reads: no cluster serves Quarry's
/// tables.
const CURRENT_CLUSTER_ENDPOINT: &str = "";

/// The tables an `entity_group [...]` lists, and where it is written.
#[derive(Debug, Clone)]
pub(super) struct EntityGroup {
    tables: Vec<Ident>,
    span: Span,
}

/// Subqueries one query may expand to in all: nested groups multiply
/// (ten levels of ten tables would be ten billion), so past this the
/// query is refused rather than read for ever.
const MAX_LEGS: usize = 4096;

/// The entity groups `let` statements define, by name, and how many
/// subqueries have been read so far.
#[derive(Debug, Default)]
pub(super) struct EntityGroups {
    named: HashMap<String, EntityGroup>,
    legs: usize,
}

impl EntityGroups {
    pub(super) fn new() -> EntityGroups {
        EntityGroups::default()
    }
}

impl Parser<'_> {
    /// `macro-expand` (three glued tokens) starts `offset` tokens ahead.
    pub(super) fn at_macro_expand(&self, offset: usize) -> bool {
        self.ident_at(offset) == Some("macro")
            && matches!(self.kind_at(offset + 1), TokenKind::Minus)
            && self.glued(offset + 1)
            && self.ident_at(offset + 2) == Some("expand")
            && self.glued(offset + 2)
    }

    /// `macro-expand ...` with the cursor on `macro`.
    pub(super) fn parse_macro_expand(&mut self) -> PResult<OperatorKind> {
        self.pos += 3;
        let mut options = self.parse_options(&["kind", "isfuzzy"])?;
        let inner = match take_option(&mut options, "kind") {
            None => false,
            Some(v) => match v.name.to_ascii_lowercase().as_str() {
                "inner" => true,
                "outer" => false,
                _ => {
                    return Err(QueryError::syntax(
                        format!("macro-expand kind must be inner or outer, not '{}'", v.name),
                        v.span,
                    ));
                }
            },
        };
        let fuzzy = match take_option(&mut options, "isfuzzy") {
            None => false,
            Some(v) => match v.name.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(QueryError::syntax(
                        format!(
                            "macro-expand isfuzzy must be true or false, not '{}'",
                            v.name
                        ),
                        v.span,
                    ));
                }
            },
        };
        let fuzzy = fuzzy || self.best_effort();
        let (group, ident) = self.parse_group_and_identifier()?;
        let legs = self.parse_legs(&group, &ident)?;
        Ok(OperatorKind::MacroExpand(Box::new(MacroExpand {
            inner,
            fuzzy,
            group: group.span,
            legs,
        })))
    }

    /// Whether a `set best_effort = true;` statement came before: then
    /// missing entities are left out whatever `isfuzzy` says
    /// (macro-expand-operator.md).
    fn best_effort(&self) -> bool {
        (0..self.pos).any(|i| {
            (i == 0 || matches!(self.toks[i - 1].kind, TokenKind::Semi))
                && matches!(&self.toks[i].kind, TokenKind::Ident(w) if w == "set")
                && matches!(self.toks.get(i + 1).map(|t| &t.kind), Some(TokenKind::Ident(w)) if w == "best_effort")
                && matches!(self.toks.get(i + 2).map(|t| &t.kind), Some(TokenKind::Assign))
                && matches!(self.toks.get(i + 3).map(|t| &t.kind), Some(TokenKind::Ident(w)) if w == "true")
        })
    }

    /// `entity_group [...] as X`, `G as X` or `X in G`.
    fn parse_group_and_identifier(&mut self) -> PResult<(EntityGroup, Ident)> {
        let names_group_inline =
            self.is_ident("entity_group") && !matches!(self.ident_at(1), Some("as" | "in"));
        if names_group_inline {
            let group = self.parse_entity_group()?;
            let ident = self.parse_identifier_after_as()?;
            return Ok((group, ident));
        }
        if !self.at_name() {
            return Err(self.expected_after("'entity_group [...]' or the name of an entity group"));
        }
        if self
            .name_len_at(0)
            .is_some_and(|n| self.ident_at(n) == Some("in"))
        {
            let ident = self.parse_name("the entity identifier")?;
            self.bump();
            let name = self.parse_name("the name of an entity group after 'in'")?;
            return Ok((self.named_group(&name)?, ident));
        }
        let name = self.parse_name("'entity_group [...]' or the name of an entity group")?;
        let group = self.named_group(&name)?;
        let ident = self.parse_identifier_after_as()?;
        Ok((group, ident))
    }

    fn parse_identifier_after_as(&mut self) -> PResult<Ident> {
        if !self.eat_ident("as") {
            return Err(self.expected_after("'as' and the entity identifier"));
        }
        self.parse_name("the entity identifier after 'as'")
    }

    /// An entity group a `let` defined; its tables, spanning `name`.
    fn named_group(&self, name: &Ident) -> PResult<EntityGroup> {
        match self.entity_groups.named.get(&name.name) {
            Some(group) => Ok(EntityGroup {
                tables: group.tables.clone(),
                span: name.span,
            }),
            None => Err(QueryError::unknown(
                format!(
                    "unknown entity group '{}'{}: define it in the query, let {} = entity_group [DeviceProcessEvents, ...]; (Quarry has no stored entity groups)",
                    name.name,
                    did_you_mean(
                        &name.name,
                        self.entity_groups.named.keys().map(String::as_str),
                    ),
                    name.name,
                ),
                name.span,
            )),
        }
    }

    /// `let G = entity_group [...]` starts at the cursor.
    pub(super) fn at_entity_group_let(&self) -> bool {
        self.is_ident("let")
            && self.name_len_at(1).is_some_and(|n| {
                matches!(self.kind_at(1 + n), TokenKind::Assign)
                    && self.ident_at(2 + n) == Some("entity_group")
            })
    }

    /// `let G = entity_group [...];`: remembered for the `macro-expand`s
    /// after it.
    pub(super) fn parse_entity_group_let(&mut self) -> PResult<()> {
        self.bump();
        let name = self.parse_name("a name after 'let'")?;
        self.bump();
        let group = self.parse_entity_group()?;
        self.entity_groups.named.insert(name.name, group);
        if !self.eat(&TokenKind::Semi) {
            return Err(self.error_here(format!(
                "expected ';' after the 'let' statement, found {}",
                self.describe_current()
            )));
        }
        Ok(())
    }

    /// `entity_group [E1, E2, ...]` with the cursor on `entity_group`.
    fn parse_entity_group(&mut self) -> PResult<EntityGroup> {
        let start = self.bump().span;
        if !self.at(&TokenKind::LBracket) {
            return Err(self.expected_after("'[' and the entities of the group"));
        }
        let open = self.bump().span;
        if self.at(&TokenKind::RBracket) {
            let close = self.bump().span;
            return Err(QueryError::syntax(
                "an entity_group lists at least one entity: entity_group [DeviceProcessEvents, ...]",
                open.to(close),
            ));
        }
        let mut tables = Vec::new();
        loop {
            if let Some(table) = self.parse_entity_reference()? {
                tables.push(table);
            }
            if self.eat(&TokenKind::Comma) {
                continue;
            }
            if matches!(
                self.kind(),
                TokenKind::RBracket | TokenKind::Eof | TokenKind::Error(_)
            ) {
                break;
            }
            return Err(self.error_here(format!(
                "expected ',' or ']' after the entity {}, found {}",
                self.prev_text(),
                self.describe_current()
            )));
        }
        let close = self.expect_close(TokenKind::RBracket, open)?;
        Ok(EntityGroup {
            tables,
            span: start.to(close),
        })
    }

    /// A table of the group, or `None` for a reference to another place
    /// (noted as refused).
    fn parse_entity_reference(&mut self) -> PResult<Option<Ident>> {
        let what = "an entity (a table name)";
        let Some(word) = self
            .ident_at(0)
            .filter(|w| CROSS_RESOURCE.contains(w))
            .filter(|_| matches!(self.kind_at(1), TokenKind::LParen))
            .map(str::to_string)
        else {
            if !self.at_name() {
                return Err(self.expected_after(what));
            }
            return self.parse_name(what).map(Some);
        };
        let start = self.bump().span;
        self.parse_call_args()?;
        let mut places = vec![word];
        let mut last = None;
        while self.eat(&TokenKind::Dot) {
            let name = self.parse_name("a name after '.'")?;
            if self.at(&TokenKind::LParen) {
                self.parse_call_args()?;
                places.push(name.name);
            } else {
                last = Some(name);
            }
        }
        // `arg("").Resources` reads as the loaded table, as it does as a
        // pipeline's source.
        if places.len() == 1
            && places[0] == "arg"
            && let Some(table) = last
        {
            return Ok(Some(table));
        }
        let span = start.to(self.prev_span());
        let what = if places.iter().any(|p| p == "cluster") {
            "in another Kusto cluster"
        } else if places.iter().any(|p| p == "database") {
            "in another database"
        } else {
            "in another workspace or service"
        };
        if self.unsupported.is_none() {
            self.unsupported = Some(QueryError::new(
                ErrorKind::Unsupported,
                format!(
                    "{} is {what}: Quarry queries one local database offline (the tables it loaded), so an entity group names its tables, e.g. entity_group [DeviceProcessEvents, DeviceNetworkEvents]",
                    self.text(span)
                ),
                Some(span),
            ));
        }
        Ok(None)
    }

    /// The subquery in parentheses, read once per table of `group` with
    /// `ident` standing for it.
    fn parse_legs(&mut self, group: &EntityGroup, ident: &Ident) -> PResult<Vec<MacroLeg>> {
        if !self.at(&TokenKind::LParen) {
            return Err(self.expected_after("'(' and the subquery"));
        }
        let open = self.pos;
        let open_span = self.span();
        let Some(close) = self.matching_paren(open) else {
            // Unbalanced: reading it once reports where it breaks.
            self.bump();
            self.parse_macro_leg(ident.clone())?;
            self.expect_close(TokenKind::RParen, open_span)?;
            return Err(self.expected_after("')'"));
        };
        let body: Vec<Token> = self.toks[open + 1..close].to_vec();
        inner_identifiers_differ(&body, ident)?;
        let original = self.toks.clone();
        let mut legs = Vec::with_capacity(group.tables.len());
        for entity in &group.tables {
            self.entity_groups.legs += 1;
            if self.entity_groups.legs > MAX_LEGS {
                self.toks.clone_from(&original);
                return Err(QueryError::new(
                    ErrorKind::Limit,
                    format!(
                        "macro-expand expands to more than {MAX_LEGS} subqueries (nested entity groups multiply): use fewer tables or less nesting"
                    ),
                    Some(group.span),
                ));
            }
            let tokens = substitute(&body, ident, entity)?;
            let end = open + 1 + tokens.len();
            let mut toks = Vec::with_capacity(original.len() + tokens.len());
            toks.extend_from_slice(&original[..=open]);
            toks.extend(tokens);
            toks.extend_from_slice(&original[close..]);
            self.toks = toks;
            self.pos = open + 1;
            let leg = self.parse_macro_leg(entity.clone()).and_then(|leg| {
                if self.pos == end {
                    Ok(leg)
                } else {
                    self.expect_close(TokenKind::RParen, open_span)?;
                    Err(self.expected_after("')'"))
                }
            });
            self.toks.clone_from(&original);
            legs.push(leg?);
        }
        self.pos = close + 1;
        Ok(legs)
    }

    /// The subquery: `let` statements, then a tabular expression.
    fn parse_macro_leg(&mut self, entity: Ident) -> PResult<MacroLeg> {
        let (lets, _) = self.parse_statements(true)?;
        let body = self.parse_pipeline()?;
        Ok(MacroLeg { entity, lets, body })
    }

    /// The index of the `)` closing the `(` at index `open`.
    fn matching_paren(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (i, tok) in self.toks.iter().enumerate().skip(open) {
            match tok.kind {
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return matches!(tok.kind, TokenKind::RParen).then_some(i);
                    }
                }
                TokenKind::Eof | TokenKind::Error(_) => return None,
                _ => {}
            }
        }
        None
    }
}

/// Whether `body[i]` is the identifier `ident` itself, not a member name
/// (`$left.X`).
fn is_identifier(body: &[Token], i: usize, ident: &Ident) -> bool {
    matches!(&body[i].kind, TokenKind::Ident(n) if *n == ident.name)
        && !(i > 0 && matches!(body[i - 1].kind, TokenKind::Dot))
}

/// The subquery's tokens for one entity: `X` becomes the entity's table
/// (quoted, so any table name reads as one name), `X.$current_database`
/// and `X.$current_cluster_endpoint` their string values.
fn substitute(body: &[Token], ident: &Ident, entity: &Ident) -> PResult<Vec<Token>> {
    let mut out = Vec::with_capacity(body.len() + 8);
    let mut i = 0;
    while i < body.len() {
        let tok = &body[i];
        if !is_identifier(body, i, ident) {
            out.push(tok.clone());
            i += 1;
            continue;
        }
        if let (Some(TokenKind::Dot), Some(member)) =
            (body.get(i + 1).map(|t| &t.kind), body.get(i + 2))
        {
            let span = tok.span.to(member.span);
            let value = match &member.kind {
                TokenKind::Ident(m) if m == "$current_database" => Some(CURRENT_DATABASE),
                TokenKind::Ident(m) if m == "$current_cluster_endpoint" => {
                    Some(CURRENT_CLUSTER_ENDPOINT)
                }
                TokenKind::Ident(m) if m.starts_with('$') => {
                    return Err(QueryError::unknown(
                        format!(
                            "unknown value '{m}' of an entity: macro-expand gives {0}.$current_database and {0}.$current_cluster_endpoint",
                            ident.name
                        ),
                        span,
                    ));
                }
                TokenKind::Ident(_) | TokenKind::LBracket => {
                    let member_end = if matches!(member.kind, TokenKind::LBracket) {
                        body.get(i + 4).map_or(member.span, |t| t.span)
                    } else {
                        member.span
                    };
                    return Err(QueryError::syntax(
                        format!(
                            "'{0}' stands for the table '{1}' here, which has no tables: '{0}.Table' reads a table of a database entity, and Quarry queries one local database offline, so its entity groups list tables; write '{0}' alone",
                            ident.name, entity.name
                        ),
                        tok.span.to(member_end),
                    ));
                }
                _ => None,
            };
            if let Some(value) = value {
                out.push(Token {
                    kind: TokenKind::Str(value.to_string()),
                    span,
                    spaced: tok.spaced,
                });
                i += 3;
                continue;
            }
        }
        // `['Table']`: a keyword-like or spaced table name stays a name.
        let quoted = [
            (TokenKind::LBracket, tok.spaced),
            (TokenKind::Str(entity.name.clone()), false),
            (TokenKind::RBracket, false),
        ];
        out.extend(quoted.into_iter().map(|(kind, spaced)| Token {
            kind,
            span: tok.span,
            spaced,
        }));
        i += 1;
    }
    Ok(out)
}

/// A nested `macro-expand` in `body` must not take the outer identifier
/// (macro-expand-operator.md): its scope would be ambiguous.
fn inner_identifiers_differ(body: &[Token], ident: &Ident) -> PResult<()> {
    let starts = (0..body.len()).filter(|&i| {
        matches!(&body[i].kind, TokenKind::Ident(w) if w == "macro")
            && matches!(body.get(i + 1), Some(t) if t.kind == TokenKind::Minus && !t.spaced)
            && matches!(body.get(i + 2), Some(t) if !t.spaced
                && matches!(&t.kind, TokenKind::Ident(w) if w == "expand"))
    });
    for start in starts {
        let mut brackets = 0usize;
        for j in start + 3..body.len() {
            match &body[j].kind {
                TokenKind::LBracket => brackets += 1,
                TokenKind::RBracket => brackets = brackets.saturating_sub(1),
                TokenKind::LParen if brackets == 0 => break,
                _ if brackets == 0 && is_identifier(body, j, ident) => {
                    return Err(QueryError::syntax(
                        format!(
                            "a nested macro-expand needs an identifier of its own: '{}' is the outer macro-expand's",
                            ident.name
                        ),
                        body[j].span,
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use proptest::prelude::*;

    /// Pieces of `macro-expand` queries, whole and broken.
    const PIECES: &[&str] = &[
        "macro-expand",
        "macro",
        "-",
        "expand",
        "entity_group",
        "[",
        "]",
        "(",
        ")",
        "T",
        "['T 2']",
        "X",
        "Y",
        "G",
        "as",
        "in",
        ",",
        ";",
        "let",
        "=",
        "|",
        "count",
        "where",
        ".",
        "X.$current_database",
        "$current_cluster_endpoint",
        "X.Logs",
        "cluster('c')",
        "database('d')",
        "arg('')",
        "kind=inner",
        "isfuzzy=true",
    ];

    /// Starts that get the soup past the operator's head.
    const PREFIXES: &[&str] = &[
        "",
        "macro-expand ",
        "macro-expand entity_group [T, ['T 2']] as X (",
        "let G = entity_group [T, U]; macro-expand X in G (",
        "let G = entity_group [T]; macro-expand G as X (macro-expand entity_group [U] as Y (",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn macro_expand_soup_never_panics(
            prefix in prop::sample::select(PREFIXES),
            pieces in prop::collection::vec(prop::sample::select(PIECES), 0..40),
            suffix in prop::sample::select(&[")", "))", "", ") | count"][..]),
        ) {
            let src = format!("{prefix}{}{suffix}", pieces.join(" "));
            if let Err(e) = parse(&src) {
                let span = e.span.expect("parse errors have a span");
                prop_assert!(span.start <= span.end && span.end <= src.len());
                e.render(&src);
            }
        }
    }
}
