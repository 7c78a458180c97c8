//! `render KIND [with (prop = value, ...)]`, as render-operator.md documents
//! it: unknown kinds and properties are errors at their token, and `render`
//! must be the query's last operator.

use super::super::ast::{OperatorKind, Span};
use super::super::error::{QueryError, did_you_mean};
use super::super::lexer::TokenKind;
use super::super::render::{
    AxisScale, RenderSpec, Stacking, VISUALIZATIONS, Visualization, YSplit,
};
use super::{PResult, Parser};

/// The properties `with (...)` takes.
const PROPERTIES: &[&str] = &[
    "accumulate",
    "anomalycolumns",
    "kind",
    "legend",
    "series",
    "title",
    "xaxis",
    "xcolumn",
    "xtitle",
    "yaxis",
    "ycolumns",
    "ymax",
    "ymin",
    "ysplit",
    "ytitle",
];

/// The properties the older form without `with` takes (besides `by`).
const LEGACY_PROPERTIES: &[&str] = &["accumulate", "kind", "title"];

impl Parser<'_> {
    /// After the word `render`, which starts at `start`.
    pub(super) fn parse_render(&mut self, start: Span) -> PResult<OperatorKind> {
        let Some(name) = self.ident_at(0).map(str::to_string) else {
            return Err(
                self.expected_after("a visualization (timechart, columnchart, piechart, ...)")
            );
        };
        let name_span = self.span();
        let Some(visualization) = Visualization::from_name(&name) else {
            let names: Vec<&str> = VISUALIZATIONS.iter().map(|(n, _)| *n).collect();
            return Err(QueryError::syntax(
                format!(
                    "unknown visualization '{name}'{}; render takes one of: {}",
                    did_you_mean(&name, names.iter().copied()),
                    names.join(", ")
                ),
                name_span,
            ));
        };
        self.bump();
        let mut spec = RenderSpec::new(visualization, start);
        if !self.is_ident("with") {
            self.parse_legacy_render_properties(&mut spec)?;
        } else if self.eat_ident("with") {
            let open = self.expect(TokenKind::LParen, "'('")?;
            if !self.at(&TokenKind::RParen) {
                loop {
                    self.parse_render_property(&mut spec)?;
                    if !self.eat(&TokenKind::Comma) {
                        break;
                    }
                }
            }
            self.expect_close(TokenKind::RParen, open)?;
        }
        spec.span = start.to(self.prev_span());
        if self.at(&TokenKind::Pipe) {
            return Err(self.error_here("render must be the last operator of the query"));
        }
        Ok(OperatorKind::Render(spec))
    }

    /// The older form Kusto still accepts without `with (...)`:
    /// `render columnchart kind=stacked title="Sign-ins" by Country`, the
    /// properties separated by spaces. Only `title`, `kind`, `accumulate`
    /// and `by` (the series) exist in it.
    fn parse_legacy_render_properties(&mut self, spec: &mut RenderSpec) -> PResult<()> {
        loop {
            let Some(name) = self.ident_at(0).map(str::to_string) else {
                return Ok(());
            };
            if name == "by" {
                self.bump();
                spec.series = self.render_columns()?;
                continue;
            }
            if !matches!(self.kind_at(1), TokenKind::Assign) {
                return Ok(());
            }
            if !LEGACY_PROPERTIES.contains(&name.as_str()) {
                if PROPERTIES.contains(&name.as_str()) {
                    return Err(self.error_here(format!(
                        "'{name}' goes in 'with (...)': without 'with', render takes only \
                         title=, kind=, accumulate= and by"
                    )));
                }
                return Ok(());
            }
            self.parse_render_property(spec)?;
        }
    }

    fn parse_render_property(&mut self, spec: &mut RenderSpec) -> PResult<()> {
        let Some(name) = self.ident_at(0).map(str::to_string) else {
            return Err(self.expected_after("a render property (title, xcolumn, ycolumns, ...)"));
        };
        let name_span = self.bump().span;
        if !PROPERTIES.contains(&name.as_str()) {
            return Err(QueryError::syntax(
                format!(
                    "unknown render property '{name}'{}; expected one of: {}",
                    did_you_mean(&name, PROPERTIES.iter().copied()),
                    PROPERTIES.join(", ")
                ),
                name_span,
            ));
        }
        self.expect(TokenKind::Assign, "'='")?;
        match name.as_str() {
            "title" => spec.title = Some(self.render_string(&name)?),
            "xtitle" => spec.xtitle = Some(self.render_string(&name)?),
            "ytitle" => spec.ytitle = Some(self.render_string(&name)?),
            "xcolumn" => spec.xcolumn = Some(self.parse_name("a column name")?.name),
            "ycolumns" => spec.ycolumns = self.render_columns()?,
            "series" => spec.series = self.render_columns()?,
            "anomalycolumns" => spec.anomaly_columns = self.render_columns()?,
            "ymin" => spec.ymin = Some(self.render_number(&name)?),
            "ymax" => spec.ymax = Some(self.render_number(&name)?),
            "kind" => {
                spec.stacking = self.render_word(
                    &name,
                    &[
                        ("default", Stacking::Unstacked),
                        ("unstacked", Stacking::Unstacked),
                        ("stacked", Stacking::Stacked),
                        ("stacked100", Stacking::Stacked100),
                        ("map", Stacking::Map),
                    ],
                )?
            }
            "legend" => {
                spec.legend = self.render_word(&name, &[("visible", true), ("hidden", false)])?
            }
            "accumulate" => {
                spec.accumulate = self.render_word(&name, &[("true", true), ("false", false)])?
            }
            "xaxis" | "yaxis" => {
                let scale = self.render_word(
                    &name,
                    &[("linear", AxisScale::Linear), ("log", AxisScale::Log)],
                )?;
                if name == "xaxis" {
                    spec.xaxis = scale;
                } else {
                    spec.yaxis = scale;
                }
            }
            _ => {
                spec.ysplit = self.render_word(
                    &name,
                    &[
                        ("none", YSplit::None),
                        ("axes", YSplit::Axes),
                        ("panels", YSplit::Panels),
                    ],
                )?
            }
        }
        Ok(())
    }

    /// A string literal value (`title="Beacons"`).
    fn render_string(&mut self, property: &str) -> PResult<String> {
        match self.kind().clone() {
            TokenKind::Str(s) => {
                self.bump();
                Ok(s)
            }
            _ => Err(self.error_here(format!(
                "expected a string for '{property}', found {}",
                self.describe_current()
            ))),
        }
    }

    /// A number, possibly negative (`ymin=-5`).
    fn render_number(&mut self, property: &str) -> PResult<f64> {
        let negative = self.eat(&TokenKind::Minus);
        let value = match self.kind() {
            TokenKind::Long(v) => *v as f64,
            TokenKind::Real(v) => *v,
            _ => {
                return Err(self.error_here(format!(
                    "expected a number for '{property}', found {}",
                    self.describe_current()
                )));
            }
        };
        self.bump();
        Ok(if negative { -value } else { value })
    }

    /// One of the words `choices` allows.
    fn render_word<T: Copy>(&mut self, property: &str, choices: &[(&str, T)]) -> PResult<T> {
        let word = self.ident_at(0).map(str::to_string);
        if let Some(value) = word
            .as_deref()
            .and_then(|w| choices.iter().find(|(n, _)| *n == w))
            .map(|(_, v)| *v)
        {
            self.bump();
            return Ok(value);
        }
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        Err(self.error_here(format!(
            "'{property}' takes {}, found {}",
            names.join(", "),
            self.describe_current()
        )))
    }

    /// `a, b, c`: column names up to the next `property =` or `)`.
    fn render_columns(&mut self) -> PResult<Vec<String>> {
        let mut names = vec![self.parse_name("a column name")?.name];
        while matches!(self.kind(), TokenKind::Comma)
            && self.name_len_at(1).is_some()
            && !matches!(self.kind_at(2), TokenKind::Assign)
        {
            self.bump();
            names.push(self.parse_name("a column name")?.name);
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::render::{RenderSpec, render_of};
    use super::super::parse;
    use super::*;

    fn spec(src: &str) -> RenderSpec {
        let q = parse(src).unwrap_or_else(|e| panic!("{}", e.render(src)));
        render_of(&q).cloned().expect("a render")
    }

    fn error(src: &str) -> String {
        match parse(src) {
            Ok(q) => panic!("parsed: {q:?}"),
            Err(e) => e.render(src),
        }
    }

    #[test]
    fn every_property_is_decoded() {
        let s = spec(
            "T | render columnchart with (title=\"Ports\", xcolumn=RemotePort, ycolumns=a, b, \
             series=ActionType, Proto, kind=stacked100, xtitle=\"port\", ytitle=\"n\", \
             legend=hidden, ymin=-5, ymax=2.5, xaxis=log, yaxis=log, accumulate=true, ysplit=panels)",
        );
        assert_eq!(s.visualization, Visualization::ColumnChart);
        assert_eq!(s.title.as_deref(), Some("Ports"));
        assert_eq!(s.xcolumn.as_deref(), Some("RemotePort"));
        assert_eq!(s.ycolumns, ["a", "b"]);
        assert_eq!(s.series, ["ActionType", "Proto"]);
        assert_eq!(s.stacking, Stacking::Stacked100);
        assert_eq!(
            (s.xtitle.as_deref(), s.ytitle.as_deref()),
            (Some("port"), Some("n"))
        );
        assert!(!s.legend && s.accumulate);
        assert_eq!((s.ymin, s.ymax), (Some(-5.0), Some(2.5)));
        assert_eq!((s.xaxis, s.yaxis), (AxisScale::Log, AxisScale::Log));
        assert_eq!(s.ysplit, YSplit::Panels);
        let plain = spec("T | render timechart");
        assert_eq!(plain, RenderSpec::new(Visualization::TimeChart, plain.span));
        assert_eq!(plain.span, Span::new(4, 20));
    }

    #[test]
    fn properties_without_with() {
        let s = spec("T | render areachart kind=stacked");
        assert_eq!(s.visualization, Visualization::AreaChart);
        assert_eq!(s.stacking, Stacking::Stacked);
        let s = spec(
            "T | render columnchart title=\"By country\" kind=stacked100 accumulate=true by Country, City",
        );
        assert_eq!(s.title.as_deref(), Some("By country"));
        assert_eq!(s.stacking, Stacking::Stacked100);
        assert!(s.accumulate);
        assert_eq!(s.series, ["Country", "City"]);
        assert_eq!(s.span, Span::new(4, 90));
        let plain = spec("T | render piechart by Country");
        assert_eq!(plain.series, ["Country"]);
    }

    #[test]
    fn properties_without_with_mistakes() {
        assert_eq!(
            error("T | render columnchart kind=stacked xcolumn=a"),
            "error: 'xcolumn' goes in 'with (...)': without 'with', render takes only title=, \
             kind=, accumulate= and by\n --> line 1, column 37\n  |\n\
             1 | T | render columnchart kind=stacked xcolumn=a\n  |                                     ^^^^^^^"
        );
        assert_eq!(
            error("T | render columnchart kind=sideways"),
            concat!(
                "error: 'kind' takes default, unstacked, stacked, stacked100, map, found 'sideways'\n",
                " --> line 1, column 29\n  |\n1 | T | render columnchart kind=sideways\n",
                "  |                             ^^^^^^^^"
            )
        );
        assert!(
            error("T | render columnchart kind stacked")
                .starts_with("error: unexpected 'kind': expected '|' or the end of the query")
        );
    }

    #[test]
    fn bad_render_points_at_the_token() {
        assert_eq!(
            error("T | render pie"),
            "error: unknown visualization 'pie' (did you mean 'piechart'?); render takes one of: \
             anomalychart, areachart, barchart, card, columnchart, ladderchart, linechart, \
             piechart, pivotchart, scatterchart, stackedareachart, table, timechart, timepivot, \
             treemap\n --> line 1, column 12\n  |\n1 | T | render pie\n  |            ^^^"
        );
        assert_eq!(
            error("T | render timechart with (titel=\"x\")"),
            "error: unknown render property 'titel' (did you mean 'title'?); expected one of: \
             accumulate, anomalycolumns, kind, legend, series, title, xaxis, xcolumn, xtitle, \
             yaxis, ycolumns, ymax, ymin, ysplit, ytitle\n --> line 1, column 28\n  |\n\
             1 | T | render timechart with (titel=\"x\")\n  |                            ^^^^^"
        );
        assert!(
            error("T | render columnchart with (kind=sideways)").starts_with(
                "error: 'kind' takes default, unstacked, stacked, stacked100, map, found 'sideways'"
            )
        );
        assert!(
            error("T | render timechart with (ymin=\"low\")")
                .starts_with("error: expected a number for 'ymin', found '\"low\"'")
        );
        assert!(
            error("T | render timechart with (title=Beacons)")
                .starts_with("error: expected a string for 'title', found 'Beacons'")
        );
        assert!(
            error("T | render piechart | take 1")
                .starts_with("error: render must be the last operator of the query")
        );
        assert!(error("T | render").starts_with("error: expected a visualization"));
        assert!(
            error("T | render timechart with (title=\"x\"")
                .starts_with("error: expected ')' to close '(' opened at line 1, column 27")
        );
    }
}
