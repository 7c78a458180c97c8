//! Conformance cases from Microsoft's KQL documentation for the operators
//! `parse-kv`, `parse-where`, `scan`, `partition` and `reduce`, and for
//! `parse`'s regex and relaxed modes: each runs the documentation's example
//! and compares the typed result with the printed output. Bad input gets a
//! caret error.

use crate::common;

use common::{error, table};

// --- parse-kv ---------------------------------------------------------------

#[test]
fn parse_kv_with_delimiters() {
    table(
        r#"print str="ThreadId:458745723, Machine:Node001, Text: The service is up, Level: Info"
        | parse-kv str as (Text: string, ThreadId:long, Machine: string) with (pair_delimiter=',', kv_delimiter=':')
        | project-away str"#,
        r#"Text:string | ThreadId:long | Machine:string
        "The service is up" | 458745723 | "Node001""#,
    );
}

#[test]
fn parse_kv_with_quotes_and_escapes() {
    let expected = r#"event time:datetime | src:string | dst:string | bytes:long | failure:string
        2021-01-01T10:00:54.0000000Z | "10.1.1.123" | "10.1.1.124" | 125 | "connection aborted""#;
    table(
        r#"print str='src=10.1.1.123 dst=10.1.1.124 bytes=125 failure="connection aborted" "event time"=2021-01-01T10:00:54'
        | parse-kv str as (['event time']:datetime, src:string, dst:string, bytes:long, failure:string) with (pair_delimiter=' ', kv_delimiter='=', quote='"')
        | project-away str"#,
        expected,
    );
    table(
        r#"print str='src=10.1.1.123 dst=10.1.1.124 bytes=125 failure=(connection aborted) (event time)=(2021-01-01 10:00:54)'
        | parse-kv str as (['event time']:datetime, src:string, dst:string, bytes:long, failure:string) with (pair_delimiter=' ', kv_delimiter='=', quote='()')
        | project-away str"#,
        expected,
    );
    table(
        r#"print str='src=10.1.1.123 dst=10.1.1.124 bytes=125 failure="the remote host sent \\"bye!\\"" time=2021-01-01T10:00:54'
        | parse-kv str as (['time']:datetime, src:string, dst:string, bytes:long, failure:string) with (pair_delimiter=' ', kv_delimiter='=', quote='"', escape='\\')
        | project-away str"#,
        r#"time:datetime | src:string | dst:string | bytes:long | failure:string
        2021-01-01T10:00:54.0000000Z | "10.1.1.123" | "10.1.1.124" | 125 | "the remote host sent \"bye!\"""#,
    );
}

#[test]
fn parse_kv_greedy_values_run_to_the_next_key() {
    let query = "print str='name=John Doe phone=555 5555 city=New York'
        | parse-kv str as (name:string, phone:string, city:string) with (pair_delimiter=' ', kv_delimiter='='{})
        | project-away str";
    table(
        &query.replace("{}", ""),
        r#"name:string | phone:string | city:string
        "John" | "555" | "New""#,
    );
    table(
        &query.replace("{}", ", greedy=true"),
        r#"name:string | phone:string | city:string
        "John Doe" | "555 5555" | "New York""#,
    );
}

#[test]
fn parse_kv_without_delimiters_reads_words() {
    table(
        r#"print str="2021-01-01T10:00:34 [INFO] ThreadId:458745723, Machine:Node001, Text: Started"
        | parse-kv str as (Text: string, ThreadId:long, Machine: string)
        | project-away str"#,
        r#"Text:string | ThreadId:long | Machine:string
        "Started" | 458745723 | "Node001""#,
    );
    table(
        r#"print str="2021-01-01T10:00:34 [INFO] ThreadId:458745723, Machine:Node001, Text: 'The service \\' is up'"
        | parse-kv str as (Text: string, ThreadId:long, Machine: string) with (quote="'", escape='\\')
        | project-away str"#,
        r#"Text:string | ThreadId:long | Machine:string
        "The service ' is up" | 458745723 | "Node001""#,
    );
}

#[test]
fn parse_kv_with_a_regex() {
    table(
        r#"print str=@'["referer url: https://hostname.com/redirect?dest=/?h=1234", "request url: https://hostname.com/?h=1234", "advertiser id: 24fefbca-cf27-4d62-a623-249c2ad30c73"]'
        | parse-kv str as (['referer url']:string, ['request url']:string, ['advertiser id']: guid) with (regex=@'"([\w ]+)\s*:\s*([^"]*)"')
        | project-away str"#,
        r#"referer url:string | request url:string | advertiser id:string
        "https://hostname.com/redirect?dest=/?h=1234" | "https://hostname.com/?h=1234" | "24fefbca-cf27-4d62-a623-249c2ad30c73""#,
    );
}

#[test]
fn parse_kv_missing_keys_and_bad_values_are_empty() {
    table(
        "datatable(s:string)['a=1;b=x', 'b=2', '']
        | parse-kv s as (a:long, b:long, c:string) with (pair_delimiter=';', kv_delimiter='=')",
        r#"s:string | a:long | b:long | c:string
        "a=1;b=x" | 1 | null | ""
        "b=2" | null | 2 | ""
        "" | null | null | """#,
    );
}

#[test]
fn parse_kv_options_are_checked_with_a_caret() {
    let e = error("print s='' | parse-kv s as (a:long) with (pair_delimiter=',', separator=':')");
    assert!(e.contains("unknown parse-kv option 'separator'"), "{e}");
    assert!(e.contains("^^^^^^^^^"), "{e}");
    let e = error("print s='' | parse-kv s as (a:long) with (pair_delimiter=',')");
    assert!(
        e.contains("parse-kv needs both pair_delimiter and kv_delimiter"),
        "{e}"
    );
    let e = error("print s='' | parse-kv s as (a:long) with (quote='<<>')");
    assert!(e.contains("a quote is one character, or two"), "{e}");
    let e = error("print s='' | parse-kv s as (a:long) with (regex='(a)=b')");
    assert!(e.contains("exactly two capturing groups"), "{e}");
    let e = error("print s='' | parse-kv s as (a:lng)");
    assert!(e.contains("unknown type 'lng'"), "{e}");
    let e = error("print s='' | parse-kv s with (quote='\"')");
    assert!(e.contains("expected 'as' and the keys to extract"), "{e}");
}

// --- parse-where and parse ----------------------------------------------------

const TRACES: &str = r#"let Traces = datatable(EventText: string)
    [
    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=invalid_number, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",
    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=invalid_datetime, previousLockTime=02/17/2016 08:39:00)",
    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=20, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",
    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=22, lockTime=02/17/2016 08:41:01, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:01)",
    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=invalid_number, sliceNumber=16, lockTime=02/17/2016 08:41:00, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:00)"
];
"#;

#[test]
fn parse_where_keeps_the_rows_that_match() {
    let pattern = r#"EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices: long * "sliceNumber=" sliceNumber: long * "lockTime=" lockTime ", releaseTime=" releaseTime: date "," * "previousLockTime=" previousLockTime: date ")" *
        | project resourceName, totalSlices, sliceNumber, lockTime, releaseTime, previousLockTime"#;
    table(
        &format!("{TRACES} Traces | parse-where {pattern}"),
        r#"resourceName:string | totalSlices:long | sliceNumber:long | lockTime:string | releaseTime:datetime | previousLockTime:datetime
        "PipelineScheduler" | 27 | 20 | "02/17/2016 08:40:01" | 2016-02-17T08:40:01.0000000Z | 2016-02-17T08:39:01.0000000Z
        "PipelineScheduler" | 27 | 22 | "02/17/2016 08:41:01" | 2016-02-17T08:41:00.0000000Z | 2016-02-17T08:40:01.0000000Z"#,
    );
    // `parse` keeps every row: the ones that do not match in full
    // (a part not of its type included) are empty.
    table(
        &format!("{TRACES} Traces | parse {pattern}"),
        r#"resourceName:string | totalSlices:long | sliceNumber:long | lockTime:string | releaseTime:datetime | previousLockTime:datetime
        "" | null | null | "" | null | null
        "" | null | null | "" | null | null
        "PipelineScheduler" | 27 | 20 | "02/17/2016 08:40:01" | 2016-02-17T08:40:01.0000000Z | 2016-02-17T08:39:01.0000000Z
        "PipelineScheduler" | 27 | 22 | "02/17/2016 08:41:01" | 2016-02-17T08:41:00.0000000Z | 2016-02-17T08:40:01.0000000Z
        "" | null | null | "" | null | null"#,
    );
}

#[test]
fn parse_where_regex_flags() {
    let query = format!(
        r#"{TRACES} Traces
        | parse-where kind = regex {{}} EventText with * "RESOURCENAME=" resourceName "," * "totalSlices=" totalSlices: long "," *
        | project resourceName, totalSlices"#
    );
    table(
        &query.replace("{}", ""),
        "resourceName:string | totalSlices:long",
    );
    table(
        &query.replace("{}", "flags=i"),
        r#"resourceName:string | totalSlices:long
        "PipelineScheduler" | 27
        "PipelineScheduler" | 27
        "PipelineScheduler" | 27
        "PipelineScheduler" | 27"#,
    );
    let e = error(r#"print s="" | parse-where flags=i s with "a" x"#);
    assert!(e.contains("flags= needs kind=regex"), "{e}");
    let e = error(r#"print s="" | parse-where kind=regex flags=q s with "a" x"#);
    assert!(e.contains("unknown regex flag 'q'"), "{e}");
}

#[test]
fn parse_regex_mode_is_greedy_unless_flagged() {
    let base = r#"print EventText="Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)"
        | parse kind=regex {} EventText with * "{}" resourceName ',' * | project resourceName"#;
    table(
        &base
            .replacen("{}", "", 1)
            .replacen("{}", "resourceName=", 1),
        r#"resourceName:string
        "PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01""#,
    );
    table(
        &base
            .replacen("{}", "flags=Ui", 1)
            .replacen("{}", "RESOURCENAME=", 1),
        r#"resourceName:string
        "PipelineScheduler""#,
    );
    // A group inside the pattern's own regex does not shift the columns.
    table(
        r#"print t="id=42;" | parse kind=regex t with "(i)d=" n:long ";" | project n"#,
        "n:long\n42",
    );
    // In regex mode `.` stops at a line end unless the `s` flag is given.
    table(
        r#"print t="a=1\nb" | parse kind=regex t with "a=" v | project v"#,
        "v:string\n\"1\"",
    );
    table(
        r#"print t="a=1\nb" | parse kind=regex flags=s t with "a=" v | project v"#,
        "v:string\n\"1\\nb\"",
    );
}

#[test]
fn parse_relaxed_nulls_only_the_parts_not_of_their_type() {
    table(
        r#"datatable(EventText:string)[
            "resourceName=P, totalSlices=27, sliceNumber=23, releaseTime=nonValidDateTime 08:40:01,",
            "resourceName=P, totalSlices=nonValidLongValue, sliceNumber=20, releaseTime=02/17/2016 08:40:01,"]
        | parse kind=relaxed EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices: long ", sliceNumber=" sliceNumber: long * "releaseTime=" releaseTime: date "," *
        | project-away EventText"#,
        r#"resourceName:string | totalSlices:long | sliceNumber:long | releaseTime:datetime
        "P" | 27 | 23 | null
        "P" | null | 20 | 2016-02-17T08:40:01.0000000Z"#,
    );
}

// --- scan -------------------------------------------------------------------

#[test]
fn scan_cumulative_sums() {
    table(
        "range x from 1 to 5 step 1
        | scan declare (cumulative_x:long=0) with
        (
            step s1: true => cumulative_x = x + s1.cumulative_x;
        )",
        "x:long | cumulative_x:long\n1 | 1\n2 | 3\n3 | 6\n4 | 10\n5 | 15",
    );
    table(
        "range x from 1 to 5 step 1
        | extend y = 2 * x
        | scan declare (cumulative_x:long=0, cumulative_y:long=0) with
        (
            step s1: true => cumulative_x = iff(s1.cumulative_x >= 10, x, x + s1.cumulative_x),
                             cumulative_y = iff(s1.cumulative_y >= 10, y, y + s1.cumulative_y);
        )",
        "x:long | y:long | cumulative_x:long | cumulative_y:long
        1 | 2 | 1 | 2
        2 | 4 | 3 | 6
        3 | 6 | 6 | 12
        4 | 8 | 10 | 8
        5 | 10 | 5 | 18",
    );
}

#[test]
fn scan_fills_forward() {
    table(
        r#"let Events = datatable (Ts: timespan, Event: string) [
            0m, "A", 1m, "", 2m, "B", 3m, "", 4m, "", 6m, "C", 8m, "", 11m, "D", 12m, ""
        ];
        Events
        | sort by Ts asc
        | scan declare (Event_filled: string="") with
        (
            step s1: true => Event_filled = iff(isempty(Event), s1.Event_filled, Event);
        )"#,
        r#"Ts:timespan | Event:string | Event_filled:string
        00:00:00 | "A" | "A"
        00:01:00 | "" | "A"
        00:02:00 | "B" | "B"
        00:03:00 | "" | "B"
        00:04:00 | "" | "B"
        00:06:00 | "C" | "C"
        00:08:00 | "" | "C"
        00:11:00 | "D" | "D"
        00:12:00 | "" | "D""#,
    );
}

#[test]
fn scan_tags_sessions_with_match_ids() {
    table(
        r#"let Events = datatable (Ts: timespan, Event: string) [
            0m, "A", 1m, "A", 2m, "B", 3m, "D", 32m, "B", 36m, "C", 38m, "D", 41m, "E", 75m, "A"
        ];
        Events
        | sort by Ts asc
        | scan with_match_id=session_id declare (sessionStart: timespan) with
        (
            step inSession: true => sessionStart = iff(isnull(inSession.sessionStart), Ts, inSession.sessionStart);
            step endSession output=none: Ts - inSession.sessionStart > 30m;
        )"#,
        r#"Ts:timespan | Event:string | sessionStart:timespan | session_id:long
        00:00:00 | "A" | 00:00:00 | 0
        00:01:00 | "A" | 00:00:00 | 0
        00:02:00 | "B" | 00:00:00 | 0
        00:03:00 | "D" | 00:00:00 | 0
        00:32:00 | "B" | 00:32:00 | 1
        00:36:00 | "C" | 00:32:00 | 1
        00:38:00 | "D" | 00:32:00 | 1
        00:41:00 | "E" | 00:32:00 | 1
        01:15:00 | "A" | 01:15:00 | 2"#,
    );
}

#[test]
fn scan_finds_events_between_start_and_stop() {
    table(
        r#"let Events = datatable (Ts: timespan, Event: string) [
            0m, "A", 1m, "Start", 2m, "B", 3m, "D", 4m, "Stop", 6m, "C", 8m, "Start", 11m, "E", 12m, "Stop"
        ];
        Events
        | sort by Ts asc
        | scan with_match_id=m_id with
        (
            step s1: Event == "Start";
            step s2: Event != "Start" and Event != "Stop" and Ts - s1.Ts <= 5m;
            step s3: Event == "Stop" and Ts - s1.Ts <= 5m;
        )"#,
        r#"Ts:timespan | Event:string | m_id:long
        00:01:00 | "Start" | 0
        00:02:00 | "B" | 0
        00:03:00 | "D" | 0
        00:04:00 | "Stop" | 0
        00:08:00 | "Start" | 1
        00:11:00 | "E" | 1
        00:12:00 | "Stop" | 1"#,
    );
}

#[test]
fn scan_output_last_keeps_the_last_of_a_run() {
    // Each run of "B" rows after an "A" yields its last row only.
    table(
        r#"datatable(i:long, e:string)[1,"A", 2,"B", 3,"B", 4,"A", 5,"B", 6,"C"]
        | scan with_match_id=m with (
            step a output=none: e == "A";
            step b output=last: e == "B";
        )"#,
        r#"i:long | e:string | m:long
        3 | "B" | 0
        5 | "B" | 1"#,
    );
}

#[test]
fn partition_and_scan_give_one_row_per_session() {
    table(
        r#"let LogsEvents = datatable(Timestamp:datetime, userID:int, EventType:string)
        [
            datetime(2024-05-28 08:15:23), 1, "login",
            datetime(2024-05-28 08:30:15), 2, "login",
            datetime(2024-05-28 09:10:27), 3, "login",
            datetime(2024-05-28 12:30:45), 1, "logout",
            datetime(2024-05-28 11:45:32), 2, "logout",
            datetime(2024-05-28 13:25:19), 3, "logout"
        ];
        LogsEvents
        | sort by userID, Timestamp
        | partition hint.strategy=native by userID (
            sort by Timestamp asc
            | scan declare (start: datetime, end: datetime, sessionDuration: timespan) with (
                step s1 output=none: EventType == "login" => start = Timestamp;
                step s2 output=all: EventType == "logout" => start = s1.start, end = Timestamp, sessionDuration = Timestamp - s1.start;
            )
        )
        | project userID, start, end, sessionDuration"#,
        "userID:int | start:datetime | end:datetime | sessionDuration:timespan
        3 | 2024-05-28T09:10:27.0000000Z | 2024-05-28T13:25:19.0000000Z | 04:14:52
        2 | 2024-05-28T08:30:15.0000000Z | 2024-05-28T11:45:32.0000000Z | 03:15:17
        1 | 2024-05-28T08:15:23.0000000Z | 2024-05-28T12:30:45.0000000Z | 04:15:22",
    );
}

#[test]
fn scan_mistakes_get_a_caret() {
    let e =
        error("range x from 1 to 2 step 1 | scan declare (c:long) with (step s: true => d = 1;)");
    assert!(
        e.contains("'d' is neither declared nor a column of the input"),
        "{e}"
    );
    assert!(e.contains("^"), "{e}");
    let e = error("range x from 1 to 2 step 1 | scan with (step s: s.y > 1;)");
    assert!(e.contains("step 's' has no column 'y'"), "{e}");
    let e = error("range x from 1 to 2 step 1 | scan with (step s: true; step s: true;)");
    assert!(e.contains("a step named 's' already exists"), "{e}");
    let e = error("range x from 1 to 2 step 1 | scan with (step s output=some: true;)");
    assert!(e.contains("all, last or none, not 'some'"), "{e}");
    let e = error("range x from 1 to 2 step 1 | scan declare (x:long) with (step s: true;)");
    assert!(e.contains("'x' is already a column of the input"), "{e}");
    let e =
        error("range x from 1 to 2 step 1 | scan declare (c:long) with (step s: true => c = 'a';)");
    assert!(
        e.contains("'c' is declared long, but this gives string"),
        "{e}"
    );
}

// --- partition ----------------------------------------------------------------

const STORMS: &str = r#"let StormEvents = datatable(State:string, EventType:string, InjuriesDirect:long, InjuriesIndirect:long)[
    "WYOMING", "Hail", 0, 1,
    "WYOMING", "Hail", 0, 0,
    "WYOMING", "High Wind", 5, 2,
    "WASHINGTON", "Heavy Snow", 0, 1,
    "WASHINGTON", "High Wind", 13, 0,
    "WASHINGTON", "High Wind", 0, 2,
    "TEXAS", "Hail", 1, 1
];
"#;

#[test]
fn partition_runs_the_subquery_per_key() {
    table(
        &format!(
            "{STORMS} StormEvents
            | where State startswith 'W'
            | partition hint.strategy=native by State
                (
                summarize Events=count(), Injuries=sum(InjuriesDirect) by EventType, State
                | top 1 by Events
                )"
        ),
        r#"EventType:string | State:string | Events:long | Injuries:long
        "Hail" | "WYOMING" | 2 | 0
        "High Wind" | "WASHINGTON" | 2 | 13"#,
    );
}

#[test]
fn partition_legacy_query_sees_the_key_by_name() {
    table(
        &format!(
            "{STORMS} range x from 1 to 2 step 1
            | partition hint.strategy=legacy by x {{StormEvents | where x == InjuriesIndirect}}
            | count"
        ),
        "Count:long\n5",
    );
    table(
        &format!(
            "{STORMS} StormEvents
            | partition by State
            (
                as Partition
                | extend Share = InjuriesDirect * 100.0 / toscalar(Partition | summarize sum(InjuriesDirect))
                | where Share > 0
                | project State, Share
            )"
        ),
        r#"State:string | Share:real
        "WYOMING" | 100
        "WASHINGTON" | 100
        "TEXAS" | 100"#,
    );
}

#[test]
fn partition_limits_and_mistakes() {
    let e = error("range x from 1 to 65 step 1 | partition by x (count)");
    assert!(
        e.contains(
            "partition by x makes 65 partitions; the legacy strategy (the default) takes at most 64"
        ),
        "{e}"
    );
    table(
        "range x from 1 to 65 step 1 | partition hint.strategy=native by x (count) | count",
        "Count:long\n65",
    );
    let e = error("range x from 1 to 2 step 1 | partition by y (count)");
    assert!(e.contains("unknown column 'y'"), "{e}");
    // Kusto's own examples give a `{...}` query a native strategy.
    table(
        "range x from 1 to 2 step 1 | partition hint.strategy=native by x {print y = toscalar(x) * 10}",
        "y:long\n10\n20",
    );
    let e = error("range x from 1 to 2 step 1 | partition hint.strategy=fast by x (count)");
    assert!(e.contains("native, shuffle or legacy, not 'fast'"), "{e}");
    // No rows: the subquery's columns, no rows.
    table(
        "range x from 1 to 1 step 1 | where x > 1 | partition hint.strategy=native by x (summarize n=count() by x)",
        "x:long | n:long",
    );
}

// --- reduce -----------------------------------------------------------------

#[test]
fn reduce_groups_texts_by_pattern() {
    table(
        r#"range x from 1 to 10 step 1 | project str = strcat("foo", "Z", tostring(x)) | reduce by str"#,
        r#"Pattern:string | Count:long | Representative:string
        "others" | 10 | """#,
    );
    table(
        r#"range x from 1 to 10 step 1 | project str = strcat("foo", "Z", tostring(x)) | reduce by str with characters="Z""#,
        r#"Pattern:string | Count:long | Representative:string
        "foo*" | 10 | "fooZ1""#,
    );
    table(
        r#"datatable(c:string)["San Bernard", "San Jose", "Paris", "Paris", "San Diego", "Rome"]
        | reduce by c with threshold=0.3"#,
        r#"Pattern:string | Count:long | Representative:string
        "San *" | 3 | "San Bernard"
        "Paris" | 2 | "Paris"
        "others" | 1 | """#,
    );
    table(
        r#"datatable(c:string)["San Bernard", "San Jose", "Rome"]
        | reduce kind=source by c with threshold=0.5"#,
        r#"c:string | Pattern:string
        "San Bernard" | "San *"
        "San Jose" | "San *"
        "Rome" | "others""#,
    );
    let e = error("print c='a' | reduce by c with threshold=2.0");
    assert!(
        e.contains("threshold must be a number between 0 and 1"),
        "{e}"
    );
    let e = error("print c='a' | reduce kind=target by c");
    assert!(e.contains("reduce kind must be source"), "{e}");
}
