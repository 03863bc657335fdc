//! A small `$filter` parser and evaluator.
//!
//! Supported: `isof('microsoft.graph.T')` (quoted or not, with or without `#`;
//! derived types match), `prop eq|ne|gt|ge|lt|le literal`,
//! `startswith|endswith|contains(prop,'text')`, combined with `and`, `or`,
//! `not` and parentheses. String comparisons are case-insensitive. Anything
//! else is rejected with a message naming what is unsupported.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::types;

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `isof('microsoft.graph.T')` (normalised type name).
    IsOf(String),
    /// `prop op literal`.
    Compare(String, Op, Literal),
    /// `startswith(prop,'x')` and friends.
    Text(TextFn, String, String),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// String functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextFn {
    StartsWith,
    EndsWith,
    Contains,
}

/// Literal values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Open,
    Close,
    Comma,
}

fn tokenize(input: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                toks.push(Tok::Open);
                i += 1;
            }
            ')' => {
                toks.push(Tok::Close);
                i += 1;
            }
            ',' => {
                toks.push(Tok::Comma);
                i += 1;
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                toks.push(Tok::Str(s));
            }
            c if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) => {
                let start = i;
                i += 1;
                while chars.get(i).is_some_and(|c| c.is_ascii_digit() || *c == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let n = text.parse::<f64>().map_err(|_| format!("invalid number '{text}'"))?;
                toks.push(Tok::Num(n));
            }
            c if c.is_alphabetic() || c == '_' || c == '#' => {
                let start = i;
                i += 1;
                while chars.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.') {
                    i += 1;
                }
                toks.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character '{other}'")),
        }
    }
    Ok(toks)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, tok: &Tok, what: &str) -> Result<(), String> {
        match self.next() {
            Some(t) if &t == tok => Ok(()),
            _ => Err(format!("expected {what}")),
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        self.left_assoc("or", Self::and, Expr::Or)
    }

    fn and(&mut self) -> Result<Expr, String> {
        self.left_assoc("and", Self::unary, Expr::And)
    }

    /// `operand (keyword operand)*`, joined from the left.
    fn left_assoc(
        &mut self,
        keyword: &str,
        operand: fn(&mut Self) -> Result<Expr, String>,
        join: fn(Box<Expr>, Box<Expr>) -> Expr,
    ) -> Result<Expr, String> {
        let mut left = operand(self)?;
        while self.keyword(keyword) {
            self.pos += 1;
            let right = operand(self)?;
            left = join(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Open) => {
                let e = self.or()?;
                self.expect(&Tok::Close, "')'")?;
                Ok(e)
            }
            Some(Tok::Ident(name)) if self.peek() == Some(&Tok::Open) => {
                self.pos += 1;
                self.call(&name)
            }
            Some(Tok::Ident(name)) => self.comparison(name),
            Some(t) => Err(format!("unexpected {}", describe(&t))),
            None => Err("unexpected end of expression".into()),
        }
    }

    fn call(&mut self, name: &str) -> Result<Expr, String> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "isof" => {
                let raw = match self.next() {
                    Some(Tok::Str(s) | Tok::Ident(s)) => s,
                    _ => return Err("isof expects a type name".into()),
                };
                if self.peek() == Some(&Tok::Comma) {
                    return Err("isof with a property argument is not supported".into());
                }
                self.expect(&Tok::Close, "')' after the isof type name")?;
                let ty = types::normalize(&raw).ok_or_else(|| {
                    format!(
                        "'{raw}' is not a qualified type name \
                         (expected 'microsoft.graph.<typeName>')"
                    )
                })?;
                Ok(Expr::IsOf(ty))
            }
            "startswith" | "endswith" | "contains" => {
                let prop = match self.next() {
                    Some(Tok::Ident(p)) => property(p)?,
                    _ => return Err(format!("{lower} expects a property name first")),
                };
                self.expect(&Tok::Comma, "','")?;
                let text = match self.next() {
                    Some(Tok::Str(s)) => s,
                    _ => return Err(format!("{lower} expects a string literal second")),
                };
                self.expect(&Tok::Close, "')'")?;
                let f = match lower.as_str() {
                    "startswith" => TextFn::StartsWith,
                    "endswith" => TextFn::EndsWith,
                    _ => TextFn::Contains,
                };
                Ok(Expr::Text(f, prop, text))
            }
            _ => Err(format!(
                "the function '{name}' is not supported \
                 (supported: isof, startswith, endswith, contains)"
            )),
        }
    }

    fn comparison(&mut self, prop: String) -> Result<Expr, String> {
        let prop = property(prop)?;
        let op = match self.next() {
            Some(Tok::Ident(op)) => match op.to_ascii_lowercase().as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                _ => {
                    return Err(format!(
                        "the operator '{op}' is not supported (supported: eq, ne, gt, ge, lt, le)"
                    ));
                }
            },
            _ => return Err(format!("expected an operator after '{prop}'")),
        };
        let lit = match self.next() {
            Some(Tok::Str(s)) => Literal::Str(s),
            Some(Tok::Num(n)) => Literal::Num(n),
            Some(Tok::Ident(w)) if w == "true" => Literal::Bool(true),
            Some(Tok::Ident(w)) if w == "false" => Literal::Bool(false),
            Some(Tok::Ident(w)) if w == "null" => Literal::Null,
            _ => return Err(format!("expected a literal after '{prop}'")),
        };
        Ok(Expr::Compare(prop, op, lit))
    }
}

fn property(name: String) -> Result<String, String> {
    if name.contains('.') || name.starts_with('#') {
        Err(format!("'{name}' is not a supported property path"))
    } else {
        Ok(name)
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Str(s) => format!("string '{s}'"),
        Tok::Num(n) => format!("number {n}"),
        Tok::Open => "'('".into(),
        Tok::Close => "')'".into(),
        Tok::Comma => "','".into(),
    }
}

/// Parses a `$filter` value.
pub(crate) fn parse(input: &str) -> Result<Expr, String> {
    let toks = tokenize(input)?;
    if toks.is_empty() {
        return Err("the filter is empty".into());
    }
    let mut p = Parser { toks, pos: 0 };
    let e = p.or()?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(format!("unexpected {} after the expression", describe(t))),
    }
}

/// Looks a property up, case-insensitively when the exact key is absent.
pub(crate) fn lookup<'a>(obj: &'a Map<String, Value>, prop: &str) -> &'a Value {
    obj.get(prop)
        .or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(prop)).map(|(_, v)| v))
        .unwrap_or(&Value::Null)
}

/// Orders JSON values: null < bool < number < string < other; strings
/// case-insensitively (ties broken ordinally).
pub(crate) fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            _ => 4,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => {
            x.to_lowercase().cmp(&y.to_lowercase()).then_with(|| x.cmp(y))
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

impl Expr {
    /// Whether an object matches.
    pub(crate) fn matches(&self, obj: &Map<String, Value>) -> bool {
        match self {
            Self::Or(a, b) => a.matches(obj) || b.matches(obj),
            Self::And(a, b) => a.matches(obj) && b.matches(obj),
            Self::Not(a) => !a.matches(obj),
            Self::IsOf(ty) => {
                obj.get("@odata.type").and_then(Value::as_str).is_some_and(|t| types::is_a(t, ty))
            }
            Self::Text(f, prop, needle) => {
                let Value::String(s) = lookup(obj, prop) else {
                    return false;
                };
                let (s, needle) = (s.to_lowercase(), needle.to_lowercase());
                match f {
                    TextFn::StartsWith => s.starts_with(&needle),
                    TextFn::EndsWith => s.ends_with(&needle),
                    TextFn::Contains => s.contains(&needle),
                }
            }
            Self::Compare(prop, op, lit) => compare(lookup(obj, prop), *op, lit),
        }
    }
}

fn compare(value: &Value, op: Op, lit: &Literal) -> bool {
    let ord = match (value, lit) {
        (Value::Null, Literal::Null) => Some(Ordering::Equal),
        (Value::String(s), Literal::Str(l)) => Some(s.to_lowercase().cmp(&l.to_lowercase())),
        (Value::Number(n), Literal::Num(l)) => n.as_f64().and_then(|n| n.partial_cmp(l)),
        (Value::Bool(b), Literal::Bool(l)) => Some(b.cmp(l)),
        _ => None,
    };
    match (op, ord) {
        (Op::Eq, Some(o)) => o == Ordering::Equal,
        (Op::Ne, Some(o)) => o != Ordering::Equal,
        (Op::Ne, None) => true,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        (_, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn eval(filter: &str, v: Value) -> bool {
        match parse(filter) {
            Ok(e) => e.matches(&obj(v)),
            Err(e) => panic!("{filter}: {e}"),
        }
    }

    #[test]
    fn isof_forms() {
        let scep = json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile"});
        for f in [
            "isof('microsoft.graph.iosScepCertificateProfile')",
            "isof('#microsoft.graph.iosScepCertificateProfile')",
            "isof(microsoft.graph.iosScepCertificateProfile)",
            "isof( 'microsoft.graph.iosCertificateProfileBase' )",
        ] {
            assert!(eval(f, scep.clone()), "{f}");
        }
        assert!(!eval("isof('microsoft.graph.iosTrustedRootCertificate')", scep));
    }

    #[test]
    fn comparisons() {
        let o = json!({"displayName": "Corp SCEP", "version": 3, "x": null});
        assert!(eval("displayName eq 'corp scep'", o.clone()));
        assert!(eval("startswith(displayName,'Corp')", o.clone()));
        assert!(eval("contains(displayName, 'scep') and version ge 3", o.clone()));
        assert!(eval("not (version gt 3) or x eq null", o.clone()));
        assert!(eval("displayName eq 'it''s' or version eq 3", o.clone()));
        assert!(!eval("displayName ne 'Corp SCEP'", o));
    }

    #[test]
    fn rejects() {
        for f in [
            "",
            "substringof('a',displayName)",
            "displayName in ('a')",
            "displayName eq 'a",
            "isof(displayName,'microsoft.graph.x')",
            "isof('iosScep')",
            "a/b eq 1",
            "(displayName eq 'a'",
            "displayName eq 'a' foo",
        ] {
            assert!(parse(f).is_err(), "{f}");
        }
    }
}
