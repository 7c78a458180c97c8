//! KQL's `decimal` (scalar-data-types/decimal.md), `todecimal()` and
//! `parse_version()`: the documentation's examples as exact typed results,
//! arithmetic that keeps every digit, four-part versions compared digit for
//! digit, decimal columns read from typed files and written back, and the
//! errors a user meets.

use std::path::Path;
use std::process::{Command, Output};

use polars::prelude::*;
use quarry::data::catalog::Catalog;
use quarry::data::decimal::Decimal;
use quarry::data::types::KqlType;
use quarry::kql::value::Scalar;
use quarry::kql::{RunOptions, run};

use crate::common::typed_table as table;

fn dec(text: &str) -> Scalar {
    Scalar::Decimal(Decimal::parse(text).unwrap_or_else(|| panic!("{text} is a decimal")))
}

fn text(t: &str) -> Scalar {
    Scalar::String(t.into())
}

/// The one value a `print` gives.
#[track_caller]
fn value(query: &str) -> Scalar {
    let (_, rows) = table(query);
    assert_eq!(rows.len(), 1, "{query}");
    assert_eq!(rows[0].len(), 1, "{query}");
    rows[0][0].clone()
}

/// The error a query gives, rendered with its caret.
#[track_caller]
fn error(query: &str) -> String {
    match run(&Catalog::new(), query, &RunOptions::default()) {
        Ok(f) => panic!("{query} ran: {f}"),
        Err(e) => e.render(query),
    }
}

// --- the documentation's examples ------------------------------------------------

/// parse-version-function.md, "Parse version strings".
#[test]
fn parse_version_strings() {
    let q = r#"let dt = datatable(v: string)
    [
    "0.0.0.5", "0.0.7.0", "0.0.3", "0.2", "0.1.2.0", "1.2.3.4", "1"
];
dt
| extend parsedVersion = parse_version(v)"#;
    let (names, rows) = table(q);
    assert_eq!(names, ["v", "parsedVersion"]);
    assert_eq!(
        rows,
        [
            ["0.0.0.5", "5"],
            ["0.0.7.0", "700000000"],
            ["0.0.3", "300000000"],
            ["0.2", "20000000000000000"],
            ["0.1.2.0", "10000000200000000"],
            ["1.2.3.4", "1000000020000000300000004"],
            ["1", "1000000000000000000000000"],
        ]
        .map(|[v, p]| vec![text(v), dec(p)])
    );
}

/// parse-version-function.md, "Compare parsed version strings".
#[test]
fn compare_parsed_version_strings() {
    let q = r#"let dt = datatable(lab: string, v: string)
[
    "Lab A", "0.0.0.5",
    "Lab B", "0.0.7.0",
    "Lab D","0.0.3",
    "Lab C", "0.2", 
    "Lab G", "0.1.2.0",
    "Lab F", "1.2.3.4",
    "Lab E", "1",
];
dt
| extend parsed_version = parse_version(v)
| extend needs_update = iff(parsed_version < parse_version("1.0.0.0"), "Yes", "No")
| project lab, v, needs_update
| sort by lab asc , v, needs_update"#;
    let (names, rows) = table(q);
    assert_eq!(names, ["lab", "v", "needs_update"]);
    assert_eq!(
        rows,
        [
            ["Lab A", "0.0.0.5", "Yes"],
            ["Lab B", "0.0.7.0", "Yes"],
            ["Lab C", "0.2", "Yes"],
            ["Lab D", "0.0.3", "Yes"],
            ["Lab E", "1", "No"],
            ["Lab F", "1.2.3.4", "No"],
            ["Lab G", "0.1.2.0", "Yes"],
        ]
        .map(|r| r.map(text).to_vec())
    );
}

/// The page's earlier revision (Kusto-Query-Language/doc/parse-versionfunction.md):
/// every pair of versions, the higher one found, up to 99999999.0.0.0 (a
/// 32-digit decimal, past what .NET's decimal holds).
#[test]
fn higher_version_of_every_pair() {
    let q = r#"let dt = datatable(v:string)
["0.0.0.5","0.0.7.0","0.0.3","0.2","0.1.2.0","1.2.3.4","1","99999999.0.0.0"];
dt | project v1=v, _key=1 
| join kind=inner (dt | project v2=v, _key = 1) on _key | where v1 != v2
| summarize v1 = max(v1),v2 = min(v2) by (hash(v1) + hash(v2)) // removing duplications
| project v1, v2, higher_version = iif(parse_version(v1) > parse_version(v2), v1, v2)"#;
    let (names, rows) = table(q);
    assert_eq!(names, ["v1", "v2", "higher_version"]);
    let mut got: Vec<String> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| c.to_text().into_owned())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    got.sort();
    let mut documented = vec![
        "99999999.0.0.0|0.0.0.5|99999999.0.0.0",
        "1|0.0.0.5|1",
        "1.2.3.4|0.0.0.5|1.2.3.4",
        "0.1.2.0|0.0.0.5|0.1.2.0",
        "0.2|0.0.0.5|0.2",
        "0.0.3|0.0.0.5|0.0.3",
        "0.0.7.0|0.0.0.5|0.0.7.0",
        "99999999.0.0.0|0.0.7.0|99999999.0.0.0",
        "1|0.0.7.0|1",
        "1.2.3.4|0.0.7.0|1.2.3.4",
        "0.1.2.0|0.0.7.0|0.1.2.0",
        "0.2|0.0.7.0|0.2",
        "0.0.7.0|0.0.3|0.0.7.0",
        "99999999.0.0.0|0.0.3|99999999.0.0.0",
        "1|0.0.3|1",
        "1.2.3.4|0.0.3|1.2.3.4",
        "0.1.2.0|0.0.3|0.1.2.0",
        "0.2|0.0.3|0.2",
        "99999999.0.0.0|0.2|99999999.0.0.0",
        "1|0.2|1",
        "1.2.3.4|0.2|1.2.3.4",
        "0.2|0.1.2.0|0.2",
        "99999999.0.0.0|0.1.2.0|99999999.0.0.0",
        "1|0.1.2.0|1",
        "1.2.3.4|0.1.2.0|1.2.3.4",
        "99999999.0.0.0|1.2.3.4|99999999.0.0.0",
        "1.2.3.4|1|1.2.3.4",
        "99999999.0.0.0|1|99999999.0.0.0",
    ];
    documented.sort();
    assert_eq!(got, documented);
}

/// todecimal-function.md.
#[test]
fn todecimal_of_text_equals_the_literal() {
    let (names, rows) = table(r#"print todecimal("123.45678") == decimal(123.45678)"#);
    assert_eq!(names, ["print_0"]);
    assert_eq!(rows, [vec![Scalar::Bool(true)]]);
}

/// scalar-data-types/decimal.md: the three literal forms.
#[test]
fn decimal_literals() {
    let (names, rows) = table("print a = decimal(1.0), b = decimal(1e5), c = decimal(null)");
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(
        rows,
        [vec![
            dec("1"),
            dec("100000"),
            Scalar::Null(KqlType::Decimal)
        ]]
    );
    assert_eq!(
        value("print gettype(decimal(null))"),
        text("decimal"),
        "a typed null keeps its type"
    );
    assert_eq!(
        value("print d = decimal(1.5) | getschema | project strcat(DataType, ' ', ColumnType)"),
        text("System.Data.SqlTypes.SqlDecimal decimal")
    );
}

// --- exact arithmetic -------------------------------------------------------------

#[test]
fn tenths_add_up_exactly() {
    assert_eq!(value("print decimal(0.1) * 3"), dec("0.3"));
    assert_eq!(
        value("print decimal(0.1) * 3 == decimal(0.3)"),
        Scalar::Bool(true)
    );
    assert_eq!(
        value("print decimal(0.1) + decimal(0.2) == decimal(0.3)"),
        Scalar::Bool(true)
    );
    // The same sum in reals is not 0.3.
    assert_eq!(value("print 0.1 + 0.2 == 0.3"), Scalar::Bool(false));
    assert_eq!(
        value("datatable(d:decimal)[0.1, 0.1, 0.1] | summarize sum(d)"),
        dec("0.3")
    );
}

#[test]
fn every_digit_is_kept() {
    // 38 significant digits, beyond what a real holds.
    assert_eq!(
        value("print decimal(1234567890123456789.0123456789012345678) + 1"),
        dec("1234567890123456790.0123456789012345678")
    );
    assert_eq!(
        value("print tostring(decimal(12345678901234567890123456789012345678))"),
        text("12345678901234567890123456789012345678")
    );
    // A datatable cell is read as written, not through a real.
    assert_eq!(
        value("datatable(d:decimal)[1000000020000000300000004] | project d + 1"),
        dec("1000000020000000300000005")
    );
    // Quotients keep 28 fractional digits.
    assert_eq!(
        value("print decimal(1) / 3"),
        dec("0.3333333333333333333333333333")
    );
    assert_eq!(
        value("print decimal(2) / 3"),
        dec("0.6666666666666666666666666667")
    );
}

#[test]
fn printed_without_trailing_zeros() {
    let (_, rows) = table(
        "print a = tostring(decimal(1.50)), b = tostring(decimal(-0.10)), c = tostring(decimal(100)), \
         d = strcat('v', decimal(2.500))",
    );
    assert_eq!(
        rows,
        [vec![text("1.5"), text("-0.1"), text("100"), text("v2.5")]]
    );
}

#[test]
fn result_types_follow_the_widest_number() {
    // Kusto.Language's widest type: int < long < real < decimal.
    let (_, rows) = table(
        "print a = gettype(decimal(1) + int(1)), b = gettype(decimal(1) + 1), \
         c = gettype(decimal(1) * 0.5), d = gettype(1.5 - decimal(1)), e = gettype(decimal(7) / 2), \
         f = gettype(2 * decimal(1))",
    );
    assert_eq!(rows, [vec![text("decimal"); 6]]);
    let (_, rows) = table(
        "print a = decimal(1.5) + 1, b = decimal(1.5) * 0.5, c = decimal(7) / 2, d = decimal(7.5) % 2, \
         e = decimal(-7.5) % 2, f = -decimal(2.5)",
    );
    assert_eq!(
        rows,
        [vec![
            dec("2.5"),
            dec("0.75"),
            dec("3.5"),
            dec("1.5"),
            dec("0.5"),
            dec("-2.5")
        ]]
    );
}

#[test]
fn no_value_past_38_digits_or_by_zero() {
    let (_, rows) = table(
        "print a = decimal(99999999999999999999999999999999999999) + 1, \
         b = decimal(99999999999999999999999999999999999999) * 10, c = decimal(1) / 0, d = decimal(1) % 0",
    );
    assert_eq!(rows, [vec![Scalar::Null(KqlType::Decimal); 4]]);
}

#[test]
fn conversions_to_and_from_decimal() {
    let (_, rows) = table(
        r#"print a = todecimal(0.1), b = todecimal("1e-3"), c = todecimal(int(7)), d = todecimal("x"),
           e = todecimal(true), f = todecimal(dynamic(2.25)), g = todecimal(decimal(4))"#,
    );
    assert_eq!(
        rows,
        [vec![
            dec("0.1"),
            dec("0.001"),
            dec("7"),
            Scalar::Null(KqlType::Decimal),
            dec("1"),
            dec("2.25"),
            dec("4"),
        ]]
    );
    let (_, rows) = table(
        "print a = tolong(decimal(-2.7)), b = toint(decimal(2.7)), c = todouble(decimal(0.1)), \
         d = tobool(decimal(0)), e = tostring(decimal(1e-5))",
    );
    assert_eq!(
        rows,
        [vec![
            Scalar::Long(-2),
            Scalar::Int(2),
            Scalar::Real(0.1),
            Scalar::Bool(false),
            text("0.00001"),
        ]]
    );
}

// --- comparisons ---------------------------------------------------------------------

#[test]
fn decimals_compare_with_every_number() {
    let (_, rows) = table(
        "print a = decimal(1.5) > 1, b = decimal(2) == 2, c = decimal(0.1) == 0.1, d = int(3) < decimal(3.5), \
         e = decimal(1.50) == decimal(1.5), f = decimal(null) == decimal(1), g = decimal(1) in (1.0, 2), \
         h = decimal(2.5) between (2 .. 3)",
    );
    let t = Scalar::Bool(true);
    assert_eq!(
        rows,
        [vec![
            t.clone(),
            t.clone(),
            t.clone(),
            t.clone(),
            t.clone(),
            Scalar::Bool(false),
            t.clone(),
            t
        ]]
    );
}

/// Four-part versions differ in their 25th digit: as reals (about 16
/// digits) 1.2.3.4 and 1.2.3.5 would be one number.
#[test]
fn four_part_versions_compare_digit_for_digit() {
    let q = r#"datatable(v:string)["1.2.3.5", "1.2.3.4", "1.10", "1.9.99999999.99999999", "10.0.19041.1", "10.0.19041.2"]
| extend p = parse_version(v)
| where p > parse_version("1.2.3.4")
| sort by p asc
| project v"#;
    let (_, rows) = table(q);
    assert_eq!(
        rows,
        [
            "1.2.3.5",
            "1.9.99999999.99999999",
            "1.10",
            "10.0.19041.1",
            "10.0.19041.2"
        ]
        .map(|v| vec![text(v)])
    );
    assert_eq!(
        value(r#"print parse_version("1.2.3.4") in (parse_version("1.2.3.5"))"#),
        Scalar::Bool(false)
    );
    assert_eq!(
        value(r#"print parse_version("1.2.3.4") == parse_version("1.2.3.5")"#),
        Scalar::Bool(false)
    );
    assert_eq!(
        value(r#"print parse_version("1.0") == parse_version("1.0.0.0")"#),
        Scalar::Bool(true)
    );
    let (_, rows) = table(
        r#"print a = parse_version("1.2.3.4.5"), b = parse_version("1..2"), c = parse_version("123456789")"#,
    );
    assert_eq!(rows, [vec![Scalar::Null(KqlType::Decimal); 3]]);
}

// --- functions and aggregates -----------------------------------------------------

#[test]
fn rounding_and_binning_stay_decimal() {
    let (_, rows) = table(
        "print a = round(decimal(2.345), 2), b = round(decimal(-2.5)), c = abs(decimal(-1.25)), \
         d = bin(decimal(4.7), 0.5), e = floor(decimal(-4.2), 1), f = ceiling(decimal(4.2)), \
         g = bin_at(decimal(6.5), 2, 1), h = round(decimal(1234.5), -2)",
    );
    assert_eq!(
        rows,
        [vec![
            dec("2.35"),
            dec("-3"),
            dec("1.25"),
            dec("4.5"),
            dec("-5"),
            dec("5"),
            dec("5"),
            dec("1200"),
        ]]
    );
}

#[test]
fn aggregates_of_decimals() {
    let data = "datatable(k:string, d:decimal)[\"a\", 0.1, \"a\", 0.2, \"b\", 1.5, \"b\", decimal(null), \"a\", 0.3]";
    // Without keys and by key: exact sums and means, decimal results.
    let (names, rows) = table(&format!(
        "{data} | summarize s = sum(d), a = avg(d), lo = min(d), hi = max(d), n = count()"
    ));
    assert_eq!(names, ["s", "a", "lo", "hi", "n"]);
    assert_eq!(
        rows,
        [vec![
            dec("2.1"),
            dec("0.525"),
            dec("0.1"),
            dec("1.5"),
            Scalar::Long(5)
        ]]
    );
    let (_, rows) = table(&format!(
        "{data} | summarize s = sum(d), a = avg(d), lo = min(d), hi = max(d), sif = sumif(d, d > 0.1) by k | order by k asc"
    ));
    assert_eq!(
        rows,
        [
            vec![
                text("a"),
                dec("0.6"),
                dec("0.2"),
                dec("0.1"),
                dec("0.3"),
                dec("0.5")
            ],
            vec![
                text("b"),
                dec("1.5"),
                dec("1.5"),
                dec("1.5"),
                dec("1.5"),
                dec("1.5")
            ],
        ]
    );
    // Grouped by a decimal, and distinct (1.50 and 1.5 are one value).
    let (_, rows) = table(
        "datatable(d:decimal)[1.50, 0.1, 1.5, 0.10] | summarize n = count() by d | order by d asc",
    );
    assert_eq!(
        rows,
        [
            vec![dec("0.1"), Scalar::Long(2)],
            vec![dec("1.5"), Scalar::Long(2)]
        ]
    );
    // A decimal's percentiles are reals (Kusto.Language types them so).
    let (names, rows) = table(
        "datatable(d:decimal)[1.5, 2.25, 3] | summarize p = percentile(d, 50), ps = percentiles(d, 10, 90)",
    );
    assert_eq!(names, ["p", "ps", "percentile_d_90"]);
    assert_eq!(
        rows,
        [vec![
            Scalar::Real(2.25),
            Scalar::Real(1.5),
            Scalar::Real(3.0)
        ]]
    );
    let (_, rows) = table("datatable(d:decimal)[1.50, 0.1, 1.5] | distinct d | order by d desc");
    assert_eq!(rows, [vec![dec("1.5")], vec![dec("0.1")]]);
}

/// Columns whose values need different scales (a 25-digit version, a
/// fraction) meet in `iff`, `union` and `coalesce` as one decimal column.
#[test]
fn columns_of_different_scales_meet() {
    let (_, rows) = table(
        r#"datatable(b:bool)[true, false] | project x = iff(b, parse_version("1.2.3.4"), decimal(0.5))"#,
    );
    assert_eq!(
        rows,
        [vec![dec("1000000020000000300000004")], vec![dec("0.5")]]
    );
    let (names, rows) = table(
        r#"union (print d = parse_version("1.2.3.4")), (print d = decimal(0.25)) | order by d asc"#,
    );
    assert_eq!(names, ["d"]);
    assert_eq!(
        rows,
        [vec![dec("0.25")], vec![dec("1000000020000000300000004")]]
    );
    // Row-by-row blocks of different scales join into one column.
    let (_, rows) = table(
        r#"range i from 1 to 20000 step 1
| extend v = parse_version(iff(i < 10000, strcat("0.", i), strcat(i, ".1")))
| summarize n = count(), hi = max(v), lo = min(v)"#,
    );
    assert_eq!(
        rows,
        [vec![
            Scalar::Long(20000),
            dec("20000000000010000000000000000"),
            dec("10000000000000000")
        ]]
    );
}

/// In a dynamic a decimal is a real, as Kusto keeps it.
#[test]
fn decimals_inside_dynamic_values_are_reals() {
    assert_eq!(
        value("print tostring(pack_array(decimal(1.5), decimal(0.25)))"),
        text("[1.5,0.25]")
    );
}

// --- errors ---------------------------------------------------------------------------

#[test]
fn mistakes_are_errors_with_a_caret() {
    assert_eq!(
        error("print decimal(123456789012345678901234567890123456789)"),
        "error: a decimal holds at most 38 digits before the point
 --> line 1, column 15
  |
1 | print decimal(123456789012345678901234567890123456789)
  |               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
    );
    assert_eq!(
        error("print decimal(0x10)"),
        "error: a decimal is written in decimal digits: decimal(16), not decimal(0x10)
 --> line 1, column 15
  |
1 | print decimal(0x10)
  |               ^^^^"
    );
    assert_eq!(
        error(
            "datatable(k:long, d:decimal)[1, 99999999999999999999, 1, 99999999999999999999] \
             | summarize sum(d) by k"
        ),
        "error: sum(d): the decimals add up to more than the 38 digits their column holds \
         (18 of them after the point); sum(todouble(d)) adds them as reals
 --> line 1, column 82
  |
1 | datatable(k:long, d:decimal)[1, 99999999999999999999, 1, 99999999999999999999] | summarize sum(d) by k
  |                                                                                  ^^^^^^^^^^^^^^^^^^^^^"
    );
    assert_eq!(
        error("print parse_version(1)"),
        "error: argument 1 of parse_version() must be a string, not long
 --> line 1, column 21
  |
1 | print parse_version(1)
  |                     ^"
    );
    assert_eq!(
        error(r#"print decimal(1) + "a""#),
        r#"error: cannot apply '+' to decimal and string
 --> line 1, column 7
  |
1 | print decimal(1) + "a"
  |       ^^^^^^^^^^^^^^^^"#
    );
    assert_eq!(
        error(r#"datatable(d:decimal)["x"]"#),
        r#"error: a value of column 'd' must be decimal
 --> line 1, column 22
  |
1 | datatable(d:decimal)["x"]
  |                      ^^^"#
    );
}

// --- files in, files out --------------------------------------------------------------

/// The binary, run with its platform directories under `home`.
fn quarry(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quarry"))
        .current_dir(home)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .args(args)
        .output()
        .expect("quarry runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const AMOUNTS_CSV: &str = "Account,Amount,Version
acme,0.1,1.2.3.4
acme,0.2,1.2.3.5
zeta,12345678901234567890.123456789,10.0.19041.1
zeta,,2
";

/// A CSV read with typed columns (`externaldata`), computed on, and written
/// back as CSV and JSON with every digit.
#[test]
fn typed_csv_columns_round_trip() {
    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join("data-dir");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(data.join("Seen.csv"), "x\n1\n").expect("table");
    let csv = home.path().join("amounts.csv");
    std::fs::write(&csv, AMOUNTS_CSV).expect("csv");
    let query = format!(
        r#"externaldata(Account:string, Amount:decimal, Version:string)[@"{}"] with (format="csv", ignoreFirstRecord=true)
| extend Tripled = Amount * 3, Parsed = parse_version(Version)
| project Account, Amount, Tripled, Parsed"#,
        csv.display()
    );
    let data = data.to_string_lossy().into_owned();
    let out = quarry(
        home.path(),
        &["query", "--data", &data, "--format", "csv", &query],
    );
    assert_eq!(
        stdout(&out),
        "Account,Amount,Tripled,Parsed\r\n\
         acme,0.1,0.3,1000000020000000300000004\r\n\
         acme,0.2,0.6,1000000020000000300000005\r\n\
         zeta,12345678901234567890.123456789,37037036703703703670.370370367,10000000000001904100000001\r\n\
         zeta,,,2000000000000000000000000\r\n"
    );
    let out = quarry(
        home.path(),
        &["query", "--data", &data, "--format", "json", &query],
    );
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    // Decimals as strings of their exact digits, as Kusto's answers write them.
    assert_eq!(
        rows,
        serde_json::json!([
            {"Account": "acme", "Amount": "0.1", "Tripled": "0.3", "Parsed": "1000000020000000300000004"},
            {"Account": "acme", "Amount": "0.2", "Tripled": "0.6", "Parsed": "1000000020000000300000005"},
            {"Account": "zeta", "Amount": "12345678901234567890.123456789",
             "Tripled": "37037036703703703670.370370367", "Parsed": "10000000000001904100000001"},
            {"Account": "zeta", "Amount": null, "Tripled": null, "Parsed": "2000000000000000000000000"}
        ])
    );
}

/// A Parquet decimal column (any precision) loads as decimal, exactly.
#[test]
fn parquet_decimals_load_exactly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mantissas = Int128Chunked::from_iter_options(
        "Price".into(),
        [Some(150i128), Some(-5), None, Some(99_999_999)].into_iter(),
    );
    let price = mantissas
        .into_decimal(10, 2)
        .expect("decimal(10, 2)")
        .into_series();
    let mut frame = DataFrame::new(
        4,
        vec![
            price.into_column(),
            Column::new("Item".into(), ["a", "b", "c", "d"]),
        ],
    )
    .expect("frame");
    let path = dir.path().join("Prices.parquet");
    let file = std::fs::File::create(&path).expect("create");
    ParquetWriter::new(file)
        .finish(&mut frame)
        .expect("parquet");
    let catalog = quarry::data::load::load_paths(&[path.to_string_lossy().into_owned()]);
    assert!(catalog.errors.is_empty(), "{:?}", catalog.errors);
    let f = run(
        &catalog,
        "Prices | project Item, Price, Doubled = Price * 2, t = gettype(Price)",
        &RunOptions::default(),
    )
    .expect("runs");
    let rows: Vec<String> = (0..f.height())
        .map(|i| {
            f.columns()
                .iter()
                .map(|c| {
                    Scalar::from_series(c.as_materialized_series(), i)
                        .to_text()
                        .into_owned()
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    assert_eq!(
        rows,
        [
            "a,1.5,3,decimal",
            "b,-0.05,-0.1,decimal",
            "c,,,decimal",
            "d,999999.99,1999999.98,decimal"
        ]
    );
}

// --- the workbench ------------------------------------------------------------------

mod workbench {
    use std::time::Duration;

    use polars::prelude::*;
    use quarry::data::catalog::{Catalog, Table};
    use quarry::data::decimal::{self, Decimal};
    use quarry::tui::app::{App, AppOptions};
    use quarry::tui::views;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(app: &mut App, code: KeyCode) {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn settle(app: &mut App) {
        assert!(
            app.wait_idle(Duration::from_secs(60)),
            "work did not finish"
        );
        assert!(app.error().is_none(), "unexpected error: {:?}", app.error());
    }

    fn screen(app: &mut App) -> String {
        let a = app.areas();
        let mut terminal =
            Terminal::new(TestBackend::new(a.hints.width, a.hints.y + 1)).expect("terminal");
        terminal.draw(|f| views::draw(f, app)).expect("drawn");
        let buf = terminal.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
                line.trim_end().to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn prices() -> Catalog {
        let d = |t: &str| Decimal::parse(t);
        let amount = decimal::column(
            "Amount".into(),
            &[d("12345678901234567890.123456789"), d("0.1"), None],
        );
        let frame = DataFrame::new(
            3,
            vec![
                Column::new("Item".into(), ["big", "small", "none"]),
                amount.into_column(),
            ],
        )
        .expect("frame");
        let mut c = Catalog::new();
        c.insert(Table {
            name: "Prices".into(),
            frame,
            files: vec![],
            warnings: Vec::new(),
        });
        c
    }

    /// The table view shows every digit, right-aligned as numbers are, and
    /// filtering on a decimal cell finds exactly its row.
    #[test]
    fn decimals_on_screen_and_filtered_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut app = App::new(AppOptions::new(dir.path().to_path_buf()));
        app.set_catalog(prices());
        app.resize(100, 24);
        key(&mut app, KeyCode::Enter);
        settle(&mut app);
        let table = screen(&mut app);
        assert!(
            table.contains("big    12345678901234567890.123456789"),
            "{table}"
        );
        assert!(
            table.contains("small                             0.1"),
            "{table}"
        );
        // To the Amount column of the first row, and filter on it.
        key(&mut app, KeyCode::Char('l'));
        key(&mut app, KeyCode::Char('f'));
        settle(&mut app);
        assert_eq!(
            app.current().pipeline(),
            "Prices | where Amount == decimal(12345678901234567890.123456789)"
        );
        assert_eq!(app.current().rows.height(), 1);
    }
}

/// JSON records read with a decimal column: Kusto-style strings keep every
/// digit, JSON numbers read by their digits, anything else is null.
#[test]
fn typed_json_columns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("amounts.json");
    std::fs::write(
        &path,
        r#"{"Amount": "12345678901234567890.123456789"}
{"Amount": 0.1}
{"Amount": 7}
{"Amount": "n/a"}
{"Amount": null}
"#,
    )
    .expect("json");
    let q = format!(
        r#"externaldata(Amount:decimal)[@"{}"] with (format="multijson") | extend t = gettype(Amount)"#,
        path.display()
    );
    let (names, rows) = table(&q);
    assert_eq!(names, ["Amount", "t"]);
    assert_eq!(
        rows,
        [
            vec![dec("12345678901234567890.123456789"), text("decimal")],
            vec![dec("0.1"), text("decimal")],
            vec![dec("7"), text("decimal")],
            vec![Scalar::Null(KqlType::Decimal), text("decimal")],
            vec![Scalar::Null(KqlType::Decimal), text("decimal")],
        ]
    );
}
