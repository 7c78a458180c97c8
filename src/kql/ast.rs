//! The syntax tree of a KQL query. Every node carries the byte span of the
//! source text it came from, so errors can point at it with a caret and the
//! workbench can show or rewrite any part of a pipeline.

/// A half-open byte range `[start, end)` into the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A name with its span (table, column, function or parameter name).
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole query: `let` statements, then one or more tabular statements
/// separated by `;` (a batch, batches.md), each making its own results
/// (a query that is only `let`s is a syntax error, as in Kusto).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub lets: Vec<Let>,
    /// `restrict access to (...);`, which hides from what follows it the
    /// tables and `let`s it does not list.
    pub restrict: Option<Restrict>,
    /// Statements before `body` that make no table of their own but name
    /// tables for the statements after them (`G | graph-to-table nodes as
    /// N, edges as E;`).
    pub named: Vec<Pipeline>,
    /// The first statement that makes a result: the table [`crate::kql::run`]
    /// answers with.
    pub body: Pipeline,
    /// The statements after `body`, in order: each makes its own results,
    /// except one that only names tables (see [`Query::binds_only`]).
    pub more: Vec<Pipeline>,
    pub span: Span,
    /// `set query_take_max_records = N;`: each result keeps its first N
    /// rows.
    pub take_max_records: Option<Expr>,
}

mod statements;
pub use statements::{Restrict, RestrictEntity, RestrictKind};

/// `let name = value;`
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    pub name: Ident,
    pub value: LetValue,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LetValue {
    /// `let x = 1h;` or `let t = datatable(...)[...];` or `let T = Tbl | where ...;`
    /// Whether it is scalar or tabular is decided when it is planned.
    Expr(Expr),
    Tabular(Pipeline),
    /// `let f = (T:(*), x:string, y:long = 5) { body };`
    Function(Function),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub params: Vec<Param>,
    /// `let` statements inside the body, then its result.
    pub lets: Vec<Let>,
    pub body: FunctionBody,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FunctionBody {
    Tabular(Pipeline),
    Scalar(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub kind: ParamKind,
    pub default: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParamKind {
    /// `T:(*)` or `T:(a:string, b:long)`: a table.
    Tabular,
    /// `x:string`, `x:long`, ...; the type name as written.
    Scalar(String),
}

/// `Source | op | op ...`
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub source: Source,
    pub ops: Vec<Operator>,
    pub span: Span,
}

/// What a pipeline starts from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A table, a tabular `let` name, or a wildcard like `Device*` (only in union/search).
    Table(Ident),
    /// A call of a tabular function: `f(T, "x")`, `table("Name")`.
    Call {
        name: Ident,
        args: Vec<Expr>,
        span: Span,
    },
    /// A pipeline that starts with a tabular operator with no input:
    /// `search ...`, `union ...`, `datatable(...)[...]`, `print ...`, `range ...`.
    Operator(Box<Operator>),
    /// `(pipeline)`
    Paren(Box<Pipeline>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    pub kind: OperatorKind,
    pub span: Span,
}

/// A column assignment in `extend`, `project`, `summarize` etc.:
/// `Name = expr`, `(A, B) = expr`, or just `expr` (name derived later).
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub names: Vec<Ident>,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDir {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullsPos {
    First,
    Last,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    /// `None` when not written: `sort`/`top` default to descending.
    pub dir: Option<SortDir>,
    /// `None` when not written: the default follows the direction.
    pub nulls: Option<NullsPos>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    InnerUnique,
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftSemi,
    LeftAnti,
    RightSemi,
    RightAnti,
}

/// One `on` condition of a join or lookup.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinKey {
    /// `on Col`
    Same(Ident),
    /// `on $left.a == $right.b`
    Pair { left: Ident, right: Ident },
}

/// `inline_external_table`: a table read from external storage, with its
/// schema in the query (`kind=storage`) or in a Delta log (`kind=delta`).
#[derive(Debug, Clone, PartialEq)]
pub struct InlineExternalTable {
    /// The declared columns; empty for a Delta table read by its own schema.
    pub columns: Vec<(Ident, String)>,
    /// `kind=storage` or `kind=delta`, as written.
    pub kind: Ident,
    /// `partition by (Name:type [= expr], ...)`.
    pub partitions: Vec<PartitionColumn>,
    /// `pathformat=(...)`: how a file's path under the storage root names
    /// its partitions.
    pub path_format: Vec<PathFormatPart>,
    /// `dataformat=f`.
    pub data_format: Option<Ident>,
    /// The storage connection strings: string literals or query parameters.
    pub uris: Vec<Expr>,
    /// The `with (...)` properties, values as written (strings unquoted).
    pub properties: Vec<OpOption>,
}

/// One `partition by` column of an `inline_external_table`.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionColumn {
    pub name: Ident,
    pub kind: String,
    /// `= expr`: the partition's value derived from the data's columns.
    pub expr: Option<Expr>,
}

/// One element of a `pathformat=(...)`.
#[derive(Debug, Clone, PartialEq)]
pub enum PathFormatPart {
    /// Literal text of the path (`'day='`, `'/'`).
    Text(String),
    /// A partition column's value, as written in the path.
    Column(Ident),
    /// `datetime_pattern('yyyy/MM/dd', Column)`.
    DatetimePattern { pattern: String, column: Ident },
}

/// A `name=value` option on an operator (`kind=inner`, `withsource=T`,
/// `hint.strategy=shuffle`), kept as written.
#[derive(Debug, Clone, PartialEq)]
pub struct OpOption {
    pub name: Ident,
    pub value: Ident,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OperatorKind {
    /// `where expr` / `filter expr`
    Where(Expr),
    /// `search [kind=case_sensitive] [in (T1, T2*)] predicate`; the
    /// predicate is an ordinary expression in which bare string literals and
    /// `Col:"x"` terms have been parsed as `Expr::SearchTerm`.
    Search {
        case_sensitive: bool,
        tables: Vec<Ident>,
        predicate: Expr,
    },
    Project(Vec<Assignment>),
    /// Column names, possibly with wildcards (`Initiating*`).
    ProjectAway(Vec<Ident>),
    ProjectKeep(Vec<Ident>),
    /// `project-by-names "A", dynamic(["B"]), "C*", column_names_of(T)`:
    /// column specifiers, evaluated to names and patterns when run.
    ProjectByNames(Vec<Expr>),
    /// `project-rename New = Old, ...`: pairs of (new, old).
    ProjectRename(Vec<(Ident, Ident)>),
    /// Column names or wildcards, each with an optional order for the
    /// columns a wildcard matches (`a* asc`).
    ProjectReorder(Vec<(Ident, Option<NameOrder>)>),
    Extend(Vec<Assignment>),
    Summarize {
        options: Vec<OpOption>,
        aggregates: Vec<Assignment>,
        by: Vec<Assignment>,
    },
    Sort(Vec<SortKey>),
    Top {
        count: Expr,
        keys: Vec<SortKey>,
    },
    Take(Expr),
    /// `top-nested [N] of Expr [with others = v] by Agg [asc|desc], top-nested ...`:
    /// one level per clause, outermost first.
    TopNested(Vec<TopNestedLevel>),
    Distinct(Vec<Expr>),
    Count,
    Join {
        kind: JoinKind,
        options: Vec<OpOption>,
        right: Box<Pipeline>,
        on: Vec<JoinKey>,
    },
    /// `lookup kind=leftouter (T) on ...`; `kind` is LeftOuter or Inner.
    Lookup {
        kind: JoinKind,
        right: Box<Pipeline>,
        on: Vec<JoinKey>,
    },
    Union {
        options: Vec<OpOption>,
        /// `withsource=Name`
        with_source: Option<Ident>,
        tables: Vec<Pipeline>,
    },
    /// `mv-expand [bagexpansion=..] Col [to typeof(t)], ... [limit n]`
    MvExpand {
        columns: Vec<Assignment>,
        limit: Option<Expr>,
        /// `bagexpansion=array`, `with_itemindex=Index`, `kind=...`, as written.
        options: Vec<OpOption>,
        /// The `to typeof(t)` type of each column, aligned with `columns`
        /// (`None` where not written).
        to_types: Vec<Option<String>>,
    },
    /// `invoke f(args)`
    Invoke {
        name: Ident,
        args: Vec<Expr>,
    },
    /// `datatable (a:string, b:long) [ "x", 1, ... ]`
    Datatable {
        columns: Vec<(Ident, String)>,
        values: Vec<Expr>,
    },
    Print(Vec<Assignment>),
    /// `range x from a to b step s`
    Range {
        name: Ident,
        from: Expr,
        to: Expr,
        step: Expr,
    },
    /// `as Name`
    As(Ident),
    Serialize(Vec<Assignment>),
    /// `render chart [with (...)]`: changes no data; the chart travels
    /// with the result.
    Render(super::render::RenderSpec),
    /// `getschema`
    GetSchema,
    /// `parse [kind=regex|simple] Expr with "lit" Col1 [:type] "lit" Col2 ...`
    Parse {
        source: Expr,
        kind: Option<String>,
        /// The regex flags of `kind=regex` (`i`, `m`, `s`, `U`), as written.
        flags: Option<String>,
        pattern: Vec<ParsePart>,
    },
    /// `sample n`
    Sample(Expr),
    /// `mv-apply [with_itemindex=I] [Name =] expr [to typeof(t)], ... [limit n] on (subquery)`
    MvApply {
        /// The arrays to expand, each optionally named.
        columns: Vec<Assignment>,
        /// The `to typeof(t)` type of each column, aligned with `columns`.
        to_types: Vec<Option<String>>,
        /// `with_itemindex=Name`: a `long` column of the 0-based element index.
        item_index: Option<Ident>,
        limit: Option<Expr>,
        /// The subquery's operators; its input is the implicit subtable.
        subquery: Vec<Operator>,
    },
    /// `evaluate [hint.x=y] plugin(args) [: (schema)]`
    Evaluate {
        plugin: Ident,
        args: Vec<Expr>,
        schema: Option<OutputSchema>,
    },
    /// `externaldata (a:string, ...) [ "uri", ... ] [with (format="csv", ...)]`
    ExternalData {
        columns: Vec<(Ident, String)>,
        /// The storage connection strings: string literals (adjacent ones
        /// already concatenated) or query parameters.
        uris: Vec<Expr>,
        /// The `with (...)` properties, values as written (strings unquoted).
        properties: Vec<OpOption>,
    },
    /// `inline_external_table [(a:string, ...)] kind=storage|delta [partition by
    /// (...)] [pathformat=(...)] [dataformat=f] (uri, ...) [with (...)]`
    InlineExternalTable(Box<InlineExternalTable>),
    /// `make-series [Name =] agg [default = v], ... on Axis [from a] [to b] step s [by ...]`
    MakeSeries {
        /// `kind=nonempty`: an empty input still gives one row of defaults.
        nonempty: bool,
        aggregates: Vec<SeriesAggregate>,
        axis: Expr,
        from: Option<Expr>,
        to: Option<Expr>,
        step: Expr,
        /// `in range(start, stop, step)`: `stop` is inclusive and bins are
        /// aligned with `bin()` rather than starting at `start`.
        range_syntax: bool,
        by: Vec<Assignment>,
    },
    /// `parse-kv Expr as (Key:type, ...) [with (...)]`
    ParseKv(Box<ParseKv>),
    /// `parse-where [kind=simple|regex [flags=f]] Expr with pattern`: as
    /// `parse`, keeping only the rows that match.
    ParseWhere {
        source: Expr,
        kind: Option<String>,
        /// The regex flags of `kind=regex` (`i`, `m`, `s`, `U`), as written.
        flags: Option<String>,
        pattern: Vec<ParsePart>,
    },
    /// `scan [with_match_id=Id] [declare (...)] with (step ...; ...)`
    Scan(Box<Scan>),
    /// `partition [hint.strategy=s] by Col (subquery)` or `{ query }`
    Partition {
        options: Vec<OpOption>,
        by: Ident,
        body: PartitionBody,
    },
    /// `reduce [kind=source] by Expr [with threshold=t, characters=c]`
    Reduce {
        /// `kind=source`: the input rows with a `Pattern` column.
        source_kind: bool,
        by: Expr,
        threshold: Option<Expr>,
        characters: Option<Expr>,
    },
    /// `make-graph`, `graph-match`, `graph-shortest-paths`,
    /// `graph-to-table`, `graph-mark-components` (see `kql::graph`).
    Graph(Box<super::graph::ast::GraphOp>),
    /// `fork [name=](ops) [name=](ops) ...`: one result per leg.
    Fork(Vec<ForkLeg>),
    /// `facet by Col, ... [with (ops)]`: the `with` rows, then one table of
    /// value counts per column.
    Facet {
        columns: Vec<Ident>,
        with: Option<Vec<Operator>>,
    },
    /// `sample-distinct N of Column`
    SampleDistinct {
        count: Expr,
        column: Ident,
    },
    /// `top-hitters N of Expr [by Expr]`
    TopHitters {
        count: Expr,
        of: Expr,
        by: Option<Expr>,
    },
    /// `consume [decodeblocks=b]`: runs its input and returns no rows.
    Consume,
    /// `find [withsource=Col] [in (Tables)] where Predicate [project ...]`
    Find(Box<Find>),
    /// `macro-expand [kind=..] [isfuzzy=..] Group as X (Subquery)`:
    /// expanded when read, one leg per entity of the group.
    MacroExpand(Box<MacroExpand>),
}

/// `macro-expand`, expanded: the subquery once per entity, `X` replaced
/// by the entity's table (see `parser::macro_expand`).
#[derive(Debug, Clone, PartialEq)]
pub struct MacroExpand {
    /// `kind=inner`: only the columns every leg has (`outer` keeps all).
    pub inner: bool,
    /// `isfuzzy=true`: the legs whose table is missing are left out.
    pub fuzzy: bool,
    /// The entity group as written (`entity_group [...]` or its name).
    pub group: Span,
    pub legs: Vec<MacroLeg>,
}

/// The subquery of a `macro-expand` for one entity of its group.
#[derive(Debug, Clone, PartialEq)]
pub struct MacroLeg {
    /// The entity's table, spanning its reference in the group.
    pub entity: Ident,
    /// The subquery's own `let` statements.
    pub lets: Vec<Let>,
    pub body: Pipeline,
}

/// The `find` operator: rows matching a predicate across tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Find {
    /// `withsource=Name`: the column naming each row's table (`source_`).
    pub with_source: Option<Ident>,
    /// `in (T1, D*, (T | where ...))`; empty: every table.
    pub tables: Vec<Pipeline>,
    /// A search predicate: bare strings are terms (`find "x"`).
    pub predicate: Expr,
    pub project: FindProject,
}

/// Which columns `find` outputs.
#[derive(Debug, Clone, PartialEq)]
pub enum FindProject {
    /// `project-smart` (the default): the predicate's columns and those
    /// every table has, the rest packed into `pack_`.
    Smart,
    /// `project Col [: type], ... [, pack_all()]`
    Columns {
        columns: Vec<(Ident, Option<String>)>,
        pack_all: bool,
    },
}

/// The plugins whose output is several tables (`preview`: the rows and
/// their count; `funnel_sequence`: three sankey tables).
pub const SEVERAL_RESULT_PLUGINS: &[&str] = &["preview", "funnel_sequence"];

impl OperatorKind {
    /// Whether the operator makes several results (`fork`, `facet`, and
    /// the plugins above): only the last operator of a query may.
    pub fn several_results(&self) -> bool {
        match self {
            OperatorKind::Fork(_) | OperatorKind::Facet { .. } => true,
            OperatorKind::Evaluate { plugin, .. } => {
                SEVERAL_RESULT_PLUGINS.contains(&plugin.name.as_str())
            }
            _ => false,
        }
    }
}

/// One leg of `fork`: its operators, and the name of its result (`name=`
/// before it, or an `as` at its end).
#[derive(Debug, Clone, PartialEq)]
pub struct ForkLeg {
    pub name: Option<Ident>,
    pub ops: Vec<Operator>,
    pub span: Span,
}

/// One clause of `top-nested`: which values to keep at this level of the
/// hierarchy, and how they are ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct TopNestedLevel {
    /// `N`: how many values to keep per group of the level above; `None`
    /// keeps them all.
    pub count: Option<Expr>,
    /// `[Name =] Expr`: the value this level partitions by.
    pub of: Assignment,
    /// `with others = v`: the value standing for the rows that did not make
    /// the top, which then get a row of their own.
    pub others: Option<Expr>,
    /// `[Name =] Aggregation`: ranks the values; unnamed, its column is
    /// `aggregated_<of>`.
    pub by: Assignment,
    /// `None` when not written: the largest aggregates first.
    pub dir: Option<SortDir>,
    pub span: Span,
}

/// `parse-kv`: which keys to read from a text, and how pairs are written.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseKv {
    pub source: Expr,
    /// The keys to extract, each with its type name, in output order.
    pub keys: Vec<(Ident, String)>,
    pub mode: KvMode,
    /// Opening and closing quote characters (`quote='"'`, `quote='()'`).
    pub quotes: Vec<(char, char)>,
    /// Characters that escape the next one inside quotes.
    pub escapes: Vec<char>,
}

/// How `parse-kv` finds pairs.
#[derive(Debug, Clone, PartialEq)]
pub enum KvMode {
    /// `pair_delimiter=..., kv_delimiter=...`; `greedy` lets an unquoted
    /// value run on to the next key.
    Delimited {
        pair: String,
        kv: String,
        greedy: bool,
    },
    /// No delimiters given: any non-alphanumeric text separates.
    Words,
    /// `regex=...` with two groups, the key and the value.
    Regex(String),
}

/// The `scan` operator's declarations and steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// `with_match_id=Name`
    pub match_id: Option<Ident>,
    /// `declare (Name:type [= default], ...)`
    pub declare: Vec<(Ident, String, Option<Expr>)>,
    pub steps: Vec<ScanStep>,
}

/// `step Name [output=all|last|none]: Condition [=> Col = expr, ...];`
#[derive(Debug, Clone, PartialEq)]
pub struct ScanStep {
    pub name: Ident,
    pub output: StepOutput,
    pub condition: Expr,
    pub assignments: Vec<Assignment>,
}

/// Which matches of a `scan` step are output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutput {
    All,
    Last,
    None,
}

/// What `partition` runs on each subtable.
#[derive(Debug, Clone, PartialEq)]
pub enum PartitionBody {
    /// `( op | op ... )`: the subtable is the implicit input.
    Ops(Vec<Operator>),
    /// `{ Source | ... }`: a query with its own source (legacy strategy),
    /// which sees the key as a scalar named after the column.
    Query(Box<Pipeline>),
}

/// One aggregation of `make-series`, with its `default =` value.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesAggregate {
    pub assignment: Assignment,
    pub default: Option<Expr>,
}

/// The `: (*, Name:type, ...)` output schema of an `evaluate` plugin.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSchema {
    /// A leading `*`: the input's columns are kept too.
    pub wildcard: bool,
    pub columns: Vec<(Ident, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParsePart {
    Literal(String),
    Column { name: Ident, kind: Option<String> },
    Wildcard,
}

/// A scalar literal as written.
/// How `project-reorder` orders the columns one pattern matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOrder {
    Asc,
    Desc,
    /// Natural order: digit runs compare as numbers (`a2` before `a10`).
    GrannyAsc,
    GrannyDesc,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    /// `int(2)`: an int, as `long(2)` and `2` are longs.
    Int(i32),
    Long(i64),
    Real(f64),
    /// `decimal(1.5)`: read from the literal's own digits, not a real.
    Decimal(crate::data::decimal::Decimal),
    Bool(bool),
    /// In 100-nanosecond ticks, as Kusto keeps it.
    Timespan(i64),
    /// `datetime(...)`: the text inside the parentheses, parsed when planned.
    Datetime(String),
    /// `dynamic(...)`: already JSON.
    Dynamic(serde_json::Value),
    /// `int(null)`, `datetime(null)`, ...: a typed null; the type name.
    Null(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
    /// `=~`
    EqTilde,
    /// `!~`
    NotEqTilde,
}

/// A string operator: `has`, `!contains_cs`, `startswith`, `matches regex`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringOp {
    pub kind: StringOpKind,
    pub negated: bool,
    pub case_sensitive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringOpKind {
    Has,
    HasPrefix,
    HasSuffix,
    Contains,
    StartsWith,
    EndsWith,
    MatchesRegex,
}

/// `in`, `!in`, `in~`, `!in~`, `has_any`, `has_all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOp {
    In,
    NotIn,
    InCi,
    NotInCi,
    HasAny,
    HasAll,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// Whether `test` holds for this expression or any expression inside
    /// it (not looking into tabular subqueries).
    pub fn any(&self, test: &impl Fn(&Expr) -> bool) -> bool {
        if test(self) {
            return true;
        }
        match &self.kind {
            ExprKind::Negate(x)
            | ExprKind::Member { target: x, .. }
            | ExprKind::NamedArg { value: x, .. } => x.any(test),
            ExprKind::Binary { left, right, .. } | ExprKind::StringOp { left, right, .. } => {
                left.any(test) || right.any(test)
            }
            ExprKind::List { left, items, .. } => {
                left.any(test) || items.iter().any(|i| i.any(test))
            }
            ExprKind::Between {
                value, low, high, ..
            } => value.any(test) || low.any(test) || high.any(test),
            ExprKind::Call { args, .. } | ExprKind::Tuple(args) => args.iter().any(|a| a.any(test)),
            ExprKind::Index { target, index } => target.any(test) || index.any(test),
            ExprKind::Literal(_)
            | ExprKind::Name(_)
            | ExprKind::Star
            | ExprKind::SearchTerm { .. }
            | ExprKind::Tabular(_) => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// A column or scalar `let` name.
    Name(String),
    /// `*` as a function argument (`count(*)`? no: `arg_min(T, *)`, `hash(*)`) or in `where * has "x"`.
    Star,
    /// `-x`, `+x`
    Negate(Box<Expr>),
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    StringOp {
        op: StringOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `x in ("a", "b")`, `x has_any (dynamic([...]))`, `x in (T | project c)`.
    List {
        op: ListOp,
        left: Box<Expr>,
        items: Vec<Expr>,
    },
    /// `x between (a .. b)`, `x !between (a .. b)`
    Between {
        negated: bool,
        value: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    /// `f(a, b)`; `count()` etc. Aggregates are calls too; the planner tells them apart.
    Call {
        name: Ident,
        args: Vec<Expr>,
    },
    /// `x.prop`
    Member {
        target: Box<Expr>,
        name: Ident,
    },
    /// `x["prop"]`, `x[0]`, `x[-1]`
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// A term in `search`: `"x"` (all columns) or `Col:"x"`; the text may
    /// hold `*` wildcards.
    SearchTerm {
        column: Option<Ident>,
        text: String,
    },
    /// A tabular expression used as a scalar list, `x in (T | project c)`,
    /// or `toscalar(T | ...)`.
    Tabular(Box<Pipeline>),
    /// `(a, b)` in parentheses with more than one item (a list for `in`).
    Tuple(Vec<Expr>),
    /// `Name = expr` as a call argument: `arg_min(Prev = TimeGenerated, Count = count_)`
    /// and `bin(Hour = TimeGenerated, 1h)` name the column they output.
    NamedArg {
        name: Ident,
        value: Box<Expr>,
    },
}
