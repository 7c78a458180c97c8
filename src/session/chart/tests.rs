use polars::prelude::*;

use super::*;
use crate::kql::render::render_of_text;

const HOUR_MS: f64 = 3_600_000.0;
const DAY_MS: f64 = 1_714_521_600_000.0; // 2024-05-01

fn spec(render: &str) -> RenderSpec {
    render_of_text(&format!("T | {render}")).expect("a render")
}

fn times(hours: &[i64]) -> Column {
    let ns: Vec<i64> = hours
        .iter()
        .map(|h| (DAY_MS as i64 + h * HOUR_MS as i64) * 1_000_000)
        .collect();
    Int64Chunked::from_vec("Timestamp".into(), ns)
        .into_datetime(TimeUnit::Nanoseconds, None)
        .into_column()
}

/// `summarize count() by bin(Timestamp, 1h), ActionType`
fn counts_by_hour() -> DataFrame {
    DataFrame::new(
        5,
        vec![
            times(&[2, 0, 1, 0, 1]),
            Column::new(
                "ActionType".into(),
                [
                    "ConnectionSuccess",
                    "ConnectionSuccess",
                    "ConnectionSuccess",
                    "ConnectionFailed",
                    "ConnectionFailed",
                ],
            ),
            Column::new("count_".into(), [7i64, 5, 6, 1, 3]),
        ],
    )
    .unwrap()
}

fn build(frame: &DataFrame, render: &str) -> Result<Chart, ChartError> {
    Chart::build(frame, &spec(render))
}

#[test]
fn a_timechart_puts_time_on_x_and_splits_series_by_text() {
    let c = build(&counts_by_hour(), "render timechart").unwrap();
    assert_eq!(c.shape, Shape::Line);
    assert_eq!(c.x, XKind::Time);
    assert_eq!(
        (c.x_title.as_str(), c.y_title.as_str()),
        ("Timestamp", "count_")
    );
    let names: Vec<&str> = c.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ConnectionSuccess", "ConnectionFailed"]);
    // Points in time order, whatever the row order.
    assert_eq!(
        c.series[0].x,
        [DAY_MS, DAY_MS + HOUR_MS, DAY_MS + 2.0 * HOUR_MS]
    );
    assert_eq!(c.series[0].y, [5.0, 6.0, 7.0]);
    assert_eq!(c.series[1].y, [1.0, 3.0]);
    assert_eq!(c.x_range, (DAY_MS, DAY_MS + 2.0 * HOUR_MS));
    assert_eq!(c.y_range, (0.0, 7.0));
    assert_eq!(c.stops().len(), 3);
    assert_eq!(
        c.values_at(DAY_MS + 2.0 * HOUR_MS),
        vec![
            ("ConnectionSuccess".to_string(), Some(7.0)),
            ("ConnectionFailed".to_string(), None)
        ]
    );
    assert_eq!(c.x_text(DAY_MS + HOUR_MS), "2024-05-01 01:00");
}

#[test]
fn properties_override_the_guesses() {
    let f = counts_by_hour();
    let c = build(
        &f,
        "render timechart with (title=\"Beacons\", ytitle=\"rows\", accumulate=true, ymax=50, legend=hidden)",
    )
    .unwrap();
    assert_eq!(c.title.as_deref(), Some("Beacons"));
    assert_eq!(c.y_title, "rows");
    assert_eq!(c.series[0].y, [5.0, 11.0, 18.0]);
    assert_eq!(c.y_range, (0.0, 50.0));
    assert!(!c.legend);
    let c = build(
        &f,
        "render linechart with (xcolumn=Timestamp, ycolumns=count_, series=ActionType)",
    )
    .unwrap();
    assert_eq!(c.series.len(), 2);
    assert_eq!(
        build(&f, "render timechart with (ycolumns=ActionType)"),
        Err(ChartError::NotNumeric("ActionType".into(), "string"))
    );
    assert_eq!(
        build(&f, "render timechart with (series=Action)")
            .unwrap_err()
            .to_string(),
        "render series names 'Action', which is not a column of the result (did you mean 'ActionType'?)"
    );
}

#[test]
fn columns_stack_and_stretch() {
    let f = df!(
        "RemotePort" => [443i64, 80, 443, 4444],
        "ActionType" => ["Success", "Success", "Failed", "Success"],
        "count_" => [30i64, 10, 10, 5],
    )
    .unwrap();
    let c = build(&f, "render columnchart").unwrap();
    assert_eq!(
        c.x,
        XKind::Category(vec!["443".into(), "80".into(), "4444".into()])
    );
    assert_eq!(c.series[0].name, "Success");
    assert_eq!(c.series[0].top, [30.0, 10.0, 5.0]);
    assert_eq!(c.series[1].x, [0.0]);
    let c = build(&f, "render columnchart with (kind=stacked)").unwrap();
    assert_eq!(
        (c.series[1].bottom.clone(), c.series[1].top.clone()),
        (vec![30.0], vec![40.0])
    );
    assert_eq!(c.y_range, (0.0, 40.0));
    let c = build(&f, "render barchart with (kind=stacked100)").unwrap();
    assert_eq!(c.series[0].top, [75.0, 100.0, 100.0]);
    assert_eq!((c.series[1].bottom[0], c.series[1].top[0]), (75.0, 100.0));
}

#[test]
fn a_pie_sums_slices_and_merges_the_smallest() {
    let protocols: Vec<String> = (0..10).map(|i| format!("P{i}")).collect();
    let counts: Vec<i64> = (0..10).map(|i| 100 - i * 10).collect();
    let f = df!("Protocol" => protocols, "count_" => counts).unwrap();
    let c = build(&f, "render piechart").unwrap();
    let XKind::Category(labels) = &c.x else {
        panic!("categories")
    };
    assert_eq!(labels.len(), MAX_SERIES);
    assert_eq!(labels.last().map(String::as_str), Some("other"));
    assert_eq!(c.series[0].y.last(), Some(&(30.0 + 20.0 + 10.0)));
    assert_eq!(c.dropped, ["P7", "P8", "P9"]);
    assert_eq!(
        c.notes(),
        ["3 more series merged into \"other\" (at most 8): P7, P8, P9"]
    );
}

#[test]
fn too_many_series_names_the_dropped_ones() {
    let keys: Vec<String> = (0..10).map(|i| format!("host{i}")).collect();
    let f = df!(
        "Timestamp" => (0..10).map(|i| i as i64).collect::<Vec<_>>(),
        "DeviceName" => keys,
        "n" => (1..=10).map(|i| i as i64).collect::<Vec<_>>(),
    )
    .unwrap();
    let c = build(&f, "render linechart").unwrap();
    assert_eq!(c.series.len(), MAX_SERIES);
    assert_eq!(c.series[0].name, "host2");
    assert_eq!(c.dropped, ["host1", "host0"]);
    assert_eq!(
        c.notes(),
        ["2 more series not drawn (at most 8): host1, host0"]
    );
}

#[test]
fn clear_errors_for_what_cannot_be_drawn() {
    let text = df!("DeviceName" => ["a", "b"], "RemoteIP" => ["1", "2"]).unwrap();
    assert_eq!(
        build(&text, "render columnchart").unwrap_err().to_string(),
        "no numeric column to plot (columns: DeviceName:string, RemoteIP:string); summarize a count() or name ycolumns"
    );
    assert_eq!(
        build(&text, "render timechart").unwrap_err().to_string(),
        "timechart needs a datetime column for its x axis; the result has none (columns: DeviceName:string, RemoteIP:string)"
    );
    let one = DataFrame::new(2, vec![times(&[6, 6]), Column::new("n".into(), [1i64, 2])]).unwrap();
    assert_eq!(
        build(&one, "render timechart").unwrap_err().to_string(),
        "a datetime x axis needs at least two distinct times; every row is at 2024-05-01 06:00 (render columnchart shows a single time)"
    );
    assert_eq!(
        build(&one, "render ladderchart").unwrap_err().to_string(),
        "Quarry does not draw ladderchart charts; the result is shown as a table"
    );
}

#[test]
fn millions_of_points_are_binned_keeping_spikes() {
    let n = 1_000_000usize;
    let xs: Vec<i64> = (0..n as i64).collect();
    let ys: Vec<i64> = (0..n as i64)
        .map(|i| if i == 777_777 { 1_000 } else { i % 7 })
        .collect();
    let f = df!("x" => xs, "y" => ys).unwrap();
    let c = build(&f, "render linechart").unwrap();
    assert!(c.binned);
    assert!(c.series[0].x.len() <= MAX_POINTS, "{}", c.series[0].x.len());
    assert_eq!(c.y_range, (0.0, 1000.0));
    assert!(c.series[0].y.contains(&1000.0));
    assert_eq!(
        c.notes(),
        ["1,000,000 rows binned to at most 4,096 points per series"]
    );
}

#[test]
fn card_shows_the_first_row() {
    let f = df!("Devices" => [12i64], "Alerts" => [3i64]).unwrap();
    let c = build(&f, "render card with (title=\"Today\")").unwrap();
    assert_eq!(
        c.card,
        [
            ("Devices".to_string(), "12".to_string()),
            ("Alerts".to_string(), "3".to_string())
        ]
    );
}

#[test]
fn drills_go_before_the_render() {
    let stages = vec!["T".to_string(), "render piechart".to_string()];
    assert_eq!(without_render(&stages), ["T"]);
    assert!(!is_render_stage("renderer"));
    assert!(StepChart::for_result("T | render table", &counts_by_hour().into()).is_none());
}

/// Every `<path class="series">` and every text of an SVG document, with
/// the class of the element holding it.
fn svg_parts(doc: &str) -> (Vec<String>, Vec<(String, String)>) {
    use quick_xml::events::{BytesStart, Event};
    fn attr(e: &BytesStart<'_>, name: &str) -> String {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .unwrap_or_default()
    }
    let mut reader = quick_xml::Reader::from_str(doc);
    let (mut paths, mut texts) = (Vec::new(), Vec::new());
    let mut open: Vec<(String, String)> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed SVG") {
            Event::Eof => break,
            Event::Start(e) => open.push((attr(&e, "class"), String::new())),
            Event::Empty(e) if e.name().as_ref() == "path" && attr(&e, "class") == "series" => {
                paths.push(attr(&e, "data-series"));
            }
            Event::Text(t) => {
                if let Some((_, text)) = open.last_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.xml10_content().as_ref() {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("unexpected entity {other}"),
                };
                if let Some((_, text)) = open.last_mut() {
                    text.push(c);
                }
            }
            Event::End(_) => {
                if let Some((class, text)) = open.pop()
                    && !text.trim().is_empty()
                {
                    texts.push((class, text));
                }
            }
            _ => {}
        }
    }
    assert!(open.is_empty(), "unclosed elements");
    (paths, texts)
}

#[test]
fn svg_has_title_axes_legend_and_a_path_per_series() {
    let c = build(
        &counts_by_hour(),
        "render timechart with (title=\"Beacons <4444>\")",
    )
    .unwrap();
    let doc = svg::write(&c);
    let (paths, texts) = svg_parts(&doc);
    assert_eq!(paths, ["ConnectionSuccess", "ConnectionFailed"]);
    let of = |class: &str| -> Vec<&str> {
        texts
            .iter()
            .filter(|(c, _)| c == class)
            .map(|(_, t)| t.as_str())
            .collect()
    };
    assert_eq!(of("title"), ["Beacons <4444>"]);
    assert_eq!(
        of("legend-label"),
        ["ConnectionSuccess", "ConnectionFailed"]
    );
    assert_eq!(of("y-label"), ["0", "2", "4", "6"]);
    assert_eq!(of("x-label"), ["00:00", "00:30", "01:00", "01:30", "02:00"]);
    assert_eq!(of("x-title"), ["Timestamp"]);
    assert_eq!(of("y-title"), ["count_"]);

    let f = df!("Protocol" => ["Tcp", "Udp", "Icmp"], "count_" => [6i64, 3, 1]).unwrap();
    let pie = build(&f, "render piechart").unwrap();
    let (paths, texts) = svg_parts(&svg::write(&pie));
    assert_eq!(paths, ["Tcp", "Udp", "Icmp"]);
    assert!(texts.contains(&("legend-label".into(), "Tcp (6, 60.0%)".into())));
}

// ----- arrays (make-series), anomalies, ysplit -----------------------------

/// A dynamic column: one JSON text per row.
fn dynamic(name: &str, rows: &[&str]) -> Column {
    let bytes: Vec<&[u8]> = rows.iter().map(|r| r.as_bytes()).collect();
    BinaryChunked::from_slice(name.into(), &bytes).into_column()
}

/// `make-series n=count() on Timestamp step 1h by ActionType`, then
/// `extend anomalies = ..., baseline = ...`: two rows, three hours.
fn made_series() -> DataFrame {
    let hours = r#"["2024-05-01T00:00:00.0000000Z","2024-05-01T01:00:00.0000000Z","2024-05-01T02:00:00.0000000Z"]"#;
    DataFrame::new(
        2,
        vec![
            Column::new(
                "ActionType".into(),
                ["ConnectionSuccess", "ConnectionFailed"],
            ),
            dynamic("n", &["[5,6,40]", "[1,3,0]"]),
            dynamic("anomalies", &["[0,0,1]", "[0,-1,0]"]),
            dynamic("baseline", &["[5,6,7]", "[1,1,1]"]),
            dynamic("Timestamp", &[hours, hours]),
        ],
    )
    .unwrap()
}

fn names(c: &Chart) -> Vec<&str> {
    c.series.iter().map(|s| s.name.as_str()).collect()
}

#[test]
fn make_series_arrays_are_points_one_series_per_row() {
    let f = made_series();
    let c = build(
        &f,
        "render timechart with (ycolumns=n, title=\"Connections\")",
    )
    .unwrap();
    assert_eq!(c.x, XKind::Time);
    assert_eq!(c.x_title, "Timestamp");
    assert_eq!(c.y_title, "n");
    assert_eq!(names(&c), ["ConnectionSuccess", "ConnectionFailed"]);
    assert_eq!(
        c.series[0].x,
        [DAY_MS, DAY_MS + HOUR_MS, DAY_MS + 2.0 * HOUR_MS]
    );
    assert_eq!(c.series[0].y, [5.0, 6.0, 40.0]);
    assert_eq!(c.series[1].y, [1.0, 3.0, 0.0]);
    assert_eq!(c.y_range, (0.0, 40.0));
    // Every numeric array is a y column when none is named: the arrays a
    // series_decompose adds are more lines.
    let c = build(&f, "render timechart").unwrap();
    assert_eq!(
        names(&c),
        [
            "ConnectionSuccess: n",
            "ConnectionFailed: n",
            "ConnectionSuccess: anomalies",
            "ConnectionFailed: anomalies",
            "ConnectionSuccess: baseline",
            "ConnectionFailed: baseline"
        ]
    );
    assert!(c.series.iter().all(|s| !s.anomaly));
    // A linechart's x is the datetime array too (the first column that works).
    let c = build(&f, "render linechart with (ycolumns=baseline)").unwrap();
    assert_eq!(c.x, XKind::Time);
    assert_eq!(c.series[0].y, [5.0, 6.0, 7.0]);
}

#[test]
fn arrays_that_cannot_be_drawn_say_why() {
    let f = made_series();
    assert_eq!(
        build(&f, "render timechart with (ycolumns=ActionType)")
            .unwrap_err()
            .to_string(),
        "ycolumns names 'ActionType', which holds one value per row, while the x column 'Timestamp' holds arrays; name array columns (as make-series makes them)"
    );
    let text = DataFrame::new(
        1,
        vec![
            dynamic("Hosts", &[r#"["a","b"]"#]),
            dynamic("n", &["[1,2]"]),
        ],
    )
    .unwrap();
    assert_eq!(
        build(&text, "render linechart with (xcolumn=Hosts)")
            .unwrap_err()
            .to_string(),
        "the x column 'Hosts' holds arrays of text; an x axis of arrays needs datetimes or numbers"
    );
    // A datetime column of single values before the arrays stays the x.
    let rows = DataFrame::new(
        2,
        vec![
            times(&[0, 1]),
            Column::new("n".into(), [3i64, 4]),
            dynamic("Ports", &["[443,80]", "[4444]"]),
        ],
    )
    .unwrap();
    let c = build(&rows, "render timechart").unwrap();
    assert_eq!((c.x_title.as_str(), names(&c)), ("Timestamp", vec!["n"]));
    let c = build(&rows, "render linechart").unwrap();
    assert_eq!((c.x_title.as_str(), names(&c)), ("Timestamp", vec!["n"]));
    // One bin: one time.
    let one = DataFrame::new(
        1,
        vec![
            dynamic("n", &["[4]"]),
            dynamic("Timestamp", &[r#"["2024-05-01T06:00:00Z"]"#]),
        ],
    )
    .unwrap();
    assert_eq!(
        build(&one, "render timechart").unwrap_err(),
        ChartError::OnePoint("2024-05-01 06:00".into())
    );
}

#[test]
fn an_anomalychart_marks_the_flagged_points_on_their_series() {
    let f = made_series();
    // Without anomalycolumns the column named anomalies is taken.
    for render in [
        "render anomalychart",
        "render anomalychart with (anomalycolumns=anomalies)",
    ] {
        let c = build(&f, render).unwrap();
        assert_eq!(
            names(&c),
            [
                "ConnectionSuccess: n",
                "ConnectionFailed: n",
                "ConnectionSuccess: anomalies",
                "ConnectionFailed: anomalies",
                "ConnectionSuccess: baseline",
                "ConnectionFailed: baseline"
            ],
            "{render}"
        );
        let marks: Vec<&super::Series> = c.series.iter().filter(|s| s.anomaly).collect();
        assert_eq!(marks.len(), 2);
        // Only the non-zero points, drawn on n (the series' first column).
        assert_eq!(marks[0].x, [DAY_MS + 2.0 * HOUR_MS]);
        assert_eq!((marks[0].y[0], marks[0].top[0]), (1.0, 40.0));
        assert_eq!(marks[1].x, [DAY_MS + HOUR_MS]);
        assert_eq!((marks[1].y[0], marks[1].top[0]), (-1.0, 3.0));
    }
    // Named anomaly columns are read even when ycolumns leaves them out.
    let c = build(
        &f,
        "render anomalychart with (ycolumns=n, anomalycolumns=anomalies)",
    )
    .unwrap();
    assert_eq!(c.series.iter().filter(|s| s.anomaly).count(), 2);
    assert_eq!(
        build(&f, "render anomalychart with (anomalycolumns=anomaly)")
            .unwrap_err()
            .to_string(),
        "render anomalycolumns names 'anomaly', which is not a column of the result (did you mean 'anomalies'?)"
    );
    // Rows rather than arrays: the same marks.
    let rows = DataFrame::new(
        3,
        vec![
            times(&[0, 1, 2]),
            Column::new("n".into(), [5i64, 6, 40]),
            Column::new("anomalies".into(), [0i64, 0, 1]),
        ],
    )
    .unwrap();
    let c = build(&rows, "render anomalychart").unwrap();
    assert_eq!(names(&c), ["n", "anomalies"]);
    assert_eq!(c.series[1].top, [40.0]);
}

#[test]
fn ysplit_axes_gives_each_series_its_own_axis() {
    let f = df!(
        "Timestamp" => [0i64, 1, 2],
        "Rows" => [1_000i64, 2_000, 3_000],
        "Ports" => [1i64, 5, 10],
    )
    .unwrap();
    let c = build(&f, "render linechart with (ysplit=axes)").unwrap();
    assert_eq!(c.ysplit, YSplit::Axes);
    assert_eq!(c.axes.len(), 2);
    assert_eq!((c.axes[0].series, c.axes[1].series), (0, 1));
    assert_eq!(c.axes[0].labels, ["0", "1,000", "2,000", "3,000"]);
    assert_eq!(c.axes[1].labels, ["0", "5", "10"]);
    // Each drawn on its own axis, read as it is.
    assert_eq!(c.y_range, (0.0, 1.0));
    assert_eq!(c.series[0].top, [1.0 / 3.0, 2.0 / 3.0, 1.0]);
    assert_eq!(c.series[1].top, [0.1, 0.5, 1.0]);
    assert_eq!(c.series[1].y, [1.0, 5.0, 10.0]);
    // One series: nothing to split.
    let c = build(&f, "render linechart with (ysplit=axes, ycolumns=Rows)").unwrap();
    assert_eq!((c.ysplit, c.axes.len()), (YSplit::None, 0));
    // Stacked series share one axis.
    let c = build(&f, "render areachart with (ysplit=axes, kind=stacked)").unwrap();
    assert!(c.axes.is_empty());
    assert_eq!(
        c.notes(),
        ["ysplit=axes not applied: stacked series share one axis"]
    );
}

#[test]
fn ysplit_panels_draws_a_chart_per_series_at_most_five() {
    let c = build(&counts_by_hour(), "render timechart with (ysplit=panels)").unwrap();
    assert_eq!(c.panels.len(), 2);
    assert_eq!(names(&c.panels[0]), ["ConnectionSuccess"]);
    assert_eq!(c.panels[0].y_title, "ConnectionSuccess");
    assert_eq!(c.panels[0].y_range, (0.0, 7.0));
    assert_eq!(c.panels[1].y_range, (0.0, 3.0));
    // The x axis is the whole chart's.
    assert_eq!(c.panels[1].x_range, c.x_range);
    assert_eq!(c.palette_of(&c.panels[1]), [1]);
    // An anomaly mark goes on the panel of the series it flags.
    let c = build(&made_series(), "render anomalychart with (ysplit=panels)").unwrap();
    assert_eq!(c.panels.len(), 4);
    assert_eq!(
        names(&c.panels[0]),
        ["ConnectionSuccess: n", "ConnectionSuccess: anomalies"]
    );
    // Seven series: the five largest, the others named.
    let keys: Vec<String> = (0..7).map(|i| format!("host{i}")).collect();
    let f = df!(
        "Timestamp" => (0..7).map(|i| i as i64).collect::<Vec<_>>(),
        "DeviceName" => keys,
        "n" => (1..=7).map(|i| i as i64).collect::<Vec<_>>(),
    )
    .unwrap();
    let c = build(&f, "render linechart with (ysplit=panels)").unwrap();
    assert_eq!(c.panels.len(), MAX_PANELS);
    assert_eq!(
        c.notes(),
        ["2 more series not drawn (at most 5 panels): host1, host0"]
    );
}

#[test]
fn svg_of_panels_axes_and_anomalies() {
    let c = build(
        &made_series(),
        "render anomalychart with (ycolumns=n, title=\"Anomalies\")",
    )
    .unwrap();
    let doc = svg::write(&c);
    let (paths, texts) = svg_parts(&doc);
    assert_eq!(
        paths,
        [
            "ConnectionSuccess: n",
            "ConnectionFailed: n",
            "ConnectionSuccess: anomalies",
            "ConnectionFailed: anomalies"
        ]
    );
    assert_eq!(doc.matches(r#"data-kind="anomaly""#).count(), 2);
    let legend: Vec<&str> = texts
        .iter()
        .filter(|(c, _)| c == "legend-label")
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(legend[2], "ConnectionSuccess: anomalies (anomaly)");

    let c = build(&counts_by_hour(), "render timechart with (ysplit=panels)").unwrap();
    let (paths, texts) = svg_parts(&svg::write(&c));
    assert_eq!(paths, ["ConnectionSuccess", "ConnectionFailed"]);
    let of = |class: &str| -> Vec<&str> {
        texts
            .iter()
            .filter(|(c, _)| c == class)
            .map(|(_, t)| t.as_str())
            .collect()
    };
    assert_eq!(of("y-title"), ["ConnectionSuccess", "ConnectionFailed"]);
    // The x labels once, under the last panel.
    assert_eq!(of("x-label"), ["00:00", "00:30", "01:00", "01:30", "02:00"]);

    let f = df!(
        "Timestamp" => [0i64, 1, 2],
        "Rows" => [1_000i64, 2_000, 3_000],
        "Ports" => [1i64, 5, 10],
    )
    .unwrap();
    let c = build(&f, "render linechart with (ysplit=axes)").unwrap();
    let (_, texts) = svg_parts(&svg::write(&c));
    let of = |class: &str| -> Vec<&str> {
        texts
            .iter()
            .filter(|(c, _)| c == class)
            .map(|(_, t)| t.as_str())
            .collect()
    };
    assert_eq!(of("y-label"), ["0", "1,000", "2,000", "3,000"]);
    assert_eq!(of("y-label-2"), ["0", "5", "10"]);
}
