//! The series functions that analyse a whole signal: `series_stats`,
//! `series_fit_line`, `series_fit_2lines`, `series_periods_*`,
//! `series_seasonal`, `series_decompose*` and `series_outliers`. Where the
//! documentation prints an output, the case is its example; otherwise the
//! expected values are worked out by hand (or by an independent
//! computation, noted) on small series.

use crate::common;

use common::{assert_table, render};
use polars::prelude::DataFrame;
use quarry::data::catalog::Catalog;
use quarry::kql::value::Scalar;
use quarry::kql::{QueryError, RunOptions, run};
use serde_json::{Value as Json, json};

fn try_run(query: &str) -> Result<DataFrame, QueryError> {
    run(&Catalog::new(), query, &RunOptions::default())
}

fn frame(query: &str) -> DataFrame {
    try_run(query).unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)))
}

/// The value of column `name` in the first row.
fn value(query: &str, name: &str) -> Scalar {
    let f = frame(query);
    let c = f
        .column(name)
        .unwrap_or_else(|_| panic!("no column {name} in {f:?}"));
    Scalar::from_series(c.as_materialized_series(), 0)
}

fn real(query: &str, name: &str) -> f64 {
    match value(query, name) {
        Scalar::Real(v) => v,
        other => panic!("{name} is {other:?}, not real"),
    }
}

fn reals(query: &str, name: &str) -> Vec<f64> {
    match value(query, name) {
        Scalar::Dynamic(Json::Array(a)) => {
            a.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect()
        }
        other => panic!("{name} is {other:?}, not an array"),
    }
}

#[track_caller]
fn close(got: f64, want: f64, tolerance: f64) {
    assert!((got - want).abs() <= tolerance, "{got} is not {want}");
}

#[track_caller]
fn all_close(got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        close(*g, *w, tolerance);
    }
}

/// `pattern` repeated to `len` values.
fn repeat(pattern: &[f64], len: usize) -> Vec<f64> {
    pattern.iter().copied().cycle().take(len).collect()
}

fn error(query: &str) -> String {
    match try_run(query) {
        Ok(f) => panic!("{query} ran: {f:?}"),
        Err(e) => e.render(query),
    }
}

// --- series_stats -------------------------------------------------------------

const STATS: &str = "print x=dynamic([23, 46, 23, 87, 4, 8, 3, 75, 2, 56, 13, 75, 32, 16, 29])";

#[test]
fn series_stats_from_the_docs() {
    let f = frame(&format!("{STATS} | project series_stats(x)"));
    let names: Vec<&str> = f.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "series_stats_x_min",
            "series_stats_x_min_idx",
            "series_stats_x_max",
            "series_stats_x_max_idx",
            "series_stats_x_avg",
            "series_stats_x_stdev",
            "series_stats_x_variance"
        ]
    );
    let q = format!("{STATS} | project series_stats(x)");
    assert_eq!(value(&q, "series_stats_x_min"), Scalar::Real(2.0));
    assert_eq!(value(&q, "series_stats_x_min_idx"), Scalar::Long(8));
    assert_eq!(value(&q, "series_stats_x_max"), Scalar::Real(87.0));
    assert_eq!(value(&q, "series_stats_x_max_idx"), Scalar::Long(3));
    close(real(&q, "series_stats_x_avg"), 32.8, 1e-12);
    close(real(&q, "series_stats_x_stdev"), 28.5036338535483, 1e-12);
    close(real(&q, "series_stats_x_variance"), 812.457142857143, 1e-9);
}

#[test]
fn named_outputs_extend_keeps_only_the_named_project_keeps_all() {
    assert_table(
        "extend",
        &render(&frame(&format!(
            "{STATS} | extend (lo, at) = series_stats(x) | project-away x"
        ))),
        "lo:real | at:long\n2 | 8",
    );
    let f = frame(&format!("{STATS} | project (lo, at) = series_stats(x)"));
    let names: Vec<&str> = f.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "lo",
            "at",
            "series_stats_x_max",
            "series_stats_x_max_idx",
            "series_stats_x_avg",
            "series_stats_x_stdev",
            "series_stats_x_variance"
        ]
    );
    let e = error(&format!(
        "{STATS} | extend (a, b, c, d, e, f, g, h) = series_stats(x)"
    ));
    assert!(
        e.contains("series_stats() gives 7 columns, but 8 names are given"),
        "{e}"
    );
}

#[test]
fn series_stats_with_non_finite_values() {
    let q = "print x=dynamic([1, null, 3]) | project series_stats(x)";
    assert_eq!(
        value(q, "series_stats_x_avg"),
        Scalar::Null(quarry::data::types::KqlType::Real)
    );
    let q = "print x=dynamic([1, null, 3]) | project series_stats(x, true)";
    close(real(q, "series_stats_x_avg"), 2.0, 0.0);
    // The bag form keeps working.
    let q = "print x=dynamic([1, 2, 3]) | project s = series_stats_dynamic(x)";
    match value(q, "s") {
        Scalar::Dynamic(j) => assert_eq!(j["max_idx"], json!(2)),
        other => panic!("{other:?}"),
    }
}

// --- series_fit_line, series_fit_2lines -----------------------------------------

const LINE: &str = "print y=dynamic([2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30])";

#[test]
fn series_fit_line_from_the_docs() {
    let q = format!(
        "{LINE} | extend (RSquare, Slope, Variance, RVariance, Interception, LineFit)=series_fit_line(y)"
    );
    // The documentation cuts the figures to three decimals.
    let cut = |v: f64| (v * 1000.0).trunc() / 1000.0;
    assert_eq!(cut(real(&q, "RSquare")), 0.982);
    assert_eq!(cut(real(&q, "Slope")), 2.730);
    assert_eq!(cut(real(&q, "Variance")), 98.628);
    assert_eq!(cut(real(&q, "RVariance")), 1.686);
    assert_eq!(cut(real(&q, "Interception")), -1.666);
    all_close(
        &reals(&q, "LineFit"),
        &[
            1.064, 3.7945, 6.526, 9.256, 11.987, 14.718, 17.449, 20.180, 22.910, 25.641, 28.371,
            31.102,
        ],
        1e-3,
    );
    let q = format!(
        "{LINE} | extend fit=series_fit_line_dynamic(y) | extend Slope=todouble(fit.slope)"
    );
    close(real(&q, "Slope"), 2.730_769_230_769_231, 1e-12);
}

#[test]
fn series_fit_2lines_finds_the_break() {
    // Expected values from an independent least-squares computation over
    // every split (Python, by hand).
    let q = "print y=dynamic([1, 2.2, 2.5, 4.7, 5.0, 12, 10.3, 10.3, 9, 8.3, 6.2])
        | extend (RSquare, SplitIdx, Variance, RVariance, LineFit)=series_fit_2lines(y)";
    assert_eq!(value(q, "SplitIdx"), Scalar::Long(5));
    close(real(q, "RSquare"), 0.986_513_191_716_876_8, 1e-12);
    close(real(q, "Variance"), 13.894, 1e-9);
    close(real(q, "RVariance"), 0.187_385_714_285_714_35, 1e-12);
    all_close(
        &reals(q, "LineFit"),
        &[
            0.98, 2.03, 3.08, 4.13, 5.18, 11.942857, 10.905714, 9.868571, 8.831429, 7.794286,
            6.757143,
        ],
        1e-6,
    );
    let q = "print y=dynamic([1, 2.2, 2.5, 4.7, 5.0, 12, 10.3, 10.3, 9, 8.3, 6.2])
        | project series_fit_2lines(y)";
    close(real(q, "series_fit_2lines_y_left_slope"), 1.05, 1e-12);
    close(
        real(q, "series_fit_2lines_y_right_slope"),
        -1.037_142_857_142_857,
        1e-12,
    );
    close(
        real(q, "series_fit_2lines_y_right_interception"),
        18.165_714_285_714_287,
        1e-9,
    );
    // Not an array, or holding text: null.
    let q = "print y=dynamic(['a']) | project series_fit_line(y)";
    assert!(value(q, "series_fit_line_y_slope").is_null());
}

// --- periods and seasonality ----------------------------------------------------

const TRAFFIC: &str = "print y=dynamic([80, 139, 87, 110, 68, 54, 50, 51, 53, 133, 86, 141, 97, 156, 94, 149, 95, 140, 77, 61, 50, 54, 47, 133, 72, 152, 94, 148, 105, 162, 101, 160, 87, 63, 53, 55, 54, 151, 103, 189, 108, 183, 113, 175, 113, 178, 90, 71, 62, 62, 65, 165, 109, 181, 115, 182, 121, 178, 114, 170])";

#[test]
fn series_periods_detect_finds_the_weekly_period() {
    let q = format!("{TRAFFIC} | project series_periods_detect(y, 0.0, 50.0, 2)");
    let periods = reals(&q, "series_periods_detect_y_periods");
    let scores = reals(&q, "series_periods_detect_y_periods_scores");
    assert_eq!(periods.len(), 2);
    assert_eq!(periods[0], 14.0);
    // Kusto prints "approximately .84": Quarry's score (see
    // functions/series_periods.rs) is the variance the phase medians explain.
    close(scores[0], 0.959, 1e-3);
    assert!(scores[1] < scores[0]);
    let q = format!("{TRAFFIC} | project series_periods_detect(y, 20.0, 25.0, 3)");
    let scores = reals(&q, "series_periods_detect_y_periods_scores");
    assert_eq!(scores.len(), 3);
}

#[test]
fn series_periods_validate_scores_given_periods() {
    let q = format!("{TRAFFIC} | project series_periods_validate(y, 14.0, 10.0, 40.0)");
    assert_eq!(
        reals(&q, "series_periods_validate_y_periods"),
        [14.0, 10.0, 40.0]
    );
    let scores = reals(&q, "series_periods_validate_y_scores");
    close(scores[0], 0.959, 1e-3);
    assert!(scores[1] < 0.2, "{scores:?}");
    // Longer than half the series: 0, as documented.
    assert_eq!(scores[2], 0.0);
}

#[test]
fn series_seasonal_from_the_docs() {
    assert_table(
        "series_seasonal",
        &render(&frame(
            "print s=dynamic([2, 5, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1])
            | union (print s=dynamic([8, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10]))
            | union (print s=dynamic([1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6]))
            | project s_seasonal = series_seasonal(s)",
        )),
        "s_seasonal:dynamic
        [1.0,2.0,3.0,4.0,3.0,2.0,1.0,2.0,3.0,4.0,3.0,2.0,1.0,2.0,3.0,4.0,3.0,2.0,1.0,2.0,3.0,4.0,3.0,2.0,1.0]
        [10.0,12.0,14.0,12.0,10.0,10.0,12.0,14.0,12.0,10.0,10.0,12.0,14.0,12.0,10.0,10.0,12.0,14.0,12.0,10.0]
        [0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0]",
    );
    assert_table(
        "series_seasonal with a period",
        &render(&frame(
            "print s=dynamic([1, 3, 5, 1, 3, 5, 2, 4, 6])
            | union (print s=dynamic([1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6]))
            | project s_seasonal = series_seasonal(s, 3)",
        )),
        "s_seasonal:dynamic
        [1.0,3.0,5.0,1.0,3.0,5.0,1.0,3.0,5.0]
        [1.5,3.5,5.5,1.5,3.5,5.5,1.5,3.5,5.5,1.5,3.5,5.5]",
    );
}

// --- decomposition and anomalies --------------------------------------------------

#[test]
fn series_decompose_splits_season_and_trend() {
    // A period-5 pattern on a line 0.5 per point: with linefit the
    // baseline is the series (up to the medians' treatment of the line).
    let q = format!(
        "print y=dynamic({:?}) | extend series_decompose(y, 5, 'none')",
        repeat(&[1.0, 5.0, 3.0, 2.0, 8.0], 40)
    );
    let q = q.as_str();
    all_close(
        &reals(q, "series_decompose_y_seasonal")[..5],
        &[1.0, 5.0, 3.0, 2.0, 8.0],
        0.0,
    );
    assert!(
        reals(q, "series_decompose_y_residual")
            .iter()
            .all(|r| *r == 0.0)
    );
    assert!(
        reals(q, "series_decompose_y_trend")
            .iter()
            .all(|r| *r == 0.0)
    );
    // No season, a straight line: the trend is the line, the last two
    // points (test points) are forecast from the first eight.
    let q = "print y=dynamic([1, 3, 5, 7, 9, 11, 13, 15, 0, 0])
        | extend (baseline, seasonal, trend, residual) = series_decompose(y, 0, 'linefit', 2)";
    all_close(
        &reals(q, "baseline"),
        &[1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0],
        1e-9,
    );
    all_close(&reals(q, "residual")[8..], &[-17.0, -19.0], 1e-9);
    let q = "print y=dynamic([1, 3, 5, 7, 9, 11, 13, 15, 0, 0])
        | project f = series_decompose_forecast(y, 2, 0, 'linefit')";
    all_close(&reals(q, "f")[8..], &[17.0, 19.0], 1e-9);
    // The default trend is the average.
    let q = "print y=dynamic([1, 3, 5, 7]) | extend (b, s) = series_decompose(y, 0)";
    all_close(&reals(q, "b"), &[4.0, 4.0, 4.0, 4.0], 0.0);
    let e = error("print y=dynamic([1, 2]) | extend series_decompose(y, 0, 'straight')");
    assert!(
        e.contains("series_decompose(): trend must be avg, linefit or none, not 'straight'"),
        "{e}"
    );
}

#[test]
fn series_decompose_anomalies_flags_spikes_and_dips() {
    // A period-4 pattern with one spike (index 13) and one dip (index 22).
    let mut y = repeat(&[10.0, 60.0, 35.0, 20.0], 32);
    y[13] += 30.0;
    y[22] -= 25.0;
    let q = format!("print y=dynamic({y:?}) | extend series_decompose_anomalies(y)");
    let q = q.as_str();
    let flags = reals(q, "series_decompose_anomalies_y_ad_flag");
    let expected: Vec<f64> = (0..32)
        .map(|i| match i {
            13 => 1.0,
            22 => -1.0,
            _ => 0.0,
        })
        .collect();
    assert_eq!(flags, expected);
    // The phase's median plus the average of what the season leaves:
    // (30 - 25) / 32.
    let baseline = reals(q, "series_decompose_anomalies_y_baseline");
    close(baseline[13], 60.0 + 5.0 / 32.0, 1e-12);
}

#[test]
fn series_outliers_scores_by_tukey_fences() {
    // 25th/75th percentiles 3.25 and 7.75 (interpolated): 100 is 20.5
    // ranges above, and 1 lies within.
    let q = "print s=dynamic([1, 2, 3, 4, 5, 6, 7, 8, 9, 100]) | project o = series_outliers(s, 'tukey')";
    let o = reals(q, "o");
    close(o[9], (100.0 - 7.75) / 4.5, 1e-12);
    assert_eq!(o[4], 0.0);
    close(o[0], (1.0 - 3.25) / 4.5, 1e-12);
    let e = error("print s=dynamic([1, 2]) | project series_outliers(s, 'ctukey', 0, 1, 90)");
    assert!(
        e.contains("the percentiles must lie between 2 and 98"),
        "{e}"
    );
}
