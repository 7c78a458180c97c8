//! `evaluate basket([Threshold, WeightColumn, MaxDimensions,
//! CustomWildcard, ...])`: every frequent pattern of the rows.
//!
//! The patterns are the closed ones (see [`super::frequent`]) covering at
//! least Threshold (0.015 to 1, default 0.05) of the rows' weight, found
//! from generators of at most MaxDimensions (default 5) values, so a
//! pattern may fix more columns when they go together (`Damage == "NO"`
//! brings `DamageCrops == 0`). Unlike Kusto, Quarry counts every row
//! rather than sampling for the frequent values, so the result does not
//! change between runs.
//!
//! Output: `SegmentId`, `Count` (long; real with a real weight column),
//! `Percent` of the total weight, then every column but the weight
//! column. Rows come in order of coverage times the number of columns
//! fixed (the order of both of basket-plugin.md's examples, and of the
//! machine-learning tutorial's), ties by count, then as found.

use polars::prelude::*;

use super::frequent::Miner;
use super::{Args, count_column, dimension_columns, dimensions, output, percent, read_weights};
use crate::kql::ast::{Expr, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;

const PLUGIN: &str = "basket";

impl Runner<'_> {
    /// `basket`; also returns the dimension columns, for `*` in an output
    /// schema.
    pub(in crate::kql::operators) fn basket(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        let args = Args::new(PLUGIN, args, None)?;
        let threshold = args
            .number(
                self,
                0,
                "Threshold",
                |t| (0.015..=1.0).contains(&t),
                "a number from 0.015 to 1",
            )?
            .unwrap_or(0.05);
        let weight = args.column(1, "WeightColumn", &frame)?;
        let max_dims = args
            .whole(self, 2, "MaxDimensions", 1, i64::MAX)?
            .unwrap_or(5);
        let wildcards = args.wildcards(self, 3)?;
        let (weights, whole) = read_weights(PLUGIN, &frame, weight.as_ref(), false)?;
        let except: Vec<&str> = weight.iter().map(|(n, _)| n.as_str()).collect();
        let (table, sources) = dimensions(&frame, &except, weights, self.cancel())?;
        let everyone = super::bits::Rows::from_fn(table.len, |r| table.weights.of_row(r) > 0.0);
        let miner = Miner {
            plugin: PLUGIN,
            table: &table,
            sets: vec![everyone],
            threshold,
            max_dims: max_dims.min(table.dims.len() as i64).max(1) as usize,
            budget_bytes: self.options.budget.bytes(),
            max_candidates: super::frequent::MAX_CANDIDATES,
            span,
            cancel: self.cancel(),
        };
        let total = miner.totals()[0];
        let mut found = miner.closed(true)?.patterns;
        // Coverage times columns fixed; the sort is stable, so equal
        // patterns stay in the order found.
        found.sort_by(|a, b| {
            let key = |c: &super::frequent::Closed| c.counts[0] * c.items.len() as f64;
            key(b)
                .total_cmp(&key(a))
                .then(b.counts[0].total_cmp(&a.counts[0]))
        });
        let n = found.len();
        let mut columns = vec![
            Column::new("SegmentId".into(), (0..n as i64).collect::<Vec<_>>()),
            count_column("Count", found.iter().map(|c| c.counts[0]), whole),
            Column::new(
                "Percent".into(),
                found
                    .iter()
                    .map(|c| percent(c.counts[0], total))
                    .collect::<Vec<_>>(),
            ),
        ];
        let items: Vec<&[super::Item]> = found.iter().map(|c| c.items.as_slice()).collect();
        columns.extend(dimension_columns(&sources, &items, &wildcards));
        let kept = sources.iter().map(|s| s.name.clone()).collect();
        Ok((output(columns, n, span)?, kept))
    }
}
