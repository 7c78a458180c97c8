//! The scalar function library, end to end: each case runs a real query
//! through `quarry::kql::run` and checks the exact value and KQL type of
//! the result. Expected values come from Microsoft's KQL documentation
//! examples wherever it has one (noted "docs"); the rest pin Quarry's
//! documented behaviour for nulls, errors and edge cases.

use polars::prelude::DataFrame;
use quarry::data::catalog::Catalog;
use quarry::data::time::{parse_datetime, parse_timespan};
use quarry::data::types::KqlType;
use quarry::kql::error::ErrorKind;
use quarry::kql::value::Scalar;
use quarry::kql::{QueryError, RunOptions, run};
use serde_json::{Value as Json, json};

/// 2025-03-18T11:42:07Z: the fixed `now()` of every test query.
const NOW: i64 = 1_742_298_127_000_000_000;
const SEC: i64 = 1_000_000_000;
const HOUR: i64 = 3600 * SEC;
const DAY: i64 = 24 * HOUR;

fn try_run(query: &str) -> Result<DataFrame, QueryError> {
    let catalog = Catalog::new();
    run(
        &catalog,
        query,
        &RunOptions {
            now: NOW,
            ..Default::default()
        },
    )
}

fn frame(query: &str) -> DataFrame {
    try_run(query).unwrap_or_else(|e| panic!("{}\n{}", query, e.render(query)))
}

/// Every value of column `name`.
fn column(query: &str, name: &str) -> Vec<Scalar> {
    let f = frame(query);
    let c = f
        .column(name)
        .unwrap_or_else(|_| panic!("no column {name} in {f:?}"));
    let s = c.as_materialized_series();
    (0..s.len()).map(|i| Scalar::from_series(s, i)).collect()
}

/// The KQL type of column `name`.
fn column_kind(query: &str, name: &str) -> KqlType {
    let f = frame(query);
    KqlType::of(f.column(name).unwrap().dtype()).expect("a KQL type")
}

/// The value of `print x = <expr>`.
fn val(expr: &str) -> Scalar {
    let q = format!("print x = {expr}");
    let v = column(&q, "x");
    assert_eq!(v.len(), 1, "{q}");
    v.into_iter().next().unwrap()
}

/// The error of a query that must fail.
fn err(query: &str) -> QueryError {
    match try_run(query) {
        Ok(f) => panic!("expected an error from {query}, got {f:?}"),
        Err(e) => e,
    }
}

fn dt(text: &str) -> Scalar {
    Scalar::Datetime(parse_datetime(text).unwrap_or_else(|| panic!("bad datetime {text}")))
}

fn ts(text: &str) -> Scalar {
    Scalar::Timespan(parse_timespan(text).unwrap_or_else(|| panic!("bad timespan {text}")))
}

fn s(text: &str) -> Scalar {
    Scalar::String(text.to_string())
}

fn dynamic(j: Json) -> Scalar {
    Scalar::Dynamic(j)
}

fn longs(values: &[i64]) -> Vec<Scalar> {
    values.iter().map(|v| Scalar::Long(*v)).collect()
}

fn strings(values: &[&str]) -> Vec<Scalar> {
    values.iter().map(|v| s(v)).collect()
}

fn real(v: Scalar) -> f64 {
    match v {
        Scalar::Real(x) => x,
        other => panic!("expected a real, got {other:?}"),
    }
}

const NULL_LONG: Scalar = Scalar::Null(KqlType::Long);
const NULL_BOOL: Scalar = Scalar::Null(KqlType::Bool);
const NULL_DT: Scalar = Scalar::Null(KqlType::Datetime);
const NULL_DYN: Scalar = Scalar::Null(KqlType::Dynamic);

// ---------------------------------------------------------------------------
// strings

#[test]
fn strlen_counts_code_points() {
    assert_eq!(val(r#"strlen("héllo")"#), Scalar::Long(5));
    assert_eq!(val(r#"strlen("hello")"#), Scalar::Long(5)); // docs
    assert_eq!(val(r#"strlen("⒦⒰⒮⒯⒪")"#), Scalar::Long(5)); // docs
    assert_eq!(val("strlen(\"C\u{327}edilla\")"), Scalar::Long(8)); // docs: a grapheme of two code points
    assert_eq!(val(r#"strlen("")"#), Scalar::Long(0));
    assert_eq!(val("strlen(dynamic(\"abc\"))"), Scalar::Long(3));
}

#[test]
fn strlen_of_a_number_is_a_type_error_at_the_argument() {
    let q = "print strlen(123)";
    let e = err(q);
    assert_eq!(e.kind, ErrorKind::Type);
    assert_eq!(
        e.message,
        "argument 1 of strlen() must be a string, not long"
    );
    let span = e.span.expect("a span");
    assert_eq!(&q[span.start..span.end], "123");
}

#[test]
fn string_size_counts_bytes() {
    assert_eq!(val(r#"string_size("héllo")"#), Scalar::Long(6));
    assert_eq!(val(r#"string_size("")"#), Scalar::Long(0));
}

#[test]
fn strcat_converts_every_argument() {
    assert_eq!(
        val(r#"strcat("a", 1, 2.5, true, 1s)"#),
        s("a12.5true00:00:01")
    );
    assert_eq!(val(r#"strcat("a", long(null), "b")"#), s("ab"));
    assert_eq!(val(r#"strcat("x")"#), s("x"));
}

#[test]
fn strcat_delim_docs_example() {
    assert_eq!(
        val("strcat_delim('-', 1, '2', 'A', 1s)"),
        s("1-2-A-00:00:01")
    );
    assert!(
        err("print strcat_delim('-', 1)")
            .message
            .contains("takes 3 to 65 argument(s)")
    );
}

#[test]
fn case_conversion() {
    assert_eq!(val(r#"tolower("HeLLo ÀÉ")"#), s("hello àé"));
    assert_eq!(val(r#"toupper("hello àé")"#), s("HELLO ÀÉ"));
    assert_eq!(err("print tolower(1)").kind, ErrorKind::Type);
}

#[test]
fn string_functions_over_a_column_keep_types() {
    let q = r#"datatable(s:string)["Héllo", "", "WORLD"]
        | extend l = strlen(s), lo = tolower(s), up = toupper(s), c = strcat(s, "-", 1),
                 sp = split(s, "l"), ex = extract("l+", 0, s), t = tostring(strlen(s)), r = reverse(s)"#;
    assert_eq!(column(q, "l"), longs(&[5, 0, 5]));
    assert_eq!(column(q, "lo"), strings(&["héllo", "", "world"]));
    assert_eq!(column(q, "up"), strings(&["HÉLLO", "", "WORLD"]));
    assert_eq!(column(q, "c"), strings(&["Héllo-1", "-1", "WORLD-1"]));
    assert_eq!(column(q, "ex"), strings(&["ll", "", ""]));
    assert_eq!(column(q, "t"), strings(&["5", "0", "5"]));
    assert_eq!(column(q, "r"), strings(&["olléH", "", "DLROW"]));
    assert_eq!(
        column(q, "sp"),
        vec![
            dynamic(json!(["Hé", "", "o"])),
            dynamic(json!([""])),
            dynamic(json!(["WORLD"]))
        ]
    );
    assert_eq!(column_kind(q, "l"), KqlType::Long);
    assert_eq!(column_kind(q, "lo"), KqlType::String);
    assert_eq!(column_kind(q, "sp"), KqlType::Dynamic);
}

#[test]
fn constant_arguments_broadcast_over_rows() {
    let q = r#"range x from 1 to 3 step 1 | extend y = strlen("abc"), z = toupper("a")"#;
    assert_eq!(column(q, "y"), longs(&[3, 3, 3]));
    assert_eq!(column(q, "z"), strings(&["A", "A", "A"]));
}

#[test]
fn substring_docs_examples_and_characters() {
    assert_eq!(val(r#"substring("123456", 1)"#), s("23456"));
    assert_eq!(val(r#"substring("123456", 2, 2)"#), s("34"));
    assert_eq!(val(r#"substring("ABCD", 0, 2)"#), s("AB"));
    assert_eq!(val(r#"substring("123456", -2, 2)"#), s("56"));
    assert_eq!(val(r#"substring("héllo", 1, 3)"#), s("éll"));
    assert_eq!(val(r#"substring("abc", 10)"#), s(""));
    assert_eq!(val(r#"substring("abc", -10, 2)"#), s("ab"));
    assert_eq!(val(r#"substring("abc", 1, -1)"#), s(""));
    assert_eq!(val(r#"substring("abc", long(null))"#), s(""));
    let q = r#"datatable(s:string, n:long)["héllo", 1, "ab", 5] | extend a = substring(s, 1, 2), b = substring(s, n)"#;
    assert_eq!(column(q, "a"), strings(&["él", "b"]));
    assert_eq!(column(q, "b"), strings(&["éllo", ""]));
}

#[test]
fn split_docs_examples() {
    assert_eq!(val(r#"split("aa_bb", "_")"#), dynamic(json!(["aa", "bb"])));
    assert_eq!(
        val(r#"split("aaa_bbb_ccc", "_", 1)"#),
        dynamic(json!(["bbb"]))
    );
    assert_eq!(val(r#"split("", "_")"#), dynamic(json!([""])));
    assert_eq!(val(r#"split("a__b", "_")"#), dynamic(json!(["a", "", "b"])));
    assert_eq!(
        val(r#"split("aabbcc", "bb")"#),
        dynamic(json!(["aa", "cc"]))
    );
    assert_eq!(val(r#"split("a_b", "_", 5)"#), dynamic(json!([])));
    assert_eq!(val(r#"split("a_b", "_")[1]"#), dynamic(json!("b")));
    // The column path writes JSON itself: quotes, backslashes and control
    // characters must come back intact.
    let q = r#"datatable(s:string)["a\"b\\c\td,é\u0001"] | extend p = split(s, ",")"#;
    assert_eq!(
        column(q, "p"),
        vec![dynamic(json!(["a\"b\\c\td", "é\u{1}"]))]
    );
}

#[test]
fn extract_docs_examples() {
    assert_eq!(
        val(r#"extract("User: ([^,]+)", 1, "User: JohnDoe, Email: johndoe@example.com, Age: 29")"#),
        s("JohnDoe")
    );
    let q = r#"datatable(DateString:string)["15-12-2024", "21-07-2023", "10-03-2022"]
        | extend Month = extract(@"-(\d{2})-", 1, DateString)"#;
    assert_eq!(column(q, "Month"), strings(&["12", "07", "03"]));
    assert_eq!(val(r#"extract("x(\\d)", 1, "abc")"#), s(""));
    assert_eq!(val(r#"extract("b+", 0, "abbbc")"#), s("bbb"));
}

#[test]
fn extract_with_type_literal_docs_example() {
    let q = r#"datatable(DateString:string)["15-12-2024", "21-07-2023", "10-03-2022"]
        | extend Month = extract(@"-(\d{2})-", 1, DateString, typeof(int))"#;
    assert_eq!(
        column(q, "Month"),
        vec![Scalar::Int(12), Scalar::Int(7), Scalar::Int(3)]
    );
    assert_eq!(column_kind(q, "Month"), KqlType::Int);
}

#[test]
fn extract_errors() {
    let e = err(r#"print extract("(", 0, "x")"#);
    assert_eq!(e.kind, ErrorKind::Runtime);
    assert!(
        e.message.contains("invalid regular expression"),
        "{}",
        e.message
    );
    let e = err(r#"print extract("(a)", 2, "a")"#);
    assert!(e.message.contains("no capture group 2"), "{}", e.message);
}

#[test]
fn extract_all_docs_examples() {
    assert_eq!(
        val(r#"extract_all(@"(\d+)", "a set of numbers: 123, 567 and 789")"#),
        dynamic(json!(["123", "567", "789"]))
    );
    let id = r#""82b8be2d-dfa7-4bd1-8f63-24ad26d31449""#;
    assert_eq!(
        val(&format!(r#"extract_all(@"([\da-f]{{2}})", {id})"#)),
        dynamic(json!([
            "82", "b8", "be", "2d", "df", "a7", "4b", "d1", "8f", "63", "24", "ad", "26", "d3",
            "14", "49"
        ]))
    );
    assert_eq!(
        val(&format!(r#"extract_all(@"(\w)(\w+)(\w)", {id})"#)),
        dynamic(json!([
            ["8", "2b8be2", "d"],
            ["d", "fa", "7"],
            ["4", "bd", "1"],
            ["8", "f6", "3"],
            ["2", "4ad26d3144", "9"]
        ]))
    );
    assert_eq!(
        val(&format!(
            r#"extract_all(@"(\w)(\w+)(\w)", dynamic([1,3]), {id})"#
        )),
        dynamic(json!([
            ["8", "d"],
            ["d", "7"],
            ["4", "1"],
            ["8", "3"],
            ["2", "9"]
        ]))
    );
    assert_eq!(
        val(&format!(
            r#"extract_all(@"(?P<first>\w)(?P<middle>\w+)(?P<last>\w)", dynamic(['first',2,'last']), {id})"#
        )),
        dynamic(json!([
            ["8", "2b8be2", "d"],
            ["d", "fa", "7"],
            ["4", "bd", "1"],
            ["8", "f6", "3"],
            ["2", "4ad26d3144", "9"]
        ]))
    );
    assert_eq!(val(r#"extract_all(@"(\d+)", "none")"#), NULL_DYN);
}

#[test]
fn replace_functions_docs_examples() {
    let q = r#"range x from 1 to 2 step 1
        | extend str = strcat('Number is ', tostring(x))
        | extend replaced = replace_regex(str, @'is (\d+)', @'was: \1'), old = replace(@'is (\d+)', @'was: \1', str)"#;
    assert_eq!(
        column(q, "replaced"),
        strings(&["Number was: 1", "Number was: 2"])
    );
    assert_eq!(
        column(q, "old"),
        strings(&["Number was: 1", "Number was: 2"])
    );
    assert_eq!(
        val(r#"replace_string("A magic trick can turn a cat into a dog", "cat", "hamster")"#),
        s("A magic trick can turn a hamster into a dog")
    );
    assert_eq!(val(r#"replace_string("aaa", "", "b")"#), s("aaa"));
    // The documentation's examples for replace_strings.
    assert_eq!(
        val(
            r#"replace_strings("A magic trick can turn a cat into a dog", dynamic(['cat', 'dog']), dynamic(['dog', 'pigeon']))"#
        ),
        s("A magic trick can turn a dog into a pigeon")
    );
    assert_eq!(
        val(
            r#"replace_strings("A magic trick can turn a cat into a dog", dynamic(['turn', ' into a dog']), dynamic(['disappear', '']))"#
        ),
        s("A magic trick can disappear a cat")
    );
    let message = "This is an example of using replace_strings()";
    assert_eq!(
        val(&format!(
            "replace_strings('{message}', dynamic(['This', 'is']), dynamic(['This', 'was']))"
        )),
        s("This was an example of using replace_strings()")
    );
    assert_eq!(
        val(&format!(
            "replace_strings('{message}', dynamic(['is', 'This']), dynamic(['was', 'This']))"
        )),
        s("Thwas was an example of using replace_strings()")
    );
    // A rewrite that is not a string: no replacement.
    assert_eq!(
        val(r#"replace_strings("cat and dog", dynamic(['cat', 'dog']), dynamic([1, 'wolf']))"#),
        s("cat and wolf")
    );
    // A `$` in the rewrite is literal, not a group reference.
    assert_eq!(
        val(r#"replace_regex("cost 5", @"(\d)", "$$1 \\1")"#),
        s("cost $$1 5")
    );
}

#[test]
fn trim_docs_examples() {
    assert_eq!(
        val(r#"trim("--", @"--https://bing.com--")"#),
        s("https://bing.com")
    );
    assert_eq!(val(r#"trim(@"[^\w]+", "-  Te st1// $")"#), s("Te st1"));
    assert_eq!(
        val(r#"trim(@"\s+", @"    Hello, world!    ")"#),
        s("Hello, world!")
    );
    assert_eq!(
        val(r#"trim_start(@"[^\w]+", "-  Te st1// $")"#),
        s("Te st1// $")
    );
    assert_eq!(
        val(r#"trim_end(@"[^\w]+", "-  Te st1// $")"#),
        s("-  Te st1")
    );
    let q = r#"range x from 1 to 2 step 1 | project str = strcat("-  ","Te st",x,@"// $") | extend t = trim(@"[^\w]+",str)"#;
    assert_eq!(column(q, "t"), strings(&["Te st1", "Te st2"]));
    assert_eq!(err(r#"print trim("(", "x")"#).kind, ErrorKind::Runtime);
}

#[test]
fn indexof_docs_examples() {
    let cases = [
        (r#"indexof("abcdefg","cde")"#, 2),
        (r#"indexof("abcdefg","cde",1,4)"#, 2),
        (r#"indexof("abcdefg","cde",1,2)"#, -1),
        (r#"indexof("abcdefg","cde",3,4)"#, -1),
        (r#"indexof("abcdefg","cde",-5)"#, 2),
        ("indexof(1234567,5,1,4)", 4),
        (r#"indexof("abcdefg","cde",2,-1)"#, 2),
        (r#"indexof("abcdefgabcdefg", "cde", 1, 10, 2)"#, 9),
        (r#"indexof("abcdefgabcdefg", "cde", 1, -1, 3)"#, -1),
        (r#"indexof("héllo wörld","wö")"#, 6),
    ];
    for (e, want) in cases {
        assert_eq!(val(e), Scalar::Long(want), "{e}");
    }
    assert_eq!(val(r#"indexof("abc","b",0,-2)"#), NULL_LONG);
    assert_eq!(val(r#"indexof("abc","b",0,-1,0)"#), NULL_LONG);
}

#[test]
fn countof_docs_examples() {
    let cases = [
        (r#"countof("aaa", "a")"#, 3),
        (r#"countof("aaaa", "aa")"#, 3),
        (r#"countof("ababa", "ab", "normal")"#, 2),
        (r#"countof("ababa", "aba")"#, 2),
        (r#"countof("ababa", "aba", "regex")"#, 1),
        (r#"countof("abcabc", "a.c", "regex")"#, 2),
        (r#"countof("abc", "")"#, 0),
    ];
    for (e, want) in cases {
        assert_eq!(val(e), Scalar::Long(want), "{e}");
    }
    assert_eq!(
        err(r#"print countof("a", "a", "fuzzy")"#).kind,
        ErrorKind::Type
    );
}

#[test]
fn reverse_docs_examples() {
    assert_eq!(
        val(r#"reverse("ABCDEFGHIJKLMNOPQRSTUVWXYZ")"#),
        s("ZYXWVUTSRQPONMLKJIHGFEDCBA")
    );
    assert_eq!(val("reverse(12345)"), s("54321"));
    assert_eq!(val("reverse(123.45)"), s("54.321"));
    assert_eq!(
        val("reverse(datetime(2017-10-15 12:00))"),
        s("Z0000000.00:00:21T51-01-7102")
    );
    assert_eq!(val("reverse(3h)"), s("00:00:30"));
}

#[test]
fn strrep_docs_example() {
    assert_eq!(val("strrep('ABC', 2)"), s("ABCABC"));
    assert_eq!(val("strrep(123,3,'.')"), s("123.123.123"));
    assert_eq!(val("strrep(3s,2,' ')"), s("00:00:03 00:00:03"));
    assert_eq!(val("strlen(strrep('a', 5000))"), Scalar::Long(1024));
    assert_eq!(val("strrep('a', -1)"), s(""));
}

#[test]
fn strcmp_orders() {
    assert_eq!(val(r#"strcmp("abc", "abd")"#), Scalar::Int(-1));
    assert_eq!(val(r#"strcmp("abc", "abc")"#), Scalar::Int(0));
    assert_eq!(val(r#"strcmp("b", "a")"#), Scalar::Int(1));
}

#[test]
fn parse_url_parts() {
    // Docs example; the path keeps its leading slash, as Kusto returns it.
    assert_eq!(
        val(
            r#"parse_url("scheme://username:password@host:1234/this/is/a/path?k1=v1&k2=v2#fragment")"#
        ),
        dynamic(json!({
            "Scheme": "scheme", "Host": "host", "Port": "1234", "Path": "/this/is/a/path",
            "Username": "username", "Password": "password",
            "Query Parameters": {"k1": "v1", "k2": "v2"}, "Fragment": "fragment"
        }))
    );
    assert_eq!(
        val(r#"parse_url("https://bing.com/x?q=a%20b")["Query Parameters"].q"#),
        dynamic(json!("a b"))
    );
    assert_eq!(val(r#"tostring(parse_url("not a url").Host)"#), s(""));
}

#[test]
fn parse_path_docs_examples() {
    let q = r#"datatable(p:string)
        [
            @"C:\temp\file.txt",
            @"temp\file.txt",
            "file://C:/temp/file.txt:some.exe",
            @"\\shared\users\temp\file.txt.gz",
            "/usr/lib/temp/file.txt"
        ]
        | extend path_parts = parse_path(p)"#;
    let part =
        |scheme: &str, root: &str, dir: &str, dname: &str, file: &str, ext: &str, ads: &str| {
            dynamic(json!({
                "Scheme": scheme, "RootPath": root, "DirectoryPath": dir, "DirectoryName": dname,
                "Filename": file, "Extension": ext, "AlternateDataStreamName": ads
            }))
        };
    assert_eq!(
        column(q, "path_parts"),
        vec![
            part("", "C:", r"C:\temp", "temp", "file.txt", "txt", ""),
            part("", "", "temp", "temp", "file.txt", "txt", ""),
            part(
                "file", "C:", "C:/temp", "temp", "file.txt", "txt", "some.exe"
            ),
            part(
                "",
                "",
                r"\\shared\users\temp",
                "temp",
                "file.txt.gz",
                "gz",
                ""
            ),
            part("", "", "/usr/lib/temp", "temp", "file.txt", "txt", ""),
        ]
    );
}

#[test]
fn url_coding_docs_examples() {
    assert_eq!(
        val("url_encode(@'https://www.bing.com/hello world')"),
        s("https%3a%2f%2fwww.bing.com%2fhello+world")
    );
    assert_eq!(val("url_encode_component(@'a b/c')"), s("a%20b%2fc"));
    assert_eq!(
        val("url_decode(@'https%3a%2f%2fwww.bing.com%2f')"),
        s("https://www.bing.com/")
    );
    assert_eq!(val("url_decode('a+b%zz')"), s("a b%zz"));
}

#[test]
fn base64_docs_examples() {
    assert_eq!(val(r#"base64_encode_tostring("Kusto")"#), s("S3VzdG8="));
    assert_eq!(val(r#"base64_decode_tostring("S3VzdG8=")"#), s("Kusto"));
    // Docs: bytes that are not UTF-8 give null, which for a string is "".
    assert_eq!(
        val(r#"base64_decode_tostring("U3RyaW5n0KHR0tGA0L7Rh9C60LA=")"#),
        s("")
    );
    assert_eq!(val(r#"base64_decode_tostring("not base64!")"#), s(""));
}

// ---------------------------------------------------------------------------
// hashes

#[test]
fn hash_docs_examples() {
    assert_eq!(
        val(r#"hash("World")"#),
        Scalar::Long(1_846_988_464_401_551_951)
    );
    assert_eq!(val(r#"hash("World", 100)"#), Scalar::Long(51));
    assert_eq!(
        val(r#"hash(datetime("2015-01-01"))"#),
        Scalar::Long(1_380_966_698_541_616_202)
    );
    assert_eq!(val("hash(long(null))"), NULL_LONG);
    assert_eq!(
        val(r#"hash_xxhash64("World")"#),
        Scalar::Long(1_846_988_464_401_551_951)
    );
}

#[test]
fn cryptographic_hashes_docs_examples() {
    assert_eq!(
        val(r#"hash_md5("World")"#),
        s("f5a7924e621e84c9280a9a27e1bcb7f6")
    );
    assert_eq!(
        val(r#"hash_sha1("World")"#),
        s("70c07ec18ef89c5309bbb0937f3a6342411e1fdd")
    );
    assert_eq!(
        val(r#"hash_sha256("World")"#),
        s("78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524")
    );
    assert_eq!(
        val(r#"hash_sha256("abc")"#),
        s("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(
        val(r#"hash_md5("")"#),
        s("d41d8cd98f00b204e9800998ecf8427e")
    );
}

// ---------------------------------------------------------------------------
// conversions

#[test]
fn tostring_of_each_type() {
    assert_eq!(val("tostring(123)"), s("123")); // docs
    assert_eq!(val("tostring(long(null))"), s(""));
    assert_eq!(val("tostring(1.5)"), s("1.5"));
    assert_eq!(val("tostring(true)"), s("true"));
    assert_eq!(
        val("tostring(datetime(2015-12-31 23:59:59.9))"),
        s("2015-12-31T23:59:59.9000000Z")
    );
    assert_eq!(val("tostring(90m)"), s("01:30:00"));
    assert_eq!(
        val(r#"tostring(dynamic({"a":[1,"x"]}))"#),
        s(r#"{"a":[1,"x"]}"#)
    );
    assert_eq!(val(r#"tostring(dynamic("x"))"#), s("x"));
}

#[test]
fn toint_and_tolong() {
    assert_eq!(val(r#"toint("123") == 123"#), Scalar::Bool(true)); // docs
    assert_eq!(val("toint(2.3)"), Scalar::Int(2)); // docs
    assert_eq!(val(r#"toint("abc")"#), Scalar::Null(KqlType::Int));
    assert_eq!(val("toint(2147483648)"), Scalar::Null(KqlType::Int));
    assert_eq!(val(r#"toint(" 42 ")"#), Scalar::Int(42));
    assert_eq!(val(r#"tolong("42")"#), Scalar::Long(42));
    assert_eq!(val("tolong(true)"), Scalar::Long(1));
    assert_eq!(val("tolong(1s)"), Scalar::Long(10_000_000));
    assert_eq!(
        val("tolong(datetime(1970-01-01))"),
        Scalar::Long(621_355_968_000_000_000)
    );
    assert_eq!(val(r#"tolong(dynamic(7))"#), Scalar::Long(7));
    assert_eq!(
        val(r#"coalesce(tolong("not a number"), tolong("42"), 33)"#),
        Scalar::Long(42)
    ); // docs (coalesce)
    let q = r#"datatable(x:string)["1", "x", "3.9"] | extend n = tolong(x), i = toint(x)"#;
    assert_eq!(
        column(q, "n"),
        vec![Scalar::Long(1), NULL_LONG, Scalar::Long(3)]
    );
    assert_eq!(column_kind(q, "i"), KqlType::Int);
}

#[test]
fn todouble_and_todecimal() {
    assert_eq!(val(r#"todouble("1.5")"#), Scalar::Real(1.5));
    assert_eq!(val("toreal(3)"), Scalar::Real(3.0));
    assert_eq!(
        val(r#"todecimal("2.75")"#),
        Scalar::Decimal(quarry::data::decimal::Decimal::parse("2.75").expect("a decimal"))
    );
    assert_eq!(val(r#"todouble("x")"#), Scalar::Null(KqlType::Real));
    assert!(real(val(r#"todouble("NaN")"#)).is_nan());
}

#[test]
fn tobool_docs_examples() {
    assert_eq!(val(r#"tobool("true") == true"#), Scalar::Bool(true));
    assert_eq!(val(r#"tobool("false") == false"#), Scalar::Bool(true));
    assert_eq!(val("tobool(1) == true"), Scalar::Bool(true));
    assert_eq!(val("tobool(123) == true"), Scalar::Bool(true));
    assert_eq!(val(r#"toboolean("TRUE")"#), Scalar::Bool(true));
    assert_eq!(val(r#"tobool("yes")"#), NULL_BOOL);
}

#[test]
fn toguid_canonical_form() {
    assert_eq!(
        val(r#"toguid("12E8B78D-55B4-46AE-B068-26D7A0080254")"#),
        s("12e8b78d-55b4-46ae-b068-26d7a0080254")
    );
    assert_eq!(
        val(r#"toguid("{12e8b78d55b446aeb06826d7a0080254}")"#),
        s("12e8b78d-55b4-46ae-b068-26d7a0080254")
    );
    assert_eq!(val(r#"toguid("nope")"#), s(""));
}

#[test]
fn tohex_docs_examples() {
    assert_eq!(val("tohex(256) == '100'"), Scalar::Bool(true));
    assert_eq!(val("tohex(-256) == 'ffffffffffffff00'"), Scalar::Bool(true));
    assert_eq!(
        val("tohex(toint(-256), 8) == 'ffffff00'"),
        Scalar::Bool(true)
    );
    assert_eq!(val("tohex(256, 8) == '00000100'"), Scalar::Bool(true));
    assert_eq!(val("tohex(256, 2) == '100'"), Scalar::Bool(true));
    assert_eq!(err(r#"print tohex("a")"#).kind, ErrorKind::Type);
}

#[test]
fn gettype_docs_examples() {
    let cases = [
        (r#"gettype("a")"#, "string"),
        ("gettype(111)", "long"),
        ("gettype(1==1)", "bool"),
        ("gettype(now())", "datetime"),
        ("gettype(1s)", "timespan"),
        ("gettype(parse_json('1'))", "int"),
        (r#"gettype(parse_json(' "abc" '))"#, "string"),
        (r#"gettype(parse_json(' {"abc":1} '))"#, "dictionary"),
        ("gettype(parse_json(' [1, 2, 3] '))", "array"),
        ("gettype(123.45)", "real"),
        ("gettype(parse_json(''))", "null"),
        ("gettype(toint(1))", "int"),
    ];
    for (e, want) in cases {
        assert_eq!(val(e), s(want), "{e}");
    }
}

// ---------------------------------------------------------------------------
// logic

#[test]
fn iff_scalars_columns_and_nulls() {
    assert_eq!(val(r#"iff(1 > 0, "a", "b")"#), s("a"));
    assert_eq!(val(r#"iif(1 < 0, "a", "b")"#), s("b"));
    assert_eq!(val("iff(bool(null), 1, 2)"), Scalar::Long(2));
    assert_eq!(val("iff(true, 1, 2.5)"), Scalar::Real(1.0));
    assert_eq!(val("iff(true, long(null), 2)"), NULL_LONG);
    let q = r#"range x from 1 to 3 step 1 | extend y = iff(x > 1, "big", "small"), z = iff(x == 2, datetime(2020-01-01), datetime(null))"#;
    assert_eq!(column(q, "y"), strings(&["small", "big", "big"]));
    assert_eq!(column(q, "z"), vec![NULL_DT, dt("2020-01-01"), NULL_DT]);
    assert_eq!(column_kind(q, "z"), KqlType::Datetime);
}

#[test]
fn iff_type_errors() {
    let q = r#"print iff(true, "a", 1)"#;
    let e = err(q);
    assert_eq!(e.kind, ErrorKind::Type);
    let span = e.span.unwrap();
    assert_eq!(&q[span.start..span.end], "1");
    assert_eq!(
        err(r#"print iff("yes", 1, 2)"#).message,
        "argument 1 of iff() must be a bool, not string"
    );
}

#[test]
fn case_docs_example() {
    let q = r#"range Size from 1 to 15 step 2
        | extend bucket = case(Size <= 3, "Small", Size <= 10, "Medium", "Large")"#;
    assert_eq!(
        column(q, "bucket"),
        strings(&[
            "Small", "Small", "Medium", "Medium", "Medium", "Large", "Large", "Large"
        ])
    );
    assert_eq!(val(r#"case(false, 1, true, 2, 3)"#), Scalar::Long(2));
    assert!(
        err("print case(true, 1, false, 2)")
            .message
            .contains("odd number")
    );
}

#[test]
fn coalesce_rules() {
    assert_eq!(val(r#"coalesce("", "x", "y")"#), s("x"));
    assert_eq!(val("coalesce(long(null), long(null))"), NULL_LONG);
    let q = r#"datatable(a:long, b:long, t:string)[1, 2, "", long(null), 5, "t"] | extend c = coalesce(a, b), d = coalesce(t, "-")"#;
    assert_eq!(column(q, "c"), longs(&[1, 5]));
    assert_eq!(column(q, "d"), strings(&["-", "t"]));
}

#[test]
fn isempty_and_isnull_docs_tables() {
    assert_eq!(val(r#"isempty("")"#), Scalar::Bool(true));
    assert_eq!(val(r#"isempty("x")"#), Scalar::Bool(false));
    assert_eq!(val(r#"isempty(parse_json(""))"#), Scalar::Bool(true));
    assert_eq!(val(r#"isempty(parse_json("[]"))"#), Scalar::Bool(false));
    assert_eq!(val(r#"isempty(parse_json("{}"))"#), Scalar::Bool(false));
    assert_eq!(val("isempty(long(null))"), Scalar::Bool(true));
    assert_eq!(val(r#"isnotempty("x")"#), Scalar::Bool(true));
    assert_eq!(val(r#"isnull("")"#), Scalar::Bool(false));
    assert_eq!(val(r#"isnull("x")"#), Scalar::Bool(false));
    assert_eq!(val(r#"isnull(parse_json(""))"#), Scalar::Bool(true));
    assert_eq!(val(r#"isnull(parse_json("[]"))"#), Scalar::Bool(false));
    assert_eq!(val(r#"isnull(parse_json("{}"))"#), Scalar::Bool(false));
    assert_eq!(val("isnull(long(null))"), Scalar::Bool(true));
    assert_eq!(val("isnotnull(5)"), Scalar::Bool(true));
    let q = r#"datatable(a:long, t:string, d:dynamic)[1, "", dynamic(null), long(null), "x", dynamic([])]
        | extend n = isnull(a), e = isempty(t), dn = isnull(d), nn = isnotnull(a), ne = isnotempty(t)"#;
    let bools = |v: &[bool]| v.iter().map(|b| Scalar::Bool(*b)).collect::<Vec<_>>();
    assert_eq!(column(q, "n"), bools(&[false, true]));
    assert_eq!(column(q, "e"), bools(&[true, false]));
    assert_eq!(column(q, "dn"), bools(&[true, false]));
    assert_eq!(column(q, "nn"), bools(&[true, false]));
    assert_eq!(column(q, "ne"), bools(&[false, true]));
}

#[test]
fn not_keeps_null() {
    assert_eq!(val("not(true)"), Scalar::Bool(false));
    assert_eq!(val("not(bool(null))"), NULL_BOOL);
    assert_eq!(err("print not(1)").kind, ErrorKind::Type);
}

#[test]
fn max_of_and_min_of_docs_examples() {
    assert_eq!(val("max_of(10, 1, -3, 17)"), Scalar::Long(17));
    assert_eq!(val("min_of(10, 1, -3, 17)"), Scalar::Long(-3));
    let q = r#"datatable (A: int, B: int)[1, 6, 8, 1, int(null), 2, 1, int(null), int(null), int(null)]
        | project m = max_of(A, B), n = min_of(A, B)"#;
    let ints = |v: &[Option<i32>]| {
        v.iter()
            .map(|x| x.map_or(Scalar::Null(KqlType::Int), Scalar::Int))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        column(q, "m"),
        ints(&[Some(6), Some(8), Some(2), Some(1), None])
    );
    assert_eq!(
        column(q, "n"),
        ints(&[Some(1), Some(1), Some(2), Some(1), None])
    );
    assert_eq!(
        val("max_of(datetime(2020-01-01), datetime(2021-01-01))"),
        dt("2021-01-01")
    );
    assert_eq!(val(r#"max_of("a", "b")"#), s("b"));
    assert_eq!(val("max_of(1, 2.5)"), Scalar::Real(2.5));
    assert_eq!(err(r#"print max_of(1, "a")"#).kind, ErrorKind::Type);
}

// ---------------------------------------------------------------------------
// math

#[test]
fn abs_keeps_type() {
    assert_eq!(val("abs(-5)"), Scalar::Long(5));
    assert_eq!(val("abs(-1.5)"), Scalar::Real(1.5));
    assert_eq!(val("abs(-1h)"), ts("01:00:00"));
    assert_eq!(val("abs(long(null))"), NULL_LONG);
    assert_eq!(err(r#"print abs("x")"#).kind, ErrorKind::Type);
}

#[test]
fn round_docs_examples() {
    assert_eq!(val("round(2.98765, 3)"), Scalar::Real(2.988));
    assert_eq!(val("round(2.15, 1)"), Scalar::Real(2.2));
    assert_eq!(val("round(2.15)"), Scalar::Real(2.0));
    assert_eq!(val("round(-50.55, -2)"), Scalar::Real(-100.0));
    assert_eq!(val("round(21.5, -1)"), Scalar::Real(20.0));
    assert_eq!(val("round(1234, -2)"), Scalar::Long(1200));
    assert_eq!(val("round(real(null), 2)"), Scalar::Null(KqlType::Real));
}

#[test]
fn ceiling_docs_example() {
    assert_eq!(val("ceiling(-1.1)"), Scalar::Real(-1.0));
    assert_eq!(val("ceiling(0)"), Scalar::Long(0));
    assert_eq!(val("ceiling(0.9)"), Scalar::Real(1.0));
}

#[test]
fn powers_roots_and_logs() {
    assert_eq!(val("sqrt(4)"), Scalar::Real(2.0));
    assert_eq!(val("sqrt(-1)"), Scalar::Null(KqlType::Real));
    assert_eq!(val("pow(2, 10)"), Scalar::Real(1024.0));
    assert_eq!(val("log(5)"), Scalar::Real(1.6094379124341003)); // docs
    assert_eq!(val("log(-1)"), Scalar::Null(KqlType::Real));
    assert_eq!(val("log10(100)"), Scalar::Real(2.0));
    assert_eq!(val("log2(8)"), Scalar::Real(3.0));
    assert_eq!(val("exp(0)"), Scalar::Real(1.0));
    assert_eq!(val("exp2(3)"), Scalar::Real(8.0));
    assert_eq!(val("exp10(2)"), Scalar::Real(100.0));
    assert_eq!(val("pi()"), Scalar::Real(std::f64::consts::PI));
    let q = "range x from 1 to 3 step 1 | extend r = sqrt(x * 4)";
    assert_eq!(
        column(q, "r"),
        vec![
            Scalar::Real(2.0),
            Scalar::Real(8f64.sqrt()),
            Scalar::Real(12f64.sqrt())
        ]
    );
}

#[test]
fn sign_docs_example() {
    assert_eq!(val("sign(-42)"), Scalar::Real(-1.0));
    assert_eq!(val("sign(0)"), Scalar::Real(0.0));
    assert_eq!(val("sign(11.2)"), Scalar::Real(1.0));
}

#[test]
fn nan_and_infinity_tests() {
    assert_eq!(val(r#"isnan(todouble("NaN"))"#), Scalar::Bool(true));
    assert_eq!(val("isnan(1.0)"), Scalar::Bool(false));
    assert_eq!(val(r#"isinf(todouble("Infinity"))"#), Scalar::Bool(true));
    assert_eq!(val("isfinite(1.0)"), Scalar::Bool(true));
    assert_eq!(val("isfinite(real(null))"), Scalar::Bool(false));
}

#[test]
fn trigonometry() {
    assert_eq!(val("cos(0)"), Scalar::Real(1.0));
    assert_eq!(val("degrees(pi())"), Scalar::Real(180.0));
    assert_eq!(
        val("atan2(1, 1)"),
        Scalar::Real(std::f64::consts::FRAC_PI_4)
    );
}

#[test]
fn bitwise_functions() {
    assert_eq!(val("binary_and(6, 3)"), Scalar::Long(2));
    assert_eq!(val("binary_or(6, 3)"), Scalar::Long(7));
    assert_eq!(val("binary_xor(6, 3)"), Scalar::Long(5));
    assert_eq!(val("binary_not(0)"), Scalar::Long(-1));
    assert_eq!(val("binary_shift_left(1, 4)"), Scalar::Long(16));
    assert_eq!(val("binary_shift_right(16, 4)"), Scalar::Long(1));
    assert_eq!(val("binary_shift_left(1, 64)"), NULL_LONG);
    assert_eq!(val("bitset_count_ones(42)"), Scalar::Long(3)); // docs
    assert_eq!(val("binary_and(long(null), 1)"), NULL_LONG);
    // UserAccountControl & 2: the account is disabled.
    let q = "datatable(uac:long)[514, 512] | extend disabled = binary_and(uac, 2) != 0";
    assert_eq!(
        column(q, "disabled"),
        vec![Scalar::Bool(true), Scalar::Bool(false)]
    );
}

// ---------------------------------------------------------------------------
// datetime

#[test]
fn now_and_ago_use_one_instant() {
    assert_eq!(val("now()"), Scalar::Datetime(NOW));
    assert_eq!(val("now(-1d)"), Scalar::Datetime(NOW - DAY));
    assert_eq!(val("ago(1h)"), Scalar::Datetime(NOW - HOUR));
    assert_eq!(val("ago(timespan(null))"), NULL_DT);
    let q = "range x from 1 to 2 step 1 | extend a = ago(x * 1h), b = now() - ago(1d)";
    assert_eq!(
        column(q, "a"),
        vec![
            Scalar::Datetime(NOW - HOUR),
            Scalar::Datetime(NOW - 2 * HOUR)
        ]
    );
    assert_eq!(
        column(q, "b"),
        vec![Scalar::Timespan(DAY), Scalar::Timespan(DAY)]
    );
    assert_eq!(err("print ago(1)").kind, ErrorKind::Type);
}

#[test]
fn datetime_add_docs_examples() {
    let q = "print year = datetime_add('year',1,make_datetime(2017,1,1)),
        quarter = datetime_add('quarter',1,make_datetime(2017,1,1)),
        month = datetime_add('month',1,make_datetime(2017,1,1)),
        week = datetime_add('week',1,make_datetime(2017,1,1)),
        day = datetime_add('day',1,make_datetime(2017,1,1)),
        hour = datetime_add('hour',1,make_datetime(2017,1,1)),
        minute = datetime_add('minute',1,make_datetime(2017,1,1)),
        second = datetime_add('second',1,make_datetime(2017,1,1))";
    let want = [
        ("year", "2018-01-01"),
        ("quarter", "2017-04-01"),
        ("month", "2017-02-01"),
        ("week", "2017-01-08"),
        ("day", "2017-01-02"),
        ("hour", "2017-01-01 01:00:00"),
        ("minute", "2017-01-01 00:01:00"),
        ("second", "2017-01-01 00:00:01"),
    ];
    for (c, w) in want {
        assert_eq!(column(q, c), vec![dt(w)], "{c}");
    }
    let q = "print year = datetime_add('year',-5,make_datetime(2017,1,1)),
        quarter = datetime_add('quarter',12,make_datetime(2017,1,1)),
        month = datetime_add('month',-15,make_datetime(2017,1,1)),
        week = datetime_add('week',100,make_datetime(2017,1,1))";
    for (c, w) in [
        ("year", "2012-01-01"),
        ("quarter", "2020-01-01"),
        ("month", "2015-10-01"),
        ("week", "2018-12-02"),
    ] {
        assert_eq!(column(q, c), vec![dt(w)], "{c}");
    }
    // Month ends clamp, as .NET's AddMonths does.
    assert_eq!(
        val("datetime_add('month', 1, datetime(2020-01-31 10:00))"),
        dt("2020-02-29 10:00")
    );
    let e = err("print datetime_add('fortnight', 1, now())");
    assert_eq!(e.kind, ErrorKind::Type);
    assert!(
        e.message.contains("unknown period 'fortnight'"),
        "{}",
        e.message
    );
}

#[test]
fn datetime_diff_docs_example() {
    let q = "print
        year = datetime_diff('year',datetime(2017-01-01),datetime(2000-12-31)),
        quarter = datetime_diff('quarter',datetime(2017-07-01),datetime(2017-03-30)),
        month = datetime_diff('month',datetime(2017-01-01),datetime(2015-12-30)),
        week = datetime_diff('week',datetime(2017-10-29 00:00),datetime(2017-09-30 23:59)),
        day = datetime_diff('day',datetime(2017-10-29 00:00),datetime(2017-09-30 23:59)),
        hour = datetime_diff('hour',datetime(2017-10-31 01:00),datetime(2017-10-30 23:59)),
        minute = datetime_diff('minute',datetime(2017-10-30 23:05:01),datetime(2017-10-30 23:00:59)),
        second = datetime_diff('second',datetime(2017-10-30 23:00:10.100),datetime(2017-10-30 23:00:00.900)),
        millisecond = datetime_diff('millisecond',datetime(2017-10-30 23:00:00.200100),datetime(2017-10-30 23:00:00.100900)),
        microsecond = datetime_diff('microsecond',datetime(2017-10-30 23:00:00.1009001),datetime(2017-10-30 23:00:00.1008009)),
        nanosecond = datetime_diff('nanosecond',datetime(2017-10-30 23:00:00.0000000),datetime(2017-10-30 23:00:00.0000007))";
    let want = [
        ("year", 17),
        ("quarter", 2),
        ("month", 13),
        ("week", 5),
        ("day", 29),
        ("hour", 2),
        ("minute", 5),
        ("second", 10),
        ("millisecond", 100),
        ("microsecond", 100),
        ("nanosecond", -700),
    ];
    for (c, w) in want {
        assert_eq!(column(q, c), longs(&[w]), "{c}");
    }
    assert_eq!(
        val("datetime_diff('day', datetime(null), now())"),
        NULL_LONG
    );
}

#[test]
fn datetime_part_docs_example() {
    let q = "let dt = datetime(2017-10-30 01:02:03.7654321);
        print year = datetime_part('year', dt), quarter = datetime_part('quarter', dt),
        month = datetime_part('month', dt), weekOfYear = datetime_part('week_of_year', dt),
        day = datetime_part('day', dt), dayOfYear = datetime_part('dayOfYear', dt),
        hour = datetime_part('hour', dt), minute = datetime_part('minute', dt),
        second = datetime_part('second', dt), millisecond = datetime_part('millisecond', dt),
        microsecond = datetime_part('microsecond', dt), nanosecond = datetime_part('nanosecond', dt)";
    let want = [
        ("year", 2017),
        ("quarter", 4),
        ("month", 10),
        ("weekOfYear", 44),
        ("day", 30),
        ("dayOfYear", 303),
        ("hour", 1),
        ("minute", 2),
        ("second", 3),
        ("millisecond", 765),
        ("microsecond", 765_432),
        ("nanosecond", 765_432_100),
    ];
    for (c, w) in want {
        assert_eq!(column(q, c), vec![Scalar::Int(w)], "{c}");
    }
    assert_eq!(
        err("print datetime_part('eon', now())").kind,
        ErrorKind::Type
    );
}

#[test]
fn bin_docs_examples() {
    assert_eq!(val("bin(4.5, 1)"), Scalar::Real(4.0));
    assert_eq!(val("bin(time(16d), 7d)"), Scalar::Timespan(14 * DAY));
    assert_eq!(
        val("bin(datetime(1970-05-11 13:45:07), 1d)"),
        dt("1970-05-11")
    );
    assert_eq!(val("floor(4.5, 1)"), Scalar::Real(4.0));
    assert_eq!(val("bin(17, 5)"), Scalar::Long(15));
    assert_eq!(val("bin(-1, 5)"), Scalar::Long(-5));
    // Docs: null value, null size or a negative size give null.
    assert_eq!(val("bin(long(null), 5)"), NULL_LONG);
    assert_eq!(val("bin(5, long(null))"), NULL_LONG);
    assert_eq!(val("bin(5, -1)"), NULL_LONG);
    assert_eq!(val("bin(datetime(2020-01-01), -1h)"), NULL_DT);
    // Bins count from 0001-01-01 (a Monday), so weekly bins start on Mondays.
    assert_eq!(val("bin(datetime(2017-05-17 10:20), 7d)"), dt("2017-05-15"));
    assert_eq!(
        err("print bin(datetime(2020-01-01), 5)").kind,
        ErrorKind::Type
    );
}

#[test]
fn bin_over_columns() {
    let q = "datatable(t:datetime, n:long, r:real)[datetime(2025-03-18 11:42:07), 17, 4.5, datetime(null), long(null), real(null)]
        | extend b = bin(t, 1h), d = startofday(t), m = bin(n, 5), x = bin(r, 2)";
    assert_eq!(column(q, "b"), vec![dt("2025-03-18 11:00"), NULL_DT]);
    assert_eq!(column(q, "d"), vec![dt("2025-03-18"), NULL_DT]);
    assert_eq!(column(q, "m"), vec![Scalar::Long(15), NULL_LONG]);
    assert_eq!(
        column(q, "x"),
        vec![Scalar::Real(4.0), Scalar::Null(KqlType::Real)]
    );
    assert_eq!(column_kind(q, "b"), KqlType::Datetime);
}

#[test]
fn bin_at_docs_examples() {
    assert_eq!(val("bin_at(6.5, 2.5, 7)"), Scalar::Real(4.5));
    assert_eq!(
        val("bin_at(time(1h), 1d, 12h)"),
        Scalar::Timespan(-12 * HOUR)
    );
    assert_eq!(
        val("bin_at(datetime(2017-05-15 10:20:00.0), 1d, datetime(1970-01-01 12:00:00.0))"),
        dt("2017-05-14 12:00")
    );
    assert_eq!(
        val("bin_at(datetime(2017-05-17 10:20:00.0), 7d, datetime(2017-06-04 00:00:00.0))"),
        dt("2017-05-14")
    );
    let q = "datatable(Date:datetime, NumOfEvents:int)[
            datetime(2018-02-24T15:14),3, datetime(2018-02-24T15:24),4, datetime(2018-02-23T16:14),4,
            datetime(2018-02-23T17:29),4, datetime(2018-02-26T15:14),5]
        | extend b = bin_at(Date, 1d, datetime(2018-02-24 15:14:00.0000000))";
    assert_eq!(
        column(q, "b"),
        vec![
            dt("2018-02-24 15:14"),
            dt("2018-02-24 15:14"),
            dt("2018-02-23 15:14"),
            dt("2018-02-23 15:14"),
            dt("2018-02-26 15:14")
        ]
    );
}

#[test]
fn start_and_end_of_periods_docs_examples() {
    let q = "range offset from -1 to 1 step 1 | project weekStart = startofweek(datetime(2017-01-01 10:10:17), offset)";
    assert_eq!(
        column(q, "weekStart"),
        vec![dt("2016-12-25"), dt("2017-01-01"), dt("2017-01-08")]
    );
    let q = "range offset from -1 to 1 step 1 | project monthStart = startofmonth(datetime(2017-01-01 10:10:17), offset)";
    assert_eq!(
        column(q, "monthStart"),
        vec![dt("2016-12-01"), dt("2017-01-01"), dt("2017-02-01")]
    );
    let q = "range offset from -1 to 1 step 1 | project yearStart = startofyear(datetime(2017-01-01 10:10:17), offset)";
    assert_eq!(
        column(q, "yearStart"),
        vec![dt("2016-01-01"), dt("2017-01-01"), dt("2018-01-01")]
    );
    let q = "range offset from -1 to 1 step 1 | project dayStart = startofday(datetime(2017-01-01 10:10:17), offset)";
    assert_eq!(
        column(q, "dayStart"),
        vec![dt("2016-12-31"), dt("2017-01-01"), dt("2017-01-02")]
    );
    let q = "range offset from -1 to 1 step 1 | project dayEnd = endofday(datetime(2017-01-01 10:10:17), offset)";
    assert_eq!(
        column(q, "dayEnd"),
        vec![
            dt("2016-12-31 23:59:59.9999999"),
            dt("2017-01-01 23:59:59.9999999"),
            dt("2017-01-02 23:59:59.9999999")
        ]
    );
    let q = "range offset from -1 to 1 step 1 | project weekEnd = endofweek(datetime(2017-01-01 10:10:17), offset)";
    assert_eq!(
        column(q, "weekEnd"),
        vec![
            dt("2016-12-31 23:59:59.9999999"),
            dt("2017-01-07 23:59:59.9999999"),
            dt("2017-01-14 23:59:59.9999999")
        ]
    );
    let q = "range offset from -1 to 1 step 1 | project monthEnd = endofmonth(datetime(2017-01-01 10:10:17), offset)";
    assert_eq!(
        column(q, "monthEnd"),
        vec![
            dt("2016-12-31 23:59:59.9999999"),
            dt("2017-01-31 23:59:59.9999999"),
            dt("2017-02-28 23:59:59.9999999")
        ]
    );
    assert_eq!(
        val("endofyear(datetime(2017-01-01 10:10:17))"),
        dt("2017-12-31 23:59:59.9999999")
    );
    assert_eq!(val("startofday(datetime(null))"), NULL_DT);
}

#[test]
fn start_of_week_from_monday_docs_example() {
    let q = "let startofweekFromMonday = (dateArg: datetime) {
            datetime_add('day', 1, startofweek(datetime_add('day', -1, dateArg)))
        };
        datatable(Date: datetime, day: string)
        [datetime(2025-06-14), 'Saturday', datetime(2025-06-15), 'Sunday', datetime(2025-06-16), 'Monday', datetime(2025-06-17), 'Tuesday']
        | extend MondayWeek = startofweekFromMonday(Date)";
    assert_eq!(
        column(q, "MondayWeek"),
        vec![
            dt("2025-06-09"),
            dt("2025-06-09"),
            dt("2025-06-16"),
            dt("2025-06-16")
        ]
    );
}

#[test]
fn calendar_parts() {
    assert_eq!(
        val("dayofweek(datetime(1947-11-30 10:00:05))"),
        Scalar::Timespan(0)
    ); // docs
    assert_eq!(
        val("dayofweek(datetime(1970-05-11))"),
        Scalar::Timespan(DAY)
    ); // docs
    assert_eq!(val("dayofmonth(datetime(2015-12-14))"), Scalar::Int(14));
    assert_eq!(val("dayofyear(datetime(2015-12-14))"), Scalar::Int(348));
    assert_eq!(
        val("hourofday(datetime(2015-12-14 18:54:00))"),
        Scalar::Int(18)
    );
    assert_eq!(val("getmonth(datetime(2015-10-12))"), Scalar::Int(10));
    assert_eq!(val("monthofyear(datetime(2015-12-14))"), Scalar::Int(12));
    assert_eq!(val("getyear(datetime(2015-10-12))"), Scalar::Int(2015));
    // docs (week_of_year)
    for (d, w) in [
        ("2020-12-31", 53),
        ("2020-06-15", 25),
        ("1970-01-01", 1),
        ("2000-01-01", 52),
    ] {
        assert_eq!(
            val(&format!("week_of_year(datetime({d}))")),
            Scalar::Int(w),
            "{d}"
        );
        assert_eq!(
            val(&format!("weekofyear(datetime({d}))")),
            Scalar::Int(w),
            "{d}"
        );
    }
    assert_eq!(val("getyear(datetime(null))"), Scalar::Null(KqlType::Int));
    let q = "datatable(t:datetime)[datetime(2015-12-14 18:54:00), datetime(null)] | extend h = hourofday(t), w = dayofweek(t)";
    assert_eq!(
        column(q, "h"),
        vec![Scalar::Int(18), Scalar::Null(KqlType::Int)]
    );
    assert_eq!(
        column(q, "w"),
        vec![Scalar::Timespan(DAY), Scalar::Null(KqlType::Timespan)]
    );
}

#[test]
fn dayofweek_to_int_docs_example() {
    let q = "let dow=dayofweek(datetime(1970-5-12)); print Timespan = dow, Integer = toint(dow/1d)";
    assert_eq!(column(q, "Timespan"), vec![Scalar::Timespan(2 * DAY)]);
    assert_eq!(column(q, "Integer"), vec![Scalar::Int(2)]);
}

#[test]
fn format_datetime_docs_examples() {
    let with = |f: &str| {
        val(&format!(
            "format_datetime(datetime(2017-01-29 09:00:05), '{f}')"
        ))
    };
    assert_eq!(with("yy-MM-dd [HH:mm:ss]"), s("17-01-29 [09:00:05]"));
    assert_eq!(with("yyyy-M-dd [H:mm:ss]"), s("2017-1-29 [9:00:05]"));
    assert_eq!(with("yy-MM-dd [hh:mm:ss tt]"), s("17-01-29 [09:00:05 AM]"));
    let frac = |f: &str| {
        val(&format!(
            "format_datetime(datetime(2009-06-15T13:45:30.6175425), '{f}')"
        ))
    };
    assert_eq!(frac("fffffff"), s("6175425"));
    assert_eq!(frac("fff"), s("617"));
    assert_eq!(frac("h tt"), s("1 PM"));
    assert_eq!(
        val("format_datetime(datetime(2009-06-15T13:45:30.0500000), 'FF|F')"),
        s("05|")
    );
    assert_eq!(
        val("format_datetime(datetime(2009-06-15T13:45:30.0001150), 'FFFFFFF')"),
        s("000115")
    );
    assert_eq!(val("format_datetime(datetime(null), 'yyyy')"), s(""));
}

#[test]
fn format_timespan_docs_example() {
    let q = "let t = time(29.09:00:05.12345);
        print v1 = format_timespan(t, 'dd.hh:mm:ss:FF'), v2 = format_timespan(t, 'ddd.h:mm:ss [fffffff]')";
    assert_eq!(column(q, "v1"), strings(&["29.09:00:05:12"]));
    assert_eq!(column(q, "v2"), strings(&["029.9:00:05 [1234500]"]));
}

#[test]
fn todatetime_and_totimespan() {
    assert_eq!(
        val(r#"todatetime("2015-12-31 23:59:59.9")"#),
        dt("2015-12-31T23:59:59.9")
    ); // docs
    assert_eq!(val(r#"todatetime("not a date")"#), NULL_DT);
    assert_eq!(val("todatetime(datetime(2020-01-01))"), dt("2020-01-01"));
    assert_eq!(
        val(r#"totimespan("0.00:01:00") == time(1min)"#),
        Scalar::Bool(true)
    ); // docs
    assert_eq!(val(r#"totimespan("x")"#), Scalar::Null(KqlType::Timespan));
    assert_eq!(val("totimespan(10000000)"), ts("00:00:01"));
    let q = r#"datatable(s:string)["2025-03-18T11:42:07Z", "bad"] | extend t = todatetime(s)"#;
    assert_eq!(column(q, "t"), vec![Scalar::Datetime(NOW), NULL_DT]);
}

#[test]
fn todatetime_month_day_year_docs_example() {
    assert_eq!(
        val("todatetime('12-02-2022') == datetime('12-02-2022')"),
        Scalar::Bool(true)
    );
}

#[test]
fn unixtime_conversions() {
    assert_eq!(
        val("unixtime_seconds_todatetime(1546300800)"),
        dt("2019-01-01")
    ); // docs
    assert_eq!(
        val("unixtime_seconds_todatetime(1546300800.5)"),
        dt("2019-01-01 00:00:00.5")
    );
    assert_eq!(
        val("unixtime_milliseconds_todatetime(1546300800123)"),
        dt("2019-01-01 00:00:00.123")
    );
    assert_eq!(
        val("unixtime_microseconds_todatetime(1546300800123456)"),
        dt("2019-01-01 00:00:00.123456")
    );
    assert_eq!(
        val("unixtime_nanoseconds_todatetime(1546300800123456700)"),
        dt("2019-01-01 00:00:00.1234567")
    );
    assert_eq!(val("unixtime_seconds_todatetime(long(null))"), NULL_DT);
}

#[test]
fn make_datetime_docs_examples() {
    assert_eq!(val("make_datetime(2017,10,01)"), dt("2017-10-01"));
    assert_eq!(
        val("make_datetime(2017,10,01,12,10)"),
        dt("2017-10-01 12:10")
    );
    assert_eq!(
        val("make_datetime(2017,10,01,12,11,0.1234567)"),
        dt("2017-10-01 12:11:00.1234567")
    );
    assert_eq!(val("make_datetime(2017,13,01)"), NULL_DT);
    assert_eq!(val("make_datetime(2017,2,29)"), NULL_DT);
    assert_eq!(
        err("print make_datetime(2017,10,01,12)").kind,
        ErrorKind::Type
    );
}

#[test]
fn make_timespan_docs_example() {
    assert_eq!(val("make_timespan(1,12,30,55.123)"), ts("1.12:30:55.123"));
    assert_eq!(val("make_timespan(12,30)"), ts("12:30:00"));
    assert_eq!(val("make_timespan(12,30,15)"), ts("12:30:15"));
    assert_eq!(val("make_timespan(25,0)"), Scalar::Null(KqlType::Timespan));
}

// ---------------------------------------------------------------------------
// dynamic

#[test]
fn parse_json_docs_examples() {
    let q = r#"datatable(context_custom_metrics:string)
        ['{"duration":{"value":118.0,"count":5.0,"min":100.0,"max":150.0,"stdDev":0.0,"sampledValue":118.0,"sum":118.0}}']
        | extend d = parse_json(context_custom_metrics)
        | extend duration_value = toreal(d.duration.value), duration_min = toreal(d.duration.min)"#;
    assert_eq!(column(q, "duration_value"), vec![Scalar::Real(118.0)]);
    assert_eq!(column(q, "duration_min"), vec![Scalar::Real(100.0)]);
    assert_eq!(column_kind(q, "d"), KqlType::Dynamic);
    assert_eq!(
        val(r#"parse_json('{"a":123, "b":"{\\"c\\":456}"}')"#),
        dynamic(json!({"a": 123, "b": "{\"c\":456}"}))
    );
    assert_eq!(
        val(r#"parse_json(tostring(parse_json('{"a":123, "b":"{\\"c\\":456}"}').b)).c"#),
        dynamic(json!(456))
    );
    assert_eq!(val(r#"parse_json("not json")"#), dynamic(json!("not json")));
    assert_eq!(val(r#"parse_json("")"#), NULL_DYN);
    assert_eq!(val("todynamic(5)"), dynamic(json!(5)));
}

#[test]
fn array_length_and_reverse() {
    assert_eq!(val("array_length(dynamic([1, 2, 3]))"), Scalar::Long(3));
    assert_eq!(val(r#"array_length(dynamic({"a":1}))"#), NULL_LONG);
    assert_eq!(val(r#"array_length(parse_json("[1,2]"))"#), Scalar::Long(2));
    assert_eq!(
        val(r#"array_reverse(dynamic(["this", "is", "an", "example", "!"]))"#),
        dynamic(json!(["!", "example", "an", "is", "this"]))
    );
    let q = r#"datatable(a:dynamic)[dynamic([1]), dynamic([]), dynamic(null)] | extend n = array_length(a)"#;
    assert_eq!(
        column(q, "n"),
        vec![Scalar::Long(1), Scalar::Long(0), NULL_LONG]
    );
}

#[test]
fn array_sort_docs_examples() {
    assert_eq!(
        val(r#"strcat_array(array_sort_asc(split("John,Paul,George,Ringo", ",")), ",")"#),
        s("George,John,Paul,Ringo")
    );
    assert_eq!(
        val(r#"array_sort_asc(dynamic([null,"blue","yellow","green",null]))"#),
        dynamic(json!(["blue", "green", "yellow", null, null]))
    );
    assert_eq!(
        val(r#"array_sort_asc(dynamic([null,"blue","yellow","green",null]), false)"#),
        dynamic(json!([null, null, "blue", "green", "yellow"]))
    );
    assert_eq!(
        val(r#"array_sort_desc(dynamic([null,"blue","yellow","green",null]))"#),
        dynamic(json!(["yellow", "green", "blue", null, null]))
    );
    assert_eq!(
        val("array_sort_asc(dynamic([1,3,4,5,2]))"),
        dynamic(json!([1, 2, 3, 4, 5]))
    );
    assert_eq!(
        val(r#"array_sort_asc(dynamic(["b", 2, "a", 1]))"#),
        dynamic(json!([1, 2, "a", "b"]))
    );
    // Several arrays: the others follow the first's order (see
    // tests/doc_remaining.rs for the columns they spread over).
    assert_eq!(
        val(r#"array_sort_asc(dynamic([3,1]), dynamic(["a","b"]))[1]"#),
        dynamic(json!(["b", "a"]))
    );
}

#[test]
fn array_concat_docs_example() {
    let q = "range x from 1 to 3 step 1
        | extend y = x * 2
        | extend z = y * 2
        | extend a1 = pack_array(x,y,z), a2 = pack_array(x, y)
        | project c = array_concat(a1, a2)";
    assert_eq!(
        column(q, "c"),
        vec![
            dynamic(json!([1, 2, 4, 1, 2])),
            dynamic(json!([2, 4, 8, 2, 4])),
            dynamic(json!([3, 6, 12, 3, 6]))
        ]
    );
    assert_eq!(
        val(r#"array_concat(dynamic([1]), dynamic({"a":1}))"#),
        NULL_DYN
    );
}

#[test]
fn array_slice_docs_examples() {
    assert_eq!(
        val("array_slice(dynamic([1,2,3]), 1, 2)"),
        dynamic(json!([2, 3]))
    );
    assert_eq!(
        val("array_slice(dynamic([1,2,3,4,5]), 2, -1)"),
        dynamic(json!([3, 4, 5]))
    );
    assert_eq!(
        val("array_slice(dynamic([1,2,3,4,5]), -3, -2)"),
        dynamic(json!([3, 4]))
    );
    assert_eq!(
        val("array_slice(dynamic([1,2,3]), 5, 9)"),
        dynamic(json!([]))
    );
    assert_eq!(
        val("array_slice(dynamic([1,2,3]), -9, 0)"),
        dynamic(json!([1]))
    );
}

#[test]
fn array_index_of_docs_examples() {
    let arr = r#"dynamic(["this", "is", "an", "example", "an", "example"])"#;
    let cases = [
        (r#""an""#, 2),
        (r#""example",1,3"#, 3),
        (r#""example",1,2"#, -1),
        (r#""is",2,4"#, -1),
        (r#""example",2,-1"#, 3),
        (r#""an", 1, -1, 2"#, 4),
        (r#""an", 1, -1, 3"#, -1),
        (r#""an", -3"#, 4),
        (r#""is", -4"#, -1),
    ];
    for (args, want) in cases {
        let e = format!("array_index_of({arr}, {args})");
        assert_eq!(val(&e), Scalar::Long(want), "{e}");
    }
    assert_eq!(val("array_index_of(dynamic([1, 2.0]), 2)"), Scalar::Long(1));
    assert_eq!(val(r#"array_index_of(dynamic({"a":1}), 1)"#), NULL_LONG);
}

#[test]
fn pack_array_and_strcat_array() {
    assert_eq!(
        val(r#"pack_array(1, "a", true, 2.5)"#),
        dynamic(json!([1, "a", true, 2.5]))
    );
    assert_eq!(
        val(r#"strcat_array(dynamic([1, 2, 3]), "->")"#),
        s("1->2->3")
    ); // docs
    assert_eq!(val(r#"strcat_array(dynamic({"a":1}), ",")"#), s(""));
}

#[test]
fn bag_functions_docs_examples() {
    assert_eq!(
        val(
            r#"bag_pack("Level", "Information", "ProcessID", 1234, "Data", bag_pack("url", "www.bing.com"))"#
        ),
        dynamic(
            json!({"Level": "Information", "ProcessID": 1234, "Data": {"url": "www.bing.com"}})
        )
    );
    assert_eq!(val(r#"pack("a", 1)"#), dynamic(json!({"a": 1})));
    assert!(
        err(r#"print bag_pack("a")"#)
            .message
            .contains("even number")
    );
    assert_eq!(
        val(r#"bag_keys(dynamic({'a':'b', 'c':123}))"#),
        dynamic(json!(["a", "c"]))
    );
    assert_eq!(val("bag_keys(dynamic([1]))"), NULL_DYN);
    assert_eq!(
        val(
            r#"bag_merge(dynamic({ 'A1':12, 'B1':2, 'C1':3}), dynamic({ 'A2':81, 'B2':82, 'A1':1}))"#
        ),
        dynamic(json!({"A1": 12, "B1": 2, "C1": 3, "A2": 81, "B2": 82}))
    );
    let q = r#"datatable(input: dynamic)[dynamic({'key1' : 123, 'key2': 'abc'}), dynamic({'key1' : 123, 'key3': 'abc'})]
        | extend result = bag_has_key(input, 'key2')"#;
    assert_eq!(
        column(q, "result"),
        vec![Scalar::Bool(true), Scalar::Bool(false)]
    );
    let nested =
        r#"dynamic({'key1': 123, 'key2': {'prop1' : 'abc', 'prop2': 'xyz'}, 'key3': [100, 200]})"#;
    assert_eq!(
        val(&format!("bag_has_key({nested}, '$.key2.prop1')")),
        Scalar::Bool(true)
    );
    assert_eq!(
        val(&format!("bag_has_key({nested}, \"$['key2']['nope']\")")),
        Scalar::Bool(false)
    );
}

#[test]
fn set_functions_docs_examples() {
    let base = "range x from 1 to 3 step 1
        | extend y = x * 2
        | extend z = y * 2
        | extend w = z * 2
        | extend a1 = pack_array(x,y,x,z), a2 = pack_array(x, y), a3 = pack_array(x,y,w)";
    assert_eq!(
        column(
            &format!("{base} | project r = set_difference(a1, a2, a3)"),
            "r"
        ),
        vec![
            dynamic(json!([4])),
            dynamic(json!([8])),
            dynamic(json!([12]))
        ]
    );
    assert_eq!(
        column(&format!("{base} | project r = set_union(a1, a2, a3)"), "r"),
        vec![
            dynamic(json!([1, 2, 4, 8])),
            dynamic(json!([2, 4, 8, 16])),
            dynamic(json!([3, 6, 12, 24]))
        ]
    );
    assert_eq!(
        column(
            &format!("{base} | project r = set_intersect(a1, a2, a3)"),
            "r"
        ),
        vec![
            dynamic(json!([1, 2])),
            dynamic(json!([2, 4])),
            dynamic(json!([3, 6]))
        ]
    );
    assert_eq!(
        val("set_difference(dynamic([1,2,3]), dynamic([1,2,3]))"),
        dynamic(json!([]))
    );
    assert_eq!(
        val(r#"set_has_element(dynamic(["this", "is", "an", "example"]), "example")"#),
        Scalar::Bool(true)
    );
    assert_eq!(
        val(r#"set_has_element(dynamic(["this"]), "that")"#),
        Scalar::Bool(false)
    );
    assert_eq!(val(r#"set_union(dynamic([1]), dynamic("x"))"#), NULL_DYN);
}

// ---------------------------------------------------------------------------
// ip

#[test]
fn ipv4_is_private_docs_examples() {
    assert_eq!(val("ipv4_is_private('192.168.1.1/24')"), Scalar::Bool(true));
    assert_eq!(val("ipv4_is_private('10.1.2.3/24')"), Scalar::Bool(true));
    assert_eq!(val("ipv4_is_private('202.1.2.3')"), Scalar::Bool(false));
    assert_eq!(val("ipv4_is_private('127.0.0.1')"), Scalar::Bool(false));
    assert_eq!(val("ipv4_is_private('172.31.255.255')"), Scalar::Bool(true));
    assert_eq!(val("ipv4_is_private('172.32.0.0')"), Scalar::Bool(false));
    assert_eq!(val("ipv4_is_private('not an ip')"), NULL_BOOL);
    let q =
        "datatable(ip_string:string)['10.1.2.3', '192.168.1.1/24', '127.0.0.1', '', '1.2.3.256']
        | extend result = ipv4_is_private(ip_string)";
    assert_eq!(
        column(q, "result"),
        vec![
            Scalar::Bool(true),
            Scalar::Bool(true),
            Scalar::Bool(false),
            NULL_BOOL,
            NULL_BOOL
        ]
    );
}

#[test]
fn ipv4_is_in_range_docs_example() {
    let q = "datatable(ip_address:string, ip_range:string)['192.168.1.1', '192.168.1.1', '192.168.1.1', '192.168.1.255/24', '10.0.0.1', '192.168.1.255/24']
        | extend result = ipv4_is_in_range(ip_address, ip_range)";
    assert_eq!(
        column(q, "result"),
        vec![Scalar::Bool(true), Scalar::Bool(true), Scalar::Bool(false)]
    );
    let q = "datatable(ip:string)['10.9.8.7', '11.0.0.1', 'x'] | extend r = ipv4_is_in_range(ip, '10.0.0.0/8')";
    assert_eq!(
        column(q, "r"),
        vec![Scalar::Bool(true), Scalar::Bool(false), NULL_BOOL]
    );
    assert_eq!(val("ipv4_is_in_range('10.0.0.1', 'bad range')"), NULL_BOOL);
}

#[test]
fn ipv4_is_in_any_range_docs_examples() {
    assert_eq!(
        val("ipv4_is_in_any_range('192.168.1.6', '192.168.1.1/24', '10.0.0.1/8', '127.1.0.1/16')"),
        Scalar::Bool(true)
    );
    assert_eq!(
        val(r#"ipv4_is_in_any_range("127.0.0.1", dynamic(["127.0.0.1", "192.168.1.1"]))"#),
        Scalar::Bool(true)
    );
    let q = r#"let LocalNetworks = dynamic(["192.168.1.1/16", "127.0.0.1/8", "10.0.0.1/8"]);
        datatable(IP:string)["10.1.2.3", "192.168.1.5", "123.1.11.21", "1.1.1.1"]
        | extend IsLocal = ipv4_is_in_any_range(IP, LocalNetworks)"#;
    assert_eq!(
        column(q, "IsLocal"),
        vec![
            Scalar::Bool(true),
            Scalar::Bool(true),
            Scalar::Bool(false),
            Scalar::Bool(false)
        ]
    );
}

#[test]
fn ipv4_is_match_and_compare_docs_examples() {
    assert_eq!(
        val("ipv4_is_match('192.168.1.1/24', '192.168.1.255')"),
        Scalar::Bool(true)
    );
    let pairs = "datatable(ip1_string:string, ip2_string:string)
        ['192.168.1.0', '192.168.1.0', '192.168.1.1/24', '192.168.1.255', '192.168.1.1', '192.168.1.255/24', '192.168.1.1/30', '192.168.1.255/24']";
    let q = format!(
        "{pairs} | extend m = ipv4_is_match(ip1_string, ip2_string), c = ipv4_compare(ip1_string, ip2_string)"
    );
    assert_eq!(column(&q, "m"), vec![Scalar::Bool(true); 4]);
    assert_eq!(column(&q, "c"), longs(&[0, 0, 0, 0]));
    let with_prefix = "datatable(ip1_string:string, ip2_string:string, prefix:long)
        ['192.168.1.1', '192.168.1.0', 31, '192.168.1.1/24', '192.168.1.255', 31, '192.168.1.1', '192.168.1.255', 24]";
    let q = format!(
        "{with_prefix} | extend m = ipv4_is_match(ip1_string, ip2_string, prefix), c = ipv4_compare(ip1_string, ip2_string, prefix)"
    );
    assert_eq!(column(&q, "m"), vec![Scalar::Bool(true); 3]);
    assert_eq!(column(&q, "c"), longs(&[0, 0, 0]));
    assert_eq!(val("ipv4_compare('10.0.0.2', '10.0.0.1')"), Scalar::Long(1));
    assert_eq!(
        val("ipv4_compare('10.0.0.1', '10.0.0.2')"),
        Scalar::Long(-1)
    );
    assert_eq!(val("ipv4_is_match('10.0.0.1', '10.0.0.2', 33)"), NULL_BOOL);
    assert_eq!(val("ipv4_is_match('10.0.0.1', 'nope')"), NULL_BOOL);
}

#[test]
fn parse_ipv4_docs_examples() {
    let q =
        "datatable(ip_string: string)['192.168.1.1', '192.168.1.1/24', '255.255.255.255/31', 'x']
        | extend ip_long = parse_ipv4(ip_string)";
    assert_eq!(
        column(q, "ip_long"),
        vec![
            Scalar::Long(3232235777),
            Scalar::Long(3232235776),
            Scalar::Long(4294967294),
            NULL_LONG
        ]
    );
    assert_eq!(
        val(r#"parse_ipv4_mask("127.0.0.1", 24)"#),
        Scalar::Long(2130706432)
    );
    assert_eq!(val(r#"parse_ipv4_mask("127.0.0.1", 40)"#), NULL_LONG);
}

#[test]
fn format_ipv4_docs_example() {
    let q = "datatable(address:string, mask:long)
        ['192.168.1.1', 24, '192.168.1.1', 32, '192.168.1.1/24', 32, '192.168.1.1/24', long(-1)]
        | extend result = format_ipv4(address, mask), result_mask = format_ipv4_mask(address, mask)";
    assert_eq!(
        column(q, "result"),
        strings(&["192.168.1.0", "192.168.1.1", "192.168.1.0", ""])
    );
    assert_eq!(
        column(q, "result_mask"),
        strings(&["192.168.1.0/24", "192.168.1.1/32", "192.168.1.0/24", ""])
    );
    assert_eq!(val("format_ipv4(3232236031)"), s("192.168.1.255"));
    assert_eq!(val("format_ipv4(3232236031, 24)"), s("192.168.1.0"));
}

#[test]
fn ipv6_is_match_docs_examples() {
    let q = "datatable(ip1_string:string, ip2_string:string)
        [
         '192.168.1.1',    '192.168.1.1',
         '192.168.1.1/24', '192.168.1.255',
         '192.168.1.1',    '192.168.1.255/24',
         '192.168.1.1/30', '192.168.1.255/24',
         'fe80::85d:e82c:9446:7994', 'fe80::85d:e82c:9446:7994',
         'fe80::85d:e82c:9446:7994/120', 'fe80::85d:e82c:9446:7998',
         'fe80::85d:e82c:9446:7994', 'fe80::85d:e82c:9446:7998/120',
         'fe80::85d:e82c:9446:7994/120', 'fe80::85d:e82c:9446:7998/120',
         '192.168.1.1',      '::ffff:c0a8:0101',
         '192.168.1.1/24',   '::ffff:c0a8:01ff',
         '::ffff:c0a8:0101', '192.168.1.255/24',
         '::192.168.1.1/30', '192.168.1.255/24'
        ]
        | extend result = ipv6_is_match(ip1_string, ip2_string)";
    assert_eq!(column(q, "result"), vec![Scalar::Bool(true); 12]);
    let q = "datatable(ip1_string:string, ip2_string:string, prefix:long)
        [
         '192.168.1.1',    '192.168.1.0',   31,
         '192.168.1.1/24', '192.168.1.255', 31,
         '192.168.1.1',    '192.168.1.255', 24,
         'fe80::85d:e82c:9446:7994', 'fe80::85d:e82c:9446:7995', 127,
         'fe80::85d:e82c:9446:7994/127', 'fe80::85d:e82c:9446:7998', 120,
         'fe80::85d:e82c:9446:7994/120', 'fe80::85d:e82c:9446:7998', 127,
         '192.168.1.1/24',   '::ffff:c0a8:01ff', 127,
         '::ffff:c0a8:0101', '192.168.1.255',    120,
         '::192.168.1.1/30', '192.168.1.255/24', 127
        ]
        | extend result = ipv6_is_match(ip1_string, ip2_string, prefix)";
    assert_eq!(column(q, "result"), vec![Scalar::Bool(true); 9]);
    assert_eq!(
        val("ipv6_is_match('fe80::1', 'fe80::2')"),
        Scalar::Bool(false)
    );
    assert_eq!(val("ipv6_compare('fe80::2', 'fe80::1')"), Scalar::Long(1));
    assert_eq!(val("ipv6_is_match('fe80::1', 'zz')"), NULL_BOOL);
}

#[test]
fn has_ipv4_docs_examples() {
    assert_eq!(
        val("has_ipv4('05:04:54 127.0.0.1 GET /favicon.ico 404', '127.0.0.1')"),
        Scalar::Bool(true)
    );
    assert_eq!(
        val("has_ipv4('05:04:54 127.0.0.256 GET /favicon.ico 404', '127.0.0.256')"),
        Scalar::Bool(false)
    );
    assert_eq!(
        val("has_ipv4('05:04:54127.0.0.1 GET /favicon.ico 404', '127.0.0.1')"),
        Scalar::Bool(false)
    );
    assert_eq!(
        val("has_ipv4('came from: 192.168.1.1, 10.1.1.115 and 10.1.1.201.', '10.1.1.201')"),
        Scalar::Bool(true)
    );
    assert_eq!(
        val("has_ipv4('10.1.1.2015', '10.1.1.201')"),
        Scalar::Bool(false)
    );
    assert_eq!(
        val("has_ipv4_prefix('05:04:54 127.0.0.1 GET /favicon.ico 404', '127.0.')"),
        Scalar::Bool(true)
    );
    assert_eq!(
        val("has_ipv4_prefix('05:04:54 127.0.0.1 GET /favicon.ico 404', '127.0')"),
        Scalar::Bool(false)
    );
    assert_eq!(
        val("has_ipv4_prefix('05:04:54 127.0.0.256 GET /favicon.ico 404', '127.0.')"),
        Scalar::Bool(false)
    );
    assert_eq!(
        val("has_ipv4_prefix('05:04:54127.0.0.1 GET /favicon.ico 404', '127.0.')"),
        Scalar::Bool(false)
    );
    assert_eq!(
        val("has_any_ipv4('05:04:54 127.0.0.1 GET /favicon.ico 404', '127.0.0.1', '127.0.0.2')"),
        Scalar::Bool(true)
    );
    assert_eq!(
        val(
            r#"has_any_ipv4('05:04:54 127.0.0.256 GET /favicon.ico 404', dynamic(["127.0.0.256", "192.168.1.1"]))"#
        ),
        Scalar::Bool(false)
    );
    assert_eq!(
        val("has_any_ipv4('05:04:54127.0.0.1 GET /favicon.ico 404', '127.0.0.1', '192.168.1.1')"),
        Scalar::Bool(false)
    );
    assert_eq!(
        val(
            r#"has_any_ipv4_prefix('05:04:54 127.0.0.1 GET /favicon.ico 404', dynamic(["127.0.", "192.168."]))"#
        ),
        Scalar::Bool(true)
    );
    assert_eq!(
        val("has_any_ipv4_prefix('05:04:54 127.0.0.1 GET /favicon.ico 404', '10.', '192.168.')"),
        Scalar::Bool(false)
    );
    let q = r#"datatable(line:string)["GET from 10.0.0.5 ok", "x10.0.0.5", ""] | extend h = has_ipv4(line, "10.0.0.5")"#;
    assert_eq!(
        column(q, "h"),
        vec![Scalar::Bool(true), Scalar::Bool(false), Scalar::Bool(false)]
    );
}

// ---------------------------------------------------------------------------
// robustness: no input panics

#[test]
fn datetime_functions_at_the_ends_of_the_range_never_panic() {
    // The oldest and newest instants a nanosecond datetime holds.
    let edges = [
        "datetime(1677-09-21 00:12:44)",
        "datetime(2262-04-11 23:47:16.8547758)",
    ];
    let functions = [
        "startofday({})",
        "startofweek({})",
        "startofmonth({})",
        "startofyear({})",
        "endofday({})",
        "endofweek({})",
        "endofmonth({}, 1)",
        "endofyear({})",
        "startofweek({}, -1)",
        "dayofweek({})",
        "week_of_year({})",
        "bin({}, 7d)",
        "bin({}, 1h)",
        "bin_at({}, 7d, datetime(2000-01-01))",
        "datetime_add('year', 1, {})",
        "datetime_add('day', -1, {})",
        "datetime_diff('week', {}, datetime(2000-01-01))",
        "datetime_diff('nanosecond', {}, datetime(2000-01-01))",
        "datetime_part('week_of_year', {})",
        "format_datetime({}, 'yyyy-MM-dd dddd MMMM tt')",
        "tolong({})",
        "hash({})",
        "{} - ago(1d)",
    ];
    for edge in edges {
        for f in functions {
            let q = format!("print x = {}", f.replace("{}", edge));
            let outcome = std::panic::catch_unwind(|| try_run(&q));
            assert!(outcome.is_ok(), "panicked: {q}");
        }
    }
}

mod no_panics {
    use super::*;
    use proptest::prelude::*;

    /// A KQL string literal of any text without control characters.
    fn literal(text: &str) -> String {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn string_functions_never_panic(text in "[^\\p{Cc}]{0,12}", needle in "[^\\p{Cc}]{0,3}", a in -20i64..20, b in -20i64..20) {
            let (t, n) = (literal(&text), literal(&needle));
            let exprs = [
                format!("substring({t}, {a}, {b})"),
                format!("substring({t}, {a})"),
                format!("indexof({t}, {n}, {a}, {b})"),
                format!("indexof({t}, {n}, {a}, {b}, {a})"),
                format!("countof({t}, {n})"),
                format!("split({t}, {n}, {a})"),
                format!("strrep({t}, {a}, {n})"),
                format!("replace_string({t}, {n}, {t})"),
                format!("parse_path({t})"),
                format!("parse_url({t})"),
                format!("url_decode({t})"),
                format!("base64_decode_tostring({t})"),
                format!("parse_json({t})"),
                format!("format_datetime(now(), {t})"),
                format!("format_timespan(1d, {t})"),
                format!("todatetime({t})"),
                format!("totimespan({t})"),
                format!("toint({t})"),
                format!("toguid({t})"),
                format!("ipv4_is_private({t})"),
                format!("ipv6_is_match({t}, {n})"),
                format!("parse_ipv4({t})"),
                format!("array_slice(split({t}, {n}), {a}, {b})"),
                format!("array_index_of(split({t}, {n}), {n}, {a}, {b}, {a})"),
                format!("bag_has_key(parse_json({t}), {t})"),
                format!("datetime_add('month', {a}, now())"),
                format!("round(1.5, {a})"),
                format!("bin({a}, {b})"),
                format!("startofmonth(now(), {a}{b})"),
            ];
            for e in exprs {
                let q = format!("print x = {e}");
                let outcome = std::panic::catch_unwind(|| try_run(&q));
                prop_assert!(outcome.is_ok(), "panicked: {}", q);
            }
        }

        #[test]
        fn regex_functions_never_panic(pattern in "[a-c().*+?\\[\\]|\\\\]{0,6}", text in "[a-c]{0,8}") {
            let (p, t) = (literal(&pattern), literal(&text));
            for e in [
                format!("extract({p}, 0, {t})"),
                format!("extract_all({p}, {t})"),
                format!("replace_regex({t}, {p}, 'x')"),
                format!("trim({p}, {t})"),
                format!("countof({t}, {p}, 'regex')"),
            ] {
                let q = format!("print x = {e}");
                let outcome = std::panic::catch_unwind(|| try_run(&q));
                prop_assert!(outcome.is_ok(), "panicked: {}", q);
            }
        }
    }
}

// ------------------------------------------------ dynamic_to_json, range, ...

/// Docs: bag keys are sorted by name at every depth, so two bags with the
/// same slots give the same text.
#[test]
fn dynamic_to_json_docs_example() {
    let q = r#"let bag1 = dynamic_to_json(dynamic({'Y10':dynamic({}), 'X8': dynamic({'c3':1, 'd8':5, 'a4':6}), 'D1':114, 'A1':12, 'B1':2, 'C1':3, 'A14':[15, 13, 18]}));
        let bag2 = dynamic_to_json(dynamic({'X8': dynamic({'a4':6, 'c3':1, 'd8':5}), 'A14':[15, 13, 18], 'C1':3, 'B1':2, 'Y10': dynamic({}), 'A1':12, 'D1':114}));
        print AreEqual = bag1 == bag2, Result = bag1"#;
    assert_eq!(column(q, "AreEqual"), vec![Scalar::Bool(true)]);
    assert_eq!(
        column(q, "Result"),
        vec![s(
            r#"{"A1":12,"A14":[15,13,18],"B1":2,"C1":3,"D1":114,"X8":{"a4":6,"c3":1,"d8":5},"Y10":{}}"#
        )]
    );
    assert_eq!(column_kind(q, "Result"), KqlType::String);
    // Not dynamic: tostring().
    assert_eq!(val("dynamic_to_json(12)"), s("12"));
    assert_eq!(val("dynamic_to_json(dynamic([1,'a']))"), s(r#"[1,"a"]"#));
}

/// Docs examples of range(): numbers, default step, timespans, datetimes.
#[test]
fn range_function_docs_examples() {
    assert_eq!(val("range(1, 8, 3)"), dynamic(json!([1, 4, 7])));
    assert_eq!(val("range(1, 3)"), dynamic(json!([1, 2, 3])));
    assert_eq!(
        val("range(1h, 5h)"),
        dynamic(json!([
            "01:00:00", "02:00:00", "03:00:00", "04:00:00", "05:00:00"
        ]))
    );
    assert_eq!(
        val("range(datetime(2007-01-01), datetime(2007-01-03), 1d)"),
        dynamic(json!([
            "2007-01-01T00:00:00.0000000Z",
            "2007-01-02T00:00:00.0000000Z",
            "2007-01-03T00:00:00.0000000Z"
        ]))
    );
    assert_eq!(val("range(5, 1, -2)"), dynamic(json!([5, 3, 1])));
    assert_eq!(val("range(1.5, 3)"), dynamic(json!([1.5, 2.5])));
    assert_eq!(val("range(1, 3, 0)"), Scalar::Null(KqlType::Dynamic));
    // Docs: at most 2^20 values.
    assert_eq!(
        column(
            "print r = range(1, 1000000000) | mv-expand r | count",
            "Count"
        ),
        longs(&[1_048_576])
    );
}

/// Docs examples of translate().
#[test]
fn translate_docs_examples() {
    assert_eq!(val(r#"translate("abc", "x", "abc")"#), s("xxx"));
    assert_eq!(val(r#"translate("abc", "", "ab")"#), s(""));
    assert_eq!(val(r#"translate("krasp", "otsku", "spark")"#), s("kusto"));
    assert_eq!(
        column(
            r#"datatable(t:string) ["a-b", "c"] | project x = translate("-", "_", t)"#,
            "x"
        ),
        strings(&["a_b", "c"])
    );
}

/// Docs: regex_quote escapes regex metacharacters.
#[test]
fn regex_quote_docs_example() {
    assert_eq!(
        val(r#"regex_quote("(so$me.Te^xt)")"#),
        s(r"\(so\$me\.Te\^xt\)")
    );
    assert_eq!(
        val(r#""a.b" matches regex regex_quote("a.b")"#),
        Scalar::Bool(true)
    );
    assert_eq!(
        val(r#""axb" matches regex regex_quote("a.b")"#),
        Scalar::Bool(false)
    );
}

/// Docs example of parse_ipv6: IPv4 becomes its mapped form, the prefix is
/// applied; text that is not an address gives "".
#[test]
fn parse_ipv6_docs_example() {
    let q = "datatable(ipv4: string)['192.168.255.255', '192.168.255.255/24', '255.255.255.255'] \
             | extend ipv6 = parse_ipv6(ipv4)";
    assert_eq!(
        column(q, "ipv6"),
        strings(&[
            "0000:0000:0000:0000:0000:ffff:c0a8:ffff",
            "0000:0000:0000:0000:0000:ffff:c0a8:ff00",
            "0000:0000:0000:0000:0000:ffff:ffff:ffff",
        ])
    );
    assert_eq!(
        val(r#"parse_ipv6("fe80::85d:e82c:9446:7994/120")"#),
        s("fe80:0000:0000:0000:085d:e82c:9446:7900")
    );
    assert_eq!(val(r#"parse_ipv6("not an address")"#), s(""));
}

/// Docs examples of bag_remove_keys, including a JSONPath key.
#[test]
fn bag_remove_keys_docs_examples() {
    let q = "datatable(input:dynamic) [dynamic({'key1' : 123, 'key2': 'abc'}), dynamic({'key1' : 'value', 'key3': 42.0})] \
             | extend result = bag_remove_keys(input, dynamic(['key2', 'key4']))";
    assert_eq!(
        column(q, "result"),
        vec![
            dynamic(json!({"key1": 123})),
            dynamic(json!({"key1": "value", "key3": 42.0}))
        ]
    );
    assert_eq!(
        val(
            "bag_remove_keys(dynamic({'key1': 123, 'key2': {'prop1' : 'abc', 'prop2': 'xyz'}, 'key3': [100, 200]}), dynamic(['$.key2.prop1', 'key3']))"
        ),
        dynamic(json!({"key1": 123, "key2": {"prop2": "xyz"}}))
    );
    assert_eq!(
        val("bag_remove_keys(dynamic([1]), dynamic(['a']))"),
        Scalar::Null(KqlType::Dynamic)
    );
}

/// take_anyif: a value from a row where the predicate holds; null when none.
#[test]
fn take_anyif_picks_from_matching_rows() {
    let q = "range x from 1 to 10 step 1 | extend s = tostring(x) \
             | summarize take_anyif(s, x > 8), t = take_anyif(x, x > 20), u = take_anyif(x, x == 4) by b = x % 2 \
             | order by b asc";
    assert_eq!(column(q, "s"), strings(&["10", "9"]));
    assert_eq!(
        column(q, "t"),
        vec![Scalar::Null(KqlType::Long), Scalar::Null(KqlType::Long)]
    );
    assert_eq!(
        column(q, "u"),
        vec![Scalar::Long(4), Scalar::Null(KqlType::Long)]
    );
}

/// `typeof(T)` is the type's name, which `extract` takes.
#[test]
fn typeof_is_a_type_name() {
    assert_eq!(
        val(r#"extract(@"-(\d{2})-", 1, "15-12-2024", typeof(int))"#),
        Scalar::Int(12)
    );
    assert_eq!(val("typeof(string)"), s("string"));
    assert!(quarry::kql::check::check("print typeof(long)", &[]).is_ok());
    assert_eq!(err("print typeof(nosuchtype)").kind, ErrorKind::Type);
}

/// ISO dates with one-digit months and days, and the docs' MM-dd-yyyy.
#[test]
fn datetime_one_digit_parts_and_month_day_year() {
    assert_eq!(val("datetime(1970-5-12)"), dt("1970-05-12T00:00:00Z"));
    assert_eq!(
        val("todatetime('2024-1-2 03:04:05')"),
        dt("2024-01-02T03:04:05Z")
    );
    assert_eq!(val("todatetime('12-02-2022')"), dt("2022-12-02T00:00:00Z"));
    assert_eq!(
        val("todatetime('2024-13-2')"),
        Scalar::Null(KqlType::Datetime)
    );
}

/// `int(2)` is an int, `long(2)` a long.
#[test]
fn int_literal_is_int() {
    assert_eq!(val("int(2)"), Scalar::Int(2));
    assert_eq!(val("int(-3)"), Scalar::Int(-3));
    assert_eq!(val("long(2)"), Scalar::Long(2));
    assert_eq!(column_kind("print x = int(2)", "x"), KqlType::Int);
}

/// `extract_json` / `extractjson`: a JSONPath into JSON text, as text unless
/// a type is given; nothing there is "" (or null for a typed result).
#[test]
fn extract_json_follows_a_path() {
    let doc = r#"'{"user":{"name":"alice","roles":["admin","dev"],"logons":3}}'"#;
    assert_eq!(
        val(&format!("extract_json('$.user.name', {doc})")),
        s("alice")
    );
    assert_eq!(
        val(&format!("extractjson(\"$['user']['roles'][1]\", {doc})")),
        s("dev")
    );
    assert_eq!(
        val(&format!(
            "extract_json('$.user.logons', {doc}, typeof(long))"
        )),
        Scalar::Long(3)
    );
    assert_eq!(
        val(&format!("extract_json('$.user.roles', {doc})")),
        s(r#"["admin","dev"]"#)
    );
    assert_eq!(
        val(&format!("extract_json('$.user.missing', {doc})")),
        s("")
    );
    assert_eq!(
        val(&format!(
            "extract_json('$.user.missing', {doc}, typeof(int))"
        )),
        Scalar::Null(KqlType::Int)
    );
    assert_eq!(val("extract_json('$.a', 'not json')"), s(""));
    let e = err("print extract_json('user.name', '{}')");
    assert_eq!(
        e.message,
        "'user.name' is not a JSON path such as $.a.b or $['a'][0]"
    );
}

/// The documentation's example of `bag_pack_columns`.
#[test]
fn bag_pack_columns_packs_under_column_names() {
    let q = r#"datatable(Id: string, Value: string, Other: long) ["A", "val_a", 1, "B", "val_b", 2]
        | extend Packed = bag_pack_columns(Id, Value)"#;
    let packed: Vec<String> = column(q, "Packed")
        .iter()
        .map(|v| v.to_text().into_owned())
        .collect();
    assert_eq!(
        packed,
        [
            r#"{"Id":"A","Value":"val_a"}"#,
            r#"{"Id":"B","Value":"val_b"}"#
        ]
    );
    let e = err("print bag_pack_columns(1)");
    assert_eq!(
        e.message,
        "bag_pack_columns() packs columns by name; argument 1 is not a column"
    );
}

/// `pack_all()`: the row as a bag; `pack_all(true)` leaves out nulls and
/// empty strings.
#[test]
fn pack_all_packs_the_row() {
    let q = r#"datatable(Id: string, N: long, Note: string) ["A", 1, "", "B", long(null), "x"]
        | project All = pack_all(), Some = pack_all(true)"#;
    let text = |c: &str| -> Vec<String> {
        column(q, c)
            .iter()
            .map(|v| v.to_text().into_owned())
            .collect()
    };
    assert_eq!(
        text("All"),
        [
            r#"{"Id":"A","N":1,"Note":""}"#,
            r#"{"Id":"B","N":null,"Note":"x"}"#
        ]
    );
    assert_eq!(
        text("Some"),
        [r#"{"Id":"A","N":1}"#, r#"{"Id":"B","Note":"x"}"#]
    );
}

/// `parse_xml`: the documentation's conversion table, row by row, its
/// example document, and null for what is not XML.
#[test]
fn parse_xml_converts_as_documented() {
    let xml = |x: &str| -> String { val(&format!("parse_xml('{x}')")).to_text().into_owned() };
    assert_eq!(xml("<e/>"), r#"{"e":null}"#);
    assert_eq!(xml("<e>text</e>"), r#"{"e":"text"}"#);
    assert_eq!(xml(r#"<e name="value" />"#), r#"{"e":{"@name":"value"}}"#);
    assert_eq!(
        xml(r#"<e name="value">text</e>"#),
        r##"{"e":{"@name":"value","#text":"text"}}"##
    );
    assert_eq!(
        xml("<e> <a>text</a> <b>text</b> </e>"),
        r#"{"e":{"a":"text","b":"text"}}"#
    );
    assert_eq!(
        xml("<e> <a>text</a> <a>text</a> </e>"),
        r#"{"e":{"a":["text","text"]}}"#
    );
    assert_eq!(
        xml("<e> text <a>text</a> </e>"),
        r##"{"e":{"#text":"text","a":"text"}}"##
    );
    assert_eq!(
        xml(
            r#"<?xml version="1.0" encoding="UTF-8"?><duration><value>118.0</value><count>5.0</count><min>100.0</min></duration>"#
        ),
        r#"{"duration":{"value":"118.0","count":"5.0","min":"100.0"}}"#
    );
    // Entities, character references and CDATA are text; three of a kind
    // stay one array.
    assert_eq!(
        xml("<e><a>1 &lt; 2 &amp;&#x41;</a><a><![CDATA[<x>]]></a><a/></e>"),
        r#"{"e":{"a":["1 < 2 &A","<x>",null]}}"#
    );
    assert_eq!(
        val("parse_xml('<e><a>1</e>')"),
        Scalar::Null(KqlType::Dynamic)
    );
    assert_eq!(val("parse_xml('not xml')"), Scalar::Null(KqlType::Dynamic));
    assert_eq!(val("parse_xml('<a/><b/>')"), Scalar::Null(KqlType::Dynamic));
}
