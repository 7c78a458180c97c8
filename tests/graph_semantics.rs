//! Kusto's graph semantics beyond the documentation's examples: pattern
//! directions, cycles, zero-length edges, graph lets, undirected and
//! multi-table graphs; the errors of graphs used where they cannot be and
//! of bad patterns, with their carets; the memory budget and the cancel
//! flag; `quarry check` and the binary.

use crate::common;
use crate::graph::{NODES_AND_EDGES, rows, tidy_error};

use common::{error, table, tidy, try_run};
use quarry::kql::check::check;

/// A small graph for the semantics and the errors below: a -> b -> c -> a,
/// and c -> d.
const RING: &str = r#"datatable(src:string, dst:string, w:long) ["a","b",1, "b","c",2, "c","a",3, "c","d",4]
| make-graph src --> dst with_node_id=id
"#;

#[test]
fn directions_and_anonymous_elements() {
    rows(
        &format!("{RING}| graph-match (x)<--(y) where x.id == \"a\" project x.id, y.id"),
        r#"x_id:string | y_id:string
        "a" | "c""#,
    );
    rows(
        &format!("{RING}| graph-match (x)-[e]-(y) where x.id == \"c\" project y.id, e.w"),
        r#"y_id:string | e_w:long
        "a" | 3
        "b" | 2
        "d" | 4"#,
    );
}

/// cycles: by default an edge is walked once per match; `none` keeps a
/// node from repeating; `all` walks the ring round again.
#[test]
fn cycle_semantics() {
    let walk = |cycles: &str| {
        format!(
            "{RING}| graph-match {cycles} (x)-[e*1..4]->(y) where x.id == \"a\" and y.id == \"a\" project path = map(e, dst)"
        )
    };
    rows(
        &walk(""),
        r#"path:dynamic
        ["b","c","a"]"#,
    );
    rows(&walk("cycles=none"), "path:dynamic");
    rows(
        &walk("cycles=all"),
        r#"path:dynamic
        ["b","c","a"]"#,
    );
    rows(
        &format!(
            "{RING}| graph-match cycles=all (x)-[e*1..6]->(y) where x.id == \"a\" and y.id == \"a\" project path = map(e, dst)"
        ),
        r#"path:dynamic
        ["b","c","a"]
        ["b","c","a","b","c","a"]"#,
    );
}

/// A zero-length edge matches the node itself; all() holds and any()
/// does not over no edges, and map() is empty.
#[test]
fn zero_length_edges() {
    rows(
        &format!(
            "{RING}| graph-match (x)-[e*0..1]->(y) where x.id == \"d\" project y.id, all(e, w > 100), any(e, w > 0), n = map(e, w)"
        ),
        r#"y_id:string | Column2:bool | Column3:bool | n:dynamic
        "d" | true | false | []"#,
    );
}

/// A variable-length edge's property is an array; a node on its own is a
/// property bag; labels() of a made graph are empty.
#[test]
fn properties_of_paths_and_whole_elements() {
    rows(
        &format!(
            "{RING}| graph-match (x)-[e*2..2]->(y) where x.id == \"a\" project e.w, x, labels(x), array_length(e)"
        ),
        r#"e_w:dynamic | x:dynamic | labels:dynamic | Column4:long
        [1,2] | {"id":"a"} | [] | 2"#,
    );
}

/// `--` in make-graph: every edge can be walked either way.
#[test]
fn undirected_graph() {
    rows(
        r#"datatable(src:string, dst:string) ["a","b", "b","c"]
        | make-graph src -- dst with_node_id=id
        | graph-match (x)-->(y) where x.id == "b" project y.id"#,
        r#"y_id:string
        "a"
        "c""#,
    );
}

/// Two node tables with different id columns make one set of nodes.
#[test]
fn two_node_tables() {
    rows(
        r#"let people = datatable(name:string, age:long) ["a", 30];
        let hosts = datatable(host:string, os:string) ["h1", "linux"];
        datatable(user:string, machine:string) ["a","h1", "b","h1"]
        | make-graph user --> machine with people on name, hosts on host
        | graph-to-table nodes"#,
        r#"name:string | age:long | host:string | os:string
        "a" | 30 | "" | ""
        "" | null | "h1" | "linux"
        "b" | null | "" | """#,
    );
}

/// graph-mark-components kind=strong: the ring is one component, d its own.
#[test]
fn strong_components() {
    rows(
        &format!("{RING}| graph-mark-components kind=strong | graph-to-table nodes"),
        r#"id:string | ComponentId:long
        "a" | 0
        "b" | 0
        "c" | 0
        "d" | 1"#,
    );
}

/// A table follows the graph operators as usual.
#[test]
fn the_table_flows_on() {
    table(
        &format!("{RING}| graph-to-table edges | summarize total = sum(w)"),
        "total:long
        10",
    );
}

/// A `let` may name a graph (graph-scenarios.md writes `let graph =
/// edges | make-graph ...;`), and another `let` may mark it.
#[test]
fn a_let_names_a_graph() {
    let lets = r#"let g = datatable(src:string, dst:string) ["a","b", "c","d"]
    | make-graph src --> dst with_node_id=id;
let marked = g | graph-mark-components with_component_id=part;
"#;
    rows(
        &format!("{lets}marked | graph-match (x)-->(y) project x.id, y.part"),
        r#"x_id:string | y_part:long
        "a" | 0
        "c" | 1"#,
    );
    rows(
        &format!("{lets}g | graph-to-table edges"),
        r#"src:string | dst:string
        "a" | "b"
        "c" | "d""#,
    );
    assert_eq!(
        error(&format!("{lets}g | take 1")),
        tidy_error(
            "error: 'take' cannot read a graph: only graph-match, graph-shortest-paths, graph-to-table or graph-mark-components can (graph-to-table makes a table of it)
             --> line 4, column 5
              |
            4 | g | take 1
              |     ^^^^^^"
        )
    );
}

#[test]
fn a_graph_piped_into_a_tabular_operator_is_an_error() {
    assert_eq!(
        error(&format!("{RING}| take 3")),
        tidy_error(
            "error: 'take' cannot read a graph: only graph-match, graph-shortest-paths, graph-to-table or graph-mark-components can (graph-to-table makes a table of it)
             --> line 3, column 3
              |
            3 | | take 3
              |   ^^^^^^"
        )
    );
    assert_eq!(
        error(&format!("{RING}| summarize count()")),
        tidy_error(
            "error: 'summarize' cannot read a graph: only graph-match, graph-shortest-paths, graph-to-table or graph-mark-components can (graph-to-table makes a table of it)
             --> line 3, column 3
              |
            3 | | summarize count()
              |   ^^^^^^^^^"
        )
    );
}

#[test]
fn a_query_cannot_end_with_a_graph() {
    assert_eq!(
        error(RING),
        tidy_error(
            "error: the query ends with a graph: pipe it into graph-match, graph-shortest-paths, graph-to-table or graph-mark-components
             --> line 2, column 3
              |
            2 | | make-graph src --> dst with_node_id=id
              |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
        )
    );
}

#[test]
fn graph_match_needs_a_graph() {
    assert_eq!(
        error(r#"datatable(a:string) ["x"] | graph-match (n) project n.a"#),
        tidy_error(
            r#"error: graph-match needs a graph: put it after make-graph (it cannot read a table)
             --> line 1, column 29
              |
            1 | datatable(a:string) ["x"] | graph-match (n) project n.a
              |                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^"#
        )
    );
}

#[test]
fn unknown_variable_in_where() {
    assert_eq!(
        error(&format!(
            "{RING}| graph-match (n)-->(m) where k.id == \"a\" project n.id"
        )),
        tidy_error(
            "error: unknown variable 'k': the pattern names m, n
             --> line 3, column 31
              |
            3 | | graph-match (n)-->(m) where k.id == \"a\" project n.id
              |                               ^"
        )
    );
}

#[test]
fn unknown_property() {
    assert_eq!(
        error(&format!(
            "{RING}| graph-match (n)-[e]->(m) project e.weight"
        )),
        tidy_error(
            "error: the edge 'e' has no property 'weight' (its properties: src, dst, w)
             --> line 3, column 38
              |
            3 | | graph-match (n)-[e]->(m) project e.weight
              |                                      ^^^^^^"
        )
    );
    assert_eq!(
        error(&format!(
            "{RING}| graph-match (n)-[e*1..2]->(m) project map(e, srcc)"
        )),
        tidy_error(
            "error: 'srcc' is not a property of the edges of 'e' (did you mean 'src'?)
             --> line 3, column 48
              |
            3 | | graph-match (n)-[e*1..2]->(m) project map(e, srcc)
              |                                                ^^^^"
        )
    );
}

#[test]
fn bad_pattern_syntax() {
    assert_eq!(
        error(&format!(
            "{RING}| graph-match (n)-[e*1..]->(m) project n.id"
        )),
        tidy_error(
            "error: expected the maximum length after '..'
             --> line 3, column 25
              |
            3 | | graph-match (n)-[e*1..]->(m) project n.id
              |                         ^"
        )
    );
    assert_eq!(
        error(&format!("{RING}| graph-match (n)-->m project n.id")),
        tidy_error(
            "error: expected a node such as '(n)' or '()' in the graph pattern after '>'
             --> line 3, column 21
              |
            3 | | graph-match (n)-->m project n.id
              |                     ^"
        )
    );
    assert_eq!(
        error(&format!("{RING}| graph-match (n)<-->(m) project n.id")),
        tidy_error(
            "error: an edge points one way ('-->' or '<--') or none ('--'), not both
             --> line 3, column 18
              |
            3 | | graph-match (n)<-->(m) project n.id
              |                  ^^^^"
        )
    );
    assert_eq!(
        error(&format!("{RING}| graph-match (a)-->(b), (c)-->(d) project a.id")),
        tidy_error(
            "error: the pattern's sequences are not connected: each sequence must share a node variable with another
             --> line 3, column 15
              |
            3 | | graph-match (a)-->(b), (c)-->(d) project a.id
              |               ^^^^^^^^^^^^^^^^^^^^"
        )
    );
    assert_eq!(
        error(&format!(
            "{RING}| graph-match (n)-->(m) where n.id == \"a\""
        )),
        tidy_error(
            "error: expected 'project' and the output columns after '\"a\"'
             --> line 3, column 42
              |
            3 | | graph-match (n)-->(m) where n.id == \"a\"
              |                                          ^"
        )
    );
}

/// More matches than the memory budget holds are refused, not built.
#[test]
fn a_runaway_pattern_is_refused() {
    // Three nodes, each linked both ways to the others: 2^n walks of n
    // edges from every node.
    let query = r#"datatable(src:string, dst:string) ["a","b", "b","a", "b","c", "c","b", "a","c", "c","a"]
| make-graph src --> dst with_node_id=id
| graph-match cycles=all (x)-[e*1..30]->(y) project x.id"#;
    let options = quarry::kql::RunOptions {
        budget: quarry::kql::Budget::new(64 << 10),
        ..Default::default()
    };
    let e = quarry::kql::run(&quarry::data::catalog::Catalog::new(), query, &options)
        .expect_err("the budget refuses the pattern");
    assert_eq!(e.kind, quarry::kql::error::ErrorKind::Limit);
    assert_eq!(
        e.render(query),
        tidy_error(
            "error: graph-match would produce 249 rows (about 64.2 KiB), more than the limit of 248 rows (64.0 KiB of memory at 264 bytes a row; set with --max-memory); it stopped counting there; constrain the pattern in 'where', shorten its variable-length edges or use cycles=none
             --> line 3, column 3
              |
            3 | | graph-match cycles=all (x)-[e*1..30]->(y) project x.id
              |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
        )
    );
}

/// Shortest paths are found breadth first, so a dense graph whose every
/// path would not fit in the budget still gives them: eight nodes each
/// linked to every other have 1,957 paths from 1 to 8 of up to 7 edges.
#[test]
fn shortest_paths_in_a_dense_graph_fit_a_small_budget() {
    let dense = r#"let n = range i from 1 to 8 step 1 | project id = tostring(i), k = 1;
n | join kind=inner (n) on k | where id != id1 | project src = id, dst = id1
| make-graph src --> dst with_node_id=id
"#;
    let options = quarry::kql::RunOptions {
        budget: quarry::kql::Budget::new(64 << 10),
        ..Default::default()
    };
    let run = |q: &str| {
        quarry::kql::run(&quarry::data::catalog::Catalog::new(), q, &options)
            .map(|f| common::render(&f))
            .unwrap_or_else(|e| panic!("{q}\n{}", e.render(q)))
    };
    let direct = format!(
        "{dense}| graph-shortest-paths (a)-[e*1..7]->(b) where a.id == \"1\" and b.id == \"8\" project via = map(inner_nodes(e), id)"
    );
    assert_eq!(run(&direct), "via:dynamic\n[]");
    // Without the direct edge, six paths of two edges, in node order.
    let around = format!(
        "{dense}| graph-shortest-paths output=all (a)-[e*1..7]->(b) where a.id == \"1\" and b.id == \"8\" and all(e, not(src == \"1\" and dst == \"8\")) project via = map(inner_nodes(e), id)"
    );
    assert_eq!(
        run(&around),
        tidy(
            r#"via:dynamic
            ["2"]
            ["3"]
            ["4"]
            ["5"]
            ["6"]
            ["7"]"#
        )
    );
    // Every path, as graph-match finds them, is more than the budget.
    let every = format!(
        "{dense}| graph-match cycles=none (a)-[e*1..7]->(b) where a.id == \"1\" and b.id == \"8\" project via = map(inner_nodes(e), id) | count"
    );
    let e = quarry::kql::run(&quarry::data::catalog::Catalog::new(), &every, &options)
        .expect_err("refused");
    assert_eq!(e.kind, quarry::kql::error::ErrorKind::Limit);
}

/// Nothing typed panics: every documentation example above, cut short
/// at each of a spread of places or with a stretch of it removed, runs
/// or gives an error.
#[test]
fn mangled_graph_queries_never_panic() {
    let queries = [
        NODES_AND_EDGES,
        RING,
        r#"datatable(s:string, t:string) ["a","b"] | make-graph s --> t with_node_id=id
        | graph-match (x)-[e*0..2]->(y) project map(inner_nodes(e), id), all(inner_nodes(e), id == "a"), any(e, s == "a"), node_id(x), labels(e)"#,
        r#"datatable(s:string, t:string, p:string) ["a","b","x", "b","a","y"]
        | make-graph s --> t with_node_id=id partitioned-by p (graph-shortest-paths output=all (x)-[e*1..3]-(y) where x.id == "a" project y.id)"#,
    ];
    let mut tried = 0;
    for query in queries {
        let chars: Vec<char> = query.chars().collect();
        let step = (chars.len() / 40).max(1);
        for at in (0..chars.len()).step_by(step) {
            let cut: String = chars[..at].iter().collect();
            let holed: String = chars[..at]
                .iter()
                .chain(&chars[(at + 7).min(chars.len())..])
                .collect();
            for q in [cut, holed] {
                let _ = try_run(&q);
                tried += 1;
            }
        }
    }
    assert!(tried > 200, "{tried}");
}

/// The condition is applied as matches are found, so only those it keeps
/// count against the budget: 196,602 walks of up to 15 edges (28 MB)
/// would not fit in 16 MB, the 65,532 closed ones (9.4 MB) do.
#[test]
fn the_condition_is_applied_while_searching() {
    let query = r#"datatable(src:string, dst:string) ["a","b", "b","a", "b","c", "c","b", "a","c", "c","a"]
| make-graph src --> dst with_node_id=id
| graph-match cycles=all (x)-[e*1..15]->(y) where x.id == y.id project x.id
| count"#;
    let options = quarry::kql::RunOptions {
        budget: quarry::kql::Budget::new(16 << 20),
        ..Default::default()
    };
    let frame = quarry::kql::run(&quarry::data::catalog::Catalog::new(), query, &options)
        .unwrap_or_else(|e| panic!("{}", e.render(query)));
    assert_eq!(common::render(&frame), "Count:long\n65532");
}

/// The binary: `quarry check` accepts a graph query, and `quarry query`
/// runs one and says where a graph was misused.
#[test]
fn the_binary_checks_and_runs_graph_queries() {
    use assert_cmd::cargo::CommandCargoExt;
    let matching =
        format!("{RING}| graph-match (x)-[e*2..2]->(y) where x.id == \"a\" project y.id");
    let out = std::process::Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["check", &matching])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
    let out = std::process::Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["query", "--sample", "--format", "csv", &matching])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    // CSV rows end with CRLF (RFC 4180).
    assert_eq!(String::from_utf8_lossy(&out.stdout), "y_id\r\nc\r\n");
    let out = std::process::Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["query", "--sample", &format!("{RING}| count")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "error: 'count' cannot read a graph: only graph-match, graph-shortest-paths, graph-to-table or graph-mark-components can"
        ),
        "{out:?}"
    );
}

/// graph("Model") (labels-graph-function.md's examples) reads a graph
/// model kept by a cluster: said plainly, by the runner and by check.
#[test]
fn stored_graph_models_are_a_cluster_feature() {
    let query = r#"graph("Simple") | graph-match (p)-[w]->(c) project p.name"#;
    let expected = tidy_error(
        r#"error: graph() reads a graph model stored on a cluster, which Quarry (offline) does not have: build the graph from tables with make-graph
         --> line 1, column 1
          |
        1 | graph("Simple") | graph-match (p)-[w]->(c) project p.name
          | ^^^^^"#,
    );
    assert_eq!(error(query), expected);
    let e = check(query, &[]).expect_err("a cluster feature");
    assert_eq!(e.render(query), expected);
}

#[test]
fn check_knows_the_graph_operators() {
    for query in [
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
let stations = datatable(station:string, wifi: bool) 
[ 
  "Central", true,
  "North", false,
  "South", false,
  "South-West", true,
  "West", true,
  "East", false
];
connections 
| make-graph from_station --> to_station with stations on station
| graph-shortest-paths (start)-[connections*2..5]->(destination)
  where start.station == "South-West" and
        destination.station == "North" and 
        all(inner_nodes(connections), wifi)
  project from = start.station, 
          stations = strcat_array(map(inner_nodes(connections), station), "->"), 
          to = destination.station"#,
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
| graph-match (manager)<-[reports*1..3]-(employee)
    where node_degree_in(manager) == 3 and any(inner_nodes(reports), node_degree_in() > 1)
    project manager.name, employee.name, 
            reports_and_inner_nodes_degree_in = map(inner_nodes(reports), strcat(name, " has ", node_degree_in(), " reports")),
            degree_in_m=node_degree_in(manager), 
            degree_out_e=node_degree_out(employee)"#,
    ] {
        assert_eq!(check(query, &[]), Ok(()), "{query}");
    }
    let e = check(
        &format!("{RING}| graph-match (n)-->(m) project strlenn(n.id)"),
        &[],
    )
    .expect_err("an unknown function");
    assert_eq!(
        e.message,
        "unknown function 'strlenn' (did you mean 'strlen'?)"
    );
    // Graph functions are graph-match's only.
    let e = check("print node_degree_in(x)", &[]).expect_err("not a graph");
    assert!(
        e.message.starts_with("unknown function 'node_degree_in'"),
        "{}",
        e.message
    );
}
