//! Reading a functions file: the Kusto management commands
//! `.create function [ifnotexists] [with (...)] Name(params) { body }`,
//! `.create-or-alter function ...` and `.alter function ...`
//! (create-function.md, create-alter-function.md, alter-function.md).
//!
//! The header is read here from the lexer's tokens; the parameters and the
//! body are handed to the query parser as a `let` function, so a stored
//! function takes exactly what a `let` function takes. The text given to the
//! parser keeps every byte of the parameters and body at its offset in the
//! file (the rest is blanked, newlines kept), so the spans of the syntax
//! tree, and of any error, are positions in the file.

use crate::kql::ast::{Function, LetValue, Span};
use crate::kql::error::QueryError;
use crate::kql::lexer::{Token, TokenKind, tokenize};
use crate::kql::parser::parse;

/// What a command does when its function already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `.create function`: an error if the function exists, unless
    /// `ifnotexists`, when the command is skipped.
    Create {
        /// `ifnotexists` was given.
        if_not_exists: bool,
    },
    /// `.create-or-alter function`: creates or replaces.
    CreateOrAlter,
    /// `.alter function`: replaces a function that must exist.
    Alter,
}

impl Verb {
    /// The command as written in Kusto.
    pub fn command(self) -> &'static str {
        match self {
            Verb::Create { .. } => ".create function",
            Verb::CreateOrAlter => ".create-or-alter function",
            Verb::Alter => ".alter function",
        }
    }
}

/// One function command of a file.
#[derive(Debug, Clone)]
pub struct Command {
    pub verb: Verb,
    /// The function's name.
    pub name: String,
    /// Where the command starts (its `.`), a byte offset in the file.
    pub start: usize,
    /// The parameters as written, between the parentheses.
    pub params: String,
    /// The `docstring` property.
    pub docstring: Option<String>,
    /// The `folder` property (Kusto's category for the function list).
    pub folder: Option<String>,
    /// The parameters and body, as a `let` function; its spans are offsets
    /// in the file.
    pub function: Function,
}

/// The properties `with (...)` may set (create-function.md).
const PROPERTIES: [&str; 4] = ["docstring", "folder", "view", "skipvalidation"];

/// Reads every command of a functions file. Each error has its span in
/// `text`; a command with an error is left out and reading goes on with
/// the next command. The third list says, for each error, the function
/// it concerns when its name was read, so a call can say why the function
/// is missing.
pub fn read(text: &str) -> (Vec<Command>, Vec<QueryError>, Vec<Option<String>>) {
    let mut reader = Reader {
        text,
        toks: tokenize(text),
        pos: 0,
        name: None,
    };
    let mut commands = Vec::new();
    let mut errors = Vec::new();
    let mut broken = Vec::new();
    loop {
        while reader.eat(|k| matches!(k, TokenKind::Semi)) {}
        if matches!(reader.kind(), TokenKind::Eof) {
            break;
        }
        reader.name = None;
        match reader.command() {
            Ok(c) => {
                commands.push(c);
                if !matches!(
                    reader.kind(),
                    TokenKind::Eof | TokenKind::Semi | TokenKind::Dot
                ) {
                    errors.push(reader.error_here(format!(
                        "unexpected {} after the function's body: each command starts with '.', as in .create-or-alter function",
                        reader.describe()
                    )));
                    broken.push(None);
                    reader.skip_to_next_command();
                }
            }
            Err((e, resume)) => {
                errors.push(e);
                broken.push(reader.name.take());
                match resume {
                    Resume::At(pos) => reader.pos = pos,
                    Resume::NextCommand => reader.skip_to_next_command(),
                    Resume::Stop => break,
                }
            }
        }
    }
    (commands, errors, broken)
}

/// Where reading goes on after a command with an error.
enum Resume {
    /// After the command's body, whose end is known.
    At(usize),
    /// At the next line that starts with a command.
    NextCommand,
    /// Nowhere: the lexer gave up, or a body never closes.
    Stop,
}

type Failed = (QueryError, Resume);

struct Reader<'a> {
    text: &'a str,
    toks: Vec<Token>,
    pos: usize,
    /// The name of the function being read, once known.
    name: Option<String>,
}

impl Reader<'_> {
    fn tok(&self, offset: usize) -> &Token {
        // The list always ends with Eof.
        let last = self.toks.len() - 1;
        &self.toks[(self.pos + offset).min(last)]
    }

    fn kind(&self) -> &TokenKind {
        &self.tok(0).kind
    }

    fn eat(&mut self, want: impl Fn(&TokenKind) -> bool) -> bool {
        let hit = want(self.kind());
        if hit && !matches!(self.kind(), TokenKind::Eof) {
            self.pos += 1;
        }
        hit
    }

    fn ident(&self, offset: usize) -> Option<&str> {
        match &self.tok(offset).kind {
            TokenKind::Ident(s) => Some(s),
            _ => None,
        }
    }

    fn is_ident(&self, name: &str) -> bool {
        self.ident(0).is_some_and(|s| s.eq_ignore_ascii_case(name))
    }

    /// The current token as messages name it.
    fn describe(&self) -> String {
        let tok = self.tok(0);
        match tok.kind {
            TokenKind::Eof => "end of file".into(),
            _ => {
                let shown: String = self
                    .text
                    .get(tok.span.start..tok.span.end)
                    .unwrap_or("")
                    .chars()
                    .take(40)
                    .collect();
                format!("'{shown}'")
            }
        }
    }

    /// An error at the current token; the lexer's own message wins where
    /// it gave up.
    fn error_here(&self, message: impl Into<String>) -> QueryError {
        let tok = self.tok(0);
        match &tok.kind {
            TokenKind::Error(lex) => QueryError::syntax(lex.clone(), tok.span),
            _ => QueryError::syntax(message, tok.span),
        }
    }

    /// An error in a command's header: reading goes on at the next command,
    /// unless the lexer gave up here.
    fn header_error(&self, message: impl Into<String>) -> Failed {
        let resume = if matches!(self.kind(), TokenKind::Error(_)) {
            Resume::Stop
        } else {
            Resume::NextCommand
        };
        (self.error_here(message), resume)
    }

    fn expect(&mut self, want: impl Fn(&TokenKind) -> bool, what: &str) -> Result<Span, Failed> {
        let span = self.tok(0).span;
        if self.eat(want) {
            Ok(span)
        } else {
            Err(self.header_error(format!("expected {what}, found {}", self.describe())))
        }
    }

    /// Moves to the next `.` that begins a line and is followed by a word
    /// (`.create`, `.alter`, ...), or to the end.
    fn skip_to_next_command(&mut self) {
        if !matches!(self.kind(), TokenKind::Eof) {
            self.pos += 1;
        }
        while !matches!(self.kind(), TokenKind::Eof | TokenKind::Error(_)) {
            if matches!(self.kind(), TokenKind::Dot)
                && self.ident(1).is_some()
                && !self.tok(1).spaced
                && self.starts_line(self.tok(0).span.start)
            {
                return;
            }
            self.pos += 1;
        }
        // Past a lexer error nothing more can be read.
        if matches!(self.kind(), TokenKind::Error(_)) {
            self.pos = self.toks.len() - 1;
        }
    }

    /// Only blanks come between the line's start and `offset`.
    fn starts_line(&self, offset: usize) -> bool {
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        before[line_start..].trim().is_empty()
    }

    fn command(&mut self) -> Result<Command, Failed> {
        let start = self.tok(0).span.start;
        if !matches!(self.kind(), TokenKind::Dot) || self.ident(1).is_none() {
            return Err(self.header_error(format!(
                "expected a command such as .create-or-alter function, found {}",
                self.describe()
            )));
        }
        self.pos += 1;
        let verb = self.verb(start)?;
        let keyword = self.tok(0).span;
        if !self.is_ident("function") {
            let what = self.ident(0).unwrap_or("").to_string();
            let shown = format!("{} {what}", &self.text[start..keyword.start].trim_end());
            return Err(self.header_error(format!(
                "a functions file holds function commands only, not '{}': .create function, .create-or-alter function or .alter function",
                shown.trim()
            )));
        }
        self.pos += 1;
        let verb = match verb {
            Verb::Create { .. } if self.is_ident("ifnotexists") => {
                self.pos += 1;
                Verb::Create {
                    if_not_exists: true,
                }
            }
            v => v,
        };
        let (docstring, folder) = if self.is_ident("with") {
            self.pos += 1;
            self.properties()?
        } else {
            (None, None)
        };
        let name = self.name()?;
        self.name = Some(name.clone());
        if !matches!(self.kind(), TokenKind::LParen) {
            return Err(self.header_error(format!(
                "expected '(' and the parameters after the function's name, found {}",
                self.describe()
            )));
        }
        let params_start = self.tok(0).span.start;
        let params_end = self.params()?;
        if !matches!(self.kind(), TokenKind::LBrace) {
            return Err(self.header_error(format!(
                "expected '{{' and the function's body after its parameters, found {}",
                self.describe()
            )));
        }
        let body_end = self.body()?;
        let params = self.text[params_start + 1..params_end - 1]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let function = self
            .function(keyword, params_start, body_end)
            .map_err(|e| (e, Resume::At(self.pos)))?;
        Ok(Command {
            verb,
            name,
            start,
            params,
            docstring,
            folder,
            function,
        })
    }

    /// `create`, `create-or-alter` or `alter`, after the `.`.
    fn verb(&mut self, start: usize) -> Result<Verb, Failed> {
        if self.is_ident("alter") {
            self.pos += 1;
            return Ok(Verb::Alter);
        }
        if self.is_ident("create") {
            self.pos += 1;
            let glued = |r: &Reader, i: usize| !r.tok(i).spaced;
            if matches!(self.kind(), TokenKind::Minus)
                && glued(self, 0)
                && self.ident(1).is_some_and(|s| s.eq_ignore_ascii_case("or"))
                && glued(self, 1)
                && matches!(self.tok(2).kind, TokenKind::Minus)
                && glued(self, 2)
                && self
                    .ident(3)
                    .is_some_and(|s| s.eq_ignore_ascii_case("alter"))
                && glued(self, 3)
            {
                self.pos += 4;
                return Ok(Verb::CreateOrAlter);
            }
            return Ok(Verb::Create {
                if_not_exists: false,
            });
        }
        let verb_end = self.tok(0).span.end;
        Err(self.header_error(format!(
            "a functions file holds function commands only, not '{}': .create function, .create-or-alter function or .alter function",
            &self.text[start..verb_end]
        )))
    }

    /// `(docstring = "...", folder = "...", view = true, skipvalidation = "true")`
    fn properties(&mut self) -> Result<(Option<String>, Option<String>), Failed> {
        self.expect(|k| matches!(k, TokenKind::LParen), "'(' after 'with'")?;
        let (mut docstring, mut folder) = (None, None);
        loop {
            let Some(name) = self.ident(0).map(str::to_ascii_lowercase) else {
                return Err(self.header_error(format!(
                    "expected a property name (docstring, folder, view or skipvalidation), found {}",
                    self.describe()
                )));
            };
            if !PROPERTIES.contains(&name.as_str()) {
                return Err(self.header_error(format!(
                    "unknown property '{}': a function takes docstring, folder, view and skipvalidation",
                    self.ident(0).unwrap_or("")
                )));
            }
            self.pos += 1;
            self.expect(
                |k| matches!(k, TokenKind::Assign),
                "'=' after the property name",
            )?;
            let value = match &self.tok(0).kind {
                TokenKind::Str(s) => s.clone(),
                TokenKind::Ident(s) if s == "true" || s == "false" => s.clone(),
                _ => {
                    return Err(self.header_error(format!(
                        "expected the value of '{name}' (a string, true or false), found {}",
                        self.describe()
                    )));
                }
            };
            self.pos += 1;
            match name.as_str() {
                "docstring" => docstring = Some(value),
                "folder" => folder = Some(value),
                // A view joins `search *` and `union *` in Kusto; validation
                // is what Quarry does when the function runs.
                _ => {}
            }
            if self.eat(|k| matches!(k, TokenKind::Comma)) {
                continue;
            }
            self.expect(
                |k| matches!(k, TokenKind::RParen),
                "',' or ')' after the property",
            )?;
            return Ok((docstring, folder));
        }
    }

    /// The function's name: a word, or `['name']`.
    fn name(&mut self) -> Result<String, Failed> {
        if let Some(name) = self.ident(0) {
            let name = name.to_string();
            self.pos += 1;
            return Ok(name);
        }
        if matches!(self.kind(), TokenKind::LBracket)
            && let TokenKind::Str(name) = &self.tok(1).kind
            && matches!(self.tok(2).kind, TokenKind::RBracket)
        {
            let name = name.clone();
            self.pos += 3;
            return Ok(name);
        }
        Err(self.header_error(format!(
            "expected the function's name, found {}",
            self.describe()
        )))
    }

    /// Moves past the parameter list `( ... )`; returns the end of its `)`.
    /// Each parameter must have a type (`x:string`, `T:(*)`): without one
    /// the parser would read `(x)` as an expression and say something
    /// less helpful.
    fn params(&mut self) -> Result<usize, Failed> {
        let open = self.tok(0).span;
        self.pos += 1;
        let mut depth = 0usize;
        let mut at_param = true;
        loop {
            match self.kind().clone() {
                TokenKind::Eof => {
                    return Err((
                        QueryError::syntax("this '(' of the parameters is never closed", open),
                        Resume::Stop,
                    ));
                }
                TokenKind::Error(_) => return Err(self.header_error("")),
                TokenKind::RParen if depth == 0 => {
                    let end = self.tok(0).span.end;
                    self.pos += 1;
                    return Ok(end);
                }
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    depth = depth.saturating_sub(1)
                }
                TokenKind::Comma if depth == 0 => {
                    at_param = true;
                    self.pos += 1;
                    continue;
                }
                TokenKind::Ident(name)
                    if at_param && depth == 0 && !matches!(self.tok(1).kind, TokenKind::Colon) =>
                {
                    self.pos += 1;
                    return Err(self.header_error(format!(
                        "expected ':' and a type after the parameter '{name}' (as in {name}:string, or {name}:(*) for a table), found {}",
                        self.describe()
                    )));
                }
                TokenKind::Ident(_) if at_param && depth == 0 => {}
                _ if at_param && depth == 0 => {
                    return Err(self.header_error(format!(
                        "expected a parameter name, found {}",
                        self.describe()
                    )));
                }
                _ => {}
            }
            at_param = false;
            self.pos += 1;
        }
    }

    /// Moves past the body `{ ... }`; returns the end of its `}`.
    fn body(&mut self) -> Result<usize, Failed> {
        let open = self.tok(0).span;
        self.pos += 1;
        let mut depth = 0usize;
        loop {
            match self.kind() {
                TokenKind::Eof => {
                    return Err((
                        QueryError::syntax(
                            "this '{' of the function's body is never closed: a '}' is missing",
                            open,
                        ),
                        Resume::Stop,
                    ));
                }
                TokenKind::Error(_) => return Err((self.error_here(""), Resume::Stop)),
                TokenKind::RBrace if depth == 0 => {
                    let end = self.tok(0).span.end;
                    self.pos += 1;
                    return Ok(end);
                }
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Parses `(params) { body }` as the function of a `let`: the text the
    /// parser reads is the file up to the body's end, blanked before the
    /// parameters, with `let f=` written over the `function` keyword.
    fn function(
        &self,
        keyword: Span,
        params_start: usize,
        body_end: usize,
    ) -> Result<Function, QueryError> {
        let mut bytes: Vec<u8> = self.text.as_bytes()[..body_end]
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if i >= params_start || b == b'\n' {
                    b
                } else {
                    b' '
                }
            })
            .collect();
        // `function` has eight bytes, on one line.
        bytes[keyword.start..keyword.start + 6].copy_from_slice(b"let f=");
        bytes.extend_from_slice(b";print 0");
        // Blanks replace whole characters and the rest is copied from
        // token boundaries, so the text is still UTF-8.
        let source = String::from_utf8(bytes).map_err(|e| {
            QueryError::runtime(format!("the function is not UTF-8 text: {e}"), None)
        })?;
        let body_close = Span::new(body_end - 1, body_end);
        let query = parse(&source).map_err(|mut e| {
            // Past the body is only the text added here.
            if e.span.is_some_and(|s| s.start >= body_end) {
                e.span = Some(body_close);
            }
            e
        })?;
        match query.lets.into_iter().next().map(|l| l.value) {
            Some(LetValue::Function(f)) => Ok(f),
            _ => Err(QueryError::syntax(
                "expected a function's parameters and body",
                Span::new(params_start, body_end),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Command {
        let (commands, errors, _) = read(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(commands.len(), 1, "{commands:?}");
        commands.into_iter().next().unwrap()
    }

    fn error(text: &str) -> String {
        let (_, errors, _) = read(text);
        let e = errors.first().expect("an error");
        e.render(text)
    }

    #[test]
    fn reads_the_documented_commands() {
        let c = one(
            ".create function \nwith (docstring = 'Simple demo function', folder='Demo')\nMyFunction1()\n{StormEvents | take 100}",
        );
        assert_eq!(c.name, "MyFunction1");
        assert_eq!(
            c.verb,
            Verb::Create {
                if_not_exists: false
            }
        );
        assert_eq!(c.docstring.as_deref(), Some("Simple demo function"));
        assert_eq!(c.folder.as_deref(), Some("Demo"));
        assert!(c.function.params.is_empty());

        let c = one(
            ".create-or-alter function with (docstring = 'Demo function with parameter', folder='MyFolder')\nTestFunction(myLimit:int)\n{ StormEvents | take myLimit} ",
        );
        assert_eq!(c.verb, Verb::CreateOrAlter);
        assert_eq!(c.params, "myLimit:int");
        assert_eq!(c.function.params[0].name.name, "myLimit");

        let c = one(".alter function with (skipvalidation = \"true\") F(x:long = 5) { x + 1 }");
        assert_eq!(c.verb, Verb::Alter);
        assert!(c.function.params[0].default.is_some());

        let c = one(".create function ifnotexists ['My Fn'](T:(*)) { T | count }");
        assert_eq!(c.name, "My Fn");
        assert_eq!(
            c.verb,
            Verb::Create {
                if_not_exists: true
            }
        );
    }

    #[test]
    fn spans_are_offsets_in_the_file() {
        let text = "// two\n.create-or-alter function F(x:long) {\n  print y = x\n}\n";
        let c = one(text);
        let p = &c.function.params[0].name;
        assert_eq!(&text[p.span.start..p.span.end], "x");
        assert_eq!(c.start, text.find('.').unwrap());
    }

    #[test]
    fn several_commands_and_a_bad_one_between() {
        let text = ".create function A() { print 1 }\n\
                    .create function B(x) { print x }\n\
                    .drop function C\n\
                    .create-or-alter function D() { print 2 }\n";
        let (commands, errors, broken) = read(text);
        let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["A", "D"]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(broken, [Some("B".to_string()), None]);
        assert_eq!(
            errors[0].render(text),
            "error: expected ':' and a type after the parameter 'x' (as in x:string, or x:(*) for a table), found ')'\n --> line 2, column 21\n  |\n2 | .create function B(x) { print x }\n  |                     ^"
        );
        assert_eq!(
            errors[1].message,
            "a functions file holds function commands only, not '.drop': .create function, .create-or-alter function or .alter function"
        );
    }

    #[test]
    fn body_errors_point_into_the_file() {
        let text = ".create function A() {\n  print x = \n}\n.create function B() { print 1 }";
        let (commands, errors, _) = read(text);
        assert_eq!(commands.len(), 1);
        assert_eq!(commands[0].name, "B");
        let (line, _) = errors[0].line_col(text).unwrap();
        assert_eq!(line, 3, "{}", errors[0].render(text));
    }

    #[test]
    fn unclosed_body_and_trailing_text() {
        assert_eq!(
            error(".create function A() { print 1"),
            "error: this '{' of the function's body is never closed: a '}' is missing\n --> line 1, column 22\n  |\n1 | .create function A() { print 1\n  |                      ^"
        );
        let text = ".create function A() { print 1 } extra";
        let (commands, errors, _) = read(text);
        assert_eq!(commands.len(), 1);
        assert!(
            errors[0]
                .message
                .starts_with("unexpected 'extra' after the function's body"),
            "{errors:?}"
        );
        assert!(error("create function A() { 1 }").contains("expected a command such as"));
        assert!(
            error(".create function with (color='red') A() { 1 }")
                .contains("unknown property 'color'")
        );
        assert!(error(".create table T (a:string)").contains("not '.create table'"));
    }

    #[test]
    fn unicode_before_the_parameters_stays_valid_text() {
        let c = one(".create function with (docstring='Prüfung ✓') Ä(x:string) { strlen(x) }");
        assert_eq!(c.name, "Ä");
        assert_eq!(c.docstring.as_deref(), Some("Prüfung ✓"));
    }
}
