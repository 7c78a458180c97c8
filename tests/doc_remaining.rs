//! Conformance cases for the last documentation examples the harness
//! (`examples/doc_examples.rs`) found failing outside the geo and graph
//! families: each runs the example of Microsoft's KQL reference and
//! compares the typed result with its printed table, then bad inputs.

use crate::common::{error, table};

/// The first line of a query's error (the message; the caret lines follow).
#[track_caller]
fn message(query: &str) -> String {
    error(query).lines().next().unwrap_or_default().to_string()
}

// --- new_activity_metrics ----------------------------------------------------

/// new-activity-metrics-plugin.md: the Users table the page describes
/// (users seen per day, 2019-11-01 to 11-05), analysed from 11-01 to 11-06
/// by day; the page's eleven rows, from 11-01 and 11-02.
const USERS: &str = "let Users = datatable(user:long, Timestamp:datetime) [
    0, datetime(2019-11-01), 2, datetime(2019-11-01), 3, datetime(2019-11-01), 4, datetime(2019-11-01),
    0, datetime(2019-11-02), 1, datetime(2019-11-02), 3, datetime(2019-11-02), 4, datetime(2019-11-02), 5, datetime(2019-11-02),
    0, datetime(2019-11-03), 2, datetime(2019-11-03), 4, datetime(2019-11-03), 5, datetime(2019-11-03),
    0, datetime(2019-11-04), 1, datetime(2019-11-04), 2, datetime(2019-11-04), 3, datetime(2019-11-04),
    0, datetime(2019-11-05), 1, datetime(2019-11-05), 2, datetime(2019-11-05), 3, datetime(2019-11-05), 4, datetime(2019-11-05)];
let StartDate = datetime(2019-11-01 00:00:00);
let EndDate = datetime(2019-11-07 00:00:00);
";

#[test]
fn new_activity_metrics_follows_each_days_new_users() {
    table(
        &format!(
            "{USERS}Users
            | evaluate new_activity_metrics(user, Timestamp, StartDate, EndDate-1tick, 1d)
            | where from_Timestamp < datetime(2019-11-03 00:00:00.0000000)"
        ),
        "from_Timestamp:datetime | to_Timestamp:datetime | dcount_new_values:long | dcount_retained_values:long | dcount_churn_values:long | retention_rate:real | churn_rate:real
        2019-11-01T00:00:00.0000000Z | 2019-11-01T00:00:00.0000000Z | 4 | 4 | 0 | 1 | 0
        2019-11-01T00:00:00.0000000Z | 2019-11-02T00:00:00.0000000Z | 2 | 3 | 1 | 0.75 | 0.25
        2019-11-01T00:00:00.0000000Z | 2019-11-03T00:00:00.0000000Z | 1 | 3 | 1 | 0.75 | 0.25
        2019-11-01T00:00:00.0000000Z | 2019-11-04T00:00:00.0000000Z | 1 | 3 | 1 | 0.75 | 0.25
        2019-11-01T00:00:00.0000000Z | 2019-11-05T00:00:00.0000000Z | 1 | 4 | 0 | 1 | 0
        2019-11-01T00:00:00.0000000Z | 2019-11-06T00:00:00.0000000Z | 0 | 0 | 4 | 0 | 1
        2019-11-02T00:00:00.0000000Z | 2019-11-02T00:00:00.0000000Z | 2 | 2 | 0 | 1 | 0
        2019-11-02T00:00:00.0000000Z | 2019-11-03T00:00:00.0000000Z | 0 | 1 | 1 | 0.5 | 0.5
        2019-11-02T00:00:00.0000000Z | 2019-11-04T00:00:00.0000000Z | 0 | 1 | 1 | 0.5 | 0.5
        2019-11-02T00:00:00.0000000Z | 2019-11-05T00:00:00.0000000Z | 0 | 1 | 1 | 0.5 | 0.5
        2019-11-02T00:00:00.0000000Z | 2019-11-06T00:00:00.0000000Z | 0 | 0 | 2 | 0 | 1",
    );
}

/// One cohort (the sixth argument), a dimension, and a lookback table whose
/// ids count as already seen: worked by hand.
#[test]
fn new_activity_metrics_takes_a_cohort_dimensions_and_a_lookback() {
    table(
        "let T = datatable(id:long, Day:datetime, Site:string) [
            1, datetime(2024-01-01), 'a', 2, datetime(2024-01-01), 'a', 3, datetime(2024-01-01), 'b',
            1, datetime(2024-01-02), 'a', 3, datetime(2024-01-02), 'b', 4, datetime(2024-01-02), 'a'];
        let Seen = datatable(id:long) [2];
        T
        | evaluate new_activity_metrics(id, Day, datetime(2024-01-01), datetime(2024-01-02), 1d, datetime(2024-01-01), Site, Seen)",
        "from_Day:datetime | to_Day:datetime | dcount_new_values:long | dcount_retained_values:long | dcount_churn_values:long | retention_rate:real | churn_rate:real | Site:string
        2024-01-01T00:00:00.0000000Z | 2024-01-01T00:00:00.0000000Z | 1 | 1 | 0 | 1 | 0 | \"a\"
        2024-01-01T00:00:00.0000000Z | 2024-01-02T00:00:00.0000000Z | 1 | 1 | 0 | 1 | 0 | \"a\"
        2024-01-01T00:00:00.0000000Z | 2024-01-01T00:00:00.0000000Z | 1 | 1 | 0 | 1 | 0 | \"b\"
        2024-01-01T00:00:00.0000000Z | 2024-01-02T00:00:00.0000000Z | 0 | 1 | 0 | 1 | 0 | \"b\"",
    );
}

#[test]
fn new_activity_metrics_refuses_bad_arguments() {
    assert_eq!(
        message("print x=1 | evaluate new_activity_metrics(x, x)"),
        "error: new_activity_metrics() needs IdColumn, TimelineColumn, Start, End and Window"
    );
    assert_eq!(
        message(&format!(
            "{USERS}Users | evaluate new_activity_metrics(user, Timestamp, StartDate, EndDate, 1d, 'x')"
        )),
        "error: new_activity_metrics(): Cohort must be a datetime, not string"
    );
    assert_eq!(
        message(&format!(
            "{USERS}Users | evaluate new_activity_metrics(user, Timestamp, StartDate, EndDate, 1d, datetime(2020-01-01))"
        )),
        "error: new_activity_metrics(): Cohort must lie between Start and End"
    );
    assert_eq!(
        message(&format!(
            "{USERS}Users | evaluate new_activity_metrics(user, Timestamp, StartDate, EndDate, 'week')"
        )),
        "error: new_activity_metrics(): Window must be a positive timespan (Quarry does not take 'week', 'month' or 'year'), not week"
    );
}

// --- activity_metrics ----------------------------------------------------------

/// Three weeks worked by hand: week 2 keeps 2 of week 1's 3 ids (retention
/// 2/3) and adds one; week 3 keeps 1 of week 2's 3. The first week has no
/// one at its beginning: NaN, as the page prints.
#[test]
fn activity_metrics_gives_week_over_week_retention() {
    let data = "let T = datatable(id:string, Day:datetime) [
        'a', datetime(2017-01-02), 'b', datetime(2017-01-03), 'c', datetime(2017-01-04),
        'a', datetime(2017-01-09), 'b', datetime(2017-01-10), 'd', datetime(2017-01-11), 'a', datetime(2017-01-12),
        'a', datetime(2017-01-16), 'e', datetime(2017-01-17)];\n";
    let header = "Day:datetime | dcount_values:long | dcount_newvalues:long | retention_rate:real | churn_rate:real";
    let rows = "2017-01-02T00:00:00.0000000Z | 3 | 3 | NaN | NaN
        2017-01-09T00:00:00.0000000Z | 3 | 1 | 0.6666666666666666 | 0.33333333333333337
        2017-01-16T00:00:00.0000000Z | 2 | 1 | 0.3333333333333333 | 0.6666666666666667";
    table(
        &format!(
            "{data}T | evaluate activity_metrics(['id'], Day, datetime(2017-01-02), datetime(2017-01-31), 7d)"
        ),
        &format!("{header}\n{rows}"),
    );
    // Without Start and End: from the earliest day to the latest.
    table(
        &format!("{data}T | evaluate activity_metrics(id, Day, 7d)"),
        &format!("{header}\n{rows}"),
    );
}

#[test]
fn activity_metrics_puts_dimensions_last() {
    table(
        "datatable(id:long, Day:datetime, Site:string) [
            1, datetime(2024-01-01), 'b', 1, datetime(2024-01-02), 'b', 2, datetime(2024-01-01), 'a']
        | evaluate activity_metrics(id, Day, datetime(2024-01-01), datetime(2024-01-02), 1d, Site)",
        "Day:datetime | dcount_values:long | dcount_newvalues:long | retention_rate:real | churn_rate:real | Site:string
        2024-01-01T00:00:00.0000000Z | 1 | 1 | NaN | NaN | \"a\"
        2024-01-01T00:00:00.0000000Z | 1 | 1 | NaN | NaN | \"b\"
        2024-01-02T00:00:00.0000000Z | 1 | 0 | 1 | 0 | \"b\"",
    );
}

#[test]
fn activity_metrics_refuses_bad_arguments() {
    assert_eq!(
        message("print x=1 | evaluate activity_metrics(x, x)"),
        "error: activity_metrics() needs IdColumn, TimelineColumn, [Start, End,] and Window"
    );
    assert_eq!(
        message("print x=1, t=now() | evaluate activity_metrics(x, t, 'a', now(), 1d)"),
        "error: activity_metrics(): Start must be a datetime, not string"
    );
    assert_eq!(
        message("print x=1, t=now() | evaluate activity_metrics(x, t, now(), now(), 0d)"),
        "error: activity_metrics(): Window must be a positive timespan (Quarry does not take 'week', 'month' or 'year'), not 00:00:00"
    );
}

// --- dcount_intersect ----------------------------------------------------------

/// dcount-intersect-plugin.md: even numbers, multiples of 6 and of 30 in
/// 1..100 (each set holds an extra 0).
#[test]
fn dcount_intersect_counts_the_documented_intersections() {
    table(
        "range x from 1 to 100 step 1
        | extend isEven = (x % 2 == 0), isMod3 = (x % 3 == 0), isMod5 = (x % 5 == 0)
        | summarize hll_even = hll(iif(isEven, x, 0), 2),
                    hll_mod3 = hll(iif(isMod3, x, 0), 2),
                    hll_mod5 = hll(iif(isMod5, x, 0), 2)
        | evaluate dcount_intersect(hll_even, hll_mod3, hll_mod5)
        | project evenNumbers = s0 - 1, even_and_mod3 = s1 - 1, even_and_mod3_and_mod5 = s2 - 1",
        "evenNumbers:long | even_and_mod3:long | even_and_mod3_and_mod5:long
        50 | 16 | 3",
    );
}

#[test]
fn dcount_intersect_keeps_the_input_and_nulls_what_is_not_a_sketch() {
    table(
        "print a=dynamic([1]), b=dynamic({})
        | evaluate dcount_intersect(a, b)",
        "a:dynamic | b:dynamic | s0:long | s1:long
        [1] | {} | null | null",
    );
    assert_eq!(
        message("print a=1 | evaluate dcount_intersect(a)"),
        "error: dcount_intersect() takes 2 to 16 hll() values, not 1"
    );
}

// --- around, assert, estimate_data_size ----------------------------------------

/// around-function.md: the minutes within one minute of 01:30.
#[test]
fn around_keeps_the_documented_minutes() {
    table(
        "range dt from datetime(2021-01-01 01:00) to datetime(2021-01-01 02:00) step 1min
        | where around(dt, datetime(2021-01-01 01:30), 1min)",
        "dt:datetime
        2021-01-01T01:29:00.0000000Z
        2021-01-01T01:30:00.0000000Z
        2021-01-01T01:31:00.0000000Z",
    );
}

#[test]
fn around_takes_numbers_and_gives_null_for_null() {
    table(
        "print a=around(1.5, 2, 0.5), b=around(3, 2, 0.5), c=around(int(null), 2, 1), d=around(10s, 12s, 2s)",
        "a:bool | b:bool | c:bool | d:bool
        true | false | null | true",
    );
    assert_eq!(
        message("print around('a', 2, 1)"),
        "error: argument 1 of around() must be a number, datetime or timespan, not string"
    );
    assert_eq!(
        message("print around(now(), 2, 1)"),
        "error: argument 2 of around() must be a datetime or timespan, as the value is, not long"
    );
}

/// assert-function.md: a valid length passes; -1 stops the query with the
/// page's message.
#[test]
fn assert_passes_or_stops_the_query_as_documented() {
    let f = "let checkLength = (len:long, s:string)
{
    assert(len > 0, \"Length must be greater than zero\") and strlen(s) > len
};
datatable(input:string)
[
    '123',
    '4567'
]
";
    table(
        &format!("{f}| where checkLength(len=3, input)"),
        "input:string
        \"4567\"",
    );
    assert_eq!(
        error(&format!("{f}| where checkLength(len=long(-1), input)")),
        "error: assert() has failed with message: 'Length must be greater than zero'
 --> line 3, column 5
  |
3 |     assert(len > 0, \"Length must be greater than zero\") and strlen(s) > len
  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
    );
    // Bound to rows, the condition is refused.
    assert_eq!(
        message("range x from 1 to 2 step 1 | extend y = assert(x > 0, 'rows')"),
        "error: argument 1 of assert() must be a constant"
    );
    assert_eq!(
        message("print assert(true, 1)"),
        "error: argument 2 of assert() must be a string, not long"
    );
}

/// estimate-data-size-function.md: ten rows of a long (8 bytes) and a
/// 10-character string.
#[test]
fn estimate_data_size_sums_the_documented_sizes() {
    table(
        "range x from 1 to 10 step 1
        | extend Text = '1234567890'
        | summarize Total=sum(estimate_data_size(*))",
        "Total:long
        180",
    );
    table(
        "print a=estimate_data_size(true, int(1), 'é', dynamic({\"a\":1}), long(null))",
        "a:long
        14",
    );
}

// --- bag_unpack, datetime ----------------------------------------------------------

/// bag-unpack-plugin.md: the property replacing the Name column takes its
/// place.
#[test]
fn bag_unpack_replaces_a_column_in_place() {
    table(
        "datatable(Name:string, d:dynamic)
        [
            'James', dynamic({\"Name\": \"John\", \"Age\":20}),
            'David', dynamic({ \"Age\":40}),
            'Emily', dynamic({\"Name\": \"Jasmine\", \"Age\":30}),
        ]
        | evaluate bag_unpack(d, columnsConflict='replace_source')",
        "Name:string | Age:long
        \"John\" | 20
        \"\" | 40
        \"Jasmine\" | 30",
    );
}

/// sliding-window-counts-plugin.md writes `datetime(2017 - 08 - 01)`.
#[test]
fn datetime_literals_may_space_their_dashes() {
    table(
        "print a=datetime(2017 - 08 - 01), b=datetime(2017-08-01 10:00)",
        "a:datetime | b:datetime
        2017-08-01T00:00:00.0000000Z | 2017-08-01T10:00:00.0000000Z",
    );
    assert_eq!(
        message("print datetime(2017 - 13 - 01)"),
        "error: invalid datetime '2017 - 13 - 01'"
    );
}

// --- sliding_window_counts ---------------------------------------------------------

/// sliding-window-counts-plugin.md: rows and distinct users of the three
/// days ending with each day.
#[test]
fn sliding_window_counts_gives_the_documented_windows() {
    table(
        "let start = datetime(2017 - 08 - 01);
        let end = datetime(2017 - 08 - 07);
        let lookbackWindow = 3d;
        let bin = 1d;
        let T = datatable(UserId: string, Timestamp: datetime)
            [
            'Bob', datetime(2017 - 08 - 01), 'David', datetime(2017 - 08 - 01), 'David', datetime(2017 - 08 - 01),
            'John', datetime(2017 - 08 - 01), 'Bob', datetime(2017 - 08 - 01), 'Ananda', datetime(2017 - 08 - 02),
            'Atul', datetime(2017 - 08 - 02), 'John', datetime(2017 - 08 - 02), 'Ananda', datetime(2017 - 08 - 03),
            'Atul', datetime(2017 - 08 - 03), 'Atul', datetime(2017 - 08 - 03), 'John', datetime(2017 - 08 - 03),
            'Bob', datetime(2017 - 08 - 03), 'Betsy', datetime(2017 - 08 - 04), 'Bob', datetime(2017 - 08 - 05),
        ];
        T
        | evaluate sliding_window_counts(UserId, Timestamp, start, end, lookbackWindow, bin)",
        "Timestamp:datetime | count:long | dcount:long
        2017-08-01T00:00:00.0000000Z | 5 | 3
        2017-08-02T00:00:00.0000000Z | 8 | 5
        2017-08-03T00:00:00.0000000Z | 13 | 5
        2017-08-04T00:00:00.0000000Z | 9 | 5
        2017-08-05T00:00:00.0000000Z | 7 | 5
        2017-08-06T00:00:00.0000000Z | 2 | 2
        2017-08-07T00:00:00.0000000Z | 1 | 1",
    );
}

/// A dimension comes before the counts; a lookback of 36h is one whole
/// day.
#[test]
fn sliding_window_counts_slices_by_dimension_and_rounds_the_lookback_down() {
    table(
        "datatable(id:long, t:datetime, Site:string)
            [1, datetime(2024-01-01), 'a', 2, datetime(2024-01-02), 'a', 3, datetime(2024-01-02), 'b']
        | evaluate sliding_window_counts(id, t, datetime(2024-01-01), datetime(2024-01-02), 36h, 1d, Site)",
        "t:datetime | Site:string | count:long | dcount:long
        2024-01-01T00:00:00.0000000Z | \"a\" | 1 | 1
        2024-01-02T00:00:00.0000000Z | \"a\" | 1 | 1
        2024-01-01T00:00:00.0000000Z | \"b\" | 0 | 0
        2024-01-02T00:00:00.0000000Z | \"b\" | 1 | 1",
    );
    assert_eq!(
        message("print x=1, t=now() | evaluate sliding_window_counts(x, t, now(), now(), 1h, 1d)"),
        "error: sliding_window_counts(): LookbackWindow must be a timespan of at least one Bin, not 01:00:00"
    );
    assert_eq!(
        message("print x=1, t=now() | evaluate sliding_window_counts(x, t, now(), now(), 1d)"),
        "error: sliding_window_counts() needs IdColumn, TimelineColumn, Start, End, LookbackWindow and Bin"
    );
}

// --- buildschema -------------------------------------------------------------------

/// buildschema-aggregation-function.md: the documented schema.
#[test]
fn buildschema_builds_the_documented_schema() {
    table(
        r#"datatable(value: dynamic) [
            dynamic({"x":1, "y":3.5}),
            dynamic({"x":"somevalue", "z":[1, 2, 3]}),
            dynamic({"y":{"w":"zzz"}, "t":["aa", "bb"], "z":["foo"]})
        ]
        | summarize buildschema(value)"#,
        r#"schema_value:dynamic
        {"x":["long","string"],"y":["double",{"w":"string"}],"z":{"`indexer`":["long","string"]},"t":{"`indexer`":"string"}}"#,
    );
}

#[test]
fn buildschema_of_nulls_is_null_and_text_is_refused() {
    table(
        "datatable(g:long, v:dynamic) [1, dynamic(null), 2, dynamic(true), 2, dynamic([])]
        | summarize buildschema(v) by g",
        "g:long | schema_v:dynamic
        1 | null
        2 | [\"bool\",{}]",
    );
    assert_eq!(
        message("datatable(v:string) ['{}'] | summarize buildschema(v)"),
        "error: buildschema() needs a dynamic value (parse_json() reads JSON text), not string"
    );
}

// --- array_sort_asc / array_sort_desc of several arrays ---------------------------

/// array-sort-asc-function.md and array-sort-desc-function.md: the second
/// array follows the first's new order, one column per array.
#[test]
fn array_sort_reorders_the_other_arrays_as_documented() {
    let arrays = "let array1 = dynamic([1,3,4,5,2]);
        let array2 = dynamic([\"a\",\"b\",\"c\",\"d\",\"e\"]);\n";
    table(
        &format!("{arrays}print array_sort_asc(array1,array2)"),
        r#"array1_sorted:dynamic | array2_sorted:dynamic
        [1,2,3,4,5] | ["a","e","b","c","d"]"#,
    );
    table(
        &format!("{arrays}print array_sort_desc(array1,array2)"),
        r#"array1_sorted:dynamic | array2_sorted:dynamic
        [5,4,3,2,1] | ["d","c","b","e","a"]"#,
    );
    // Names given; nulls first on request.
    table(
        "print a=dynamic([2,null,1]), b=dynamic(['x','y','z'])
        | extend (sa, sb) = array_sort_asc(a, b, false)",
        r#"a:dynamic | b:dynamic | sa:dynamic | sb:dynamic
        [2,null,1] | ["x","y","z"] | [null,1,2] | ["y","z","x"]"#,
    );
}

/// The documented use: `[1]` picks the commands sorted by time.
#[test]
fn array_sort_result_can_be_indexed_as_documented() {
    let data = "datatable(command:string, command_time:datetime, user_id:string)
    [
        'chmod',   datetime(2019-07-15),   \"user1\",
        'ls',      datetime(2019-07-02),   \"user1\",
        'dir',     datetime(2019-07-22),   \"user1\",
        'mkdir',   datetime(2019-07-14),   \"user1\",
        'rm',      datetime(2019-07-27),   \"user1\",
        'pwd',     datetime(2019-07-25),   \"user1\",
        'rm',      datetime(2019-07-23),   \"user2\",
        'pwd',     datetime(2019-07-25),   \"user2\",
    ]
    | summarize timestamps = make_list(command_time), commands = make_list(command) by user_id\n";
    table(
        &format!(
            "{data}| project user_id, commands_in_chronological_order = array_sort_asc(timestamps, commands)[1]"
        ),
        r#"user_id:string | commands_in_chronological_order:dynamic
        "user1" | ["ls","mkdir","chmod","dir","pwd","rm"]
        "user2" | ["rm","pwd"]"#,
    );
    table(
        &format!(
            "{data}| project user_id, commands_in_chronological_order = array_sort_desc(timestamps, commands)[1]"
        ),
        r#"user_id:string | commands_in_chronological_order:dynamic
        "user1" | ["rm","pwd","dir","chmod","mkdir","ls"]
        "user2" | ["pwd","rm"]"#,
    );
}

#[test]
fn array_sort_nulls_an_array_of_another_length_and_refuses_non_arrays() {
    table(
        "print s = array_sort_asc(dynamic([2,1]), dynamic([1,2,3])), t = array_sort_asc(dynamic({\"a\":1}))",
        "s:dynamic | array2_sorted:dynamic | t:dynamic
        [1,2] | null | null",
    );
    assert_eq!(
        message("print array_sort_asc(dynamic([1]), 5)"),
        "error: argument 2 of array_sort_asc() must be a dynamic array, not long"
    );
    assert_eq!(
        message("print array_sort_asc(true)"),
        "error: argument 1 of array_sort_asc() must be a dynamic array, not bool"
    );
}

// --- rows_near -------------------------------------------------------------------

const STATES: &str = r#"datatable (Timestamp:datetime, Value:long, State:string )
[
    datetime(2021-06-01), 1, "Success",
    datetime(2021-06-02), 4, "Success",
    datetime(2021-06-03), 3, "Success",
    datetime(2021-06-04), 11, "Success",
    datetime(2021-06-05), 15, "Success",
    datetime(2021-06-06), 2, "Success",
    datetime(2021-06-07), 19, "Error",
    datetime(2021-06-08), 12, "Success",
    datetime(2021-06-09), 7, "Success",
    datetime(2021-06-10), 9, "Success",
    datetime(2021-06-11), 4, "Success",
    datetime(2021-06-12), 1, "Success",
]
| sort by Timestamp asc
"#;

/// rows-near-plugin.md: two rows either side of the error.
#[test]
fn rows_near_keeps_the_documented_rows() {
    table(
        &format!("{STATES}| evaluate rows_near(State == \"Error\", 2)"),
        r#"Timestamp:datetime | Value:long | State:string
        2021-06-05T00:00:00.0000000Z | 15 | "Success"
        2021-06-06T00:00:00.0000000Z | 2 | "Success"
        2021-06-07T00:00:00.0000000Z | 19 | "Error"
        2021-06-08T00:00:00.0000000Z | 12 | "Success"
        2021-06-09T00:00:00.0000000Z | 7 | "Success""#,
    );
}

/// RowsAfter; overlapping windows give each row once; the edges clip.
#[test]
fn rows_near_takes_rows_after_and_clips_at_the_edges() {
    table(
        &format!("{STATES}| evaluate rows_near(Value < 2 or Value == 11, 0, 1) | project Value"),
        "Value:long
        1
        4
        11
        15
        1",
    );
    assert_eq!(
        message(&format!("{STATES}| evaluate rows_near(Value, 2)")),
        "error: rows_near(): Condition must be a bool, not long"
    );
    assert_eq!(
        message(&format!("{STATES}| evaluate rows_near(Value > 2, -1)")),
        "error: rows_near(): NumRows must be a whole number of rows, 0 or more, not -1"
    );
    assert_eq!(
        message(&format!("{STATES}| evaluate rows_near(Value > 2)")),
        "error: rows_near() needs Condition, NumRows and optionally RowsAfter"
    );
}

// --- active_users_count ------------------------------------------------------------

const FANS: &str = r#"let Start = datetime(2018-07-01);
let End = datetime(2018-07-31);
let LookbackWindow = 8d;
let Period = 1d;
let ActivePeriods = 3;
let Bin = 7d;
let T =  datatable(User:string, Timestamp:datetime)
[
    "B",      datetime(2018-06-29),
    "B",      datetime(2018-06-30),
    "A",      datetime(2018-07-02),
    "B",      datetime(2018-07-04),
    "B",      datetime(2018-07-08),
    "A",      datetime(2018-07-10),
    "A",      datetime(2018-07-14),
    "A",      datetime(2018-07-17),
    "A",      datetime(2018-07-20),
    "B",      datetime(2018-07-24)
];
"#;

/// active-users-count-plugin.md: B is active on 7/4 (with 6/29 and 6/30
/// before Start), A on 7/17 and 7/20; B on 7/8 is not (6/30 is 8 days
/// back, outside the window).
#[test]
fn active_users_count_gives_the_documented_weeks() {
    table(
        &format!(
            "{FANS}T | evaluate active_users_count(User, Timestamp, Start, End, LookbackWindow, Period, ActivePeriods, Bin)"
        ),
        "Timestamp:datetime | dcount:long
        2018-07-01T00:00:00.0000000Z | 1
        2018-07-15T00:00:00.0000000Z | 1",
    );
    // With two periods B on 7/8 (7/4 and 7/8) and A on 7/14 (7/10 and 7/14)
    // are active too; per dimension.
    table(
        &format!(
            "{FANS}T | extend Site = iff(User == 'A', 'x', 'y')
            | evaluate active_users_count(User, Timestamp, Start, End, LookbackWindow, Period, 2, Bin, Site)"
        ),
        "Timestamp:datetime | Site:string | dcount:long
        2018-07-08T00:00:00.0000000Z | \"x\" | 1
        2018-07-15T00:00:00.0000000Z | \"x\" | 1
        2018-07-01T00:00:00.0000000Z | \"y\" | 1
        2018-07-08T00:00:00.0000000Z | \"y\" | 1",
    );
    assert_eq!(
        message(&format!(
            "{FANS}T | evaluate active_users_count(User, Timestamp, Start, End, LookbackWindow, Period, 0, Bin)"
        )),
        "error: active_users_count(): ActivePeriodsCount must be a whole number above 0, not 0"
    );
    assert_eq!(
        message(&format!(
            "{FANS}T | evaluate active_users_count(User, Timestamp, Start, End, LookbackWindow, Period, 3)"
        )),
        "error: active_users_count() needs IdColumn, TimelineColumn, Start, End, LookbackWindow, Period, ActivePeriodsCount and Bin"
    );
}

/// array-iff-function.md writes `datetime("01-01-2022")` inside a dynamic:
/// Kusto holds it as ISO text.
#[test]
fn a_datetime_inside_a_dynamic_is_iso_text() {
    table(
        r#"print d = dynamic(["some string value", datetime("01-01-2022"), null, {"t": datetime(2020-01-01 10:00)}])"#,
        r#"d:dynamic
        ["some string value","2022-01-01T00:00:00.0000000Z",null,{"t":"2020-01-01T10:00:00.0000000Z"}]"#,
    );
}

/// parse-json-function.md: a let-bound value printed by name is print_0.
#[test]
fn a_printed_let_name_is_print_n() {
    table(
        r#"let d='{"a":123, "b":"{\\"c\\":456}"}';
        print d, e = d"#,
        r#"print_0:string | e:string
        "{\"a\":123, \"b\":\"{\\\"c\\\":456}\"}" | "{\"a\":123, \"b\":\"{\\\"c\\\":456}\"}""#,
    );
}

/// Past the listed hashes (256 at accuracy 0) the sketches hold
/// registers and the intersection is |A| + |B| - |A ∪ B| of their
/// estimates: 20,155 + 10,123 - 20,155 for 20,000 and 10,001 values
/// (HyperLogLog's estimates, within 1.2%).
#[test]
fn dcount_intersect_estimates_large_sets() {
    table(
        "range x from 1 to 20000 step 1
        | summarize a = hll(x, 0), b = hll(iif(x % 2 == 0, x, 0), 0)
        | evaluate dcount_intersect(a, b)
        | project s0, s1, union = dcount_hll(hll_merge(a, b))",
        "s0:long | s1:long | union:long
        20155 | 10123 | 20155",
    );
}

// --- bin_auto ----------------------------------------------------------------------

/// bin-auto-function.md: hours counted from 00:05, the fixed point.
#[test]
fn bin_auto_bins_by_the_query_options_as_documented() {
    table(
        "set query_bin_auto_size=1h;
        set query_bin_auto_at=datetime(2017-01-01 00:05);
        range Timestamp from datetime(2017-01-01 00:05) to datetime(2017-01-01 02:00) step 1m
        | summarize count() by bin_auto(Timestamp)",
        "Timestamp:datetime | count_:long
        2017-01-01T00:05:00.0000000Z | 60
        2017-01-01T01:05:00.0000000Z | 56",
    );
    // Without a fixed point, bins start at 0.
    table(
        "set query_bin_auto_size=10;
        print a = bin_auto(27), b = bin_auto(-3)",
        "a:long | b:long
        20 | -10",
    );
    assert_eq!(
        message("print bin_auto(5)"),
        "error: bin_auto() needs the bin size: 'set query_bin_auto_size = 1h;' before the query"
    );
    assert_eq!(
        message("set query_bin_auto_size=1h; print bin_auto(5, 2)"),
        "error: bin_auto() takes 1 argument, 2 given"
    );
    assert_eq!(
        message("set query_bin_auto_sizes=1h; print 1"),
        "error: unknown option 'query_bin_auto_sizes': bin_auto() reads query_bin_auto_size and query_bin_auto_at"
    );
}

/// summarize-operator.md: an aggregate over a conversion is named after
/// the converted column (`schema_x`), over anything else after nothing
/// (countif-aggregation-function.md: `countif_`).
#[test]
fn aggregates_over_conversions_are_named_after_the_column() {
    table(
        "datatable(x:long, name:string)[1, 'abcde', 2, 'ab']
        | summarize buildschema(todynamic(tostring(x))), sum(todouble(x)), countif(strlen(name) > 4)",
        "schema_x:dynamic | sum_x:real | countif_:long
        \"long\" | 3 | 1",
    );
}

/// Centuries between Start and a row overflow 64-bit nanoseconds: the
/// windows are still found, and a step too small for the range is refused
/// instead of making billions of rows.
#[test]
fn activity_windows_span_centuries_and_refuse_too_many() {
    table(
        "datatable(id:long, t:datetime) [1, datetime(2200-01-01)]
        | evaluate activity_counts_metrics(id, t, datetime(1700-01-01), datetime(2250-01-01), 36500d)",
        "t:datetime | count:long | dcount:long | new_dcount:long | aggregated_dcount:long
        2199-09-02T00:00:00.0000000Z | 1 | 1 | 1 | 1",
    );
    assert_eq!(
        message(
            "datatable(id:long, t:datetime) [1, datetime(2020-01-01)]
            | evaluate sliding_window_counts(id, t, datetime(2000-01-01), datetime(2020-01-01), 1h, 1min)"
        ),
        "error: sliding_window_counts(): 10519201 windows from Start to End; Quarry makes at most 1000000 (take a larger step)"
    );
    assert_eq!(
        message(
            "datatable(id:long, t:datetime) [1, datetime(2020-01-01)]
            | evaluate new_activity_metrics(id, t, datetime(2000-01-01), datetime(2020-01-01), 1d)"
        ),
        "error: new_activity_metrics(): 7306 windows from Start to End; Quarry makes at most 2000 (take a larger step)"
    );
}

/// make-series-operator.md: a constant in place of an aggregation is its
/// value in bins with rows and the default in the others.
#[test]
fn make_series_takes_a_constant_as_documented() {
    table(
        "let startDate = datetime(2025-01-06);
        let endDate = datetime(2025-02-09);
        let data = datatable(Time: datetime, Value: int, other:int)
        [
            datetime(2025-01-07), 10, 11,
            datetime(2025-01-16), 20, 21,
            datetime(2025-02-01), 30, 5
        ];
        data
        | make-series Value=sum(Value), other=-1 default=-2 on Time from startDate to endDate step 7d
        | mv-expand Value, Time, other
        | extend Time=todatetime(Time), Value=toint(Value), other=toint(other)
        | project-reorder Time, Value, other",
        "Time:datetime | Value:int | other:int
        2025-01-06T00:00:00.0000000Z | 10 | -1
        2025-01-13T00:00:00.0000000Z | 20 | -1
        2025-01-20T00:00:00.0000000Z | 0 | -2
        2025-01-27T00:00:00.0000000Z | 30 | -1
        2025-02-03T00:00:00.0000000Z | 0 | -2",
    );
}

/// named-expressions.md: a scalar function of no parameters is called by
/// its name alone (the page's values come from rand()).
#[test]
fn a_function_of_no_parameters_is_called_by_its_name() {
    table(
        "let x = () { 1 + 1 };
        print x, y = x * 3",
        "print_0:long | y:long
        2 | 6",
    );
    assert_eq!(
        message("let f = (a:long) { a }; print f"),
        "error: 'f' is a function; call it as f()"
    );
    assert_eq!(
        message("let t = () { print 1 }; print t"),
        "error: 't' is a function; call it as t()"
    );
}
