//! Conformance cases for functions of Microsoft's KQL reference that
//! Quarry lacked (issue 12): each runs the page's own example and compares
//! the typed result with what the page prints, then the wrong-argument
//! errors (message and caret) and the bad input the page says gives an
//! empty or null result.

use quarry::kql::value::Scalar;
use serde_json::{Value as Json, json};

use crate::common::{error, typed_table as table};

fn d(value: Json) -> Scalar {
    Scalar::Dynamic(value)
}

fn s(text: &str) -> Scalar {
    Scalar::String(text.into())
}

/// The one value of a one-row, one-column result.
#[track_caller]
fn value(query: &str) -> Scalar {
    let (_, rows) = table(query);
    assert_eq!(rows.len(), 1, "{query}");
    assert_eq!(rows[0].len(), 1, "{query}");
    rows[0][0].clone()
}

/// Asserts a real is the one the documentation prints: within half a unit
/// of its last printed digit (the page rounds, to 15 or 16 significant
/// digits) and a couple of ulps (its last digit may come from a different
/// but equally exact computation: `erfc(-1)` is printed `1.842700792949715`,
/// `1 + erf(1)`, where libm's erfc gives 1.8427007929497148).
#[track_caller]
fn assert_printed(got: &Scalar, printed: &str) {
    let want: f64 = printed.parse().expect("a number");
    let mantissa = printed
        .to_ascii_lowercase()
        .split('e')
        .next()
        .unwrap_or_default()
        .to_string();
    let digits = mantissa
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .trim_start_matches('0')
        .len()
        .max(1);
    let exponent = if want == 0.0 {
        0
    } else {
        want.abs().log10().floor() as i32
    };
    let tolerance =
        0.5 * 10f64.powi(exponent - digits as i32 + 1) + 2.0 * f64::EPSILON * want.abs();
    match got {
        Scalar::Real(v) => assert!((v - want).abs() <= tolerance, "{v} vs {printed}"),
        other => panic!("{other:?} is not a real"),
    }
}

/// The numbers of a dynamic array.
#[track_caller]
fn reals(got: &Scalar) -> Vec<f64> {
    match got {
        Scalar::Dynamic(Json::Array(items)) => items
            .iter()
            .map(|j| j.as_f64().unwrap_or_else(|| panic!("{j} is not a number")))
            .collect(),
        other => panic!("{other:?} is not an array"),
    }
}

#[track_caller]
fn assert_close(got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tolerance, "{got:?} vs {want:?}");
    }
}

// --- erf, erfc -------------------------------------------------------------

/// erf-function.md and erfc-function.md: from -3 to 3.
#[test]
fn erf_and_erfc_give_the_documented_values() {
    let (names, rows) = table("range x from -3 to 3 step 1\n| extend erf_x = erf(x)");
    assert_eq!(names, vec!["x", "erf_x"]);
    let want = [
        "-0.999977909503001",
        "-0.995322265018953",
        "-0.842700792949715",
        "0",
        "0.842700792949715",
        "0.995322265018953",
        "0.999977909503001",
    ];
    assert_eq!(rows.len(), want.len());
    for (i, (row, w)) in rows.iter().zip(want).enumerate() {
        assert_eq!(row[0], Scalar::Long(i as i64 - 3));
        assert_printed(&row[1], w);
    }
    let (names, rows) = table("range x from -3 to 3 step 1\n| extend erf_x = erfc(x)");
    assert_eq!(names, vec!["x", "erf_x"]);
    let want = [
        "1.999977909503001",
        "1.995322265018953",
        "1.842700792949715",
        "1",
        "0.157299207050285",
        "0.00467773498104727",
        "2.20904969985854E-05",
    ];
    assert_eq!(rows.len(), want.len());
    for (row, w) in rows.iter().zip(want) {
        assert_printed(&row[1], w);
    }
}

#[test]
fn erf_is_named_after_its_argument_and_keeps_null() {
    let (names, rows) = table("print x = 0.5 | project erf(x), erfc(real(null))");
    assert_eq!(names, vec!["x", "Column1"]);
    assert_printed(&rows[0][0], "0.520499877813047");
    assert_eq!(rows[0][1], Scalar::Null(quarry::data::types::KqlType::Real));
}

#[test]
fn erf_of_text_is_an_error() {
    assert_eq!(
        error("print erf('1')"),
        "error: argument 1 of erf() must be a number, not string
 --> line 1, column 11
  |
1 | print erf('1')
  |           ^^^"
    );
}

// --- bag_set_key, bag_zip --------------------------------------------------

/// bag-set-key-function.md: a root-level key, added or overwritten.
#[test]
fn bag_set_key_sets_a_root_key() {
    let (names, rows) = table(
        "datatable(input: dynamic) [
    dynamic({'key1': 1, 'key2': 2}), 
    dynamic({'key1': 1, 'key3': 'abc'}),
]
| extend result = bag_set_key(input, 'key3', 3)",
    );
    assert_eq!(names, vec!["input", "result"]);
    assert_eq!(
        rows,
        vec![
            vec![
                d(json!({"key1": 1, "key2": 2})),
                d(json!({"key1": 1, "key2": 2, "key3": 3}))
            ],
            vec![
                d(json!({"key1": 1, "key3": "abc"})),
                d(json!({"key1": 1, "key3": 3}))
            ],
        ]
    );
}

/// bag-set-key-function.md: a JSONPath key, making the bag on the way
/// when it is missing.
#[test]
fn bag_set_key_sets_a_json_path() {
    let (_, rows) = table(
        "datatable(input: dynamic)[
    dynamic({'key1': 123, 'key2': {'prop1': 123, 'prop2': 'xyz'}}),
    dynamic({'key1': 123})
]
| extend result = bag_set_key(input, '$.key2.prop1', 'abc')",
    );
    assert_eq!(
        rows[0][1],
        d(json!({"key1": 123, "key2": {"prop1": "abc", "prop2": "xyz"}}))
    );
    assert_eq!(
        rows[1][1],
        d(json!({"key1": 123, "key2": {"prop1": "abc"}}))
    );
}

#[test]
fn bag_set_key_of_what_is_not_a_bag_is_null() {
    assert_eq!(
        value("print bag_set_key(dynamic([1, 2]), 'a', 1)"),
        Scalar::Null(quarry::data::types::KqlType::Dynamic)
    );
    // A value on the path that is not a bag is replaced by one.
    assert_eq!(
        value("print bag_set_key(dynamic({'a': 5}), '$.a.b', 1)"),
        d(json!({"a": {"b": 1}}))
    );
}

#[test]
fn bag_set_key_refuses_an_array_index_or_the_root() {
    assert_eq!(
        error("print bag_set_key(dynamic({}), '$.a[0]', 1)"),
        "error: bag_set_key() takes a key name or a JSONPath of names such as $.a.b, not '$.a[0]' (no array index, not the root)
 --> line 1, column 32
  |
1 | print bag_set_key(dynamic({}), '$.a[0]', 1)
  |                                ^^^^^^^^"
    );
    assert!(error("print bag_set_key(dynamic({}), '$', 1)").contains("not '$'"));
    assert_eq!(
        error("print bag_set_key(dynamic({}), 1, 1)"),
        "error: argument 2 of bag_set_key() must be a string key, not long
 --> line 1, column 32
  |
1 | print bag_set_key(dynamic({}), 1, 1)
  |                                ^"
    );
}

/// The six examples of bag-zip.md.
#[test]
fn bag_zip_gives_the_documented_bags() {
    let zip = |keys: &str, values: &str| {
        let q = format!(
            "let Data = datatable(KeysArray: dynamic, ValuesArray: dynamic) [
    dynamic({keys}), dynamic({values})
];
Data
| extend NewBag = bag_zip(KeysArray, ValuesArray)"
        );
        let (names, rows) = table(&q);
        assert_eq!(names, vec!["KeysArray", "ValuesArray", "NewBag"]);
        rows[0][2].clone()
    };
    assert_eq!(
        zip("['a', 'b', 'c']", "[1, '2', 3.4]"),
        d(json!({"a": 1, "b": "2", "c": 3.4}))
    );
    assert_eq!(
        zip("['a', 'b', 'c']", "[1, '2']"),
        d(json!({"a": 1, "b": "2", "c": null}))
    );
    assert_eq!(
        zip("['a', 'b']", "[1, '2', 2.5]"),
        d(json!({"a": 1, "b": "2"}))
    );
    assert_eq!(
        zip("['a', 8, 'b']", "[1, '2', 2.5]"),
        d(json!({"a": 1, "b": 2.5}))
    );
    assert_eq!(zip("['a', 8, 'b']", "1"), d(json!({"a": null, "b": null})));
    let (names, rows) = table(
        "let Data = datatable(KeysArray: dynamic, ValuesArray: dynamic) [
    dynamic('a'), dynamic([1, '2', 2.5])
];
Data
| extend NewBag = bag_zip(KeysArray, ValuesArray)
| extend IsNewBagEmpty=isnull(NewBag)",
    );
    assert_eq!(
        names,
        vec!["KeysArray", "ValuesArray", "NewBag", "IsNewBagEmpty"]
    );
    assert_eq!(
        rows,
        vec![vec![
            d(json!("a")),
            d(json!([1, "2", 2.5])),
            Scalar::Null(quarry::data::types::KqlType::Dynamic),
            Scalar::Bool(true)
        ]]
    );
}

// --- treepath, repeat ------------------------------------------------------

/// The three examples of treepath-function.md.
#[test]
fn treepath_enumerates_the_documented_paths() {
    assert_eq!(
        value(r#"print treepath(parse_json('{"a":"b", "c":123}'))"#),
        d(json!(["['a']", "['c']"]))
    );
    assert_eq!(
        value(r#"print treepath(parse_json('{"prop1":[1,2,3,4], "prop2":"value2"}'))"#),
        d(json!(["['prop1']", "['prop1'][0]", "['prop2']"]))
    );
    assert_eq!(
        value(r#"print treepath(parse_json('{"listProperty":[100,200,300,"abcde",{"x":"y"}]}'))"#),
        d(json!([
            "['listProperty']",
            "['listProperty'][0]",
            "['listProperty'][0]['x']"
        ]))
    );
}

#[test]
fn treepath_is_named_tree_and_null_for_a_scalar() {
    let (names, rows) =
        table("print b = dynamic({'k': 1}) | project treepath(b), treepath(dynamic(5))");
    assert_eq!(names, vec!["tree_b", "tree_"]);
    assert_eq!(rows[0][0], d(json!(["['k']"])));
    assert_eq!(
        rows[0][1],
        Scalar::Null(quarry::data::types::KqlType::Dynamic)
    );
}

/// repeat-function.md: `repeat(1, 3)` is `[1, 1, 1]`; 0 gives an empty
/// array, a negative count null.
#[test]
fn repeat_makes_the_documented_arrays() {
    let (names, rows) = table(
        "datatable(T: string) ['x'] | extend r = repeat(1, 3), e = repeat('a', 0), n = repeat(1, -1)",
    );
    assert_eq!(names, vec!["T", "r", "e", "n"]);
    assert_eq!(
        rows,
        vec![vec![
            s("x"),
            d(json!([1, 1, 1])),
            d(json!([])),
            Scalar::Null(quarry::data::types::KqlType::Dynamic)
        ]]
    );
    assert_eq!(
        value("print repeat(datetime(2024-01-02), 2)"),
        d(json!([
            "2024-01-02T00:00:00.0000000Z",
            "2024-01-02T00:00:00.0000000Z"
        ]))
    );
    assert_eq!(value("print repeat(true, 2)"), d(json!([true, true])));
}

#[test]
fn repeat_counts_rows_by_row() {
    let (names, rows) = table("range n from 0 to 2 step 1 | project repeat(n, n)");
    assert_eq!(names, vec!["repeat_n"]);
    assert_eq!(
        rows,
        vec![
            vec![d(json!([]))],
            vec![d(json!([1]))],
            vec![d(json!([2, 2]))]
        ]
    );
}

#[test]
fn repeat_wants_an_integer_count_within_the_limit() {
    assert_eq!(
        error("print repeat(1, 2.5)"),
        "error: argument 2 of repeat() must be an integer, not real
 --> line 1, column 17
  |
1 | print repeat(1, 2.5)
  |                 ^^^"
    );
    assert_eq!(
        error("print repeat(1, 5000000)"),
        "error: repeat() makes at most 1048576 elements, not 5000000
 --> line 1, column 17
  |
1 | print repeat(1, 5000000)
  |                 ^^^^^^^"
    );
}

// --- punycode --------------------------------------------------------------

/// punycode-from-string-function.md, both examples.
#[test]
fn punycode_from_string_gives_the_documented_codes() {
    let (names, rows) = table("print encoded = punycode_from_string('académie-française')");
    assert_eq!(names, vec!["encoded"]);
    assert_eq!(rows, vec![vec![s("acadmie-franaise-npb1a")]]);
    let (names, rows) = table(
        " print domain='艺术.com'
| extend domain_vec = split(domain, '.')
| extend encoded_host = punycode_from_string(tostring(domain_vec[0]))
| extend encoded_domain = strcat('xn--', encoded_host, '.', domain_vec[1])",
    );
    assert_eq!(
        names,
        vec!["domain", "domain_vec", "encoded_host", "encoded_domain"]
    );
    assert_eq!(
        rows,
        vec![vec![
            s("艺术.com"),
            d(json!(["艺术", "com"])),
            s("cqv902d"),
            s("xn--cqv902d.com")
        ]]
    );
}

/// punycode-to-string-function.md; text that is not ASCII punycode is "".
#[test]
fn punycode_to_string_decodes_and_gives_empty_for_bad_input() {
    let (names, rows) = table("print decoded = punycode_to_string('acadmie-franaise-npb1a')");
    assert_eq!(names, vec!["decoded"]);
    assert_eq!(rows, vec![vec![s("académie-française")]]);
    assert_eq!(value("print punycode_to_string('académie')"), s(""));
    assert_eq!(
        value("print punycode_to_string('a-b-c-99999999999')"),
        s("")
    );
}

/// punycode-domain-to-string-function.md: case and spaces kept, the
/// ideographic and halfwidth full stops read as dots.
#[test]
fn punycode_domain_to_string_gives_the_documented_names() {
    let (names, rows) = table(
        "datatable(domain:string )['Lê Lợi。Thuận Thiên。com', 'Riðill｡Skáldskaparmál｡org', \"Kaledvoulc'h.Artorījos.edu\"]
| extend str=punycode_domain_to_string(domain)",
    );
    assert_eq!(names, vec!["domain", "str"]);
    assert_eq!(
        rows,
        vec![
            vec![
                s("Lê Lợi。Thuận Thiên。com"),
                s("xn--L Li-gpa4517b.xn--Thun Thin-s4a7194f.com")
            ],
            vec![
                s("Riðill｡Skáldskaparmál｡org"),
                s("xn--Riill-jta.xn--Skldskaparml-dbbj.org")
            ],
            vec![
                s("Kaledvoulc'h.Artorījos.edu"),
                s("Kaledvoulc'h.xn--Artorjos-ejb.edu")
            ],
        ]
    );
}

/// punycode-domain-from-string-function.md.
#[test]
fn punycode_domain_from_string_gives_the_documented_names() {
    let (names, rows) = table(
        r#"datatable(encoded:string)
[
    "xn--Ge-mia.Bulg.edu", 
    "xn--Lin-8na.Celtchair.org", 
    "xn--Ry-lja8c.xn--Jng-uta63a.xn--Bng-9ka.com", 
] 
| extend domain=punycode_domain_from_string(encoded)"#,
    );
    assert_eq!(names, vec!["encoded", "domain"]);
    let domains: Vec<Scalar> = rows.iter().map(|r| r[1].clone()).collect();
    assert_eq!(
        domains,
        vec![
            s("Gáe.Bulg.edu"),
            s("Lúin.Celtchair.org"),
            s("Rúyì.Jīngū.Bàng.com")
        ]
    );
    // A label that does not decode empties the whole name.
    assert_eq!(
        value("print punycode_domain_from_string('xn--a-b-c-99999999999.com')"),
        s("")
    );
}

#[test]
fn punycode_of_a_number_is_an_error() {
    assert_eq!(
        error("print punycode_from_string(42)"),
        "error: argument 1 of punycode_from_string() must be a string, not long
 --> line 1, column 28
  |
1 | print punycode_from_string(42)
  |                            ^^"
    );
}

// --- gzip, isutf8 ----------------------------------------------------------

const GZIPPED: &str = "H4sIAAAAAAAA/wEUAOv/MTIzNDU2Nzg5MHF3ZXJ0eXVpb3A6m7f2FAAAAA==";

/// gzip-base64-compress.md and gzip-base64-decompress.md.
#[test]
fn gzip_gives_the_documented_base64() {
    let (names, rows) =
        table("print res = gzip_compress_to_base64_string(\"1234567890qwertyuiop\")");
    assert_eq!(names, vec!["res"]);
    assert_eq!(rows, vec![vec![s(GZIPPED)]]);
    assert_eq!(
        value(&format!(
            "print res=gzip_decompress_from_base64_string(\"{GZIPPED}\")"
        )),
        s("1234567890qwertyuiop")
    );
    assert_eq!(
        value("print res=gzip_decompress_from_base64_string(\"x0x0x0\")"),
        s("")
    );
}

#[test]
fn gzip_round_trips_long_and_unicode_text() {
    let q = "range i from 1 to 3 step 1
| extend t = strcat(strrep('Ünïcödé ', i * 10000), i)
| extend back = gzip_decompress_from_base64_string(gzip_compress_to_base64_string(t))
| summarize countif(back == t)";
    assert_eq!(value(q), Scalar::Long(3));
}

/// Input that is not what the page describes gives "", never a panic: base64
/// of text that is not gzip, a header with a flag set (the page: "the FLG
/// byte is expected to be zero"), a damaged checksum, a cut stream.
#[test]
fn gzip_of_bad_input_is_empty() {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let good = engine.decode(GZIPPED).expect("the documented base64");
    let mut flagged = good.clone();
    flagged[3] = 8; // FNAME
    let mut damaged = good.clone();
    let crc_at = damaged.len() - 8;
    damaged[crc_at] ^= 0xff;
    let cut = &good[..good.len() - 6];
    let not_gzip = engine.encode("plain text, not gzip");
    for bad in [
        engine.encode(&flagged),
        engine.encode(&damaged),
        engine.encode(cut),
        not_gzip,
        String::new(),
        "@@@".into(),
    ] {
        assert_eq!(
            value(&format!(
                "print gzip_decompress_from_base64_string('{bad}')"
            )),
            s(""),
            "{bad}"
        );
    }
}

#[test]
fn gzip_of_a_number_is_an_error() {
    assert_eq!(
        error("print gzip_compress_to_base64_string(12)"),
        "error: argument 1 of gzip_compress_to_base64_string() must be a string, not long
 --> line 1, column 38
  |
1 | print gzip_compress_to_base64_string(12)
  |                                      ^^"
    );
}

/// isutf8-function.md's example; every text Quarry holds is UTF-8.
#[test]
fn isutf8_of_text() {
    let (names, rows) = table("print result=isutf8(\"some string\")");
    assert_eq!(names, vec!["result"]);
    assert_eq!(rows, vec![vec![Scalar::Bool(true)]]);
    assert_eq!(value("print isutf8('Ünïcödé 艺术')"), Scalar::Bool(true));
}

// --- series_fft, series_ifft, series_fit_poly ------------------------------

/// series-fft-function.md's second example: the transform and its inverse
/// give the series back. The page shows charts only, so the transform is
/// also checked on a series whose spectrum is known: a sine of period 8
/// over 128 points is 64 (times -i) at frequencies 16 and 112 and nothing
/// elsewhere.
#[test]
fn series_fft_and_back() {
    let q = "let sinewave=(x:double, period:double, gain:double=1.0, phase:double=0.0)
{
    gain*sin(2*pi()/period*(x+phase))
}
;
let n=128;      //  signal length
range x from 0 to n-1 step 1 | extend yr=sinewave(x, 8), yi=sinewave(x, 32)
| summarize x=make_list(x), y_real=make_list(yr), y_imag=make_list(yi)
| extend (fft_y_real, fft_y_imag) = series_fft(y_real, y_imag)
| extend (y_real2, y_image2) = series_ifft(fft_y_real, fft_y_imag)
| project-away fft_y_real, fft_y_imag";
    let (names, rows) = table(q);
    assert_eq!(names, vec!["x", "y_real", "y_imag", "y_real2", "y_image2"]);
    assert_close(&reals(&rows[0][3]), &reals(&rows[0][1]), 1e-12);
    assert_close(&reals(&rows[0][4]), &reals(&rows[0][2]), 1e-12);

    let q = "range x from 0 to 127 step 1 | extend y = sin(2*pi()/8*x)
| summarize y = make_list(y)
| extend series_fft(y)";
    let (names, rows) = table(q);
    assert_eq!(names, vec!["y", "series_fft_y_real", "series_fft_y_imag"]);
    assert_close(&reals(&rows[0][1]), &[0.0; 128], 1e-9);
    let mut imag = [0.0; 128];
    imag[16] = -64.0;
    imag[112] = 64.0;
    assert_close(&reals(&rows[0][2]), &imag, 1e-9);
}

#[test]
fn series_fft_of_four_points() {
    let (names, rows) = table(
        "print (re, im) = series_fft(dynamic([1, 2, 3, 4])), (r2, i2) = series_ifft(dynamic([10, -2, -2, -2]), dynamic([0, 2, 0, -2]))",
    );
    assert_eq!(names, vec!["re", "im", "r2", "i2"]);
    assert_close(&reals(&rows[0][0]), &[10.0, -2.0, -2.0, -2.0], 1e-12);
    assert_close(&reals(&rows[0][1]), &[0.0, 2.0, 0.0, -2.0], 1e-12);
    assert_close(&reals(&rows[0][2]), &[1.0, 2.0, 3.0, 4.0], 1e-12);
    assert_close(&reals(&rows[0][3]), &[0.0; 4], 1e-12);
}

#[test]
fn series_fft_of_bad_series_is_null() {
    let null = Scalar::Null(quarry::data::types::KqlType::Dynamic);
    let (_, rows) = table(
        "print (a, b) = series_fft(dynamic([1, 'x'])), (c, d) = series_fft(dynamic([1, 2]), dynamic([1])), (e, f) = series_fft(dynamic({}))",
    );
    assert_eq!(rows, vec![vec![null.clone(); 6]]);
    let (_, rows) = table("print (a, b) = series_fft(dynamic([]))");
    assert_eq!(rows, vec![vec![d(json!([])), d(json!([]))]]);
}

#[test]
fn series_fft_of_a_number_is_an_error() {
    assert_eq!(
        error("print series_fft(dynamic([1]), 3)"),
        "error: argument 2 of series_fft() must be a dynamic array, not long
 --> line 1, column 32
  |
1 | print series_fft(dynamic([1]), 3)
  |                                ^"
    );
}

/// series-fit-poly-function.md's first example without its noise: the
/// fifth-order polynomial is found again, under the documented names.
#[test]
fn series_fit_poly_finds_the_documented_polynomial() {
    let q = "range x from 1 to 200 step 1
| project x = x / 40.0 - 2.3
| extend y = pow(x, 5)-8*pow(x, 3)+10*x+6
| summarize x=make_list(x), y=make_list(y)
| extend series_fit_poly(y, x, 5)
| project-rename fy=series_fit_poly_y_poly_fit, coeff=series_fit_poly_y_coefficients";
    let (names, rows) = table(q);
    assert_eq!(
        names,
        vec![
            "x",
            "y",
            "series_fit_poly_y_rsquare",
            "coeff",
            "series_fit_poly_y_variance",
            "series_fit_poly_y_rvariance",
            "fy"
        ]
    );
    let row = &rows[0];
    assert_close(&reals(&row[3]), &[1.0, 0.0, -8.0, 0.0, 10.0, 6.0], 1e-8);
    assert_close(&reals(&row[6]), &reals(&row[1]), 1e-8);
    let Scalar::Real(rsquare) = row[2] else {
        panic!("{:?}", row[2])
    };
    assert!((rsquare - 1.0).abs() < 1e-12);
    let Scalar::Real(rvariance) = row[5] else {
        panic!("{:?}", row[5])
    };
    assert!(rvariance.abs() < 1e-12);
}

/// series-fit-poly-function.md's second example: degree 1 (the default)
/// is `series_fit_line`, on series-fit-line-function.md's own series.
#[test]
fn series_fit_poly_of_degree_one_is_the_line() {
    let q = "print id=' ', x=range(bin(now(), 1h) - 11h, bin(now(), 1h), 1h), y=dynamic([2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30])
| extend series_fit_line(y)
| extend series_fit_poly(y)
| project-rename y_line = series_fit_line_y_line_fit, y_poly = series_fit_poly_y_poly_fit
| project y_line, y_poly, series_fit_line_y_slope, series_fit_line_y_interception, series_fit_poly_y_coefficients, series_fit_line_y_rsquare, series_fit_poly_y_rsquare, series_fit_line_y_variance, series_fit_poly_y_variance, series_fit_line_y_rvariance, series_fit_poly_y_rvariance";
    let (_, rows) = table(q);
    let r = &rows[0];
    assert_close(&reals(&r[0]), &reals(&r[1]), 1e-12);
    let (Scalar::Real(slope), Scalar::Real(interception)) = (&r[2], &r[3]) else {
        panic!("{r:?}")
    };
    assert_close(&reals(&r[4]), &[*slope, *interception], 1e-12);
    for (line, poly) in [(5, 6), (7, 8), (9, 10)] {
        let (Scalar::Real(a), Scalar::Real(b)) = (&r[line], &r[poly]) else {
            panic!("{r:?}")
        };
        assert!((a - b).abs() < 1e-9 * a.abs().max(1.0), "{a} vs {b}");
    }
    assert_printed(&r[5], "0.982900730884447");
}

#[test]
fn series_fit_poly_without_enough_points_is_null() {
    let null = Scalar::Null(quarry::data::types::KqlType::Dynamic);
    let real_null = Scalar::Null(quarry::data::types::KqlType::Real);
    let (names, rows) =
        table("print (r, c, v, rv, f) = series_fit_poly(dynamic([1, 2]), dynamic([3, 4]), 2)");
    assert_eq!(names, vec!["r", "c", "v", "rv", "f"]);
    assert_eq!(
        rows,
        vec![vec![
            real_null.clone(),
            null.clone(),
            real_null.clone(),
            real_null,
            null
        ]]
    );
}

#[test]
fn series_fit_poly_wants_an_integer_degree() {
    assert_eq!(
        error("print series_fit_poly(dynamic([1, 2, 3]), dynamic(null), 'two')"),
        "error: argument 3 of series_fit_poly() must be an integer, not string
 --> line 1, column 58
  |
1 | print series_fit_poly(dynamic([1, 2, 3]), dynamic(null), 'two')
  |                                                          ^^^^^"
    );
}

// --- welch_test ------------------------------------------------------------

/// welch-test-function.md: Wikipedia's samples, "pValue = 0.021".
#[test]
fn welch_test_gives_the_documented_p_value() {
    let q = "print
    s1 = dynamic([27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]),
    s2 = dynamic([27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4])
| mv-expand s1 to typeof(double), s2 to typeof(double)
| summarize m1=avg(s1), v1=variance(s1), c1=count(), m2=avg(s2), v2=variance(s2), c2=count()
| extend pValue=welch_test(m1,v1,c1,m2,v2,c2)
| project pValue = round(pValue, 3)";
    assert_eq!(value(q), Scalar::Real(0.021));
}

#[test]
fn welch_test_of_text_is_an_error_and_of_one_value_null() {
    assert_eq!(
        error("print welch_test(1, 2, 3, 'x', 5, 6)"),
        "error: argument 4 of welch_test() must be a number, not string
 --> line 1, column 27
  |
1 | print welch_test(1, 2, 3, 'x', 5, 6)
  |                           ^^^"
    );
    assert_eq!(
        value("print welch_test(1.0, 2.0, 1, 2.0, 2.0, 10)"),
        Scalar::Null(quarry::data::types::KqlType::Real)
    );
}

// --- count_distinctif ------------------------------------------------------

/// count-distinctif-aggregation-function.md's query, on a few storm
/// events: the distinct event types that killed someone, per state.
#[test]
fn count_distinctif_counts_the_distinct_values_where_the_predicate_holds() {
    let q = "datatable(State: string, EventType: string, DeathsDirect: int, DeathsIndirect: int)
[
    'TEXAS', 'Flood', 1, 0,
    'TEXAS', 'Flood', 2, 0,
    'TEXAS', 'Heat', 0, 1,
    'TEXAS', 'Hail', 0, 0,
    'KANSAS', 'Tornado', 3, 0,
    'KANSAS', 'Hail', 0, 0,
    'OHIO', 'Hail', 0, 0,
]
| summarize UniqueFatalEvents=count_distinctif(EventType,(DeathsDirect + DeathsIndirect)>0) by State
| where UniqueFatalEvents > 0
| top 5 by UniqueFatalEvents";
    let (names, rows) = table(q);
    assert_eq!(names, vec!["State", "UniqueFatalEvents"]);
    assert_eq!(
        rows,
        vec![
            vec![s("TEXAS"), Scalar::Long(2)],
            vec![s("KANSAS"), Scalar::Long(1)]
        ]
    );
    let (names, _) = table("print x = 1 | summarize count_distinctif(x, x > 0)");
    assert_eq!(names, vec!["count_distinctif_x"]);
}

// --- deprecated names ------------------------------------------------------

/// The deprecated names the reference lists beside each function.
#[test]
fn deprecated_names_still_work() {
    assert_eq!(value("print to_utf8('ab')"), d(json!([97, 98])));
    assert_eq!(value("print make_string(97, 98)"), s("ab"));
    assert_eq!(
        value("print arraylength(dynamic([1, 2, 3]))"),
        Scalar::Long(3)
    );
    assert_eq!(
        value("print parseurlquery('k=v')"),
        d(json!({"Query Parameters": {"k": "v"}}))
    );
}
