//! Scalar expressions, with Kusto's precedence:
//! `or` < `and` < comparisons and string/list operators < `+ -` < `* / %`
//! < unary minus < postfix (`.prop`, `[i]`).

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::literals::raw_literal;
use super::{PResult, Parser};

/// Binding strength of binary operators; higher binds tighter.
const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_CMP: u8 = 3;
const PREC_ADD: u8 = 4;
const PREC_MUL: u8 = 5;

/// A binary operator found at the cursor.
#[derive(Clone, Copy)]
pub(super) enum BinOp {
    Plain(BinaryOp),
    Str(StringOp),
    List(ListOp),
    Between { negated: bool },
}

fn string_op(word: &str) -> Option<StringOp> {
    let (kind, case_sensitive) = match word {
        "has" => (StringOpKind::Has, false),
        "has_cs" => (StringOpKind::Has, true),
        "hasprefix" => (StringOpKind::HasPrefix, false),
        "hasprefix_cs" => (StringOpKind::HasPrefix, true),
        "hassuffix" => (StringOpKind::HasSuffix, false),
        "hassuffix_cs" => (StringOpKind::HasSuffix, true),
        "contains" => (StringOpKind::Contains, false),
        "contains_cs" | "containscs" => (StringOpKind::Contains, true),
        "startswith" => (StringOpKind::StartsWith, false),
        "startswith_cs" => (StringOpKind::StartsWith, true),
        "endswith" => (StringOpKind::EndsWith, false),
        "endswith_cs" => (StringOpKind::EndsWith, true),
        _ => return None,
    };
    Some(StringOp {
        kind,
        negated: false,
        case_sensitive,
    })
}

impl Parser<'_> {
    /// Any scalar expression.
    pub(super) fn parse_expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let expr = self.parse_binary(PREC_OR);
        self.leave();
        expr
    }

    /// The binary operator at the cursor: its precedence, what it is and
    /// how many tokens it takes.
    fn peek_binop(&self) -> Option<(u8, BinOp, usize)> {
        use TokenKind as T;
        let plain = |op| Some((PREC_CMP, BinOp::Plain(op), 1));
        match self.kind() {
            T::EqEq => plain(BinaryOp::Eq),
            T::NotEq => plain(BinaryOp::NotEq),
            T::Lt => plain(BinaryOp::Lt),
            T::LtEq => plain(BinaryOp::LtEq),
            T::Gt => plain(BinaryOp::Gt),
            T::GtEq => plain(BinaryOp::GtEq),
            T::EqTilde => plain(BinaryOp::EqTilde),
            T::BangTilde => plain(BinaryOp::NotEqTilde),
            T::Plus => Some((PREC_ADD, BinOp::Plain(BinaryOp::Add), 1)),
            T::Minus => Some((PREC_ADD, BinOp::Plain(BinaryOp::Sub), 1)),
            T::Star => Some((PREC_MUL, BinOp::Plain(BinaryOp::Mul), 1)),
            T::Slash => Some((PREC_MUL, BinOp::Plain(BinaryOp::Div), 1)),
            T::Percent => Some((PREC_MUL, BinOp::Plain(BinaryOp::Mod), 1)),
            T::Ident(word) => self.word_binop(word, false, 0),
            T::Bang => match self.ident_at(1) {
                Some(word) if self.glued(1) => self.word_binop(word, true, 1),
                _ => None,
            },
            _ => None,
        }
    }

    /// A word operator (`has`, `in~`, `matches regex`, `between`), maybe
    /// negated by a `!` just before it; `at` is the word's offset.
    pub(super) fn word_binop(
        &self,
        word: &str,
        negated: bool,
        at: usize,
    ) -> Option<(u8, BinOp, usize)> {
        let cmp = |op, len| Some((PREC_CMP, op, at + len));
        let tilde = matches!(self.kind_at(at + 1), TokenKind::Tilde) && self.glued(at + 1);
        match (word, negated) {
            ("or", false) => Some((PREC_OR, BinOp::Plain(BinaryOp::Or), 1)),
            ("and", false) => Some((PREC_AND, BinOp::Plain(BinaryOp::And), 1)),
            ("in", false) if tilde => cmp(BinOp::List(ListOp::InCi), 2),
            ("in", true) if tilde => cmp(BinOp::List(ListOp::NotInCi), 2),
            ("in", false) => cmp(BinOp::List(ListOp::In), 1),
            ("in", true) | ("notin", false) => cmp(BinOp::List(ListOp::NotIn), 1),
            ("has_any", false) => cmp(BinOp::List(ListOp::HasAny), 1),
            ("has_all", false) => cmp(BinOp::List(ListOp::HasAll), 1),
            ("between", _) => cmp(BinOp::Between { negated }, 1),
            ("notbetween", false) => cmp(BinOp::Between { negated: true }, 1),
            ("matches", _) if self.ident_at(at + 1) == Some("regex") => {
                let op = StringOp {
                    kind: StringOpKind::MatchesRegex,
                    negated,
                    case_sensitive: true,
                };
                cmp(BinOp::Str(op), 2)
            }
            ("notcontains", false) => cmp(
                BinOp::Str(StringOp {
                    kind: StringOpKind::Contains,
                    negated: true,
                    case_sensitive: false,
                }),
                1,
            ),
            ("notcontainscs", false) => cmp(
                BinOp::Str(StringOp {
                    kind: StringOpKind::Contains,
                    negated: true,
                    case_sensitive: true,
                }),
                1,
            ),
            _ => {
                let op = string_op(word)?;
                cmp(BinOp::Str(StringOp { negated, ..op }), 1)
            }
        }
    }

    /// Precedence climbing: operands bind tighter than `min`.
    ///
    /// The functions on the recursive path (this one, `parse_unary`,
    /// `parse_postfix`, `parse_primary`, `parse_paren`) keep their frames
    /// small and leave node building to out-of-line helpers: unoptimised
    /// builds give every temporary its own stack slot, and nesting depth
    /// multiplies it.
    fn parse_binary(&mut self, min: u8) -> PResult<Expr> {
        let mut left = self.parse_unary()?;
        let outer = self.depth;
        while let Some((prec, op, len)) = self.peek_binop() {
            if prec < min {
                break;
            }
            // Each operator in a chain makes the tree one level deeper.
            self.enter()?;
            self.pos += len;
            left = match op {
                BinOp::Plain(_) | BinOp::Str(_) => {
                    let right = self.parse_binary(prec + 1)?;
                    binary_node(op, left, right)
                }
                BinOp::List(op) => self.finish_list(op, left)?,
                BinOp::Between { negated } => self.finish_between(negated, left)?,
            };
        }
        self.depth = outer;
        Ok(left)
    }

    #[inline(never)]
    fn finish_list(&mut self, op: ListOp, left: Expr) -> PResult<Expr> {
        let items = self.parse_list_operand()?;
        let span = left.span.to(self.prev_span());
        Ok(Expr {
            kind: ExprKind::List {
                op,
                left: Box::new(left),
                items,
            },
            span,
        })
    }

    #[inline(never)]
    fn finish_between(&mut self, negated: bool, left: Expr) -> PResult<Expr> {
        let open = self.expect(TokenKind::LParen, "'(' after 'between'")?;
        let low = self.parse_binary(PREC_ADD)?;
        self.expect(TokenKind::DotDot, "'..' between the two bounds")?;
        let high = self.parse_binary(PREC_ADD)?;
        let close = self.expect_close(TokenKind::RParen, open)?;
        let span = left.span.to(close);
        let (value, low, high) = (Box::new(left), Box::new(low), Box::new(high));
        Ok(Expr {
            kind: ExprKind::Between {
                negated,
                value,
                low,
                high,
            },
            span,
        })
    }

    /// The right side of `in`, `has_any`, ...: `(a, b)`, `(T | project c)`,
    /// or one expression (`dynamic([...])`, a `let` name).
    fn parse_list_operand(&mut self) -> PResult<Vec<Expr>> {
        if !self.at(&TokenKind::LParen) {
            return Ok(vec![self.parse_binary(PREC_ADD)?]);
        }
        let open = self.bump().span;
        self.finish_items(open, TokenKind::RParen, Self::parse_expr_or_tabular)
    }

    pub(super) fn parse_unary(&mut self) -> PResult<Expr> {
        if matches!(self.kind(), TokenKind::Minus | TokenKind::Plus) {
            self.parse_signed()
        } else {
            self.parse_postfix()
        }
    }

    #[inline(never)]
    fn parse_signed(&mut self) -> PResult<Expr> {
        let sign = self.bump();
        self.enter()?;
        let operand = self.parse_unary();
        self.leave();
        Ok(signed_node(
            matches!(sign.kind, TokenKind::Minus),
            sign.span,
            operand?,
        ))
    }

    /// `x.prop`, `x.['prop']`, `x["prop"]`, `x[0]`
    fn parse_postfix(&mut self) -> PResult<Expr> {
        let mut expr = self.parse_primary()?;
        let outer = self.depth;
        while matches!(self.kind(), TokenKind::Dot | TokenKind::LBracket) {
            self.enter()?;
            expr = self.parse_postfix_step(expr)?;
        }
        self.depth = outer;
        Ok(expr)
    }

    #[inline(never)]
    fn parse_postfix_step(&mut self, target: Expr) -> PResult<Expr> {
        let member = matches!(self.kind(), TokenKind::Dot)
            && (!matches!(self.kind_at(1), TokenKind::LBracket) || self.quoted_at(1));
        if member {
            self.bump();
            let name = self.parse_name("a property name")?;
            let span = target.span.to(name.span);
            return Ok(Expr {
                kind: ExprKind::Member {
                    target: Box::new(target),
                    name,
                },
                span,
            });
        }
        self.eat(&TokenKind::Dot);
        let open = self.bump().span;
        let index = self.parse_expr()?;
        let close = self.expect_close(TokenKind::RBracket, open)?;
        let span = target.span.to(close);
        Ok(Expr {
            kind: ExprKind::Index {
                target: Box::new(target),
                index: Box::new(index),
            },
            span,
        })
    }

    /// A quoted name `['x']` at `offset`.
    fn quoted_at(&self, offset: usize) -> bool {
        self.name_len_at(offset) == Some(3)
    }

    fn parse_primary(&mut self) -> PResult<Expr> {
        match self.kind() {
            TokenKind::LParen => self.parse_paren(),
            TokenKind::Ident(_) => self.parse_word(),
            _ => self.parse_atom(),
        }
    }

    /// A primary that does not nest: a literal, `*`, a quoted name.
    #[inline(never)]
    fn parse_atom(&mut self) -> PResult<Expr> {
        let tok = self.peek().clone();
        let lit = |l| {
            Ok(Expr {
                kind: ExprKind::Literal(l),
                span: tok.span,
            })
        };
        match &tok.kind {
            TokenKind::Long(v) => {
                self.bump();
                lit(Literal::Long(*v))
            }
            TokenKind::Real(v) => {
                self.bump();
                lit(Literal::Real(*v))
            }
            TokenKind::Timespan(v) => {
                self.bump();
                lit(Literal::Timespan(*v))
            }
            TokenKind::Str(_) => {
                let (text, span) = self.parse_string_literal();
                Ok(Expr {
                    kind: ExprKind::Literal(Literal::String(text)),
                    span,
                })
            }
            TokenKind::Raw { keyword, text } => {
                self.bump();
                let literal =
                    raw_literal(keyword, text).map_err(|msg| QueryError::syntax(msg, tok.span))?;
                lit(literal)
            }
            TokenKind::Star => {
                self.bump();
                if self.search_mode
                    && self.glued(0)
                    && matches!(self.kind(), TokenKind::Ident(_) | TokenKind::Long(_))
                {
                    return Ok(self.finish_bare_term(tok.span, None));
                }
                Ok(Expr {
                    kind: ExprKind::Star,
                    span: tok.span,
                })
            }
            TokenKind::LBracket if self.at_quoted_name() => {
                let name = self.parse_name("a name")?;
                if self.search_mode && self.at(&TokenKind::Colon) {
                    return self.parse_scoped_term(name);
                }
                Ok(Expr {
                    kind: ExprKind::Name(name.name),
                    span: name.span,
                })
            }
            _ => Err(self.expected_after("an expression")),
        }
    }

    /// `bin_auto(x)`: `bin_at(x, size, at)` with the query's
    /// `set query_bin_auto_size` and `query_bin_auto_at` (bin-auto-function.md),
    /// `bin(x, size)` without a fixed point.
    fn bin_auto(&mut self, name: Ident, mut args: Vec<Expr>) -> PResult<Expr> {
        let end = self.prev_span();
        let call = name.span.to(end);
        if args.len() != 1 {
            return Err(QueryError::syntax(
                format!("bin_auto() takes 1 argument, {} given", args.len()),
                call,
            ));
        }
        let Some(size) = self.bin_auto.size.clone() else {
            return Err(QueryError::syntax(
                "bin_auto() needs the bin size: 'set query_bin_auto_size = 1h;' before the query",
                call,
            ));
        };
        args.push(size);
        let target = match self.bin_auto.at.clone() {
            Some(at) => {
                args.push(at);
                "bin_at"
            }
            None => "bin",
        };
        let name = Ident {
            name: target.to_string(),
            span: name.span,
        };
        Ok(call_node(name, args, end))
    }

    /// A primary that starts with a word: a literal, a call or a name.
    fn parse_word(&mut self) -> PResult<Expr> {
        if let Some(expr) = self.parse_word_literal()? {
            return Ok(expr);
        }
        let name = self.parse_name("a name")?;
        if self.at(&TokenKind::LParen) {
            let args = self.parse_call_args()?;
            if name.name == "bin_auto" {
                return self.bin_auto(name, args);
            }
            return Ok(call_node(name, args, self.prev_span()));
        }
        if self.search_mode && self.at(&TokenKind::Colon) {
            return self.parse_scoped_term(name);
        }
        Ok(Expr {
            kind: ExprKind::Name(name.name),
            span: name.span,
        })
    }

    /// `(expr)`, `(a, b)` or `(T | ...)`.
    fn parse_paren(&mut self) -> PResult<Expr> {
        let open = self.bump().span;
        if self.at_tabular_start(0) {
            return self.finish_tabular(Some(open));
        }
        let first = self.parse_expr()?;
        if self.at(&TokenKind::Comma) {
            return self.finish_tuple(open, first);
        }
        self.expect_close(TokenKind::RParen, open)?;
        Ok(first)
    }

    /// A pipeline as an expression; inside parentheses opened at `open`.
    #[inline(never)]
    fn finish_tabular(&mut self, open: Option<Span>) -> PResult<Expr> {
        let pipeline = self.parse_pipeline()?;
        let mut span = pipeline.span;
        if let Some(open) = open {
            span = open.to(self.expect_close(TokenKind::RParen, open)?);
        }
        Ok(Expr {
            kind: ExprKind::Tabular(Box::new(pipeline)),
            span,
        })
    }

    #[inline(never)]
    fn finish_tuple(&mut self, open: Span, first: Expr) -> PResult<Expr> {
        let mut items = vec![first];
        while self.eat(&TokenKind::Comma) {
            if self.at(&TokenKind::RParen) {
                break;
            }
            items.push(self.parse_expr()?);
        }
        let close = self.expect_close(TokenKind::RParen, open)?;
        Ok(Expr {
            kind: ExprKind::Tuple(items),
            span: open.to(close),
        })
    }

    /// `(a, *, Name = b, T | count)` after a function name.
    pub(super) fn parse_call_args(&mut self) -> PResult<Vec<Expr>> {
        let open = self.expect(TokenKind::LParen, "'('")?;
        self.finish_items(open, TokenKind::RParen, Self::parse_arg)
    }

    /// The comma-separated items of a list opened at `open`, and the
    /// `close` bracket that ends it; a trailing comma is allowed.
    pub(super) fn finish_items<T>(
        &mut self,
        open: Span,
        close: TokenKind,
        item: fn(&mut Self) -> PResult<T>,
    ) -> PResult<Vec<T>> {
        let mut items = Vec::new();
        while !self.at(&close) {
            items.push(item(self)?);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect_close(close, open)?;
        Ok(items)
    }

    fn parse_arg(&mut self) -> PResult<Expr> {
        let star_alone = matches!(self.kind(), TokenKind::Star)
            && matches!(self.kind_at(1), TokenKind::Comma | TokenKind::RParen);
        if star_alone {
            return Ok(Expr {
                kind: ExprKind::Star,
                span: self.bump().span,
            });
        }
        if self
            .name_len_at(0)
            .is_some_and(|n| matches!(self.kind_at(n), TokenKind::Assign))
        {
            return self.parse_named_arg();
        }
        self.parse_expr_or_tabular()
    }

    #[inline(never)]
    fn parse_named_arg(&mut self) -> PResult<Expr> {
        let name = self.parse_name("a name")?;
        self.bump();
        let value = self.parse_expr_or_tabular()?;
        let span = name.span.to(value.span);
        Ok(Expr {
            kind: ExprKind::NamedArg {
                name,
                value: Box::new(value),
            },
            span,
        })
    }

    /// An argument or list item, which may be a tabular expression:
    /// `toscalar(T | count)`, `x in (T | project c)`.
    pub(super) fn parse_expr_or_tabular(&mut self) -> PResult<Expr> {
        if self.at_tabular_start(0) {
            return self.finish_tabular(None);
        }
        self.parse_expr()
    }
}

#[inline(never)]
fn binary_node(op: BinOp, left: Expr, right: Expr) -> Expr {
    let span = left.span.to(right.span);
    let (left, right) = (Box::new(left), Box::new(right));
    let kind = match op {
        BinOp::Str(op) => ExprKind::StringOp { op, left, right },
        BinOp::Plain(op) => ExprKind::Binary { op, left, right },
        // Lists and `between` have their own builders.
        BinOp::List(_) | BinOp::Between { .. } => unreachable!("not a two-operand operator"),
    };
    Expr { kind, span }
}

#[inline(never)]
fn call_node(name: Ident, args: Vec<Expr>, end: Span) -> Expr {
    let span = name.span.to(end);
    Expr {
        kind: ExprKind::Call { name, args },
        span,
    }
}

/// `-x` or `+x`; negative number literals are folded so `ago(-1d)` and
/// `x[-1]` read as what they are.
#[inline(never)]
fn signed_node(negate: bool, sign: Span, operand: Expr) -> Expr {
    let span = sign.to(operand.span);
    if !negate {
        return Expr {
            kind: operand.kind,
            span,
        };
    }
    let folded = match &operand.kind {
        ExprKind::Literal(Literal::Long(v)) => v.checked_neg().map(Literal::Long),
        ExprKind::Literal(Literal::Int(v)) => v.checked_neg().map(Literal::Int),
        ExprKind::Literal(Literal::Real(v)) => Some(Literal::Real(-v)),
        ExprKind::Literal(Literal::Decimal(v)) => Some(Literal::Decimal(-*v)),
        ExprKind::Literal(Literal::Timespan(v)) => v.checked_neg().map(Literal::Timespan),
        _ => None,
    };
    match folded {
        Some(lit) => Expr {
            kind: ExprKind::Literal(lit),
            span,
        },
        None => Expr {
            kind: ExprKind::Negate(Box::new(operand)),
            span,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::printed::e;

    #[test]
    fn precedence() {
        assert_eq!(e("a or b and c"), "(or a (and b c))");
        assert_eq!(e("a and b or c"), "(or (and a b) c)");
        assert_eq!(e("a == 1 and b != 2"), "(and (== a 1) (!= b 2))");
        assert_eq!(e("a + b * c"), "(+ a (* b c))");
        assert_eq!(e("a * b - c / d % e"), "(- (* a b) (% (/ c d) e))");
        assert_eq!(e("(a + b) * c"), "(* (+ a b) c)");
        assert_eq!(e("a - b - c"), "(- (- a b) c)");
        assert_eq!(e("a + 1 > b * 2"), "(> (+ a 1) (* b 2))");
        assert_eq!(
            e("x has \"a\" or y contains \"b\" and z"),
            "(or (has x \"a\") (and (contains y \"b\") z))"
        );
        assert_eq!(e("-a.b"), "(neg a.b)");
        assert_eq!(e("- -1"), "1");
        assert_eq!(e("+a"), "a");
        assert_eq!(e("a <> b"), "(!= a b)");
        assert_eq!(
            e("a =~ \"X\" or a !~ \"y\""),
            "(or (=~ a \"X\") (!~ a \"y\"))"
        );
        assert_eq!(
            e("a < 1 or a <= 2 or a > 3 or a >= 4"),
            "(or (or (or (< a 1) (<= a 2)) (> a 3)) (>= a 4))"
        );
    }

    #[test]
    fn string_operators() {
        for op in [
            "has",
            "hasprefix",
            "hassuffix",
            "contains",
            "startswith",
            "endswith",
        ] {
            assert_eq!(e(&format!("a {op} \"x\"")), format!("({op} a \"x\")"));
            assert_eq!(e(&format!("a !{op} \"x\"")), format!("(!{op} a \"x\")"));
            assert_eq!(e(&format!("a {op}_cs \"x\"")), format!("({op}_cs a \"x\")"));
            assert_eq!(
                e(&format!("a !{op}_cs \"x\"")),
                format!("(!{op}_cs a \"x\")")
            );
        }
        assert_eq!(
            e("a matches regex @\"\\d+\""),
            "(matches_regex a \"\\\\d+\")"
        );
        assert_eq!(e("a notcontains \"x\""), "(!contains a \"x\")");
        assert_eq!(e("a containscs \"x\""), "(contains_cs a \"x\")");
    }

    #[test]
    fn list_operators() {
        assert_eq!(e("a in (\"x\", \"y\")"), "(in a [\"x\", \"y\"])");
        assert_eq!(e("a !in (1)"), "(!in a [1])");
        assert_eq!(e("a in~ ('X')"), "(in~ a [\"X\"])");
        assert_eq!(e("a !in~ ('X', 'y')"), "(!in~ a [\"X\", \"y\"])");
        assert_eq!(e("a has_any (L)"), "(has_any a [L])");
        assert_eq!(e("a has_all (\"x\", \"y\")"), "(has_all a [\"x\", \"y\"])");
        assert_eq!(e("a has_any L"), "(has_any a [L])");
        assert_eq!(e("a in (dynamic([1, 2]))"), "(in a [dyn([1,2])])");
        assert_eq!(e("a in dynamic(['x'])"), "(in a [dyn([\"x\"])])");
        assert_eq!(e("a in ()"), "(in a [])");
        assert_eq!(e("a in (T | project c)"), "(in a [{T | project c}])");
        assert_eq!(e("a in ((T | project c))"), "(in a [{T | project c}])");
        assert_eq!(
            e("a in (toscalar(T | count))"),
            "(in a [toscalar({T | count})])"
        );
        assert_eq!(e("a in (f() | project c)"), "(in a [{f() | project c}])");
        assert_eq!(e("a in (1, 2) and b"), "(and (in a [1, 2]) b)");
    }

    #[test]
    fn between() {
        assert_eq!(e("a between (1 .. 5)"), "(between a 1 5)");
        assert_eq!(e("a between (1..5)"), "(between a 1 5)");
        assert_eq!(
            e("a !between (ago(1d) .. now())"),
            "(!between a ago(ts(864000000000)) now())"
        );
        assert_eq!(
            e("a between (-5 .. x + 1) and b"),
            "(and (between a -5 (+ x 1)) b)"
        );
        assert_eq!(
            e("a between (1, 5)"),
            "error: expected '..' between the two bounds after '1'"
        );
    }

    #[test]
    fn postfix_and_calls() {
        assert_eq!(e("AdditionalFields.Foo.Bar"), "AdditionalFields.Foo.Bar");
        assert_eq!(e("parse_json(x).a[0][\"b\"]"), "parse_json(x).a[0][\"b\"]");
        assert_eq!(e("parse_json(x).[0].name"), "parse_json(x)[0].name");
        assert_eq!(e("x.['user']"), "x.user");
        assert_eq!(e("x[-1]"), "x[-1]");
        assert_eq!(e("$left.a"), "$left.a");
        assert_eq!(e("count()"), "count()");
        assert_eq!(e("arg_max(Timestamp, *)"), "arg_max(Timestamp, *)");
        assert_eq!(e("not(a and b)"), "not((and a b))");
        assert_eq!(e("iff(a, 1, 2)"), "iff(a, 1, 2)");
        assert_eq!(
            e("arg_min(Prev = TimeGenerated, Cnt = [\"count\"])"),
            "arg_min(Prev=TimeGenerated, Cnt=count)"
        );
        assert_eq!(
            e("toscalar(T | summarize max(a))"),
            "toscalar({T | summarize max(a) by })"
        );
        assert_eq!(e("['My Column'] == 1"), "(== My Column 1)");
        assert_eq!(
            e("type == kind and count > project"),
            "(and (== type kind) (> count project))"
        );
        assert_eq!(e("(a, b)"), "(tuple a, b)");
        assert_eq!(e("* has \"x\""), "(has * \"x\")");
        assert_eq!(
            e("iff(search > 0, union, print)"),
            "iff((> search 0), union, print)"
        );
        assert_eq!(
            e("toscalar(union A, B | count)"),
            "toscalar({union (A), (B) | count})"
        );
        assert_eq!(e("toscalar(print x = 1)"), "toscalar({print x=1})");
    }

    #[test]
    fn expression_errors() {
        assert_eq!(e("a +"), "error: expected an expression after '+'");
        assert_eq!(e("a and"), "error: expected an expression after 'and'");
        assert_eq!(
            e("(a"),
            "error: expected ')' to close '(' opened at line 1, column 1"
        );
        assert_eq!(
            e("f(a b)"),
            "error: expected ')' to close '(' opened at line 1, column 2"
        );
        assert_eq!(e("a b"), "error: unexpected 'b' after the expression");
        assert_eq!(
            e("x[1"),
            "error: expected ']' to close '[' opened at line 1, column 2"
        );
        assert_eq!(e("a."), "error: expected a property name after '.'");
        assert_eq!(e(""), "error: expected an expression, found end of query");
        assert_eq!(e("'abc"), "error: unterminated string literal");
    }
}
