//! Language features that real hunting queries use and `quarry check`
//! counts: `_GetWatchlist`, `externaldata`, `mv-apply`, `evaluate
//! bag_unpack` / `pivot`, `make-series` and `ingestion_time()`. Each is
//! checked with exact results on `datatable` inputs (and local files for
//! `externaldata`), and with the exact errors Quarry gives where it cannot
//! run a query offline. Where a case is a documented Kusto example, it says
//! so.

use crate::common;
use common::{render, tidy};
use std::path::PathBuf;

use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::kql::{QueryError, RunOptions};

/// 2025-03-18T12:00:00Z: the query clock of every case.
const NOW: i64 = 1_742_299_200_000_000_000;

fn options(dirs: Vec<PathBuf>) -> RunOptions {
    RunOptions {
        now: NOW,
        externaldata_dirs: dirs,
        ..Default::default()
    }
}

fn run_with(catalog: &Catalog, query: &str, dirs: Vec<PathBuf>) -> Result<DataFrame, QueryError> {
    quarry::kql::run(catalog, query, &options(dirs))
}

fn table_with(catalog: &Catalog, query: &str, dirs: Vec<PathBuf>) -> String {
    match run_with(catalog, query, dirs) {
        Ok(frame) => render(&frame),
        Err(e) => format!("ERROR {}", e.message),
    }
}

#[track_caller]
fn check_in(catalog: &Catalog, query: &str, expected: &str) {
    common::assert_table(query, &table_with(catalog, query, Vec::new()), expected);
}

#[track_caller]
fn check(query: &str, expected: &str) {
    check_in(&Catalog::new(), query, expected);
}

/// The message of a query that must fail.
#[track_caller]
fn error_with(catalog: &Catalog, query: &str, dirs: Vec<PathBuf>) -> String {
    match run_with(catalog, query, dirs) {
        Ok(frame) => panic!("query should fail: {query}\n{}", render(&frame)),
        Err(e) => e.message,
    }
}

#[track_caller]
fn error(query: &str) -> String {
    error_with(&Catalog::new(), query, Vec::new())
}

/// What `quarry check` says about a query: "ok" or the error message.
fn checked(query: &str) -> String {
    match quarry::kql::check::check(query, &[]) {
        Ok(()) => "ok".into(),
        Err(e) => e.message,
    }
}

fn frame(query: &str) -> DataFrame {
    match run_with(&Catalog::new(), query, Vec::new()) {
        Ok(f) => f,
        Err(e) => panic!("{}", e.render(query)),
    }
}

fn catalog_of(tables: &[(&str, &str)]) -> Catalog {
    let mut c = Catalog::new();
    for (name, query) in tables {
        c.insert(Table {
            name: name.to_string(),
            frame: frame(query),
            files: vec![],
            warnings: Vec::new(),
        });
    }
    c
}

// ------------------------------------------------------------ _GetWatchlist

fn watchlists() -> Catalog {
    catalog_of(&[
        (
            "Activity-ExpectedSignificantActivity",
            r#"datatable(SearchKey:string, Activity:string, Actor:string) [
                "Add member to role", "Add member to role", "admin@contoso.com",
                "Consent to application", "Consent to application", "it@contoso.com",
            ]"#,
        ),
        (
            "Watchlist_ips",
            r#"datatable(IPAddress:string, Location:string) [
                "10.0.100.11", "Home",
                "172.16.107.23", "Work",
            ]"#,
        ),
        ("_GetWatchlist_hosts", r#"datatable(Host:string) ["dc01"]"#),
        ("both", r#"datatable(Which:string) ["exact name"]"#),
        (
            "Watchlist_both",
            r#"datatable(Which:string) ["prefixed name"]"#,
        ),
        (
            "SigninLogs",
            r#"datatable(TimeGenerated:datetime, IPAddress:string, OperationName:string) [
                datetime(2025-03-18T10:00:00Z), "10.0.100.11", "Add member to role",
                datetime(2025-03-18T11:00:00Z), "8.8.8.8", "Reset password",
            ]"#,
        ),
    ])
}

/// The table named exactly as the alias is the watchlist, as loaded.
#[test]
fn watchlist_by_alias() {
    check_in(
        &watchlists(),
        "_GetWatchlist('Activity-ExpectedSignificantActivity') | project SearchKey, Actor",
        r#"SearchKey:string | Actor:string
           "Add member to role" | "admin@contoso.com"
           "Consent to application" | "it@contoso.com""#,
    );
}

/// `Watchlist_alias` and `_GetWatchlist_alias` are found too; a table
/// without `WatchlistItem` gets it (the row as a bag); no `SearchKey` is
/// invented.
#[test]
fn watchlist_prefixed_names_and_watchlist_item() {
    check_in(
        &watchlists(),
        r#"_GetWatchlist("ips")"#,
        r#"IPAddress:string | Location:string | WatchlistItem:dynamic
           "10.0.100.11" | "Home" | {"IPAddress":"10.0.100.11","Location":"Home"}
           "172.16.107.23" | "Work" | {"IPAddress":"172.16.107.23","Location":"Work"}"#,
    );
    check_in(
        &watchlists(),
        "_GetWatchlist('hosts') | project Host",
        r#"Host:string
           "dc01""#,
    );
    check_in(
        &watchlists(),
        "_GetWatchlist('both') | project Which",
        r#"Which:string
           "exact name""#,
    );
}

/// Watchlists in `let`, `in (...)`, `lookup` and `join`, as hunting queries
/// use them.
#[test]
fn watchlist_in_queries() {
    let c = watchlists();
    check_in(
        &c,
        "let wl = _GetWatchlist('ips') | project IPAddress; SigninLogs | where IPAddress in (wl) | project IPAddress",
        r#"IPAddress:string
           "10.0.100.11""#,
    );
    check_in(
        &c,
        "let expected = _GetWatchlist('Activity-ExpectedSignificantActivity'); \
         SigninLogs | where OperationName !in ((expected | project SearchKey)) | project OperationName",
        r#"OperationName:string
           "Reset password""#,
    );
    check_in(
        &c,
        "SigninLogs | lookup kind=leftouter (_GetWatchlist('ips') | project IPAddress, Location) on IPAddress \
         | project IPAddress, Location",
        r#"IPAddress:string | Location:string
           "10.0.100.11" | "Home"
           "8.8.8.8" | """#,
    );
}

#[test]
fn watchlist_not_loaded_is_a_clear_error() {
    assert_eq!(
        error_with(
            &watchlists(),
            "_GetWatchlist('IP-Vendors') | count",
            Vec::new()
        ),
        "watchlist 'IP-Vendors' is not loaded: _GetWatchlist looks for a table named 'IP-Vendors', \
         'Watchlist_IP-Vendors' or '_GetWatchlist_IP-Vendors'; export the watchlist to CSV and load it \
         under that name, e.g. `quarry IP-Vendors=watchlist.csv`"
    );
    assert_eq!(
        error("_GetWatchlist(1)"),
        "_GetWatchlist() expects one argument: the watchlist alias as a string"
    );
}

#[test]
fn check_accepts_watchlists_only_as_tables() {
    assert_eq!(checked("_GetWatchlist('x') | project SearchKey"), "ok");
    assert_eq!(
        checked("let w = _GetWatchlist('x'); T | join (w) on SearchKey"),
        "ok"
    );
    assert_eq!(
        checked("T | where a in ((_GetWatchlist('x') | project SearchKey))"),
        "ok"
    );
    assert!(checked("print _GetWatchlist('x')").starts_with("unknown function '_GetWatchlist'"));
}

// ------------------------------------------------------------- externaldata

/// A folder with local copies of feeds, as an analyst saves them.
fn feeds() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let write =
        |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    write(
        "ipblocklist.txt",
        "# first line is a comment\n1.2.3.4\n\n5.6.7.8\r\n",
    );
    write(
        "known_exploited_vulnerabilities.csv",
        "cveID,dateAdded,score,notes\nCVE-2021-44228,2021-12-10,10.0,\"log4j, everywhere\"\nCVE-2017-0144,,n/a\n",
    );
    write(
        "groups",
        "[{\"name\":\"abyss\",\"posts\":3,\"meta\":{\"a\":1}},\n {\"name\":\"akira\"}]\n{\"name\":\"x\",\"posts\":\"7\"}",
    );
    write("list.tsv", "a\t1\nb\t2\n");
    dir
}

/// `txt` is one record per non-empty line; `ignoreFirstRecord` skips the first.
#[test]
fn externaldata_txt_from_a_local_copy_of_the_url() {
    let dir = feeds();
    let query = r#"externaldata(IP: string)[@"https://feodotracker.abuse.ch/downloads/ipblocklist.txt"]
                   with (format="txt", ignoreFirstRecord=True)"#;
    assert_eq!(
        table_with(&Catalog::new(), query, vec![dir.path().to_path_buf()]),
        tidy(
            r#"IP:string
               "1.2.3.4"
               "5.6.7.8""#
        )
    );
}

/// CSV fields map to the declared columns by position and are converted to
/// their types (null where they do not parse); quoted fields keep commas.
#[test]
fn externaldata_csv_with_types() {
    let dir = feeds();
    let query = r#"externaldata(cveID: string, dateAdded: datetime, score: real, notes: string)
                   [@"https://www.cisa.gov/sites/default/files/csv/known_exploited_vulnerabilities.csv"]
                   with (format="csv", ignoreFirstRecord=true)"#;
    assert_eq!(
        table_with(
            &Catalog::new(),
            query,
            vec![PathBuf::from("/nonexistent"), dir.path().to_path_buf()]
        ),
        tidy(
            r#"cveID:string | dateAdded:datetime | score:real | notes:string
               "CVE-2021-44228" | 2021-12-10T00:00:00.0000000Z | 10 | "log4j, everywhere"
               "CVE-2017-0144" | null | null | """#
        )
    );
}

/// `multijson` maps properties to columns by name: an array of objects or
/// objects spread over lines; the URL's query string is not part of the name.
#[test]
fn externaldata_multijson_and_query_strings() {
    let dir = feeds();
    let query = r#"externaldata(name: string, posts: long, meta: dynamic)
                   [h@"https://api.ransomware.live/groups?key=secret"] with (format="multijson")"#;
    assert_eq!(
        table_with(&Catalog::new(), query, vec![dir.path().to_path_buf()]),
        tidy(
            r#"name:string | posts:long | meta:dynamic
               "abyss" | 3 | {"a":1}
               "akira" | null | null
               "x" | 7 | null"#
        )
    );
}

/// Without `format`, the extension decides; a local path is read directly.
#[test]
fn externaldata_local_paths_and_extensions() {
    let dir = feeds();
    let path = dir.path().join("list.tsv");
    let query = format!(
        "externaldata(k: string, v: int)[@\"{}\"] | where v > 1",
        path.display()
    );
    assert_eq!(
        table_with(&Catalog::new(), &query, Vec::new()),
        tidy(
            r#"k:string | v:int
               "b" | 2"#
        )
    );
    let query = format!(
        "let bad = externaldata(IP: string)[\"file://{}\"] with (format=\"txt\"); bad | count",
        dir.path().join("ipblocklist.txt").display()
    );
    assert_eq!(
        table_with(&Catalog::new(), &query, Vec::new()),
        "Count:long\n3"
    );
}

#[test]
fn externaldata_never_downloads() {
    let dir = feeds();
    assert_eq!(
        error_with(
            &Catalog::new(),
            r#"externaldata(x: string)["https://example.com/feeds/missing.csv"]"#,
            vec![dir.path().to_path_buf()]
        ),
        format!(
            "externaldata needs a local copy of https://example.com/feeds/missing.csv: Quarry does not download \
             (it works offline); save it as {}",
            dir.path().join("missing.csv").display()
        )
    );
    assert_eq!(
        error(r#"externaldata(x: string)["https://example.com/"]"#),
        "externaldata needs a local copy of https://example.com/: Quarry does not download (it works offline), \
         and this URI has no file name to look for; use a local path instead"
    );
    // A name that would leave the folder is never looked up.
    assert!(
        error_with(
            &Catalog::new(),
            r#"externaldata(x: string)["https://example.com/a/..%2Fgroups"]"#,
            vec![dir.path().join("sub")]
        )
        .contains("has no file name to look for")
    );
}

#[test]
fn check_accepts_externaldata_it_can_read() {
    assert_eq!(
        checked(
            r#"externaldata(a: string)[@"https://x/y.txt"] with (format="txt", ignoreFirstRecord=True)"#
        ),
        "ok"
    );
    assert_eq!(
        checked(r#"externaldata(a: string)[@"https://x/y.parquet"] with (format="parquet")"#),
        "ok"
    );
    assert_eq!(
        checked(r#"externaldata(a: string)[@"https://x/y.avro"] with (format="avro")"#),
        "externaldata format 'avro' is not supported yet"
    );
    assert_eq!(
        checked(
            r#"externaldata(a: string)["https://x/y.json"] with (format="json", ingestionMapping='[]')"#
        ),
        "ok"
    );
    assert!(
        checked(
            r#"externaldata(a: string)["https://x/y.json"] with (format="json", ingestionMappingReference='m')"#
        )
        .starts_with("ingestionMappingReference names an ingestion mapping stored on a cluster ('m')")
    );
    assert_eq!(
        checked(r#"externaldata(a: strng)["https://x/y.csv"]"#),
        "unknown type 'strng'"
    );
    assert_eq!(
        checked("T | evaluate bag_unpack(d) : (*, a: lng)"),
        "unknown type 'lng'"
    );
}

// ----------------------------------------------------------------- mv-apply

/// Documented example: "Internal mv-expand done by mv-apply".
#[test]
fn mv_apply_expands_each_row() {
    check(
        "let data = datatable (index: int, Arr: dynamic) [0, dynamic([7]), 1, dynamic([6, 11, 7])]; \
         data | mv-apply Arr2=Arr to typeof(long) on (take 100)",
        "index:int | Arr:dynamic | Arr2:long
         0 | [7] | 7
         1 | [6,11,7] | 6
         1 | [6,11,7] | 11
         1 | [6,11,7] | 7",
    );
}

/// Documented examples: the largest element, and the top two as a list.
#[test]
fn mv_apply_per_row_subqueries() {
    check(
        "let data = datatable (index: int, Arr: dynamic) [0, dynamic([1, 5, 3]), 1, dynamic([10, 2, 5, 7])]; \
         data | mv-apply topElem=Arr to typeof(long) on (top 1 by topElem)",
        "index:int | Arr:dynamic | topElem:long
         0 | [1,5,3] | 5
         1 | [10,2,5,7] | 10",
    );
    check(
        "let data = datatable (index: int, Arr: dynamic) [0, dynamic([5, 1, 3]), 1, dynamic([4, 10, 8, 7])]; \
         data | mv-apply Arr2=Arr to typeof(long) on (top 2 by Arr2 | summarize Top2=make_list(Arr2))",
        "index:int | Arr:dynamic | Top2:dynamic
         0 | [5,1,3] | [5,3]
         1 | [4,10,8,7] | [10,8]",
    );
}

/// Documented example: `with_itemindex`, a row-wise subquery.
#[test]
fn mv_apply_item_index() {
    check(
        "let data = datatable (row: int, Arr: dynamic) [0, dynamic([5, 1, 3]), 1, dynamic([4, 10, 8, 7])]; \
         data | mv-apply with_itemindex=index value=Arr to typeof(long) on (where index >= 2)",
        "row:int | Arr:dynamic | value:long | index:long
         0 | [5,1,3] | 3 | 2
         1 | [4,10,8,7] | 8 | 2
         1 | [4,10,8,7] | 7 | 3",
    );
}

/// Documented example: two arrays, padded with nulls, joined element-wise.
#[test]
fn mv_apply_two_arrays() {
    check(
        "datatable (Val: int, Arr1: dynamic, Arr2: dynamic) [
             1, dynamic(['A1', 'A2']), dynamic(['B1', 'B2', 'B3']),
             5, dynamic(['C1', 'C2']), dynamic(['D1'])]
         | mv-apply T1=Arr1, T2=Arr2 on (extend Out = strcat(T1, '_', T2) | summarize Out = make_list(Out))",
        r#"Val:int | Arr1:dynamic | Arr2:dynamic | Out:dynamic
           1 | ["A1","A2"] | ["B1","B2","B3"] | ["A1_B1","A2_B2","_B3"]
           5 | ["C1","C2"] | ["D1"] | ["C1_D1","C2_"]"#,
    );
}

/// Rows whose subquery yields nothing are dropped; an expanded column
/// without a new name replaces itself; the subquery sees the row's other
/// columns; `project` keeps the row's other columns in the output.
#[test]
fn mv_apply_filters_and_carries_columns() {
    let data = "datatable (Host: string, Limit: long, Ports: dynamic) [
                    'a', 100, dynamic([22, 443, 8080]),
                    'b', 1000, dynamic([80]),
                    'c', 0, dynamic([])]";
    check(
        &format!("{data} | mv-apply Ports to typeof(long) on (where Ports > Limit)"),
        r#"Host:string | Limit:long | Ports:long
           "a" | 100 | 443
           "a" | 100 | 8080"#,
    );
    check(
        &format!("{data} | mv-apply P = Ports to typeof(long) on (project Port = P * 2)"),
        r#"Host:string | Limit:long | Ports:dynamic | Port:long
           "a" | 100 | [22,443,8080] | 44
           "a" | 100 | [22,443,8080] | 886
           "a" | 100 | [22,443,8080] | 16160
           "b" | 1000 | [80] | 160"#,
    );
    check(
        &format!(
            "{data} | mv-apply Ports to typeof(long) limit 2 on (summarize n = count(), s = make_list(Ports))"
        ),
        r#"Host:string | Limit:long | n:long | s:dynamic
           "a" | 100 | 2 | [22,443]
           "b" | 1000 | 1 | [80]
           "c" | 0 | 0 | []"#,
    );
    check(
        &format!("{data} | mv-apply p = Ports on (summarize n = count() by Host)"),
        r#"Limit:long | Ports:dynamic | Host:string | n:long
           100 | [22,443,8080] | "a" | 3
           1000 | [80] | "b" | 1"#,
    );
}

/// The fast paths (row-wise operators, one summarize) agree with running
/// the subquery row by row (`take` forces that).
#[test]
fn mv_apply_fast_paths_match_per_row() {
    let data = "datatable (Id: long, Bag: dynamic) [
                    1, dynamic([{'k': 'x', 'v': 1}, {'k': 'y', 'v': 5}]),
                    2, dynamic([{'k': 'z', 'v': 7}]),
                    3, dynamic(null),
                    4, dynamic([{'k': 'w', 'v': 2}, {'k': 'x', 'v': 3}])]";
    for sub in [
        "where toint(B.v) > 1 | extend K = tostring(B.k) | project K",
        "extend V = toint(B.v) | summarize Total = sum(V), Keys = make_set(tostring(B.k))",
        "summarize c = count() by K = tostring(B.k) | where c > 0",
        "mv-expand B | project-away Id",
    ] {
        let fast = table_with(
            &Catalog::new(),
            &format!("{data} | mv-apply B = Bag on ({sub})"),
            Vec::new(),
        );
        let slow = table_with(
            &Catalog::new(),
            &format!("{data} | mv-apply B = Bag on ({sub} | take 1000000)"),
            Vec::new(),
        );
        assert_eq!(fast, slow, "subquery: {sub}");
        assert!(!fast.starts_with("ERROR"), "{fast}");
    }
}

/// Per-row results with different columns are stacked as an outer union.
#[test]
fn mv_apply_results_of_different_shapes() {
    check(
        "datatable(Id: long, arr: dynamic) [1, dynamic([{'a': 1}, {'a': 2}]), 2, dynamic([{'b': 'x'}])]
         | mv-apply x = arr on (evaluate bag_unpack(x))",
        r#"Id:long | arr:dynamic | a:long | b:string
           1 | [{"a":1},{"a":2}] | 1 | ""
           1 | [{"a":1},{"a":2}] | 2 | ""
           2 | [{"b":"x"}] | null | "x""#,
    );
}

#[test]
fn check_accepts_mv_apply() {
    assert_eq!(
        checked(
            "T | mv-apply with_itemindex=i x = a to typeof(string) on (where x has 'y' | summarize make_set(x))"
        ),
        "ok"
    );
    assert!(
        checked("T | mv-apply x = a on (where qqq_nope(x))")
            .starts_with("unknown function 'qqq_nope'")
    );
}

// ---------------------------------------------------------------- evaluate

const PEOPLE: &str = r#"datatable(Name: string, d: dynamic) [
    'Old_name', dynamic({"Name": "John", "Age": 20}),
    'Old_name', dynamic({"Name": "Dave", "Age": 40, "Tags": ["a"]}),
    'Old_name', dynamic({"Name": "Jasmine", "Age": 30.5})]"#;

/// Documented example (one column per property, in the sorted order of
/// Kusto's bag keys), with a type per column and null where a bag lacks it.
#[test]
fn bag_unpack_columns() {
    check(
        r#"datatable(d: dynamic) [
               dynamic({"Name": "John", "Age": 20}),
               dynamic({"Name": "Dave", "Age": 40}),
               dynamic(null),
               dynamic({"Name": "Jasmine", "Age": 30, "Height": 170})]
           | evaluate bag_unpack(d)"#,
        r#"Age:long | Height:long | Name:string
           20 | null | "John"
           40 | null | "Dave"
           null | null | ""
           30 | 170 | "Jasmine""#,
    );
    check(
        r#"datatable(d: dynamic) [dynamic({"Name": "John", "Age": 20})] | evaluate bag_unpack(d, 'Property_')"#,
        r#"Property_Age:long | Property_Name:string
           20 | "John""#,
    );
}

/// Documented examples: columnsConflict (a replacing property takes the
/// replaced column's place, as bag-unpack-plugin.md prints Name, Age) and
/// ignoredProperties; a property with values of several types is dynamic.
#[test]
fn bag_unpack_conflicts() {
    check(
        &format!("{PEOPLE} | evaluate bag_unpack(d, columnsConflict='replace_source')"),
        r#"Name:string | Age:dynamic | Tags:dynamic
           "John" | 20 | null
           "Dave" | 40 | ["a"]
           "Jasmine" | 30.5 | null"#,
    );
    check(
        &format!(
            "{PEOPLE} | evaluate bag_unpack(d, columnsConflict='keep_source', ignoredProperties=dynamic(['Tags']))"
        ),
        r#"Name:string | Age:dynamic
           "Old_name" | 20
           "Old_name" | 40
           "Old_name" | 30.5"#,
    );
    assert_eq!(
        error(&format!("{PEOPLE} | evaluate bag_unpack(d)")),
        "bag_unpack: column 'Name' already exists; pass columnsConflict='replace_source' or 'keep_source'"
    );
}

/// Documented example: an output schema with `*` keeps the input's columns
/// first, then the declared ones, converted.
#[test]
fn bag_unpack_output_schema() {
    check(
        r#"datatable(d: dynamic, Description: string) [
               dynamic({"Name": "John", "Age": 20, "height": 180}), "Student",
               dynamic({"Name": "Dave", "Age": "40", "height": 160}), "Teacher"]
           | evaluate bag_unpack(d) : (*, Name: string, Age: long, Missing: datetime)"#,
        r#"Description:string | Name:string | Age:long | Missing:datetime
           "Student" | "John" | 20 | null
           "Teacher" | "Dave" | 40 | null"#,
    );
}

/// Documented behaviour: one column per pivot value (first appearance),
/// `count()` by default, 0 where a group has no rows for a value.
#[test]
fn pivot_counts_and_aggregates() {
    let storms = "datatable(State: string, EventType: string, Deaths: long) [
        'ARKANSAS', 'Heavy Rain', 1,
        'ARIZONA', 'Flash Flood', 2,
        'ARIZONA', 'Flash Flood', 4,
        'ARKANSAS', 'Heat', 3]";
    check(
        &format!("{storms} | project State, EventType | evaluate pivot(State)"),
        r#"EventType:string | ARKANSAS:long | ARIZONA:long
           "Heavy Rain" | 1 | 0
           "Flash Flood" | 0 | 2
           "Heat" | 1 | 0"#,
    );
    check(
        &format!("{storms} | evaluate pivot(State, sum(Deaths), EventType)"),
        r#"EventType:string | ARKANSAS:long | ARIZONA:long
           "Heavy Rain" | 1 | 0
           "Flash Flood" | 0 | 6
           "Heat" | 3 | 0"#,
    );
    check(
        &format!(
            "{storms} | evaluate pivot(State, max(Deaths)) : (EventType: string, ARIZONA: long)"
        ),
        r#"EventType:string | ARIZONA:long
           "Heavy Rain" | null
           "Flash Flood" | 4
           "Heat" | null"#,
    );
}

#[test]
fn other_plugins_are_named_as_unsupported() {
    let q = "T | evaluate ipv4_lookup(Ranges, IP, Range, return_unmatched = true)";
    assert_eq!(checked(q), "ok");
    assert_eq!(
        checked("T | evaluate rolling_percentile(x, 50, Timestamp, 1d, 7)"),
        "ok"
    );
    assert_eq!(
        checked("T | evaluate sequence_detect(Timestamp, 1h, 1d, a = x > 1, b = x < 1, User)"),
        "ok"
    );
    assert_eq!(
        checked("T | evaluate estimate_rows_count()"),
        "evaluate estimate_rows_count is not supported yet"
    );
    assert_eq!(
        error("print x = 1 | evaluate geo_polygon_lookup(x)"),
        "geo_polygon_lookup() needs the lookup table, its polygon column, and the input's longitude and latitude"
    );
    assert_eq!(
        error("print x = 1 | evaluate activity_counts_metrics(x)"),
        "activity_counts_metrics() needs IdColumn, TimelineColumn, Start, End and Step"
    );
    assert_eq!(
        checked("T | evaluate bag_unpack(d, columnsConflict='keep_source')"),
        "ok"
    );
    assert_eq!(checked("T | evaluate pivot(S, sum(x))"), "ok");
}

// -------------------------------------------------------------- make-series

/// Documented example: averages per day, 0 for the empty day.
#[test]
fn make_series_documented_example() {
    check(
        "let data=datatable(timestamp:datetime, metric: real) [
           datetime(2016-12-31T06:00), 50, datetime(2017-01-01), 4, datetime(2017-01-02), 3,
           datetime(2017-01-03), 4, datetime(2017-01-03T03:00), 6, datetime(2017-01-05), 8,
           datetime(2017-01-05T13:40), 13, datetime(2017-01-06), 4, datetime(2017-01-07), 3,
           datetime(2017-01-08), 8, datetime(2017-01-08T21:00), 8, datetime(2017-01-09), 2,
           datetime(2017-01-09T12:00), 11, datetime(2017-01-10T05:00), 5];
         data | make-series avg(metric) on timestamp from datetime(2017-01-01) to datetime(2017-01-10) step 1d",
        r#"avg_metric:dynamic | timestamp:dynamic
           [4.0,3.0,5.0,0.0,10.5,4.0,3.0,8.0,6.5] | ["2017-01-01T00:00:00.0000000Z","2017-01-02T00:00:00.0000000Z","2017-01-03T00:00:00.0000000Z","2017-01-04T00:00:00.0000000Z","2017-01-05T00:00:00.0000000Z","2017-01-06T00:00:00.0000000Z","2017-01-07T00:00:00.0000000Z","2017-01-08T00:00:00.0000000Z","2017-01-09T00:00:00.0000000Z"]"#,
    );
}

/// Per group, without bounds: from the group's first bin to its last.
#[test]
fn make_series_by_groups() {
    check(
        "datatable(T: datetime, Dev: string) [
             datetime(2025-01-01T00:10), 'a', datetime(2025-01-01T00:20), 'a',
             datetime(2025-01-01T02:00), 'a', datetime(2025-01-01T01:30), 'b']
         | make-series Count = count() default = -1 on T step 1h by Dev",
        r#"Dev:string | Count:dynamic | T:dynamic
           "a" | [2,-1,1] | ["2025-01-01T00:00:00.0000000Z","2025-01-01T01:00:00.0000000Z","2025-01-01T02:00:00.0000000Z"]
           "b" | [1] | ["2025-01-01T01:00:00.0000000Z"]"#,
    );
    check(
        "datatable(T: datetime) [] | make-series count() on T from datetime(2025-01-01) to datetime(2025-01-01T02:00) step 1h",
        "count_:dynamic | T:dynamic",
    );
    check(
        "datatable(T: datetime) []
         | make-series kind=nonempty count() on T from datetime(2025-01-01) to datetime(2025-01-01T02:00) step 1h",
        r#"count_:dynamic | T:dynamic
           [0,0] | ["2025-01-01T00:00:00.0000000Z","2025-01-01T01:00:00.0000000Z"]"#,
    );
    check(
        "datatable(N: long) [1, 4, 5, 12] | make-series count() on N in range(2, 10, 4)",
        "count_:dynamic | N:dynamic
         [1,2,0] | [0,4,8]",
    );
}

// ---------------------------------------------------------- ingestion_time

/// Offline there is no ingestion time: `TimeGenerated`, else `Timestamp`,
/// else a null datetime.
#[test]
fn ingestion_time_is_the_event_time() {
    check(
        "datatable(TimeGenerated: datetime, Timestamp: datetime) [datetime(2025-03-18T10:00:00Z), datetime(2025-01-01)]
         | extend I = ingestion_time() | project I",
        "I:datetime
         2025-03-18T10:00:00.0000000Z",
    );
    check(
        "datatable(Timestamp: datetime, N: long) [datetime(2025-01-01), 1, datetime(2025-01-02), 2]
         | summarize Last = max(ingestion_time())",
        "Last:datetime
         2025-01-02T00:00:00.0000000Z",
    );
    check(
        "datatable(N: long) [1] | extend I = ingestion_time()",
        "N:long | I:datetime
         1 | null",
    );
    assert_eq!(
        checked(
            "T | where ingestion_time() between (datetime(2025-01-01) .. datetime(2025-02-01))"
        ),
        "ok"
    );
}

// ------------------------------------------------- geo_info_from_ip_address

fn geoip() -> Catalog {
    catalog_of(&[
        (
            "GeoIP",
            r#"datatable(network:string, country:string, state:string, city:string, latitude:real, longitude:real) [
                "20.53.0.0/16", "Australia", "New South Wales", "Sydney", -33.8715, 151.2006,
                "20.53.203.0/24", "Australia", "Victoria", "Melbourne", -37.8, 144.9,
                "2a03:2880::/32", "United States", "Florida", "Boca Raton", 26.3594, -80.0771,
            ]"#,
        ),
        (
            "SigninLogs",
            r#"datatable(IPAddress:string) ["20.53.203.50", "10.0.0.1", "20.53.1.1", "-"]"#,
        ),
    ])
}

/// The most specific network wins; the bag has Kusto's property names; an
/// address no network covers (a private one) gives `{}`, text that is not
/// an address null.
#[test]
fn geo_info_from_a_loaded_geoip_table() {
    check_in(
        &geoip(),
        "SigninLogs | extend g = geo_info_from_ip_address(IPAddress) \
         | project IPAddress, country = tostring(g.country), city = tostring(g.city), lat = toreal(g.latitude), g",
        r#"IPAddress:string | country:string | city:string | lat:real | g:dynamic
           "20.53.203.50" | "Australia" | "Melbourne" | -37.8 | {"country":"Australia","state":"Victoria","city":"Melbourne","latitude":-37.8,"longitude":144.9}
           "10.0.0.1" | "" | "" | null | {}
           "20.53.1.1" | "Australia" | "Sydney" | -33.8715 | {"country":"Australia","state":"New South Wales","city":"Sydney","latitude":-33.8715,"longitude":151.2006}
           "-" | "" | "" | null | null"#,
    );
    check_in(
        &geoip(),
        "print c = tostring(geo_info_from_ip_address('2a03:2880:f12c:83:face:b00c::25de').city)",
        r#"c:string
           "Boca Raton""#,
    );
}

#[test]
fn geo_info_without_geoip_table_is_a_clear_error() {
    assert_eq!(
        error("print geo_info_from_ip_address('1.1.1.1')"),
        "geo_info_from_ip_address needs a loaded GeoIP table (network, country, state, city, latitude, longitude): Quarry works offline"
    );
    assert_eq!(checked("print geo_info_from_ip_address('1.1.1.1')"), "ok");
}

// --------------------------------------------------------------- arg("")

fn resources() -> Catalog {
    catalog_of(&[(
        "Resources",
        r#"datatable(id:string, type:string) [
            "/subscriptions/1/vm1", "microsoft.compute/virtualmachines",
            "/subscriptions/1/kv1", "microsoft.keyvault/vaults",
        ]"#,
    )])
}

/// `arg("").Resources` is the loaded Azure Resource Graph export named
/// `Resources`, in a source, a `let` and a join.
#[test]
fn arg_resolves_to_the_loaded_table() {
    let c = resources();
    check_in(
        &c,
        r#"arg("").Resources | where type has "compute" | project id"#,
        r#"id:string
           "/subscriptions/1/vm1""#,
    );
    check_in(
        &c,
        r#"let R = arg("").Resources | count; R"#,
        "Count:long\n2",
    );
    check_in(
        &c,
        r#"print id = "/subscriptions/1/kv1" | join kind=inner (arg("").Resources) on id | project type"#,
        r#"type:string
           "microsoft.keyvault/vaults""#,
    );
    assert!(
        error_with(&c, r#"arg("").Resource | count"#, Vec::new())
            .starts_with("unknown table 'Resource' (did you mean 'Resources'")
    );
    assert_eq!(checked(r#"arg("").Resources | count"#), "ok");
    assert_eq!(
        checked(r#"cluster("c").database("d").T | count"#),
        "cross-resource query 'cluster()' is not supported yet"
    );
}

/// `search` answers numbers in number and datetime columns from the values
/// themselves (without formatting every cell), with the same meaning as
/// term matching on their text.
#[test]
fn search_numbers_in_typed_columns() {
    let frame = quarry::kql::run(
        &Catalog::new(),
        r#"datatable(Port:long, When:datetime, Name:string)[
            4444, datetime(2025-03-18T11:42:07Z), "a",
            -4444, datetime(2024-01-01), "b",
            44, datetime(2025-01-01), "c4444"]"#,
        &options(vec![]),
    )
    .unwrap();
    let mut c = Catalog::new();
    c.insert(Table {
        name: "T".into(),
        frame,
        files: vec![],
        warnings: Vec::new(),
    });
    let names = |q: &str| -> String {
        let out = run_with(&c, q, vec![]).unwrap();
        render(&out.select(["Name"]).unwrap())
    };
    assert_eq!(names(r#"search "4444""#), "Name:string\n\"a\"\n\"b\"");
    assert_eq!(names(r#"search "2025""#), "Name:string\n\"a\"\n\"c4444\"");
    assert_eq!(names(r#"search "42""#), "Name:string\n\"a\"");
    assert_eq!(names(r#"search "1999""#), "Name:string");
}
