//! `declare pattern`, `declare query_parameters`, `set` and `alias`.

use crate::common::{error, typed_table as table};

use super::*;

// --- statements -----------------------------------------------------------------

/// pattern-statement.md: "Define a simple pattern", a pattern without a
/// path (the middle-tier example), and "Define a scoped pattern" (its
/// Metrics are rand(); only their presence is compared).
#[test]
fn patterns_stand_for_the_queries_they_map() {
    let q = r#"declare pattern country = (name:string)[state:string]
{
  ("USA").["New York"] = { print Capital = "Albany" };
  ("USA").["Washington"] = { print Capital = "Olympia" };
  ("Canada").["Alberta"] = { print Capital = "Edmonton" };
};
country("Canada").Alberta"#;
    assert_eq!(table(q), (names(&["Capital"]), vec![vec![s("Edmonton")]]));
    let q = r#"declare pattern map_ip_to_longlat = (address:string)
{
  ("10.10.10.10") = { print Lat=37.405992, Long=-122.078515 };
};
map_ip_to_longlat("10.10.10.10")"#;
    assert_eq!(
        table(q),
        (
            names(&["Lat", "Long"]),
            vec![vec![Scalar::Real(37.405992), Scalar::Real(-122.078515)]]
        )
    );
    let q = r#"declare pattern App = (applicationId:string)[scope:string]
{
    ('a1').['Data']    = { range x from 1 to 5 step 1 | project App = "App #1", Data    = x };
    ('a1').['Metrics'] = { range x from 1 to 5 step 1 | project App = "App #1", Metrics = rand() };
    ('a2').['Data']    = { range x from 1 to 5 step 1 | project App = "App #2", Data    = 10 - x };
    ('a3').['Metrics'] = { range x from 1 to 5 step 1 | project App = "App #3", Metrics = rand() };
};
union App('a2').Data, App('a1').Metrics
| extend Metrics = isnotnull(Metrics)"#;
    let null = Scalar::Null(quarry::data::types::KqlType::Long);
    let mut expected: Vec<Vec<Scalar>> = (5..=9)
        .rev()
        .map(|d| vec![s("App #2"), l(d), Scalar::Bool(false)])
        .collect();
    expected.extend((0..5).map(|_| vec![s("App #1"), null.clone(), Scalar::Bool(true)]));
    assert_eq!(table(q), (names(&["App", "Data", "Metrics"]), expected));
}

/// pattern-statement.md's errors: an invocation the pattern does not map
/// ("No wildcards") and one of an empty pattern, with Kusto's message.
#[test]
fn undeclared_pattern_references() {
    assert_eq!(
        error(
            r#"declare pattern app = (applicationId:string)[eventType:string]
{
    ("ApplicationX").["StopEvents"] = { print x = 1 };
};
union app("ApplicationX").["*"]
| count"#
        ),
        r#"error: One or more pattern references were not declared. Detected pattern references: ["app('ApplicationX').['*']"]
 --> line 5, column 7
  |
5 | union app("ApplicationX").["*"]
  |       ^^^^^^^^^^^^^^^^^^^^^^^^^"#
    );
    assert_eq!(
        error("declare pattern map_ip_to_longlat;\nmap_ip_to_longlat(\"10.10.10.10\")"),
        r#"error: One or more pattern references were not declared. Detected pattern references: ["map_ip_to_longlat('10.10.10.10')"]
 --> line 2, column 1
  |
2 | map_ip_to_longlat("10.10.10.10")
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"#
    );
    assert_eq!(
        error("declare pattern p = (a:string) { ('x') = { print 1 }; };\np('x', 'y')"),
        "error: this pattern takes 1 value
 --> line 2, column 2
  |
2 | p('x', 'y')
  |  ^^^^^^^^^^"
    );
}

/// query-parameters-statement.md: a parameter's default is its value (of
/// the declared type); one without a default has no value offline.
#[test]
fn query_parameters_take_their_defaults() {
    let q = "declare query_parameters(maxInjured:long = 90);
let StormEvents = datatable(EpisodeId:long, EventType:string, InjuriesDirect:long, InjuriesIndirect:long)[
12459, 'Winter Weather', 137, 0, 10477, 'Excessive Heat', 200, 0, 1, 'Hail', 45, 45];
StormEvents 
| where InjuriesDirect + InjuriesIndirect > maxInjured
| project EpisodeId, EventType, totalInjuries = InjuriesDirect + InjuriesIndirect";
    assert_eq!(
        table(q),
        (
            names(&["EpisodeId", "EventType", "totalInjuries"]),
            vec![
                vec![l(12459), s("Winter Weather"), l(137)],
                vec![l(10477), s("Excessive Heat"), l(200)],
            ]
        )
    );
    assert_eq!(
        table("declare query_parameters(ratio:real = 1, since:datetime = '2024-01-01'); print ratio, since").1,
        vec![vec![Scalar::Real(1.0), dt("2024-01-01")]]
    );
    assert_eq!(
        error("declare query_parameters(birthday:datetime);\nprint now() - birthday"),
        "error: query parameter 'birthday' has no default value, and offline there is no request to give it one: declare one (birthday:datetime = ...) or use let
 --> line 1, column 26
  |
1 | declare query_parameters(birthday:datetime);
  |                          ^^^^^^^^"
    );
}

/// set-statement.md: `set query_take_max_records` keeps the first N rows
/// of each result.
#[test]
fn set_query_take_max_records() {
    assert_eq!(
        table("set query_take_max_records=2;\nrange x from 1 to 5 step 1"),
        (names(&["x"]), vec![vec![l(1)], vec![l(2)]])
    );
    let fork =
        tables("set query_take_max_records=2; range x from 1 to 5 step 1 | fork (take 3) (count)");
    assert_eq!(fork[0].2, vec![vec![l(1)], vec![l(2)]]);
    assert_eq!(fork[1].2, vec![vec![l(5)]]);
}

/// alias-statement.md names another cluster's database.
#[test]
fn alias_database_needs_a_cluster() {
    assert_eq!(
        error(
            "alias database samplesAlias = cluster(\"https://help.kusto.windows.net\").database(\"Samples\");\ndatabase(\"samplesAlias\").StormEvents | count"
        ),
        "error: alias database names a database of a Kusto cluster, which Quarry cannot reach offline: it queries the tables it loaded
 --> line 1, column 1
  |
1 | alias database samplesAlias = cluster(\"https://help.kusto.windows.net\").database(\"Samples\");
  | ^^^^^^^^^^^^^^"
    );
}
