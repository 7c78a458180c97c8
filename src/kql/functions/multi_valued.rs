//! Functions that give several columns (`extend (Slope, Fit) =
//! series_fit_line(y)`). Each evaluates to a bag per row; `project`,
//! `extend` and `print` spread its keys over columns, in this table's
//! order, named as the query names them or as Kusto does:
//! `series_fit_line_y_slope` for the argument `y`.

use crate::data::types::KqlType;

/// One output column: the bag key, the column-name suffix, the type.
pub type Output = (&'static str, &'static str, KqlType);

/// A function with several output columns.
pub struct MultiValued {
    pub name: &'static str,
    pub outputs: &'static [Output],
}

use KqlType::{Dynamic as D, Long as L, Real as R};

const STATS: &[Output] = &[
    ("min", "min", R),
    ("min_idx", "min_idx", L),
    ("max", "max", R),
    ("max_idx", "max_idx", L),
    ("avg", "avg", R),
    ("stdev", "stdev", R),
    ("variance", "variance", R),
];

const FIT_LINE: &[Output] = &[
    ("rsquare", "rsquare", R),
    ("slope", "slope", R),
    ("variance", "variance", R),
    ("rvariance", "rvariance", R),
    ("interception", "interception", R),
    ("line_fit", "line_fit", D),
];

const FIT_2LINES: &[Output] = &[
    ("rsquare", "rsquare", R),
    ("split_idx", "split_idx", L),
    ("variance", "variance", R),
    ("rvariance", "rvariance", R),
    ("line_fit", "line_fit", D),
    ("right_rsquare", "right_rsquare", R),
    ("right_slope", "right_slope", R),
    ("right_interception", "right_interception", R),
    ("right_variance", "right_variance", R),
    ("right_rvariance", "right_rvariance", R),
    ("left_rsquare", "left_rsquare", R),
    ("left_slope", "left_slope", R),
    ("left_interception", "left_interception", R),
    ("left_variance", "left_variance", R),
    ("left_rvariance", "left_rvariance", R),
];

/// The functions and their columns.
pub const MULTI_VALUED: &[MultiValued] = &[
    MultiValued {
        name: "series_stats",
        outputs: STATS,
    },
    MultiValued {
        name: "series_fit_line",
        outputs: FIT_LINE,
    },
    MultiValued {
        name: "series_fit_2lines",
        outputs: FIT_2LINES,
    },
    MultiValued {
        name: "series_fit_poly",
        outputs: &[
            ("rsquare", "rsquare", R),
            ("coefficients", "coefficients", D),
            ("variance", "variance", R),
            ("rvariance", "rvariance", R),
            ("poly_fit", "poly_fit", D),
        ],
    },
    MultiValued {
        name: "series_fft",
        outputs: &[("real", "real", D), ("imag", "imag", D)],
    },
    MultiValued {
        name: "series_ifft",
        outputs: &[("real", "real", D), ("imag", "imag", D)],
    },
    MultiValued {
        name: "series_decompose",
        outputs: &[
            ("baseline", "baseline", D),
            ("seasonal", "seasonal", D),
            ("trend", "trend", D),
            ("residual", "residual", D),
        ],
    },
    MultiValued {
        name: "series_decompose_anomalies",
        outputs: &[
            ("ad_flag", "ad_flag", D),
            ("ad_score", "ad_score", D),
            ("baseline", "baseline", D),
        ],
    },
    // The documentation's own output names detect's scores
    // `..._periods_scores` and validate's `..._scores`.
    MultiValued {
        name: "series_periods_detect",
        outputs: &[("periods", "periods", D), ("scores", "periods_scores", D)],
    },
    MultiValued {
        name: "series_periods_validate",
        outputs: &[("periods", "periods", D), ("scores", "scores", D)],
    },
];

/// The multi-column function of this name.
pub fn lookup(name: &str) -> Option<&'static MultiValued> {
    MULTI_VALUED
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(name))
}
