//! Access tokens for the remote engines: `QUARRY_TOKEN` if it is set, else
//! the Azure CLI's (`az account get-access-token --resource ...`), the way
//! analysts already sign in for their own scripts.
//!
//! A token is a credential: it is never printed, logged or put in an error
//! message, and its `Debug` form is redacted.

use std::fmt;
use std::process::Command;

/// The environment variable that holds a bearer token to use as it is.
pub const TOKEN_VAR: &str = "QUARRY_TOKEN";

/// A bearer token.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// A token given directly (tests, callers with their own sign-in).
    pub fn new(text: impl Into<String>) -> Token {
        Token(text.into())
    }

    /// The `Authorization` header's value.
    pub fn header(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// A token for `resource`: from `QUARRY_TOKEN`, else from the Azure CLI.
/// The error says both ways of giving one, and what the CLI said.
pub fn access_token(resource: &str) -> Result<Token, String> {
    if let Some(t) = std::env::var_os(TOKEN_VAR) {
        let t = t.to_string_lossy().trim().to_string();
        if !t.is_empty() {
            return Ok(Token(t));
        }
    }
    let how = format!(
        "set {TOKEN_VAR} to a bearer token for {resource}, or sign in with the Azure CLI \
         (az login) so that `az account get-access-token --resource {resource}` gives one"
    );
    let program = if cfg!(windows) { "az.cmd" } else { "az" };
    let out = Command::new(program)
        .args([
            "account",
            "get-access-token",
            "--resource",
            resource,
            "--query",
            "accessToken",
            "--output",
            "tsv",
        ])
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "no access token: {TOKEN_VAR} is not set and the Azure CLI (az) is not installed; {how}"
            ));
        }
        Err(e) => {
            return Err(format!(
                "no access token: the Azure CLI (az) could not be run ({e}); {how}"
            ));
        }
    };
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.status.success() && !token.is_empty() && !token.contains(char::is_whitespace) {
        return Ok(Token(token));
    }
    // What az said on standard error (never its standard output, which may
    // hold a token), a few lines of it, escaped.
    let said: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .map(|l| crate::text::escape_for_terminal(l).into_owned())
        .collect();
    let said = if said.is_empty() {
        String::new()
    } else {
        format!(" (az: {})", said.join(" "))
    };
    Err(format!(
        "no access token: {TOKEN_VAR} is not set and the Azure CLI gave none{said}; {how}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_never_shown() {
        let t = Token::new("eyJ0eXAiOiJKV1Qi.secret");
        assert_eq!(format!("{t:?}"), "Token(<redacted>)");
        assert_eq!(t.header(), "Bearer eyJ0eXAiOiJKV1Qi.secret");
    }
}
