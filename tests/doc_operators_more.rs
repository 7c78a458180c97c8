//! Conformance cases from Microsoft's KQL documentation for the rest of the
//! operator reference: `fork`, `facet`, `sample-distinct`, `top-hitters`,
//! `consume`, and the plugins `preview`, `narrow`, `session_count`,
//! `funnel_sequence`, `funnel_sequence_completion`, `sequence_detect` and
//! `activity_engagement`.
//!
//! The pages' examples read the help cluster's StormEvents; here each runs
//! on a stand-in `let StormEvents = datatable(...)` holding the rows the
//! page prints (and a few that must be left out), so the documented output
//! is the exact typed result. Where a page prints no output (a chart, or
//! random data), the expected values are worked out by hand from the data
//! and the page's description, as each test says. Operators with several
//! results are read with `run_results`; errors are compared with their
//! caret; the command line and the workbench are driven end to end.

use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::data::time::{parse_datetime, parse_timespan};
use quarry::kql::value::Scalar;
use quarry::kql::{RunOptions, run_results};
use serde_json::json;

use crate::common::{error, typed_table as table};

/// One table of a result: its name, its column names, its typed rows.
type Typed = (Option<String>, Vec<String>, Vec<Vec<Scalar>>);

/// Every table a query makes, typed, on an empty catalog.
#[track_caller]
fn tables(query: &str) -> Vec<Typed> {
    let results = run_results(&Catalog::new(), query, &RunOptions::default())
        .unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    results
        .into_iter()
        .map(|r| {
            let names = r
                .frame
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect();
            let rows = (0..r.frame.height())
                .map(|i| {
                    r.frame
                        .columns()
                        .iter()
                        .map(|c| Scalar::from_series(c.as_materialized_series(), i))
                        .collect()
                })
                .collect();
            (r.name, names, rows)
        })
        .collect()
}

fn dt(text: &str) -> Scalar {
    Scalar::Datetime(parse_datetime(text).expect("a datetime"))
}

fn ts(text: &str) -> Scalar {
    Scalar::Timespan(parse_timespan(text).expect("a timespan"))
}

fn s(text: &str) -> Scalar {
    Scalar::String(text.into())
}

fn l(n: i64) -> Scalar {
    Scalar::Long(n)
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| n.to_string()).collect()
}

// --- fork -------------------------------------------------------------------

/// fork-operator.md's rows (the page prints the first few of each table)
/// and the deaths that put them in one leg or the other; one Texan row
/// the `where` leaves out.
const FORK_STORMS: &str = r#"let StormEvents = datatable(StartTime:datetime, EndTime:datetime, EpisodeId:long, EventId:long, State:string, EventType:string, InjuriesDirect:long, InjuriesIndirect:long, DeathsDirect:long, DeathsIndirect:long)[
datetime(2007-02-02T03:10:00Z), datetime(2007-02-02T03:16:00Z), 2545, 17515, "FLORIDA", "Tornado", 15, 0, 0, 0,
datetime(2007-02-02T03:17:00Z), datetime(2007-02-02T03:25:00Z), 3464, 18948, "FLORIDA", "Tornado", 10, 0, 2, 0,
datetime(2007-02-02T03:37:00Z), datetime(2007-02-02T03:55:00Z), 3464, 18950, "FLORIDA", "Tornado", 9, 0, 1, 1,
datetime(2007-02-02T03:55:00Z), datetime(2007-02-02T04:10:00Z), 3464, 20318, "FLORIDA", "Tornado", 42, 0, 0, 0,
datetime(2007-03-13T08:20:00Z), datetime(2007-03-13T08:20:00Z), 4094, 22961, "FLORIDA", "Dense Fog", 3, 0, 2, 0,
datetime(2007-09-11T15:26:00Z), datetime(2007-09-11T15:26:00Z), 9578, 53798, "FLORIDA", "Rip Current", 0, 0, 2, 0,
datetime(2007-06-01T10:00:00Z), datetime(2007-06-01T11:00:00Z), 5000, 30000, "TEXAS", "Tornado", 5, 0, 3, 0];
"#;

/// A row of the fork stand-in.
#[allow(clippy::too_many_arguments)]
fn storm(
    start: &str,
    end: &str,
    episode: i64,
    event: i64,
    kind: &str,
    injuries: i64,
    deaths: (i64, i64),
) -> Vec<Scalar> {
    vec![
        dt(start),
        dt(end),
        l(episode),
        l(event),
        s("FLORIDA"),
        s(kind),
        l(injuries),
        l(0),
        l(deaths.0),
        l(deaths.1),
    ]
}

fn fork_columns() -> Vec<String> {
    names(&[
        "StartTime",
        "EndTime",
        "EpisodeId",
        "EventId",
        "State",
        "EventType",
        "InjuriesDirect",
        "InjuriesIndirect",
        "DeathsDirect",
        "DeathsIndirect",
    ])
}

fn storms_with_deaths() -> Vec<Vec<Scalar>> {
    vec![
        storm(
            "2007-02-02T03:17:00Z",
            "2007-02-02T03:25:00Z",
            3464,
            18948,
            "Tornado",
            10,
            (2, 0),
        ),
        storm(
            "2007-02-02T03:37:00Z",
            "2007-02-02T03:55:00Z",
            3464,
            18950,
            "Tornado",
            9,
            (1, 1),
        ),
        storm(
            "2007-03-13T08:20:00Z",
            "2007-03-13T08:20:00Z",
            4094,
            22961,
            "Dense Fog",
            3,
            (2, 0),
        ),
        storm(
            "2007-09-11T15:26:00Z",
            "2007-09-11T15:26:00Z",
            9578,
            53798,
            "Rip Current",
            0,
            (2, 0),
        ),
    ]
}

fn storms_with_injuries() -> Vec<Vec<Scalar>> {
    vec![
        storm(
            "2007-02-02T03:10:00Z",
            "2007-02-02T03:16:00Z",
            2545,
            17515,
            "Tornado",
            15,
            (0, 0),
        ),
        storm(
            "2007-02-02T03:17:00Z",
            "2007-02-02T03:25:00Z",
            3464,
            18948,
            "Tornado",
            10,
            (2, 0),
        ),
        storm(
            "2007-02-02T03:37:00Z",
            "2007-02-02T03:55:00Z",
            3464,
            18950,
            "Tornado",
            9,
            (1, 1),
        ),
        storm(
            "2007-02-02T03:55:00Z",
            "2007-02-02T04:10:00Z",
            3464,
            20318,
            "Tornado",
            42,
            (0, 0),
        ),
        // The page prints the first four rows of this table.
        storm(
            "2007-03-13T08:20:00Z",
            "2007-03-13T08:20:00Z",
            4094,
            22961,
            "Dense Fog",
            3,
            (2, 0),
        ),
    ]
}

/// fork-operator.md, "returns two tables": each leg filters the same rows.
#[test]
fn fork_runs_each_leg_on_the_same_rows() {
    let q = format!(
        "{FORK_STORMS}StormEvents
| where State == \"FLORIDA\"
| fork
    ( where DeathsDirect + DeathsIndirect > 1)
    ( where InjuriesDirect + InjuriesIndirect > 1)"
    );
    assert_eq!(
        tables(&q),
        vec![
            (None, fork_columns(), storms_with_deaths()),
            (None, fork_columns(), storms_with_injuries()),
        ]
    );
    // What `run` (the workbench, the rules) answers with: the first leg.
    assert_eq!(table(&q), (fork_columns(), storms_with_deaths()));
}

/// fork-operator.md, "Named subqueries": `as` at a leg's end and `name=`
/// before it name the tables.
#[test]
fn fork_legs_are_named_by_as_or_name() {
    let expected = vec![
        (
            Some("StormsWithDeaths".to_string()),
            fork_columns(),
            storms_with_deaths(),
        ),
        (
            Some("StormsWithInjuries".to_string()),
            fork_columns(),
            storms_with_injuries(),
        ),
    ];
    let with_as = format!(
        "{FORK_STORMS}StormEvents
| where State == \"FLORIDA\"
| fork
    (where DeathsDirect + DeathsIndirect > 1 | as StormsWithDeaths)
    (where InjuriesDirect + InjuriesIndirect > 1 | as StormsWithInjuries)"
    );
    assert_eq!(tables(&with_as), expected);
    let with_names = format!(
        "{FORK_STORMS}StormEvents
| where State == \"FLORIDA\"
| fork
    StormsWithDeaths = (where DeathsDirect + DeathsIndirect > 1)
    StormsWithInjuries = (where InjuriesDirect + InjuriesIndirect > 1)"
    );
    assert_eq!(tables(&with_names), expected);
}

/// A leg may summarize; the legs' tables need not share columns.
#[test]
fn fork_legs_make_tables_of_their_own_shape() {
    let q =
        format!("{FORK_STORMS}StormEvents | fork (summarize Events = count() by State) (count)");
    assert_eq!(
        tables(&q),
        vec![
            (
                None,
                names(&["State", "Events"]),
                vec![vec![s("FLORIDA"), l(6)], vec![s("TEXAS"), l(1)]]
            ),
            (None, names(&["Count"]), vec![vec![l(7)]]),
        ]
    );
}

#[test]
fn several_results_end_the_query() {
    assert_eq!(
        error("print x=1 | fork (take 1) (count) | where x > 0"),
        "error: fork makes several results, so it must be the last operator of the query
 --> line 1, column 13
  |
1 | print x=1 | fork (take 1) (count) | where x > 0
  |             ^^^^"
    );
    assert_eq!(
        error("let T = print x=1 | fork (take 1) (count); T"),
        "error: fork makes several results, so it must be the last operator of the query
 --> line 1, column 21
  |
1 | let T = print x=1 | fork (take 1) (count); T
  |                     ^^^^"
    );
    assert_eq!(
        error("print x=1 | evaluate preview(1) | count"),
        "error: evaluate preview makes several results, so it must be the last operator of the query
 --> line 1, column 22
  |
1 | print x=1 | evaluate preview(1) | count
  |                      ^^^^^^^"
    );
    assert_eq!(
        error("print x=1 | fork"),
        "error: expected a subquery in '(...)' after 'fork'
 --> line 1, column 17
  |
1 | print x=1 | fork
  |                 ^"
    );
}

// --- facet ------------------------------------------------------------------

/// facet-operator.md: the `with` table the page prints (the five ALASKA
/// rows), then the counts per State and per EventType of the filtered
/// rows, values in order of first appearance.
#[test]
fn facet_counts_each_column_after_the_with_table() {
    let q = r#"let StormEvents = datatable(State:string, StartTime:datetime, Source:string, EpisodeId:long, EventType:string)[
"ALASKA", datetime(2007-01-04 12:00:00), "COOP Observer", 2192, "Heavy Snow",
"ALASKA", datetime(2007-01-04 15:00:00), "Trained Spotter", 2192, "Heavy Snow",
"ALABAMA", datetime(2007-03-01 10:00:00), "Public", 3000, "Heavy Rain",
"ALASKA", datetime(2007-01-04 15:00:00), "Trained Spotter", 2192, "Heavy Snow",
"ALASKA", datetime(2007-01-04 15:00:00), "Trained Spotter", 2192, "Heavy Snow",
"ARIZONA", datetime(2007-08-01 10:00:00), "Public", 4000, "Heavy Rain",
"ALASKA", datetime(2007-01-06 18:00:00), "COOP Observer", 2193, "Heavy Snow",
"ALASKA", datetime(2007-01-07 18:00:00), "COOP Observer", 2193, "Heavy Snow",
"TEXAS", datetime(2007-01-05 18:00:00), "Public", 5000, "Heavy Snow"];
StormEvents
| where State startswith "A" and EventType has "Heavy"
| facet by State, EventType
    with 
    (
    where StartTime between(datetime(2007-01-04) .. 7d) 
    | project State, StartTime, Source, EpisodeId, EventType
    | take 5
    )"#;
    let alaska = |t: &str, source: &str, episode: i64| {
        vec![s("ALASKA"), dt(t), s(source), l(episode), s("Heavy Snow")]
    };
    assert_eq!(
        tables(q),
        vec![
            (
                Some("with".to_string()),
                names(&["State", "StartTime", "Source", "EpisodeId", "EventType"]),
                vec![
                    alaska("2007-01-04 12:00:00", "COOP Observer", 2192),
                    alaska("2007-01-04 15:00:00", "Trained Spotter", 2192),
                    alaska("2007-01-04 15:00:00", "Trained Spotter", 2192),
                    alaska("2007-01-04 15:00:00", "Trained Spotter", 2192),
                    alaska("2007-01-06 18:00:00", "COOP Observer", 2193),
                ]
            ),
            (
                Some("State".to_string()),
                names(&["State", "count_State"]),
                vec![
                    vec![s("ALASKA"), l(6)],
                    vec![s("ALABAMA"), l(1)],
                    vec![s("ARIZONA"), l(1)],
                ]
            ),
            (
                Some("EventType".to_string()),
                names(&["EventType", "count_EventType"]),
                vec![vec![s("Heavy Snow"), l(6)], vec![s("Heavy Rain"), l(2)]]
            ),
        ]
    );
}

#[test]
fn facet_without_with_and_its_errors() {
    assert_eq!(
        tables("datatable(a:string)['x','y','x'] | facet by a"),
        vec![(
            Some("a".to_string()),
            names(&["a", "count_a"]),
            vec![vec![s("x"), l(2)], vec![s("y"), l(1)]]
        )]
    );
    assert_eq!(
        error("print Stat=1 | facet by State"),
        "error: unknown column 'State' (did you mean 'Stat'?)
 --> line 1, column 25
  |
1 | print Stat=1 | facet by State
  |                         ^^^^^"
    );
    assert_eq!(
        error("print x=1 | facet x"),
        "error: expected 'by' and the columns to count after 'facet'
 --> line 1, column 19
  |
1 | print x=1 | facet x
  |                   ^"
    );
}

// --- sample-distinct ----------------------------------------------------------

/// sample-distinct-operator.md's episodes, several rows each, and their
/// direct injuries (episode 12554 had 3).
const EPISODES: &str = r#"let StormEvents = datatable(EpisodeId:long, InjuriesDirect:long)[
11091, 0, 11074, 0, 11091, 0, 11078, 0, 11749, 0, 12554, 1, 12554, 2, 12561, 0,
13183, 0, 11780, 0, 11781, 0, 12826, 0, 11074, 0];
"#;

/// The page's examples. Kusto picks the values as is fastest; Quarry, as
/// its `sample` does, deterministically: here the ten distinct episodes
/// there are, in order of first appearance, and the page's totals.
#[test]
fn sample_distinct_examples() {
    let (columns, rows) = table(&format!(
        "{EPISODES}StormEvents | sample-distinct 10 of EpisodeId"
    ));
    assert_eq!(columns, names(&["EpisodeId"]));
    let episodes = [
        11091, 11074, 11078, 11749, 12554, 12561, 13183, 11780, 11781, 12826,
    ];
    assert_eq!(
        rows,
        episodes.iter().map(|&e| vec![l(e)]).collect::<Vec<_>>()
    );
    let (columns, rows) = table(&format!(
        "{EPISODES}let sampleEpisodes = StormEvents | sample-distinct 10 of EpisodeId;
StormEvents 
| where EpisodeId in (sampleEpisodes) 
| summarize totalInjuries=sum(InjuriesDirect) by EpisodeId"
    ));
    assert_eq!(columns, names(&["EpisodeId", "totalInjuries"]));
    assert_eq!(
        rows,
        episodes
            .iter()
            .map(|&e| vec![l(e), l(if e == 12554 { 3 } else { 0 })])
            .collect::<Vec<_>>()
    );
}

/// Fewer values than there are: evenly spaced among the distinct values,
/// the same every time (y's 50 values come as 1..49, 0; four of them are
/// those at positions 0, 12, 25 and 37).
#[test]
fn sample_distinct_is_deterministic() {
    let q = "range x from 1 to 100 step 1 | extend y = x % 50 | sample-distinct 4 of y";
    let expected = (
        names(&["y"]),
        vec![vec![l(1)], vec![l(13)], vec![l(26)], vec![l(38)]],
    );
    assert_eq!(table(q), expected);
    assert_eq!(table(q), expected);
    assert_eq!(
        error("print x=1 | sample-distinct 2 of y"),
        "error: unknown column 'y'
 --> line 1, column 34
  |
1 | print x=1 | sample-distinct 2 of y
  |                                  ^"
    );
    assert_eq!(
        error("print x=1 | sample-distinct \"a\" of x"),
        "error: a row count must be a number, not string
 --> line 1, column 29
  |
1 | print x=1 | sample-distinct \"a\" of x
  |                             ^^^"
    );
}

// --- top-hitters --------------------------------------------------------------

/// top-hitters-operator.md, "Get most frequent items": the page's counts,
/// as rows, and a rarer type that does not make the top five. Quarry
/// counts exactly what Kusto's sketch approximates.
#[test]
fn top_hitters_counts_the_most_frequent_values() {
    let types = [
        ("Thunderstorm Wind", 13015),
        ("Hail", 12711),
        ("Flash Flood", 3688),
        ("Drought", 3616),
        ("Winter Weather", 3349),
        ("Flood", 1000),
    ];
    let legs: Vec<String> = types
        .iter()
        .map(|(t, n)| format!("(range i from 1 to {n} step 1 | extend EventType = '{t}')"))
        .collect();
    let q = format!(
        "let StormEvents = union {};\nStormEvents\n| top-hitters 5 of EventType ",
        legs.join(", ")
    );
    assert_eq!(
        table(&q),
        (
            names(&["EventType", "approximate_count_EventType"]),
            types[..5]
                .iter()
                .map(|&(t, n)| vec![s(t), l(n)])
                .collect::<Vec<_>>()
        )
    );
}

/// top-hitters-operator.md, "Get top hitters by summed value".
#[test]
fn top_hitters_by_a_sum() {
    let q = r#"let StormEvents = datatable(EventType:string, DamageProperty:long)[
"Tornado", 492562280, "Flood", 1000000000, "Hail", 479070850, "Flash Flood", 626659030,
"Thunderstorm Wind", 221037650, "Flood", 124327850, "Drought", 0, "Heavy Rain", 1000];
StormEvents
| top-hitters 5 of EventType by DamageProperty"#;
    assert_eq!(
        table(q),
        (
            names(&["EventType", "approximate_sum_DamageProperty"]),
            vec![
                vec![s("Flood"), l(1124327850)],
                vec![s("Flash Flood"), l(626659030)],
                vec![s("Tornado"), l(492562280)],
                vec![s("Hail"), l(479070850)],
                vec![s("Thunderstorm Wind"), l(221037650)],
            ]
        )
    );
    assert_eq!(
        error("print x=1 | top-hitters 5 x"),
        "error: expected 'of' and the values to rank after '5'
 --> line 1, column 27
  |
1 | print x=1 | top-hitters 5 x
  |                           ^"
    );
}

// --- consume ------------------------------------------------------------------

/// consume-operator.md: the rows are computed and nothing is returned.
#[test]
fn consume_returns_nothing() {
    let q = format!("{FORK_STORMS}StormEvents\n| where State == \"TEXAS\"\n| consume");
    assert_eq!(table(&q), (Vec::new(), Vec::new()));
    assert_eq!(
        table("print x=1 | consume decodeblocks=true"),
        (Vec::new(), Vec::new())
    );
    // Errors in its input still show.
    assert_eq!(
        error("print x=1 | where y > 1 | consume"),
        "error: unknown column 'y'
 --> line 1, column 19
  |
1 | print x=1 | where y > 1 | consume
  |                   ^"
    );
}

// --- evaluate preview ---------------------------------------------------------

/// preview-plugin.md: the first rows (the page's five), then the count.
#[test]
fn preview_gives_the_rows_and_their_count() {
    let q = r#"let StormEvents = datatable(StartTime:datetime, EpisodeId:long, State:string)[
datetime(2007-12-30T16:00:00Z), 11749, "GEORGIA",
datetime(2007-12-20T07:50:00Z), 12554, "MISSISSIPPI",
datetime(2007-09-29T08:11:00Z), 11091, "ATLANTIC SOUTH",
datetime(2007-09-20T21:57:00Z), 11078, "FLORIDA",
datetime(2007-09-18T20:00:00Z), 11074, "FLORIDA",
datetime(2007-09-17T20:00:00Z), 11073, "TEXAS",
datetime(2007-09-16T20:00:00Z), 11072, "OHIO"];
StormEvents | evaluate preview(5)"#;
    let row = |t: &str, e: i64, st: &str| vec![dt(t), l(e), s(st)];
    assert_eq!(
        tables(q),
        vec![
            (
                None,
                names(&["StartTime", "EpisodeId", "State"]),
                vec![
                    row("2007-12-30T16:00:00Z", 11749, "GEORGIA"),
                    row("2007-12-20T07:50:00Z", 12554, "MISSISSIPPI"),
                    row("2007-09-29T08:11:00Z", 11091, "ATLANTIC SOUTH"),
                    row("2007-09-20T21:57:00Z", 11078, "FLORIDA"),
                    row("2007-09-18T20:00:00Z", 11074, "FLORIDA"),
                ]
            ),
            (None, names(&["Count"]), vec![vec![l(7)]]),
        ]
    );
    assert_eq!(
        error("print x=1 | evaluate preview()"),
        "error: preview() takes one argument: the number of rows to show
 --> line 1, column 13
  |
1 | print x=1 | evaluate preview()
  |             ^^^^^^^^^^^^^^^^^^"
    );
}

// --- evaluate narrow ----------------------------------------------------------

/// narrow-plugin.md unpivots `.show diagnostics` (a management command);
/// here a row of the same columns: one row per cell, the value as
/// `tostring` writes it.
#[test]
fn narrow_turns_a_wide_row_on_its_side() {
    let q = "print IsHealthy=true, MachinesTotal=2, NodeLastRestartedOn=datetime(2017-03-14 10:59:18.9263023), ClusterWarmDataCapacityFactor=0.130552847673333, BuildVersion='1.0.6281.19882', NotHealthyReason=''
| evaluate narrow()";
    let cell = |c: &str, v: &str| vec![l(0), s(c), s(v)];
    assert_eq!(
        table(q),
        (
            names(&["Row", "Column", "Value"]),
            vec![
                cell("IsHealthy", "true"),
                cell("MachinesTotal", "2"),
                cell("NodeLastRestartedOn", "2017-03-14T10:59:18.9263023Z"),
                cell("ClusterWarmDataCapacityFactor", "0.130552847673333"),
                cell("BuildVersion", "1.0.6281.19882"),
                cell("NotHealthyReason", ""),
            ]
        )
    );
    assert_eq!(
        table("range x from 1 to 2 step 1 | extend y = x * 10 | evaluate narrow()").1,
        vec![
            vec![l(0), s("x"), s("1")],
            vec![l(0), s("y"), s("10")],
            vec![l(1), s("x"), s("2")],
            vec![l(1), s("y"), s("20")],
        ]
    );
    assert_eq!(
        error("print t=1 | evaluate narrow(t)"),
        "error: narrow() takes no arguments
 --> line 1, column 29
  |
1 | print t=1 | evaluate narrow(t)
  |                             ^"
    );
}

// --- evaluate session_count ---------------------------------------------------

/// session-count-plugin.md's data (Id appears at the Timeline slots it
/// divides) and query; the page draws a chart. Worked out by hand: ids
/// 1..41 recur within the 41-slot lookback, one session each, active in
/// every bin; ids 42..50 do not, so each appearance is a new session: in
/// slots 1-100 and 101-200 each appears twice (59 sessions), in 201-300
/// id 42 appears three times (60).
#[test]
fn session_count_counts_sessions_per_bin() {
    let q = "let _data = range Timeline from 1 to 9999 step 1
    | extend __key = 1
    | join kind=inner (range Id from 1 to 50 step 1 | extend __key=1) on __key
    | where Timeline % Id == 0
    | project Timeline, Id;
// End of data definition
_data
| evaluate session_count(Id, Timeline, 1, 10000, 100, 41)
| take 3";
    assert_eq!(
        table(q),
        (
            names(&["Timeline", "count_sessions"]),
            vec![vec![l(1), l(59)], vec![l(101), l(59)], vec![l(201), l(60)],]
        )
    );
    // Every bin from Start to End is a row.
    assert_eq!(
        table(&q.replace("| take 3", "| count")).1,
        vec![vec![l(100)]]
    );
}

/// Datetimes, a dimension, and a bin with no one in it.
#[test]
fn session_count_over_time_by_a_dimension() {
    let q = "datatable(User:string, Time:datetime, Site:string)[
'a', datetime(2024-01-01 00:10), 'x',
'a', datetime(2024-01-01 00:20), 'x',
'a', datetime(2024-01-01 02:00), 'x',
'b', datetime(2024-01-01 00:30), 'y']
| evaluate session_count(User, Time, datetime(2024-01-01), datetime(2024-01-01 02:59), 1h, 30m, Site)";
    assert_eq!(
        table(q),
        (
            names(&["Time", "Site", "count_sessions"]),
            vec![
                vec![dt("2024-01-01 00:00"), s("x"), l(1)],
                vec![dt("2024-01-01 01:00"), s("x"), l(0)],
                vec![dt("2024-01-01 02:00"), s("x"), l(1)],
                vec![dt("2024-01-01 00:00"), s("y"), l(1)],
                vec![dt("2024-01-01 01:00"), s("y"), l(0)],
                vec![dt("2024-01-01 02:00"), s("y"), l(0)],
            ]
        )
    );
    assert_eq!(
        error("print t=1, id=1 | evaluate session_count(id, t, 0, 10, 0, 5)"),
        "error: session_count(): Bin must be a positive number, not 0
 --> line 1, column 56
  |
1 | print t=1, id=1 | evaluate session_count(id, t, 0, 10, 0, 5)
  |                                                        ^"
    );
    assert_eq!(
        error("print t=datetime(2020-01-01), id=1 | evaluate session_count(id, t, 0, 10, 1, 5)"),
        "error: session_count(): Start must be a datetime like the timeline, not 0
 --> line 1, column 68
  |
1 | print t=datetime(2020-01-01), id=1 | evaluate session_count(id, t, 0, 10, 1, 5)
  |                                                                    ^"
    );
}

// --- evaluate funnel_sequence -------------------------------------------------

/// Four episodes: Hail -> Tornado -> Hail; Tornado -> Flood; a lone
/// Tornado; Hail -> Tornado -> Thunderstorm Wind; and one outside the
/// year.
const FUNNEL: &str = r#"let StormEvents = datatable(EpisodeId:long, StartTime:datetime, EventType:string)[
1, datetime(2007-01-01 01:00), "Hail",
1, datetime(2007-01-01 02:00), "Tornado",
1, datetime(2007-01-01 03:00), "Hail",
2, datetime(2007-01-02 01:00), "Tornado",
2, datetime(2007-01-02 02:00), "Flood",
3, datetime(2007-01-03 01:00), "Tornado",
4, datetime(2007-01-04 01:00), "Hail",
4, datetime(2007-01-04 03:00), "Tornado",
4, datetime(2007-01-04 06:00), "Thunderstorm Wind",
5, datetime(2008-02-01 01:00), "Tornado"];
"#;

/// funnel-sequence-plugin.md's first query (what comes before and after a
/// Tornado), on the stand-in: three tables, most ids first.
#[test]
fn funnel_sequence_before_and_after() {
    let q = format!(
        "{FUNNEL}StormEvents
| evaluate funnel_sequence(EpisodeId, StartTime, datetime(2007-01-01), datetime(2008-01-01), 1d,365d, EventType, dynamic(['Tornado']))"
    );
    let year = || dt("2007-01-01");
    let samples = |ids: &[i64]| Scalar::Dynamic(json!(ids));
    assert_eq!(
        tables(&q),
        vec![
            (
                Some("prev-sequence-next".to_string()),
                names(&["StartTime", "prev", "next", "dcount", "samples"]),
                vec![
                    vec![year(), s(""), s(""), l(1), samples(&[3])],
                    vec![year(), s(""), s("Flood"), l(1), samples(&[2])],
                    vec![year(), s("Hail"), s("Hail"), l(1), samples(&[1])],
                    vec![
                        year(),
                        s("Hail"),
                        s("Thunderstorm Wind"),
                        l(1),
                        samples(&[4])
                    ],
                ]
            ),
            (
                Some("prev-sequence".to_string()),
                names(&["StartTime", "prev", "dcount", "samples"]),
                vec![
                    vec![year(), s(""), l(2), samples(&[2, 3])],
                    vec![year(), s("Hail"), l(2), samples(&[1, 4])],
                ]
            ),
            (
                Some("sequence-next".to_string()),
                names(&["StartTime", "next", "dcount", "samples"]),
                vec![
                    vec![year(), s(""), l(1), samples(&[3])],
                    vec![year(), s("Flood"), l(1), samples(&[2])],
                    vec![year(), s("Hail"), l(1), samples(&[1])],
                    vec![year(), s("Thunderstorm Wind"), l(1), samples(&[4])],
                ]
            ),
        ]
    );
}

/// The page's second query: how `Hail -> Tornado -> Thunderstorm Wind`
/// continues (the third table); a step further apart than
/// MaxSequenceStepWindow breaks the sequence.
#[test]
fn funnel_sequence_of_several_states() {
    let q = format!(
        "{FUNNEL}StormEvents
| evaluate funnel_sequence(
               EpisodeId,
               StartTime,
               datetime(2007-01-01),
               datetime(2008-01-01),
               1d,
               365d,
               EventType, 
               dynamic(['Hail', 'Tornado', 'Thunderstorm Wind'])
           )"
    );
    let next = tables(&q).remove(2);
    assert_eq!(
        next,
        (
            Some("sequence-next".to_string()),
            names(&["StartTime", "next", "dcount", "samples"]),
            vec![vec![
                dt("2007-01-01"),
                s(""),
                l(1),
                Scalar::Dynamic(json!([4]))
            ]]
        )
    );
    let within_an_hour = q.replace("1d,\n", "1h,\n");
    assert_eq!(tables(&within_an_hour)[2].2, Vec::<Vec<Scalar>>::new());
    assert_eq!(
        error("print t=1, id=1, s='a' | evaluate funnel_sequence(id, t, 0, 10, 1, 10, s, dynamic([]))"),
        "error: funnel_sequence(): Sequence must be a non-empty array of states, such as dynamic(['Hail', 'Tornado']), not []
 --> line 1, column 75
  |
1 | print t=1, id=1, s='a' | evaluate funnel_sequence(id, t, 0, 10, 1, 10, s, dynamic([]))
  |                                                                           ^^^^^^^^^^^"
    );
}

// --- evaluate funnel_sequence_completion --------------------------------------

/// funnel-sequence-completion-plugin.md's query on the stand-in: the
/// longer the period, the further the ids get. Episode 1 reaches Tornado
/// an hour after its Hail; episode 4 reaches Tornado two hours after, and
/// Thunderstorm Wind five hours after.
#[test]
fn funnel_sequence_completion_per_period() {
    let q = format!(
        "{FUNNEL}let _start = datetime(2007-01-01);
let _end =  datetime(2008-01-01);
let _windowSize = 365d;
let _sequence = dynamic(['Hail', 'Tornado', 'Thunderstorm Wind']);
let _periods = dynamic([1h, 4h, 1d]);
StormEvents
| evaluate funnel_sequence_completion(EpisodeId, StartTime, _start, _end, _windowSize, EventType, _sequence, _periods) "
    );
    let row =
        |state: &str, period: &str, n: i64| vec![dt("2007-01-01"), s(state), ts(period), l(n)];
    assert_eq!(
        table(&q),
        (
            names(&["StartTime", "EventType", "Period", "dcount"]),
            vec![
                row("Hail", "01:00:00", 2),
                row("Tornado", "01:00:00", 1),
                row("Thunderstorm Wind", "01:00:00", 0),
                row("Hail", "04:00:00", 2),
                row("Tornado", "04:00:00", 2),
                row("Thunderstorm Wind", "04:00:00", 0),
                row("Hail", "1.00:00:00", 2),
                row("Tornado", "1.00:00:00", 2),
                row("Thunderstorm Wind", "1.00:00:00", 1),
            ]
        )
    );
    assert_eq!(
        error(&format!("{FUNNEL}StormEvents | evaluate funnel_sequence_completion(EpisodeId, StartTime, datetime(2007-01-01), datetime(2008-01-01), 365d, EventType, dynamic(['Hail']), dynamic(['soon']))")),
        "error: funnel_sequence_completion(): MaxSequenceStepPeriods must be a non-empty array of positive timespans, such as dynamic([1h, 1d]), not \"soon\"
  --> line 12, column 153
   |
12 | StormEvents | evaluate funnel_sequence_completion(EpisodeId, StartTime, datetime(2007-01-01), datetime(2008-01-01), 365d, EventType, dynamic(['Hail']), dynamic(['soon']))
   |                                                                                                                                                         ^^^^^^^^^^^^^^^^^"
    );
}

// --- evaluate sequence_detect -------------------------------------------------

/// sequence-detect-plugin.md, "Exploring Storm Events": the heat waves and
/// fires the page prints, and some that are too far apart or of another
/// kind. Every heat-then-fire pair within five days is a row.
#[test]
fn sequence_detect_finds_every_occurrence() {
    let q = r#"let StormEvents = datatable(StartTime:datetime, State:string, EventType:string)[
datetime(2007-05-08 00:00), "CALIFORNIA", "Excessive Heat",
datetime(2007-05-08 16:02), "CALIFORNIA", "Wildfire",
datetime(2007-05-10 11:30), "CALIFORNIA", "Wildfire",
datetime(2007-06-20 11:30), "CALIFORNIA", "Wildfire",
datetime(2007-07-04 09:00), "CALIFORNIA", "Excessive Heat",
datetime(2007-07-05 23:01), "CALIFORNIA", "Wildfire",
datetime(2007-07-23 12:00), "SOUTH DAKOTA", "Excessive Heat",
datetime(2007-07-27 09:00), "SOUTH DAKOTA", "Wildfire",
datetime(2007-08-10 08:00), "TEXAS", "Excessive Heat",
datetime(2007-08-11 13:56), "TEXAS", "Wildfire",
datetime(2007-08-11 14:00), "NEVADA", "Wildfire",
datetime(2007-08-31 08:00), "CALIFORNIA", "Excessive Heat",
datetime(2007-09-01 11:28), "CALIFORNIA", "Wildfire",
datetime(2007-09-02 12:00), "CALIFORNIA", "Excessive Heat",
datetime(2007-09-02 13:30), "CALIFORNIA", "Wildfire",
datetime(2007-09-20 13:30), "CALIFORNIA", "Flood"];
StormEvents
| evaluate sequence_detect(
               StartTime,
               5d,  // step max-time
               5d,  // sequence max-time
               heat=(EventType == "Excessive Heat"), 
               wildfire=(EventType == 'Wildfire'), 
               State
           )"#;
    let row = |state: &str, heat: &str, fire: &str, took: &str| {
        vec![s(state), dt(heat), dt(fire), ts(took)]
    };
    assert_eq!(
        table(q),
        (
            names(&["State", "heat_StartTime", "wildfire_StartTime", "Duration"]),
            vec![
                row(
                    "CALIFORNIA",
                    "2007-05-08 00:00:00",
                    "2007-05-08 16:02:00",
                    "16:02:00"
                ),
                row(
                    "CALIFORNIA",
                    "2007-05-08 00:00:00",
                    "2007-05-10 11:30:00",
                    "2.11:30:00"
                ),
                row(
                    "CALIFORNIA",
                    "2007-07-04 09:00:00",
                    "2007-07-05 23:01:00",
                    "1.14:01:00"
                ),
                row(
                    "SOUTH DAKOTA",
                    "2007-07-23 12:00:00",
                    "2007-07-27 09:00:00",
                    "3.21:00:00"
                ),
                row(
                    "TEXAS",
                    "2007-08-10 08:00:00",
                    "2007-08-11 13:56:00",
                    "1.05:56:00"
                ),
                row(
                    "CALIFORNIA",
                    "2007-08-31 08:00:00",
                    "2007-09-01 11:28:00",
                    "1.03:28:00"
                ),
                row(
                    "CALIFORNIA",
                    "2007-08-31 08:00:00",
                    "2007-09-02 13:30:00",
                    "2.05:30:00"
                ),
                row(
                    "CALIFORNIA",
                    "2007-09-02 12:00:00",
                    "2007-09-02 13:30:00",
                    "01:30:00"
                ),
            ]
        )
    );
    assert_eq!(
        error("print t=datetime(2020-01-01), x=1 | evaluate sequence_detect(t, 1h, 1d, x)"),
        "error: sequence_detect(): the fourth argument must be a condition, such as heat = (EventType == 'Excessive Heat')
 --> line 1, column 73
  |
1 | print t=datetime(2020-01-01), x=1 | evaluate sequence_detect(t, 1h, 1d, x)
  |                                                                         ^"
    );
}

// --- evaluate activity_engagement ---------------------------------------------

/// activity-engagement-plugin.md computes DAU/WAU over random users and
/// draws it; here day d's users are d..d+3, so (worked out by hand) the
/// three-day window ending with day d holds d-2..d+3 (fewer at the
/// start): 4 of 4, 4 of 5, then 4 of 6.
#[test]
fn activity_engagement_daily_over_a_longer_window() {
    let q = "let _start = datetime(2017-01-01);
let _end = datetime(2017-01-04);
range _day from _start to _end step 1d
| extend d = tolong((_day - _start)/1d)
| extend _users = range(d, d + 3, 1)
| mv-expand id=_users to typeof(long)
| evaluate activity_engagement(['id'], _day, _start, _end, 1d, 3d)";
    let row = |day: &str, inner: i64, outer: i64| {
        vec![
            dt(day),
            l(inner),
            l(outer),
            Scalar::Real(inner as f64 / outer as f64),
        ]
    };
    assert_eq!(
        table(q),
        (
            names(&[
                "_day",
                "dcount_activities_inner",
                "dcount_activities_outer",
                "activity_ratio"
            ]),
            vec![
                row("2017-01-01", 4, 4),
                row("2017-01-02", 4, 5),
                row("2017-01-03", 4, 6),
                row("2017-01-04", 4, 6),
            ]
        )
    );
    // Without Start and End the windows run from the first day to the
    // last; a dimension comes last, as the page's schema lists it.
    let by_parity = "range _day from datetime(2017-01-01) to datetime(2017-01-02) step 1d
| extend d = tolong((_day - datetime(2017-01-01))/1d)
| extend _users = range(d, d + 3, 1)
| mv-expand id=_users to typeof(long)
| extend parity = strcat('mod2=', id % 2)
| evaluate activity_engagement(id, _day, 1d, 2d, parity)";
    let row = |day: &str, inner: i64, outer: i64, p: &str| {
        vec![
            dt(day),
            l(inner),
            l(outer),
            Scalar::Real(inner as f64 / outer as f64),
            s(p),
        ]
    };
    assert_eq!(
        table(by_parity).1,
        vec![
            row("2017-01-01", 2, 2, "mod2=0"),
            row("2017-01-02", 2, 3, "mod2=0"),
            row("2017-01-01", 2, 2, "mod2=1"),
            row("2017-01-02", 2, 2, "mod2=1"),
        ]
    );
}

// --- plugins that need a service ----------------------------------------------

/// python, r, sql_request and the like run on a service: the error says
/// so at the plugin's name, even when the arguments hold the service's
/// own syntax (r-plugin.md's `typeof(*, fx:double)`).
#[test]
fn plugins_that_need_a_service_say_so() {
    let q = "range x from 1 to 360 step 1
| evaluate r(
typeof(*, fx:double),
'result <- df\\n'
)";
    assert_eq!(
        error(q),
        "error: evaluate r runs an R script in a Kusto cluster's sandbox, a service Quarry cannot reach offline: run this query where the service is (on the cluster itself, or with quarry --remote)
 --> line 2, column 12
  |
2 | | evaluate r(
  |            ^"
    );
    assert_eq!(
        error("evaluate sql_request('Server=tcp:x', 'select 1')"),
        "error: evaluate sql_request queries a SQL Server database, a service Quarry cannot reach offline: run this query where the service is (on the cluster itself, or with quarry --remote)
 --> line 1, column 10
  |
1 | evaluate sql_request('Server=tcp:x', 'select 1')
  |          ^^^^^^^^^^^"
    );
    assert_eq!(
        quarry::kql::check::check("T | evaluate ai_embeddings(text, 'https://x')", &[])
            .map_err(|e| e.message),
        Err("evaluate ai_embeddings calls an Azure OpenAI model, a service Quarry cannot reach offline: run this query where the service is (on the cluster itself, or with quarry --remote)".to_string())
    );
    // A plugin Quarry simply lacks is still "not supported yet".
    assert_eq!(
        error("print x=1 | evaluate estimate_rows_count()"),
        "error: evaluate estimate_rows_count is not supported yet
 --> line 1, column 22
  |
1 | print x=1 | evaluate estimate_rows_count()
  |                      ^^^^^^^^^^^^^^^^^^^"
    );
}

// --- the command line and the workbench ---------------------------------------

/// A folder with one small table, for the binary and the workbench.
fn storm_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        dir.path().join("Storms.csv"),
        "State,Deaths\nFLORIDA,2\nTEXAS,0\nFLORIDA,0\n",
    )
    .expect("writes");
    dir
}

/// `quarry query` prints every table of a fork under a heading, or a JSON
/// array of them, and refuses CSV (one table) before loading anything.
#[test]
fn the_command_line_prints_every_table() {
    let dir = storm_folder();
    let run = |args: &[&str]| {
        std::process::Command::cargo_bin("quarry")
            .expect("the binary")
            .arg("query")
            .arg("--data")
            .arg(dir.path())
            .args(["--now", "2024-01-01T00:00:00Z"])
            .args(args)
            .output()
            .expect("runs")
    };
    let q = "Storms | fork Deadly = (where Deaths > 0) (summarize n = count() by State)";
    let out = run(&[q]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "# Deadly (result 1 of 2)
State    Deaths
-------  ------
FLORIDA  2
(1 rows)

# result 2 of 2
State    n
-------  -
FLORIDA  2
TEXAS    1
(2 rows)
"
    );
    let out = run(&["--format", "json", q]);
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        json,
        json!([
            {"result": 1, "name": "Deadly", "rows": [{"State": "FLORIDA", "Deaths": 2}]},
            {"result": 2, "name": null, "rows": [
                {"State": "FLORIDA", "n": 2}, {"State": "TEXAS", "n": 1}]}
        ])
    );
    let out = run(&["--format", "csv", q]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "quarry: fork makes 2 tables and --format csv holds one: use --format table or json, or keep one of them\n"
    );
}

/// The workbench shows one table: the first, with a note naming the rest.
#[test]
fn the_workbench_shows_the_first_table_and_says_so() {
    use quarry::tui::app::{App, AppOptions, Message};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().expect("a temporary folder");
    let frame = df!(
        "State" => ["FLORIDA", "TEXAS", "FLORIDA"],
        "Deaths" => [2i64, 0, 0],
    )
    .expect("a frame");
    let mut catalog = Catalog::new();
    catalog.insert(Table {
        name: "Storms".into(),
        frame,
        files: Vec::new(),
        warnings: Vec::new(),
    });
    let mut app = App::new(AppOptions::new(dir.path().to_path_buf()));
    app.set_catalog(catalog);
    app.resize(100, 24);
    let mut key = |code| app_key(&mut app, code);
    key(KeyCode::Char(':'));
    for c in "Storms | fork Deadly = (where Deaths > 0) (count)".chars() {
        key(KeyCode::Char(c));
    }
    key(KeyCode::Enter);
    assert!(
        app.wait_idle(Duration::from_secs(60)),
        "the query did not finish"
    );
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(app.current().rows.height(), 1);
    assert_eq!(
        app.message(),
        Some(&Message::Warning(
            "fork makes 2 results (Deadly, leg 2): shown is the first; `quarry query` prints them all"
                .into()
        ))
    );

    // `consume` answers with no columns and no rows: the view draws it.
    // (Esc goes back home, where ':' starts an empty pipeline.)
    app_key(&mut app, KeyCode::Esc);
    app_key(&mut app, KeyCode::Char(':'));
    for c in "Storms | consume".chars() {
        app_key(&mut app, KeyCode::Char(c));
    }
    app_key(&mut app, KeyCode::Enter);
    assert!(
        app.wait_idle(Duration::from_secs(60)),
        "the query did not finish"
    );
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(app.current().rows.height(), 0);
    assert_eq!(app.current().rows.width(), 0);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).expect("a terminal");
    terminal
        .draw(|f| quarry::tui::views::draw(f, &mut app))
        .expect("draws");

    fn app_key(app: &mut App, code: KeyCode) {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

// --- find ---------------------------------------------------------------------

/// find-operator.md's EventsTable1 and EventsTable2, loaded as tables.
fn events_catalog() -> Catalog {
    let session = "acbd207d-51aa-4df7-bfa7-be70eb68f04e";
    let one = df!(
        "Session_Id" => [session, session, "28b8e46e-3c31-43cf-83cb-48921c3986fc", "8f057b11-3281-45c3-a856-05ebb18a3c59"],
        "Level" => ["Information", "Error", "Error", "Information"],
        "EventText" => ["Some Text1", "Some Text2", "Some Text3", "Some Text4"],
        "Version" => ["v1.0.0", "v1.0.0", "v1.0.1", "v1.1.0"],
    )
    .expect("a frame");
    let two = df!(
        "Session_Id" => ["f7d5f95f-f580-4ea6-830b-5776c8d64fdd", session, session, "15eaeab5-8576-4b58-8fc6-478f75d8fee4"],
        "Level" => ["Information", "Information", "Error", "Error"],
        "EventText" => ["Some Other Text1", "Some Other Text2", "Some Other Text3", "Some Other Text4"],
        "EventName" => ["Event1", "Event2", "Event3", "Event4"],
    )
    .expect("a frame");
    let mut catalog = Catalog::new();
    for (name, frame) in [("EventsTable1", one), ("EventsTable2", two)] {
        catalog.insert(Table {
            name: name.into(),
            frame,
            files: Vec::new(),
            warnings: Vec::new(),
        });
    }
    catalog
}

/// A query's typed result over `catalog`.
#[track_caller]
fn table_in(catalog: &Catalog, query: &str) -> (Vec<String>, Vec<Vec<Scalar>>) {
    let f = quarry::kql::run(catalog, query, &RunOptions::default())
        .unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    let names = f.get_column_names().iter().map(|n| n.to_string()).collect();
    let rows = (0..f.height())
        .map(|i| {
            f.columns()
                .iter()
                .map(|c| Scalar::from_series(c.as_materialized_series(), i))
                .collect()
        })
        .collect();
    (names, rows)
}

const SESSION: &str = "acbd207d-51aa-4df7-bfa7-be70eb68f04e";

fn bag(value: serde_json::Value) -> Scalar {
    Scalar::Dynamic(value)
}

/// find-operator.md, "Examples of find output results": a projection with
/// `pack_all()` (the other columns in `pack_`), a predicate over columns
/// only one table has, project-smart (the predicate's columns and the
/// common ones, the rest packed), and `project pack_all()`.
#[test]
fn find_output_examples() {
    let catalog = events_catalog();
    assert_eq!(
        table_in(
            &catalog,
            "find in (EventsTable1, EventsTable2) 
     where Session_Id == 'acbd207d-51aa-4df7-bfa7-be70eb68f04e' and Level == 'Error' 
     project EventText, Version, EventName, pack_all()"
        ),
        (
            names(&["source_", "EventText", "Version", "EventName", "pack_"]),
            vec![
                vec![
                    s("EventsTable1"),
                    s("Some Text2"),
                    s("v1.0.0"),
                    s(""),
                    bag(json!({"Session_Id": SESSION, "Level": "Error"}))
                ],
                vec![
                    s("EventsTable2"),
                    s("Some Other Text3"),
                    s(""),
                    s("Event3"),
                    bag(json!({"Session_Id": SESSION, "Level": "Error"}))
                ],
            ]
        )
    );
    assert_eq!(
        table_in(
            &catalog,
            "find Version == 'v1.0.0' or EventName == 'Event1' project Session_Id, EventText, Version, EventName"
        ),
        (
            names(&["source_", "Session_Id", "EventText", "Version", "EventName"]),
            vec![
                vec![
                    s("EventsTable1"),
                    s(SESSION),
                    s("Some Text1"),
                    s("v1.0.0"),
                    s("")
                ],
                vec![
                    s("EventsTable1"),
                    s(SESSION),
                    s("Some Text2"),
                    s("v1.0.0"),
                    s("")
                ],
                vec![
                    s("EventsTable2"),
                    s("f7d5f95f-f580-4ea6-830b-5776c8d64fdd"),
                    s("Some Other Text1"),
                    s(""),
                    s("Event1")
                ],
            ]
        )
    );
    let smart = |table: &str, level: &str, text: &str, rest: serde_json::Value| {
        vec![s(table), s(SESSION), s(level), s(text), bag(rest)]
    };
    assert_eq!(
        table_in(
            &catalog,
            "find Session_Id == 'acbd207d-51aa-4df7-bfa7-be70eb68f04e'"
        ),
        (
            names(&["source_", "Session_Id", "Level", "EventText", "pack_"]),
            vec![
                smart(
                    "EventsTable1",
                    "Information",
                    "Some Text1",
                    json!({"Version": "v1.0.0"})
                ),
                smart(
                    "EventsTable1",
                    "Error",
                    "Some Text2",
                    json!({"Version": "v1.0.0"})
                ),
                smart(
                    "EventsTable2",
                    "Information",
                    "Some Other Text2",
                    json!({"EventName": "Event2"})
                ),
                smart(
                    "EventsTable2",
                    "Error",
                    "Some Other Text3",
                    json!({"EventName": "Event3"})
                ),
            ]
        )
    );
    let (columns, rows) = table_in(
        &catalog,
        "find Session_Id == 'acbd207d-51aa-4df7-bfa7-be70eb68f04e' project pack_all()",
    );
    assert_eq!(columns, names(&["source_", "pack_"]));
    assert_eq!(
        rows[3],
        vec![
            s("EventsTable2"),
            bag(
                json!({"Session_Id": SESSION, "Level": "Error", "EventText": "Some Other Text3", "EventName": "Event3"})
            )
        ]
    );
    assert_eq!(rows.len(), 4);
}

/// find-operator.md's other forms: a term over every table, a `view` in
/// the scope (named after its `let`), a wildcard with `withsource`.
#[test]
fn find_terms_views_and_wildcards() {
    let catalog = events_catalog();
    assert_eq!(
        table_in(&catalog, "find \"Text3\"").1,
        vec![
            vec![
                s("EventsTable1"),
                s("28b8e46e-3c31-43cf-83cb-48921c3986fc"),
                s("Error"),
                s("Some Text3"),
                bag(json!({"Version": "v1.0.1"}))
            ],
            vec![
                s("EventsTable2"),
                s(SESSION),
                s("Error"),
                s("Some Other Text3"),
                bag(json!({"EventName": "Event3"}))
            ],
        ]
    );
    let viewed = table_in(
        &catalog,
        "let PartialEventsTable1 = view() { EventsTable1 | where Level == 'Error' };
find in (PartialEventsTable1, EventsTable2) 
     where Session_Id == 'acbd207d-51aa-4df7-bfa7-be70eb68f04e'",
    );
    let sources: Vec<&Scalar> = viewed.1.iter().map(|r| &r[0]).collect();
    assert_eq!(
        sources,
        vec![
            &s("PartialEventsTable1"),
            &s("EventsTable2"),
            &s("EventsTable2")
        ]
    );
    assert_eq!(
        table_in(
            &catalog,
            "find withsource=Table in (Events*) where Level == 'Error' and EventText has 'Other' project EventText"
        ),
        (
            names(&["Table", "EventText"]),
            vec![
                vec![s("EventsTable2"), s("Some Other Text3")],
                vec![s("EventsTable2"), s("Some Other Text4")],
            ]
        )
    );
}

/// find-operator.md, "find acts as union": a column of two types is split
/// per type; the table where the predicate does not type-check has no
/// hits; `project ProcessId:string` converts.
#[test]
fn find_splits_a_column_of_two_types() {
    let mut catalog = Catalog::new();
    let one = df!("Level" => ["info", "warn"], "ProcessId" => ["1001", "abc"]).expect("a frame");
    let two = df!("Level" => ["error"], "ProcessId" => [1001i64]).expect("a frame");
    for (name, frame) in [("Table1", one), ("Table2", two)] {
        catalog.insert(Table {
            name: name.into(),
            frame,
            files: Vec::new(),
            warnings: Vec::new(),
        });
    }
    assert_eq!(
        table_in(
            &catalog,
            "find in (Table1, Table2) where ProcessId has '1001'"
        ),
        (
            names(&[
                "source_",
                "ProcessId_string",
                "ProcessId_long",
                "Level",
                "pack_"
            ]),
            vec![
                vec![
                    s("Table1"),
                    s("1001"),
                    Scalar::Null(quarry::data::types::KqlType::Long),
                    s("info"),
                    bag(json!({}))
                ],
                vec![s("Table2"), s(""), l(1001), s("error"), bag(json!({}))],
            ]
        )
    );
    assert_eq!(
        table_in(
            &catalog,
            "find in (Table1, Table2) where ProcessId == 1001 project Level, ProcessId:string"
        ),
        (
            names(&["source_", "Level", "ProcessId"]),
            vec![vec![s("Table2"), s("error"), s("1001")]]
        )
    );
}

#[test]
fn find_errors() {
    let catalog = events_catalog();
    let err = |q: &str| match quarry::kql::run(&catalog, q, &RunOptions::default()) {
        Ok(_) => panic!("{q} ran"),
        Err(e) => e.render(q),
    };
    assert_eq!(
        err("find in (EventsTabel1) where Level == 'Error'"),
        "error: unknown table 'EventsTabel1' (did you mean 'EventsTable1'?)
 --> line 1, column 10
  |
1 | find in (EventsTabel1) where Level == 'Error'
  |          ^^^^^^^^^^^^"
    );
    assert_eq!(
        err("EventsTable1 | find 'x'"),
        "error: 'find' starts a query; it cannot follow '|'
 --> line 1, column 16
  |
1 | EventsTable1 | find 'x'
  |                ^^^^"
    );
    assert_eq!(
        err("find in (database('x').T) where a"),
        "error: find in other databases or clusters is not supported yet
 --> line 1, column 10
  |
1 | find in (database('x').T) where a
  |          ^^^^^^^^"
    );
    assert_eq!(
        err("find in (EventsTable1) Level == 'Error'"),
        "error: expected 'where' and the predicate after ')'
 --> line 1, column 24
  |
1 | find in (EventsTable1) Level == 'Error'
  |                        ^^^^^"
    );
}

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
