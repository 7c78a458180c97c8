//! The pattern-mining plugins: `evaluate autocluster()`, `basket()`,
//! `diffpatterns()` and `diffpatterns_text()`.
//!
//! Every example of their documentation pages reads the help cluster's
//! StormEvents table, which is not available offline. basket-plugin.md
//! prints enough counts to rebuild May's rows as far as its example
//! looks at them, so its two examples run on that rebuild and must give
//! the printed tables. The other cases are small tables whose answers are
//! worked out by hand in the comments, and errors with their carets.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use quarry::data::catalog::Catalog;
use quarry::kql::error::ErrorKind;
use quarry::kql::value::Scalar;
use quarry::kql::{RunOptions, run};

use crate::common;

use common::{error, table, typed_table};

// --- basket-plugin.md, on StormEvents rebuilt -------------------------------

/// May's StormEvents rows as basket-plugin.md's output counts them (5,884
/// rows: 4,574 without damage, 1,310 with): Hail 2,468 (2,278 without
/// damage; 93 with damage but no crop damage; 97 with crop damage),
/// Thunderstorm Wind 1,291 (779; 500; 12), 2,125 others (1,517; 508; 100)
/// spread over three event types, and seven states (TEXAS among them),
/// none of them above the threshold of 20%.
const MAY_STORMS: &str = r#"range i from 0 to 5883 step 1
| extend EventType = case(i < 2468, "Hail", i < 3759, "Thunderstorm Wind",
    i % 3 == 0, "Flash Flood", i % 3 == 1, "Flood", "Tornado")
| extend Damage = iff(i between (0 .. 2277) or i between (2468 .. 3246) or i between (3759 .. 5275), "NO", "YES")
| extend DamageCrops = toint(iff(i between (2371 .. 2467) or i between (3747 .. 3758) or i >= 5784, 500, 0))
| extend State = case(i % 7 == 0, "TEXAS", i % 7 == 1, "IOWA", i % 7 == 2, "KANSAS", i % 7 == 3, "OHIO",
    i % 7 == 4, "NEBRASKA", i % 7 == 5, "MISSOURI", "GEORGIA")
| project State, EventType, Damage, DamageCrops"#;

/// The typed rows, with Percent rounded to the one decimal the page
/// prints.
fn with_percent_to_one_decimal(query: &str) -> (Vec<String>, Vec<Vec<Scalar>>) {
    let (names, mut rows) = typed_table(query);
    let at = names.iter().position(|n| n == "Percent").unwrap();
    for row in &mut rows {
        if let Scalar::Real(p) = row[at] {
            row[at] = Scalar::Real((p * 10.0).round() / 10.0);
        }
    }
    (names, rows)
}

fn s(text: &str) -> Scalar {
    Scalar::String(text.to_string())
}

/// A row of basket's output: SegmentId, Count, Percent, State,
/// EventType, Damage, DamageCrops.
fn basket_row(id: i64, count: i64, percent: f64, cells: [Scalar; 4]) -> Vec<Scalar> {
    let mut row = vec![Scalar::Long(id), Scalar::Long(count), Scalar::Real(percent)];
    row.extend(cells);
    row
}

#[test]
fn basket_example_gives_the_documented_patterns() {
    let (names, rows) =
        with_percent_to_one_decimal(&format!("{MAY_STORMS}\n| evaluate basket(0.2)"));
    assert_eq!(
        names,
        [
            "SegmentId",
            "Count",
            "Percent",
            "State",
            "EventType",
            "Damage",
            "DamageCrops"
        ]
    );
    let none = || Scalar::Null(quarry::data::types::KqlType::Int);
    let zero = || Scalar::Int(0);
    assert_eq!(
        rows,
        vec![
            basket_row(0, 4574, 77.7, [s(""), s(""), s("NO"), zero()]),
            basket_row(1, 2278, 38.7, [s(""), s("Hail"), s("NO"), zero()]),
            basket_row(2, 5675, 96.4, [s(""), s(""), s(""), zero()]),
            basket_row(3, 2371, 40.3, [s(""), s("Hail"), s(""), zero()]),
            basket_row(
                4,
                1279,
                21.7,
                [s(""), s("Thunderstorm Wind"), s(""), zero()]
            ),
            basket_row(5, 2468, 41.9, [s(""), s("Hail"), s(""), none()]),
            basket_row(6, 1310, 22.3, [s(""), s(""), s("YES"), none()]),
            basket_row(
                7,
                1291,
                21.9,
                [s(""), s("Thunderstorm Wind"), s(""), none()]
            ),
        ]
    );
}

#[test]
fn basket_example_with_custom_wildcards() {
    let (_, rows) = with_percent_to_one_decimal(&format!(
        "{MAY_STORMS}\n| evaluate basket(0.2, '~', '~', '*', int(-1))"
    ));
    let star = || s("*");
    let (zero, minus) = (|| Scalar::Int(0), || Scalar::Int(-1));
    assert_eq!(
        rows,
        vec![
            basket_row(0, 4574, 77.7, [star(), star(), s("NO"), zero()]),
            basket_row(1, 2278, 38.7, [star(), s("Hail"), s("NO"), zero()]),
            basket_row(2, 5675, 96.4, [star(), star(), star(), zero()]),
            basket_row(3, 2371, 40.3, [star(), s("Hail"), star(), zero()]),
            basket_row(
                4,
                1279,
                21.7,
                [star(), s("Thunderstorm Wind"), star(), zero()]
            ),
            basket_row(5, 2468, 41.9, [star(), s("Hail"), star(), minus()]),
            basket_row(6, 1310, 22.3, [star(), star(), s("YES"), minus()]),
            basket_row(
                7,
                1291,
                21.9,
                [star(), s("Thunderstorm Wind"), star(), minus()]
            ),
        ]
    );
}

// --- basket, by hand ----------------------------------------------------------

/// Eight connections: pc1 succeeded three times and failed once on 4444;
/// pc2 succeeded twice on 443 and once on 4444; pc3 failed once on 80.
const CONNECTIONS: &str = r#"datatable(Device:string, Action:string, Port:long)[
    "pc1", "Success", 4444, "pc1", "Success", 4444, "pc1", "Success", 4444,
    "pc1", "Failed", 4444,
    "pc2", "Success", 443, "pc2", "Success", 443, "pc2", "Success", 4444,
    "pc3", "Failed", 80]"#;

#[test]
fn basket_finds_every_closed_frequent_pattern() {
    // At 25% (2 rows of 8) the frequent values are pc1 (4), pc2 (3),
    // Success (6), Failed (2), 4444 (5) and 443 (2). Their closed patterns
    // (every value all their rows share added): pc1 4444 (4), pc2 Success
    // (3), Success (6), Failed (2), 4444 (5), pc2 Success 443 (2). Of the
    // pairs, pc1 Success (3) and Success 4444 (4) cover fewer rows than
    // their values alone; pc1 Success closes to pc1 Success 4444. The
    // order is count times values fixed: 9, 8, 8 (as found), 6 (Success
    // first: more rows), 6, 6, 5, 2.
    table(
        &format!("{CONNECTIONS} | evaluate basket(0.25)"),
        r#"SegmentId:long | Count:long | Percent:real | Device:string | Action:string | Port:long
        0 | 3 | 37.5 | "pc1" | "Success" | 4444
        1 | 4 | 50 | "pc1" | "" | 4444
        2 | 4 | 50 | "" | "Success" | 4444
        3 | 6 | 75 | "" | "Success" | null
        4 | 3 | 37.5 | "pc2" | "Success" | null
        5 | 2 | 25 | "pc2" | "Success" | 443
        6 | 5 | 62.5 | "" | "" | 4444
        7 | 2 | 25 | "" | "Failed" | null"#,
    );
}

#[test]
fn basket_max_dimensions_bounds_the_uncorrelated_values() {
    // One dimension: only the single values' closed patterns; pc2 Success
    // 443 still fixes three columns, as 443 brings the other two.
    table(
        &format!("{CONNECTIONS} | evaluate basket(0.25, '~', 1, '*', long(-1))"),
        r#"SegmentId:long | Count:long | Percent:real | Device:string | Action:string | Port:long
        0 | 4 | 50 | "pc1" | "*" | 4444
        1 | 6 | 75 | "*" | "Success" | -1
        2 | 3 | 37.5 | "pc2" | "Success" | -1
        3 | 2 | 25 | "pc2" | "Success" | 443
        4 | 5 | 62.5 | "*" | "*" | 4444
        5 | 2 | 25 | "*" | "Failed" | -1"#,
    );
}

#[test]
fn basket_counts_weights() {
    // a weighs 5 + 2 = 7 of 8 (87.5%); b 1 of 8 is under 20%.
    table(
        r#"datatable(Action:string, Hits:long)["a", 5, "b", 1, "a", 2]
        | evaluate basket(0.2, Hits)"#,
        r#"SegmentId:long | Count:long | Percent:real | Action:string
        0 | 7 | 87.5 | "a""#,
    );
    // Real weights give real counts; a null weight counts nothing.
    table(
        r#"datatable(Action:string, Hits:real)["a", 1.5, "b", 0.5, "a", real(null)]
        | evaluate basket(0.3, Hits)"#,
        r#"SegmentId:long | Count:real | Percent:real | Action:string
        0 | 1.5 | 75 | "a""#,
    );
}

// --- diffpatterns, by hand ------------------------------------------------------

/// Four blocked connections (pc1 on 4444 three times, pc2 on 4444 once)
/// and four allowed ones (pc2 on 443 three times, pc1 on 443 once).
const OUTCOMES: &str = r#"datatable(Outcome:string, Device:string, Port:long)[
    "Blocked", "pc1", 4444, "Blocked", "pc1", 4444, "Blocked", "pc1", 4444,
    "Blocked", "pc2", 4444,
    "Allowed", "pc2", 443, "Allowed", "pc2", 443, "Allowed", "pc2", 443,
    "Allowed", "pc1", 443]"#;

#[test]
fn diffpatterns_keeps_the_differences_no_other_refines() {
    // Shares of A (blocked) and B (allowed): 4444 100/0, 443 0/100, pc1
    // 75/25, pc2 25/75, pc1 4444 75/0, pc2 443 0/75, pc1 443 0/25, pc2
    // 4444 25/0. From the largest difference: 4444 and 443 are kept; pc1
    // 4444 and pc2 443 refine them; pc1 and pc2 differ by 50 points, but
    // 4444 and 443 cover all their rows: nothing is left to tell.
    table(
        &format!(r#"{OUTCOMES} | evaluate diffpatterns(Outcome, "Blocked", "Allowed")"#),
        r#"SegmentId:long | CountA:long | CountB:long | PercentA:real | PercentB:real | PercentDiffAB:real | Device:string | Port:long
        0 | 4 | 0 | 100 | 0 | 100 | "" | 4444
        1 | 0 | 4 | 0 | 100 | 100 | "" | 443"#,
    );
}

/// A: Hail seen by spotters 4 times and by the public 4 times, Wind by
/// spotters twice; B: Wind by the public 7 times and by spotters twice,
/// Hail by the public once.
const STORMS: &str = r#"datatable(Split:string, Event:string, Source:string)[
    "A", "Hail", "Spotter", "A", "Hail", "Spotter", "A", "Hail", "Spotter", "A", "Hail", "Spotter",
    "A", "Hail", "Public", "A", "Hail", "Public", "A", "Hail", "Public", "A", "Hail", "Public",
    "A", "Wind", "Spotter", "A", "Wind", "Spotter",
    "B", "Wind", "Public", "B", "Wind", "Public", "B", "Wind", "Public", "B", "Wind", "Public",
    "B", "Wind", "Public", "B", "Wind", "Public", "B", "Wind", "Public",
    "B", "Wind", "Spotter", "B", "Wind", "Spotter", "B", "Hail", "Public"]"#;

#[test]
fn diffpatterns_leaves_out_differences_already_told() {
    // Shares of A and B: Wind 20/90 and Hail 80/10 (70 points each; Wind
    // first, it has more rows), Wind Public 0/70 (refines Wind), Public
    // 40/80 and Spotter 60/20 (40 points; but on the rows Wind and Hail
    // leave, none, they no longer differ), Hail Spotter 40/0 and Hail
    // Public 40/10 (refine Hail), Wind Spotter 20/20 (no difference).
    table(
        &format!(r#"{STORMS} | evaluate diffpatterns(Split, "A", "B")"#),
        r#"SegmentId:long | CountA:long | CountB:long | PercentA:real | PercentB:real | PercentDiffAB:real | Event:string | Source:string
        0 | 2 | 9 | 20 | 90 | 70 | "Wind" | ""
        1 | 8 | 1 | 80 | 10 | 70 | "Hail" | """#,
    );
    // Without Event, Source tells the sets apart by 40 points.
    table(
        &format!(
            r#"{STORMS} | project-away Event | evaluate diffpatterns(Split, "A", "B", '~', '~', '~', '*')"#
        ),
        r#"SegmentId:long | CountA:long | CountB:long | PercentA:real | PercentB:real | PercentDiffAB:real | Source:string
        0 | 4 | 8 | 40 | 80 | 40 | "Public"
        1 | 6 | 2 | 60 | 20 | 40 | "Spotter""#,
    );
    // No difference reaches a Threshold of 0.75.
    let (names, rows) = typed_table(&format!(
        r#"{STORMS} | evaluate diffpatterns(Split, "A", "B", '~', 0.75)"#
    ));
    assert_eq!(names.len(), 8);
    assert!(rows.is_empty());
}

#[test]
fn diffpatterns_rounds_percentages_after_taking_the_difference() {
    // A (Set 1) weighs 7: x 1, z 6; B (Set 2) weighs 3: x 1, w 2. x is
    // 14.2857.. of A and 33.3333.. of B: 19.0476.. points apart, printed
    // 19.05 (the rounded shares would give 33.33 - 14.29 = 19.04). The
    // split and weight columns are not dimensions.
    table(
        r#"datatable(Set:long, Value:string, W:int)[1, "x", 1, 1, "z", 6, 2, "x", 1, 2, "w", 2]
        | evaluate diffpatterns(Set, "1", "2", W)"#,
        r#"SegmentId:long | CountA:long | CountB:long | PercentA:real | PercentB:real | PercentDiffAB:real | Value:string
        0 | 6 | 0 | 85.71 | 0 | 85.71 | "z"
        1 | 0 | 2 | 0 | 66.67 | 66.67 | "w"
        2 | 1 | 1 | 14.29 | 33.33 | 19.05 | "x""#,
    );
}

// --- diffpatterns_text, by hand -------------------------------------------------

const LOGONS: &str = r#"datatable(Message:string, Failed:bool)[
    "Logon failed for user alice from 10.0.0.5", true,
    "Logon failed for user bob from 10.0.0.7", true,
    "Logon succeeded for user alice from 10.0.0.5", false,
    "Logon succeeded for user carol from 10.0.0.9", false,
    "", bool(null)]"#;

#[test]
fn diffpatterns_text_finds_the_tokens_that_differ() {
    // Tokens 1, 3, 4 and 6 (Logon, for, user, from) are in every text.
    // "failed" at position 2 is in both true rows and no false one: its
    // pattern, with the shared tokens, differs by 100 points, as
    // "succeeded"'s does the other way. The whole texts (one row each,
    // 50 points) refine those two; alice's texts are in both sets. The row
    // with a null condition is in neither.
    table(
        &format!("{LOGONS} | evaluate diffpatterns_text(Message, Failed)"),
        r#"Count_of_True:long | Count_of_False:long | Percent_of_True:real | Percent_of_False:real | Pattern:string
        2 | 0 | 100 | 0 | "Logon failed for user * from *"
        0 | 2 | 0 | 100 | "Logon succeeded for user * from *""#,
    );
    // With at least seven tokens, only whole texts qualify; each is its
    // own pattern, the true set's first. Nothing follows their last
    // token, so no final `*`.
    table(
        &format!("{LOGONS} | evaluate diffpatterns_text(Message, Failed, 7)"),
        r#"Count_of_True:long | Count_of_False:long | Percent_of_True:real | Percent_of_False:real | Pattern:string
        1 | 0 | 50 | 0 | "Logon failed for user bob from 10.0.0.7"
        1 | 0 | 50 | 0 | "Logon failed for user alice from 10.0.0.5"
        0 | 1 | 0 | 50 | "Logon succeeded for user carol from 10.0.0.9"
        0 | 1 | 0 | 50 | "Logon succeeded for user alice from 10.0.0.5""#,
    );
    // Three tokens at most: the patterns stop at the third.
    table(
        &format!("{LOGONS} | evaluate diffpatterns_text(Message, Failed, 1, 0.05, 3)"),
        r#"Count_of_True:long | Count_of_False:long | Percent_of_True:real | Percent_of_False:real | Pattern:string
        2 | 0 | 100 | 0 | "Logon failed for"
        0 | 2 | 0 | 100 | "Logon succeeded for""#,
    );
}

// --- autocluster, by hand -------------------------------------------------------

/// Ten connections with a unique id: six of pc1 succeeding on 4444, three
/// of pc2 failing on 445, one of pc3 succeeding on 80.
const EVENTS: &str = r#"datatable(ReportId:long, Device:string, Action:string, Port:long)[
    1, "pc1", "Success", 4444, 2, "pc1", "Success", 4444, 3, "pc1", "Success", 4444,
    4, "pc1", "Success", 4444, 5, "pc1", "Success", 4444, 6, "pc1", "Success", 4444,
    7, "pc2", "Failed", 445, 8, "pc2", "Failed", 445, 9, "pc2", "Failed", 445,
    10, "pc3", "Success", 80]"#;

#[test]
fn autocluster_sums_up_the_rows_in_a_few_segments() {
    // Scores are coverage^0.5 * (columns fixed / 4)^0.5. Seed row 1 (the
    // most typical): freeing ReportId adds rows 2-6 (pc1 Success 4444:
    // 0.6, 3 of 4 columns, 0.671); freeing any other column adds no row,
    // and the path goes down to Success 4444 (0.548) and Success (0.418):
    // its one peak is pc1 Success 4444. Seed row 7: pc2 Failed 445 (0.3
    // and 3 columns, 0.474). Seed row 10: freeing its id, Device and Port
    // climbs only at Success (7 rows, 0.418), which pc1 Success 4444
    // refines: left out.
    table(
        &format!("{EVENTS} | evaluate autocluster()"),
        r#"SegmentId:long | Count:long | Percent:real | ReportId:long | Device:string | Action:string | Port:long
        0 | 6 | 60 | null | "pc1" | "Success" | 4444
        1 | 3 | 30 | null | "pc2" | "Failed" | 445"#,
    );
    // SizeWeight 0.9 favours coverage: seed row 1's path peaks at pc1
    // Success 4444 (0.6^0.9 * 0.75^0.1 = 0.613) and again at Success alone
    // (0.7^0.9 * 0.25^0.1 = 0.632), which is taken first. Rows by count
    // times columns: 9, then 7.
    table(
        &format!("{EVENTS} | evaluate autocluster(0.9, '~', '~', '*', long(-1))"),
        r#"SegmentId:long | Count:long | Percent:real | ReportId:long | Device:string | Action:string | Port:long
        0 | 3 | 30 | -1 | "pc2" | "Failed" | 445
        1 | 7 | 70 | -1 | "*" | "Success" | -1"#,
    );
    // One seed: one local search, from row 1.
    table(
        &format!("{EVENTS} | evaluate autocluster('~', '~', 1)"),
        r#"SegmentId:long | Count:long | Percent:real | ReportId:long | Device:string | Action:string | Port:long
        0 | 6 | 60 | null | "pc1" | "Success" | 4444"#,
    );
}

#[test]
fn autocluster_weighs_rows_by_the_weight_column() {
    // pc2's single row weighs 8 of 10: seeded first, pc2 445 covers 80%;
    // pc1's two rows (2 of 10) are the second segment.
    table(
        r#"datatable(Device:string, Port:long, Count:long)[
            "pc1", 4444, 1, "pc1", 4444, 1, "pc2", 445, 8]
        | evaluate autocluster('~', Count)"#,
        r#"SegmentId:long | Count:long | Percent:real | Device:string | Port:long
        0 | 8 | 80 | "pc2" | 445
        1 | 2 | 20 | "pc1" | 4444"#,
    );
}

#[test]
fn empty_input_gives_no_pattern() {
    for plugin in ["autocluster()", "basket()"] {
        let (names, rows) = typed_table(&format!(
            "datatable(Device:string, Port:long)[] | evaluate {plugin}"
        ));
        assert_eq!(names, ["SegmentId", "Count", "Percent", "Device", "Port"]);
        assert!(rows.is_empty());
    }
}

// --- errors -------------------------------------------------------------------

/// Asserts that the rendered error `e` of the one-line query `q` has
/// `message` and its caret under the last `needle` of `q`.
#[track_caller]
fn points_at(q: &str, needle: &str, message: &str) {
    let e = error(q);
    let col = q
        .rfind(needle)
        .unwrap_or_else(|| panic!("{needle} not in {q}"));
    let caret = format!(
        "1 | {q}\n  | {}{}",
        " ".repeat(col),
        "^".repeat(needle.len())
    );
    assert!(e.starts_with(&format!("error: {message}\n")), "{e}");
    assert!(
        e.ends_with(&caret),
        "{e}\n--- wanted the caret ---\n{caret}"
    );
}

const ONE: &str =
    r#"datatable(Device:string, Port:long, Hits:long, Share:real)["pc1", 4444, 2, 0.5]"#;

#[test]
fn bad_arguments_are_pointed_at() {
    points_at(
        &format!("{ONE} | evaluate autocluster(1.5)"),
        "1.5",
        "autocluster(): SizeWeight must be a number between 0 and 1 (exclusive), not 1.5",
    );
    points_at(
        &format!("{ONE} | evaluate autocluster('~', Hit)"),
        "Hit",
        "autocluster(): unknown column 'Hit' for WeightColumn (did you mean 'Hits'?)",
    );
    points_at(
        &format!("{ONE} | evaluate autocluster('~', Device)"),
        "Device",
        "autocluster(): WeightColumn must be an int or long column; 'Device' is string",
    );
    points_at(
        &format!("{ONE} | evaluate autocluster('~', Share)"),
        "Share",
        "autocluster(): WeightColumn must be an int or long column; 'Share' is real",
    );
    points_at(
        &format!("{ONE} | evaluate basket('~', Device)"),
        "Device",
        "basket(): WeightColumn must be a numeric column (int, long or real); 'Device' is string",
    );
    points_at(
        r#"datatable(A:string, W:long)["a", -2] | evaluate basket('~', W)"#,
        "W",
        "basket(): WeightColumn 'W' holds -2; weights must be 0 or more",
    );
    points_at(
        &format!("{ONE} | evaluate autocluster('~', '~', 0)"),
        "0",
        "autocluster(): NumSeeds must be a whole number, 1 or more, not 0",
    );
    points_at(
        &format!("{ONE} | evaluate autocluster(SizeWeight=0.5)"),
        "SizeWeight=0.5",
        "autocluster() takes its arguments by position, not by name",
    );
    points_at(
        &format!("{ONE} | evaluate basket(0.01)"),
        "0.01",
        "basket(): Threshold must be a number from 0.015 to 1, not 0.01",
    );
    points_at(
        &format!("{ONE} | evaluate basket('~', '~', 0)"),
        "0",
        "basket(): MaxDimensions must be a whole number, 1 or more, not 0",
    );
    points_at(
        &format!("{ONE} | evaluate basket('x')"),
        "'x'",
        "basket(): Threshold must be a number from 0.015 to 1, not the string \"x\"",
    );
}

const SETS: &str =
    r#"datatable(Outcome:string, Device:string)["Blocked", "pc1", "Allowed", "pc2"]"#;

#[test]
fn diffpatterns_split_values_must_be_in_the_split_column() {
    points_at(
        &format!(r#"{SETS} | evaluate diffpatterns(Outcome, "Blocked", "Denied")"#),
        "\"Denied\"",
        r#"diffpatterns(): no row has Outcome == "Denied" (SplitValueB); its values include "Blocked", "Allowed""#,
    );
    points_at(
        &format!(r#"{SETS} | evaluate diffpatterns(Outcome, "Block", "Allowed")"#),
        "\"Block\"",
        r#"diffpatterns(): no row has Outcome == "Block" (SplitValueA); its values include "Blocked", "Allowed""#,
    );
    points_at(
        &format!(r#"{SETS} | evaluate diffpatterns(Outcome, "Blocked", 1)"#),
        "1",
        r#"diffpatterns(): SplitValueB must be a string, such as "1", not long"#,
    );
    points_at(
        &format!(r#"{SETS} | evaluate diffpatterns(Outcom, "Blocked", "Allowed")"#),
        "Outcom",
        "diffpatterns(): unknown column 'Outcom' for SplitColumn (did you mean 'Outcome'?)",
    );
    points_at(
        &format!(r#"{SETS} | evaluate diffpatterns(Outcome, "Blocked", "Blocked")"#),
        "\"Blocked\"",
        r#"diffpatterns(): SplitValueA and SplitValueB are both "Blocked"; they must name two different sets"#,
    );
    points_at(
        &format!(r#"{SETS} | evaluate diffpatterns(Outcome, "Blocked", "Allowed", Devic)"#),
        "Devic",
        "diffpatterns(): unknown column 'Devic' for WeightColumn (did you mean 'Device'?)",
    );
    let e = error(&format!("{SETS} | evaluate diffpatterns(Outcome)"));
    assert!(
        e.starts_with("error: diffpatterns() needs SplitColumn, SplitValueA and SplitValueB\n"),
        "{e}"
    );
}

const TEXTS: &str = r#"datatable(Message:string, N:long)["a b", 1, "a c", 2]"#;

#[test]
fn diffpatterns_text_checks_its_arguments() {
    points_at(
        &format!("{TEXTS} | evaluate diffpatterns_text(N, true)"),
        "N",
        "diffpatterns_text(): TextColumn must be a string, not long",
    );
    points_at(
        &format!("{TEXTS} | evaluate diffpatterns_text(Message, Message)"),
        "Message",
        "diffpatterns_text(): BooleanCondition must be a bool, not string",
    );
    points_at(
        &format!("{TEXTS} | evaluate diffpatterns_text(Message, N > 1, 1, 0.05, 21)"),
        "21",
        "diffpatterns_text(): MaxTokens must be a whole number from 1 to 20, not 21",
    );
    points_at(
        &format!("{TEXTS} | evaluate diffpatterns_text(Message, N > 1, 1, 0.05, 20, 7)"),
        "7",
        "diffpatterns_text() takes at most 5 arguments: TextColumn, BooleanCondition, MinTokens, Threshold, MaxTokens",
    );
    points_at(
        &format!("{TEXTS} | evaluate diffpatterns_text(Message, N > 5)"),
        "N > 5",
        "diffpatterns_text(): BooleanCondition is true for no row; both sets need rows",
    );
}

#[test]
fn check_knows_the_plugins() {
    for q in [
        "T | evaluate autocluster()",
        "T | evaluate basket(0.2)",
        "T | evaluate diffpatterns(Damage, '0', '1')",
        "T | evaluate diffpatterns_text(Text, x > 1, 2)",
    ] {
        quarry::kql::check::check(q, &[]).unwrap_or_else(|e| panic!("{q}: {}", e.render(q)));
    }
}

#[test]
fn output_schema_keeps_the_declared_columns() {
    let (names, rows) = typed_table(&format!(
        "{EVENTS} | evaluate autocluster() : (Count:long, Device:string)"
    ));
    assert_eq!(names, ["Count", "Device"]);
    assert_eq!(rows[0], vec![Scalar::Long(6), s("pc1")]);
}

#[test]
fn a_cancel_stops_a_long_mining_run() {
    // Twenty independent yes/no columns over 20,000 rows: every
    // combination of up to five values covers at least 1.5% of the rows,
    // some 580,000 candidates to count, seconds of work; the flag is set
    // while basket counts them.
    let columns: Vec<String> = (0..20)
        .map(|c| format!("c{c} = (i / {}) % 2", 1 << c))
        .collect();
    let q = format!(
        "range i from 0 to 19999 step 1 | extend {} | project-away i | evaluate basket(0.015)",
        columns.join(", ")
    );
    let flag = Arc::new(AtomicBool::new(false));
    let options = RunOptions {
        cancel: Some(Arc::clone(&flag)),
        ..Default::default()
    };
    let running = thread::spawn(move || run(&Catalog::new(), &q, &options));
    thread::sleep(Duration::from_millis(300));
    flag.store(true, Ordering::Relaxed);
    let e = running.join().expect("no panic").expect_err("cancelled");
    assert_eq!(e.kind, ErrorKind::Cancelled);
}

#[test]
fn autocluster_sums_up_the_kql_mysteries_traffic() {
    // The bundled sample's traffic to 192.168.0.x (README: the KQL
    // Mysteries story): the beacons to .255:4444 first, then the other
    // services, each a segment, from many computers.
    let q = r#"NetworkCommunicationEvents | where RemoteIP has "192.168.0."
        | project-away TimeGenerated, BytesSent | evaluate autocluster()
        | project SegmentId, Count, ComputerName, RemoteIP, RemotePort, Protocol, EventDescription"#;
    let out = assert_cmd::Command::cargo_bin("quarry")
        .unwrap()
        .args(["query", "--sample", "--format", "csv", q])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // CSV lines end in CRLF (RFC 4180).
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
        "SegmentId,Count,ComputerName,RemoteIP,RemotePort,Protocol,EventDescription
0,600,,192.168.0.255,4444,TCP,Encrypted outbound data transfer
1,150,,192.168.0.10,445,TCP,SMB file share access
2,140,,192.168.0.1,53,UDP,DNS query
3,120,,192.168.0.255,137,UDP,NetBIOS name query broadcast
4,90,,192.168.0.30,443,TCP,HTTPS session
5,70,,192.168.0.255,138,UDP,NetBIOS datagram broadcast
"
    );
}
