//! `sample-distinct`, `top-hitters`, `consume` and `evaluate narrow`.

use crate::common::{error, typed_table as table};

use super::*;

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
