//! `datetime(2025, 6, 14)`: the year, month, day literal the documentation's
//! startofweek and endofweek examples are written with, run with their
//! printed output.

use crate::common;

use common::{assert_table, render};
use quarry::data::catalog::Catalog;
use quarry::kql::{RunOptions, run};

#[track_caller]
fn table(query: &str, expected: &str) {
    let got = run(&Catalog::new(), query, &RunOptions::default())
        .map(|f| render(&f))
        .unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    assert_table(query, &got, expected);
}

const DAYS: &str = r#"let data=datatable(Date: datetime, day: string)
[
datetime(2025, 6, 14), "Saturday",
datetime(2025, 6, 15), "Sunday",
datetime(2025, 6, 16), "Monday",
datetime(2025, 6, 17), "Tuesday"
];
"#;

#[test]
fn week_starting_on_monday() {
    table(
        &format!(
            "let startofweekFromMonday = (dateArg: datetime) {{
    datetime_add('day', 1, startofweek(datetime_add('day', -1, dateArg)))
}};
{DAYS}data 
| extend MondayWeek=startofweekFromMonday(Date)"
        ),
        r#"Date:datetime | day:string | MondayWeek:datetime
        2025-06-14T00:00:00.0000000Z | "Saturday" | 2025-06-09T00:00:00.0000000Z
        2025-06-15T00:00:00.0000000Z | "Sunday" | 2025-06-09T00:00:00.0000000Z
        2025-06-16T00:00:00.0000000Z | "Monday" | 2025-06-16T00:00:00.0000000Z
        2025-06-17T00:00:00.0000000Z | "Tuesday" | 2025-06-16T00:00:00.0000000Z"#,
    );
}

#[test]
fn week_ending_on_sunday() {
    table(
        &format!(
            "let endofweekSunday = (dateArg: datetime) {{
    datetime_add('day', 8, endofweek(datetime_add('day', -8, dateArg)))
}};
{DAYS}data 
| extend SundayEndOfWeek=endofweekSunday(Date)"
        ),
        r#"Date:datetime | day:string | SundayEndOfWeek:datetime
        2025-06-14T00:00:00.0000000Z | "Saturday" | 2025-06-15T23:59:59.9999999Z
        2025-06-15T00:00:00.0000000Z | "Sunday" | 2025-06-15T23:59:59.9999999Z
        2025-06-16T00:00:00.0000000Z | "Monday" | 2025-06-22T23:59:59.9999999Z
        2025-06-17T00:00:00.0000000Z | "Tuesday" | 2025-06-22T23:59:59.9999999Z"#,
    );
}

#[test]
fn a_day_that_does_not_exist_is_quoted_as_written() {
    let query = "print d = datetime(2025, 6, 31)";
    let e = run(&Catalog::new(), query, &RunOptions::default())
        .expect_err("June has 30 days")
        .render(query);
    assert!(
        e.starts_with("error: invalid datetime '2025, 6, 31'\n"),
        "{e}"
    );
    assert!(e.ends_with("\n  |           ^^^^^^^^^^^^^^^^^^^^^"), "{e}");
}
