//! The session, funnel, sequence and engagement plugins, and the plugins
//! that need a service.

use serde_json::json;

use crate::common::{error, typed_table as table};

use super::*;

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
