//! KQL that Kusto accepts and hunters write, which Quarry's parser refused
//! (found in the hunting corpus): names that start with digits, `render`
//! properties without `with (...)`, and `scan` steps that assign an input
//! column. Each runs with exact results; a near miss that really is invalid
//! gets a caret error.

use crate::common;

use common::{error, table};
use quarry::kql::render::{Stacking, Visualization, render_of_text};

// --- names that start with digits ------------------------------------------

#[test]
fn a_let_name_may_start_with_digits() {
    table(
        "let 2022MostExploited = dynamic(['CVE-2021-34473', 'CVE-2022-1388']);
        datatable(CveId:string, DeviceName:string)[
            'CVE-2022-1388', 'web01',
            'CVE-2020-0001', 'web02',
            'CVE-2021-34473', 'mail01']
        | where CveId in (2022MostExploited)
        | extend 1st_seen = 1, 2d_col = 2d",
        r#"CveId:string | DeviceName:string | 1st_seen:long | 2d_col:timespan
        "CVE-2022-1388" | "web01" | 1 | 2.00:00:00
        "CVE-2021-34473" | "mail01" | 1 | 2.00:00:00"#,
    );
}

#[test]
fn digits_alone_are_still_no_name() {
    assert_eq!(
        error("let 2022 = dynamic(['a']);\nprint x = 1"),
        concat!(
            "error: expected a name after 'let', found '2022'\n",
            " --> line 1, column 5\n  |\n1 | let 2022 = dynamic(['a']);\n",
            "  |     ^^^^"
        )
    );
}

// --- render without `with` -------------------------------------------------

#[test]
fn render_takes_properties_without_with() {
    let query = "datatable(Day:datetime, Result:string, n:long)[
            datetime(2024-01-01), 'Success', 3,
            datetime(2024-01-01), 'Failure', 1]
        | summarize n = sum(n) by Day, Result
        | render columnchart kind=stacked title=\"Sign-ins\"";
    table(
        query,
        r#"Day:datetime | Result:string | n:long
        2024-01-01T00:00:00.0000000Z | "Success" | 3
        2024-01-01T00:00:00.0000000Z | "Failure" | 1"#,
    );
    let spec = render_of_text(query).expect("a render");
    assert_eq!(spec.visualization, Visualization::ColumnChart);
    assert_eq!(spec.stacking, Stacking::Stacked);
    assert_eq!(spec.title.as_deref(), Some("Sign-ins"));
    let spec = render_of_text("T | render areachart kind=stacked100 by Result").expect("a render");
    assert_eq!(spec.stacking, Stacking::Stacked100);
    assert_eq!(spec.series, ["Result"]);
}

#[test]
fn render_without_with_takes_only_its_properties() {
    assert_eq!(
        error("print n = 1 | render timechart ytitle=\"n\""),
        concat!(
            "error: 'ytitle' goes in 'with (...)': without 'with', render takes only title=, ",
            "kind=, accumulate= and by\n --> line 1, column 32\n  |\n",
            "1 | print n = 1 | render timechart ytitle=\"n\"\n",
            "  |                                ^^^^^^"
        )
    );
}

// --- scan steps that assign input columns ----------------------------------

#[test]
fn a_scan_step_may_overwrite_an_input_column() {
    // The running total lands in `x` itself: `s.x` reads the value the step
    // assigned on the row before (null before the first match).
    table(
        "datatable(k:string, x:long)['a', 1, 'b', 2, 'c', 3, 'd', 4]
        | scan with (step s: true => x = iff(isnull(s.x), x, x + s.x);)",
        r#"k:string | x:long
        "a" | 1
        "b" | 3
        "c" | 6
        "d" | 10"#,
    );
}

#[test]
fn input_and_declared_columns_assigned_together() {
    // Attempts per user accumulate across rows; the step's later assignment
    // sees the earlier one's value on the same row.
    table(
        "datatable(User:string, Attempts:long, Method:string)[
            'ann', 1, 'sms',
            'ann', 2, 'app',
            'bob', 1, 'sms']
        | scan declare (Methods:string = '') with (
            step s1: true => Attempts = iff(User == s1.User, s1.Attempts + Attempts, Attempts),
                             Methods = iff(User == s1.User, strcat(s1.Methods, ',', Method), Method);
        )",
        r#"User:string | Attempts:long | Method:string | Methods:string
        "ann" | 1 | "sms" | "sms"
        "ann" | 3 | "app" | "sms,app"
        "bob" | 1 | "sms" | "sms""#,
    );
}

#[test]
fn a_scan_step_cannot_assign_an_unknown_column() {
    assert_eq!(
        error("datatable(Count:long)[1] | scan with (step s: true => Cuont = 1;)"),
        concat!(
            "error: 'Cuont' is neither declared nor a column of the input (did you mean 'Count'?)\n",
            " --> line 1, column 55\n  |\n",
            "1 | datatable(Count:long)[1] | scan with (step s: true => Cuont = 1;)\n",
            "  |                                                       ^^^^^"
        )
    );
    assert_eq!(
        error("datatable(n:long)[1] | scan with (step s: true => n = 'x';)"),
        concat!(
            "error: 'n' is declared long, but this gives string\n",
            " --> line 1, column 55\n  |\n",
            "1 | datatable(n:long)[1] | scan with (step s: true => n = 'x';)\n",
            "  |                                                       ^^^"
        )
    );
}

// --- columnifexists, the older name of column_ifexists ----------------------

#[test]
fn columnifexists_is_column_ifexists() {
    table(
        "datatable(A:long)[1, 2]
        | extend B = columnifexists('A', 0), C = columnifexists('Missing', -1),
                 D = column_ifexists('Missing', -2)",
        "A:long | B:long | C:long | D:long
        1 | 1 | -1 | -2
        2 | 2 | -1 | -2",
    );
    assert!(
        error("print x = columnifexists('A')")
            .starts_with("error: columnifexists() needs a default value"),
        "{}",
        error("print x = columnifexists('A')")
    );
}
