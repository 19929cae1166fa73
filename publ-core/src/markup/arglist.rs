//! Publ's `{...}` argument lists: fenced-code options
//! (```` ```python{code_number_links=False} ````) and image specs
//! (`photo.jpg{320,240,resize='fill'}`).
//!
//! Publ evaluates these as `ast.parse(f"f({args})")` and then runs
//! `ast.literal_eval` on every argument, so what templates already contain is
//! "the argument list of a Python call whose values are literals". Authors
//! copy these specs between sites, so this port follows CPython's tokenizer
//! and `literal_eval` wherever a value can be represented, including its odd
//! corners (`-(3)` is a literal but `--3` is not; `'a' 'b'` concatenates;
//! `{1: 'a', True: 'b'}` keeps one key).
//!
//! Where we differ, we reject input that Python would accept; we never
//! accept something Python rejects (checked against CPython on ~90k
//! generated inputs):
//! - bytes, complex numbers, integers outside `i64`, lone surrogates and
//!   `\N{...}` escapes have no use in Publ markup and no place in [`Literal`]:
//!   [`ArgError::Unsupported`].
//! - `**mapping` is rejected; Publ's dict comprehension silently drops it.
//! - Text that closes the synthetic `f(` early, such as `1)(2`, is a syntax
//!   error instead of whatever Python makes of the resulting expression.
//! - One pass reports the first problem in source order, so an input with
//!   several problems may get a different error than Python's.
//! - One exception to the above: keyword names are not NFKC-normalised, so
//!   `ｗidth=1` is keyed `ｗidth` where Python says `width`. Identifiers with
//!   combining marks are rejected.

use std::fmt;

/// A Python literal value as `ast.literal_eval` produces it.
///
/// Dicts and sets are vectors in insertion order because Publ never has more
/// than a handful of entries and keys are compared with Python's equality
/// (`1 == 1.0 == True`), which `Hash` on these variants could not express.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Tuple(Vec<Literal>),
    List(Vec<Literal>),
    Dict(Vec<(Literal, Literal)>),
    Set(Vec<Literal>),
}

impl Literal {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Literal::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Only `Int`: a bool where a number is expected is a template mistake
    /// even though Python would let it through as 0/1.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Literal::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Ints widen so `scale=1` and `scale=1.0` mean the same; bools do not,
    /// for the reason given on [`Literal::as_i64`].
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Literal::Int(i) => Some(*i as f64),
            Literal::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Literal::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Tuples and lists both, since Publ code treats `crop=(0,0,10,10)` and
    /// `crop=[0,0,10,10]` alike.
    pub fn as_slice(&self) -> Option<&[Literal]> {
        match self {
            Literal::Tuple(v) | Literal::List(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Literal::None)
    }

    /// Python's `bool(value)`, which is how Publ reads most flag arguments.
    pub fn truthy(&self) -> bool {
        match self {
            Literal::None => false,
            Literal::Bool(b) => *b,
            Literal::Int(i) => *i != 0,
            Literal::Float(f) => *f != 0.0,
            Literal::Str(s) => !s.is_empty(),
            Literal::Tuple(v) | Literal::List(v) | Literal::Set(v) => !v.is_empty(),
            Literal::Dict(v) => !v.is_empty(),
        }
    }

    /// Python's type name, for error messages that users can match against
    /// the Python documentation.
    pub fn type_name(&self) -> &'static str {
        match self {
            Literal::None => "NoneType",
            Literal::Bool(_) => "bool",
            Literal::Int(_) => "int",
            Literal::Float(_) => "float",
            Literal::Str(_) => "str",
            Literal::Tuple(_) => "tuple",
            Literal::List(_) => "list",
            Literal::Dict(_) => "dict",
            Literal::Set(_) => "set",
        }
    }

    /// The type Python would name in "unhashable type", if any.
    fn unhashable_part(&self) -> Option<&'static str> {
        match self {
            Literal::List(_) | Literal::Dict(_) | Literal::Set(_) => Some(self.type_name()),
            Literal::Tuple(v) => v.iter().find_map(Literal::unhashable_part),
            _ => None,
        }
    }

    /// Python `==` restricted to hashable values, for set/dict deduplication.
    fn py_eq(&self, other: &Literal) -> bool {
        match (self.numeric(), other.numeric()) {
            (Some(a), Some(b)) => return a.py_eq(b),
            (Some(_), None) | (None, Some(_)) => return false,
            (None, None) => {}
        }
        match (self, other) {
            (Literal::None, Literal::None) => true,
            (Literal::Str(a), Literal::Str(b)) => a == b,
            (Literal::Tuple(a), Literal::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y))
            }
            _ => false,
        }
    }

    fn numeric(&self) -> Option<Num> {
        match self {
            Literal::Bool(b) => Some(Num::Int(i128::from(*b))),
            Literal::Int(i) => Some(Num::Int(i128::from(*i))),
            Literal::Float(f) => Some(Num::Float(*f)),
            _ => None,
        }
    }
}

/// Python's `repr`, so messages and debug output read like the spec the
/// author wrote. Sets print in insertion order rather than hash order.
impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn seq(f: &mut fmt::Formatter<'_>, items: &[Literal]) -> fmt::Result {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{item}")?;
            }
            Ok(())
        }
        match self {
            Literal::None => f.write_str("None"),
            Literal::Bool(true) => f.write_str("True"),
            Literal::Bool(false) => f.write_str("False"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => f.write_str(&float_repr(*x)),
            Literal::Str(s) => write_str_repr(f, s),
            Literal::Tuple(v) => {
                f.write_str("(")?;
                seq(f, v)?;
                f.write_str(if v.len() == 1 { ",)" } else { ")" })
            }
            Literal::List(v) => {
                f.write_str("[")?;
                seq(f, v)?;
                f.write_str("]")
            }
            Literal::Set(v) if v.is_empty() => f.write_str("set()"),
            Literal::Set(v) => {
                f.write_str("{")?;
                seq(f, v)?;
                f.write_str("}")
            }
            Literal::Dict(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// CPython's `float_repr_style = 'short'`: shortest round-trip digits, with
/// an exponent once the decimal point leaves the range (-4, 16].
fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x.is_infinite() {
        return format!("{sign}inf");
    }
    if x == 0.0 {
        return format!("{sign}0.0");
    }
    // Rust's `{:e}` also yields the shortest round-trip digits.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let decpt = exp + 1;
    let n = digits.len() as i32;
    if decpt > 16 || decpt <= -4 {
        let (head, tail) = digits.split_at(1);
        let dot = if tail.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{head}{dot}{tail}e{esign}{:02}", exp.abs())
    } else if decpt <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt >= n {
        format!("{sign}{digits}{}.0", "0".repeat((decpt - n) as usize))
    } else {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{sign}{int}.{frac}")
    }
}

/// Python's quote choice and escaping; "printable" is approximated by
/// escaping controls, non-space whitespace and common invisible format chars.
fn write_str_repr(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    use fmt::Write;
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    f.write_char(quote)?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c == quote => write!(f, "\\{c}")?,
            c if is_invisible(c) => match u32::from(c) {
                v @ 0..=0xff => write!(f, "\\x{v:02x}")?,
                v @ 0x100..=0xffff => write!(f, "\\u{v:04x}")?,
                v => write!(f, "\\U{v:08x}")?,
            },
            c => f.write_char(c)?,
        }
    }
    f.write_char(quote)
}

fn is_invisible(c: char) -> bool {
    let format_char =
        matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}');
    c.is_control() || (c.is_whitespace() && c != ' ') || format_char
}

/// Arguments in source order; keywords stay a vector so callers can warn
/// about unknown names in the order the author wrote them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArgList {
    pub positional: Vec<Literal>,
    pub keywords: Vec<(String, Literal)>,
}

impl ArgList {
    pub fn get(&self, name: &str) -> Option<&Literal> {
        self.keywords
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.positional.is_empty() && self.keywords.is_empty()
    }
}

/// Columns are 1-based character positions in the text handed to
/// [`parse_spec`] or [`parse_arglist`], so authors can find the spot in
/// their markup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    #[error("syntax error at column {column}: {message}")]
    Syntax { column: usize, message: String },
    #[error("value at column {column} is not a literal: {found}")]
    NotLiteral { column: usize, found: String },
    #[error("unsupported literal at column {column}: {what}")]
    Unsupported { column: usize, what: String },
    #[error("unhashable type '{type_name}' at column {column}")]
    Unhashable {
        column: usize,
        type_name: &'static str,
    },
    #[error("positional argument at column {column} follows keyword argument")]
    PositionalAfterKeyword { column: usize },
    #[error("expected at most {limit} positional args but {given} were given")]
    TooManyPositional { limit: usize, given: usize },
}

impl ArgError {
    fn shifted(mut self, by: usize) -> Self {
        match &mut self {
            ArgError::Syntax { column, .. }
            | ArgError::NotLiteral { column, .. }
            | ArgError::Unsupported { column, .. }
            | ArgError::Unhashable { column, .. }
            | ArgError::PositionalAfterKeyword { column } => *column += by,
            ArgError::TooManyPositional { .. } => {}
        }
        self
    }
}

/// Splits `name{args}` and parses the arguments; text without a trailing
/// brace group comes back whole with no arguments, as in Publ.
pub fn parse_spec(text: &str, pos_limit: Option<usize>) -> Result<(String, ArgList), ArgError> {
    match split_spec(text) {
        Some((name, args)) => parse_arglist(args, pos_limit)
            .map(|list| (name.to_string(), list))
            .map_err(|e| e.shifted(name.chars().count() + 1)),
        None => Ok((text.to_string(), ArgList::default())),
    }
}

/// `re.match(r'([^\{]*)(\{(.*)\})$', text)`: the name runs to the first
/// `{`, the arguments to a `}` that ends the text (or precedes a final
/// newline, as `$` allows), and `.` keeps the arguments on one line.
fn split_spec(text: &str) -> Option<(&str, &str)> {
    let open = text.find('{')?;
    let rest = &text[open + 1..];
    let args = rest
        .strip_suffix("}\n")
        .or_else(|| rest.strip_suffix('}'))?;
    (!args.contains('\n')).then_some((&text[..open], args))
}

/// The contents of a Python call's parentheses, e.g. `320, 240, resize='fill'`.
pub fn parse_arglist(args: &str, pos_limit: Option<usize>) -> Result<ArgList, ArgError> {
    // CPython's tokenizer reads `\r\n` and a lone `\r` as `\n` everywhere,
    // even inside string literals; columns after a `\r\n` count it as one.
    let normalized;
    let src = if args.contains('\r') {
        normalized = args.replace("\r\n", "\n").replace('\r', "\n");
        &normalized
    } else {
        args
    };
    Parser {
        src,
        pos: 0,
        depth: 0,
        comment_at_eof: false,
    }
    .arglist(pos_limit)
}

/// CPython's tokenizer gives up at this many open brackets; the limit also
/// keeps hostile input from exhausting the stack.
const MAX_DEPTH: usize = 200;

/// Every prefix the tokenizer accepts, so that `x'a'` is a syntax error
/// here too rather than a name next to a string.
const STRING_PREFIXES: &[&str] = &["", "r", "u", "b", "br", "rb", "f", "fr", "rf"];

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    fn py_eq(self, other: Num) -> bool {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a == b,
            (Num::Float(a), Num::Float(b)) => a == b,
            // Exact, like Python: 2**53 + 1 != float(2**53).
            (Num::Int(i), Num::Float(f)) | (Num::Float(f), Num::Int(i)) => {
                f.fract() == 0.0 && f.abs() < 1e38 && f as i128 == i
            }
        }
    }
}

/// `literal_eval` only lets unary `+`/`-` apply to a bare number token
/// (parentheses don't count, so `-(3)` is fine but `-(-3)` is not); keeping
/// numbers unfinished until then also lets `-9223372036854775808` fit.
enum Node {
    Number(Num),
    Done(Literal),
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
    comment_at_eof: bool,
}

type Res<T> = Result<T, ArgError>;

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.pos += c.len_utf8();
        }
        hit
    }

    fn column(&self, at: usize) -> usize {
        self.src.get(..at).map_or(0, |s| s.chars().count()) + 1
    }

    fn syntax<T>(&self, at: usize, message: impl Into<String>) -> Res<T> {
        let message = message.into();
        Err(ArgError::Syntax {
            column: self.column(at),
            message,
        })
    }

    fn not_literal<T>(&self, at: usize, found: impl Into<String>) -> Res<T> {
        let found = found.into();
        Err(ArgError::NotLiteral {
            column: self.column(at),
            found,
        })
    }

    fn unsupported<T>(&self, at: usize, what: impl Into<String>) -> Res<T> {
        let what = what.into();
        Err(ArgError::Unsupported {
            column: self.column(at),
            what,
        })
    }

    /// The error for a missing delimiter; at end of input Python blames the
    /// bracket that was never closed, which is the more useful spot.
    fn expected<T>(&self, what: &str, open: usize) -> Res<T> {
        match self.peek() {
            None => {
                let bracket = self.src[open..].chars().next().unwrap_or('(');
                self.syntax(open, format!("'{bracket}' was never closed"))
            }
            Some(c) => self.syntax(self.pos, format!("expected {what}, found {c:?}")),
        }
    }

    /// Whitespace, comments and backslash continuations, as the tokenizer
    /// skips them inside brackets.
    fn skip_ws(&mut self) {
        loop {
            let rest = self.rest();
            match self.peek() {
                Some(' ' | '\t' | '\n' | '\x0c') => self.pos += 1,
                Some('#') => match rest.find('\n') {
                    Some(i) => self.pos += i,
                    None => {
                        self.pos = self.src.len();
                        self.comment_at_eof = true;
                    }
                },
                Some('\\') if rest[1..].starts_with('\n') => self.pos += 2,
                _ => return,
            }
        }
    }

    fn identifier(&mut self) -> Option<&'a str> {
        let rest = self.rest();
        if !rest.starts_with(is_ident_start) {
            return None;
        }
        let len = rest.find(|c| !is_ident_continue(c)).unwrap_or(rest.len());
        self.pos += len;
        Some(&rest[..len])
    }

    fn arglist(mut self, pos_limit: Option<usize>) -> Res<ArgList> {
        if let Some(i) = self.src.find('\0') {
            return self.syntax(i, "source cannot contain null bytes");
        }
        let mut out = ArgList::default();
        loop {
            self.skip_ws();
            let start = self.pos;
            if self.peek().is_none() {
                break;
            }
            if self.rest().starts_with("**") {
                return self.not_literal(start, "'**' unpacking");
            }
            if let Some(name) = self.keyword_name()? {
                let value = self.value()?;
                // Publ builds a dict from the keywords: a repeated one keeps
                // its first place and takes the last value.
                match out.keywords.iter_mut().find(|(k, _)| k == name) {
                    Some((_, old)) => *old = value,
                    None => out.keywords.push((name.to_string(), value)),
                }
            } else if !out.keywords.is_empty() {
                let column = self.column(start);
                return Err(ArgError::PositionalAfterKeyword { column });
            } else {
                out.positional.push(self.value()?);
            }
            self.skip_ws();
            match self.peek() {
                None => break,
                Some(',') => self.pos += 1,
                Some(c @ (')' | ']' | '}')) => {
                    return self.syntax(self.pos, format!("unmatched '{c}'"));
                }
                Some(c) => {
                    return self.syntax(
                        self.pos,
                        format!("expected ',' between arguments, found {c:?}"),
                    );
                }
            }
        }
        if self.comment_at_eof {
            return self.syntax(self.src.len(), "a comment swallows the closing parenthesis");
        }
        if let Some(limit) = pos_limit {
            let given = out.positional.len();
            if given > limit {
                return Err(ArgError::TooManyPositional { limit, given });
            }
        }
        Ok(out)
    }

    /// `name =` (but not `name ==`) starts a keyword argument.
    fn keyword_name(&mut self) -> Res<Option<&'a str>> {
        let start = self.pos;
        if let Some(name) = self.identifier() {
            self.skip_ws();
            if self.peek() == Some('=') && self.peek2() != Some('=') {
                if KEYWORDS.contains(&name) {
                    return self
                        .syntax(start, format!("cannot use '{name}' as a keyword argument"));
                }
                self.pos += 1;
                return Ok(Some(name));
            }
        }
        self.pos = start;
        Ok(None)
    }

    fn value(&mut self) -> Res<Literal> {
        self.skip_ws();
        let start = self.pos;
        match self.node()? {
            Node::Number(n) => self.finish(n, start),
            Node::Done(lit) => Ok(lit),
        }
    }

    fn finish(&self, n: Num, start: usize) -> Res<Literal> {
        match n {
            Num::Float(f) => Ok(Literal::Float(f)),
            Num::Int(i) => match i64::try_from(i) {
                Ok(i) => Ok(Literal::Int(i)),
                Err(_) => self.unsupported(start, "integer outside the 64-bit range"),
            },
        }
    }

    /// One argument-level expression: a literal, optionally signed, that
    /// must not be followed by anything making it a larger expression.
    fn node(&mut self) -> Res<Node> {
        self.skip_ws();
        let start = self.pos;
        let node = match self.peek() {
            Some(sign @ ('+' | '-')) => {
                self.pos += 1;
                self.skip_ws();
                if matches!(self.peek(), Some('+' | '-' | '~')) {
                    return self.not_literal(start, "nested unary operators");
                }
                let n = match self.atom()? {
                    Node::Number(Num::Int(i)) if sign == '-' => Num::Int(-i),
                    Node::Number(Num::Float(f)) if sign == '-' => Num::Float(-f),
                    Node::Number(n) => n,
                    Node::Done(lit) => {
                        let what = format!("unary '{sign}' applied to {}", lit.type_name());
                        return self.not_literal(start, what);
                    }
                };
                // A signed number is no longer bare: `-(-3)` is rejected.
                Node::Done(self.finish(n, start)?)
            }
            Some('~') => return self.not_literal(start, "'~' operator"),
            _ => self.atom()?,
        };
        self.skip_ws();
        if self.continues_expression() {
            return self.not_literal(start, "an operator expression");
        }
        Ok(node)
    }

    /// Whether the next token would turn the value just parsed into an
    /// operation, call, subscript or comprehension: valid Python, but not a
    /// literal, so it earns `NotLiteral` rather than a syntax error.
    fn continues_expression(&self) -> bool {
        let rest = self.rest();
        match self.peek() {
            Some(
                '+' | '-' | '*' | '/' | '%' | '@' | '&' | '|' | '^' | '<' | '>' | '.' | '(' | '[',
            ) => true,
            Some('=') => rest.starts_with("=="),
            Some('!') => rest.starts_with("!="),
            Some(c) if is_ident_start(c) => {
                let len = rest.find(|c| !is_ident_continue(c)).unwrap_or(rest.len());
                matches!(
                    &rest[..len],
                    "if" | "and" | "or" | "in" | "is" | "not" | "for" | "async"
                )
            }
            _ => false,
        }
    }

    fn atom(&mut self) -> Res<Node> {
        let start = self.pos;
        let Some(c) = self.peek() else {
            return self.syntax(start, "expected a value, found end of input");
        };
        match c {
            '(' | '[' | '{' => {
                if self.depth >= MAX_DEPTH {
                    return self.syntax(start, "too many nested brackets");
                }
                self.depth += 1;
                self.pos += 1;
                let node = match c {
                    '(' => self.paren(start)?,
                    '[' => Node::Done(Literal::List(
                        self.items(']', start)?
                            .into_iter()
                            .map(|(_, v)| v)
                            .collect(),
                    )),
                    _ => Node::Done(self.brace(start)?),
                };
                self.depth -= 1;
                Ok(node)
            }
            '\'' | '"' => Ok(Node::Done(self.strings()?)),
            '0'..='9' => Ok(Node::Number(self.number()?)),
            '.' if self.peek2().is_some_and(|d| d.is_ascii_digit()) => {
                Ok(Node::Number(self.number()?))
            }
            '*' => self.not_literal(start, "'*' unpacking"),
            c if is_ident_start(c) => self.word(),
            c => self.syntax(start, format!("unexpected {c:?}")),
        }
    }

    /// A name: a string prefix, one of the three literal keywords, the
    /// special-cased `set()`, or something `literal_eval` refuses.
    fn word(&mut self) -> Res<Node> {
        let start = self.pos;
        let Some(name) = self.identifier() else {
            return self.syntax(start, "expected a name");
        };
        if matches!(self.peek(), Some('\'' | '"')) {
            self.pos = start;
            return Ok(Node::Done(self.strings()?));
        }
        let lit = match name {
            "True" => Literal::Bool(true),
            "False" => Literal::Bool(false),
            "None" => Literal::None,
            "not" | "lambda" | "await" => {
                return self.not_literal(start, format!("'{name}' expression"));
            }
            _ if KEYWORDS.contains(&name) => {
                return self.syntax(start, format!("unexpected keyword '{name}'"));
            }
            _ => {
                self.skip_ws();
                if !self.eat('(') {
                    return self.not_literal(start, format!("name '{name}'"));
                }
                self.skip_ws();
                if name == "set" && self.eat(')') {
                    Literal::Set(Vec::new())
                } else {
                    return self.not_literal(start, format!("call to '{name}'"));
                }
            }
        };
        Ok(Node::Done(lit))
    }

    /// After `(`: the empty tuple, a parenthesised value (not a tuple), or
    /// a tuple, which needs a comma.
    fn paren(&mut self, open: usize) -> Res<Node> {
        self.skip_ws();
        if self.eat(')') {
            return Ok(Node::Done(Literal::Tuple(Vec::new())));
        }
        let first_at = self.pos;
        let first = self.node()?;
        if self.eat(')') {
            return Ok(first);
        }
        if !self.eat(',') {
            return self.expected("',' or ')'", open);
        }
        let first = match first {
            Node::Number(n) => self.finish(n, first_at)?,
            Node::Done(lit) => lit,
        };
        let mut items = vec![first];
        items.extend(self.items(')', open)?.into_iter().map(|(_, v)| v));
        Ok(Node::Done(Literal::Tuple(items)))
    }

    /// Comma-separated values up to `close`, trailing comma allowed; keeps
    /// each value's offset for hashability errors in sets.
    fn items(&mut self, close: char, open: usize) -> Res<Vec<(usize, Literal)>> {
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.eat(close) {
                return Ok(items);
            }
            let at = self.pos;
            items.push((at, self.value()?));
            self.skip_ws();
            if self.eat(close) {
                return Ok(items);
            }
            if !self.eat(',') {
                return self.expected(&format!("',' or '{close}'"), open);
            }
        }
    }

    /// After `{`: a dict or a set, decided by the first separator.
    fn brace(&mut self, open: usize) -> Res<Literal> {
        self.skip_ws();
        if self.eat('}') {
            return Ok(Literal::Dict(Vec::new()));
        }
        let mut key_at = self.pos;
        if self.rest().starts_with("**") {
            return self.not_literal(key_at, "'**' unpacking");
        }
        let mut key = self.value()?;
        self.skip_ws();
        if !self.eat(':') {
            let mut elems = vec![(key_at, key)];
            if self.eat(',') {
                elems.extend(self.items('}', open)?);
            } else if !self.eat('}') {
                return self.expected("',', ':' or '}'", open);
            }
            let mut set: Vec<Literal> = Vec::new();
            for (at, elem) in elems {
                self.check_hashable(&elem, at)?;
                if !set.iter().any(|e| e.py_eq(&elem)) {
                    set.push(elem);
                }
            }
            return Ok(Literal::Set(set));
        }
        let mut entries: Vec<(Literal, Literal)> = Vec::new();
        loop {
            let value = self.value()?;
            self.check_hashable(&key, key_at)?;
            // Python keeps the first key object and the last value.
            match entries.iter_mut().find(|(k, _)| k.py_eq(&key)) {
                Some(entry) => entry.1 = value,
                None => entries.push((key, value)),
            }
            self.skip_ws();
            if self.eat('}') {
                break;
            }
            if !self.eat(',') {
                return self.expected("',' or '}'", open);
            }
            self.skip_ws();
            if self.eat('}') {
                break;
            }
            key_at = self.pos;
            if self.rest().starts_with("**") {
                return self.not_literal(key_at, "'**' unpacking");
            }
            key = self.value()?;
            self.skip_ws();
            if !self.eat(':') {
                return self.expected("':'", open);
            }
        }
        Ok(Literal::Dict(entries))
    }

    fn check_hashable(&self, lit: &Literal, at: usize) -> Res<()> {
        match lit.unhashable_part() {
            Some(type_name) => Err(ArgError::Unhashable {
                column: self.column(at),
                type_name,
            }),
            None => Ok(()),
        }
    }

    fn at_string_start(&self) -> bool {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let prefix = rest[..len].to_ascii_lowercase();
        STRING_PREFIXES.contains(&prefix.as_str()) && rest[len..].starts_with(['\'', '"'])
    }

    /// One string literal plus any adjacent ones, which Python concatenates.
    fn strings(&mut self) -> Res<Literal> {
        let mut out = String::new();
        loop {
            self.string_piece(&mut out)?;
            self.skip_ws();
            if !self.at_string_start() {
                return Ok(Literal::Str(out));
            }
        }
    }

    fn string_piece(&mut self, out: &mut String) -> Res<()> {
        let start = self.pos;
        let rest = self.rest();
        let plen = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let Some(quote) = rest[plen..]
            .chars()
            .next()
            .filter(|c| matches!(c, '\'' | '"'))
        else {
            return self.syntax(start, "expected a string");
        };
        let raw = match rest[..plen].to_ascii_lowercase().as_str() {
            "" | "u" => false,
            "r" => true,
            "b" | "br" | "rb" => return self.unsupported(start, "bytes literals"),
            "f" | "fr" | "rf" => return self.not_literal(start, "an f-string"),
            _ => return self.syntax(start, format!("invalid string prefix '{}'", &rest[..plen])),
        };
        self.pos += plen;
        let closer = if quote == '\'' { "''" } else { "\"\"" };
        let triple = self.rest()[1..].starts_with(closer);
        self.pos += if triple { 3 } else { 1 };
        loop {
            let Some(c) = self.bump() else {
                return self.syntax(start, "unterminated string literal");
            };
            match c {
                '\n' if !triple => return self.syntax(start, "unterminated string literal"),
                c if c == quote => {
                    if !triple {
                        return Ok(());
                    }
                    if self.rest().starts_with(closer) {
                        self.pos += 2;
                        return Ok(());
                    }
                    out.push(c);
                }
                // Raw strings keep the backslash but it still protects the
                // next character from ending the string.
                '\\' if raw => match self.bump() {
                    Some(next) => {
                        out.push('\\');
                        out.push(next);
                    }
                    None => return self.syntax(start, "unterminated string literal"),
                },
                '\\' => self.escape(out, start)?,
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self, out: &mut String, start: usize) -> Res<()> {
        let at = self.pos - 1;
        let Some(c) = self.bump() else {
            return self.syntax(start, "unterminated string literal");
        };
        let ch = match c {
            '\n' => return Ok(()),
            '\\' | '\'' | '"' => c,
            'a' => '\x07',
            'b' => '\x08',
            'f' => '\x0c',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\x0b',
            '0'..='7' => {
                let mut v = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.pos += 1;
                        }
                        None => break,
                    }
                }
                return self.push_code(out, v, at);
            }
            'x' | 'u' | 'U' => {
                let len = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v: u32 = 0;
                for _ in 0..len {
                    match self.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            self.pos += 1;
                        }
                        None => return self.syntax(at, format!("truncated \\{c} escape")),
                    }
                }
                return self.push_code(out, v, at);
            }
            'N' => return self.unsupported(at, "\\N{...} escapes"),
            // Unknown escapes stay verbatim, backslash included.
            other => {
                out.push('\\');
                other
            }
        };
        out.push(ch);
        Ok(())
    }

    fn push_code(&self, out: &mut String, v: u32, at: usize) -> Res<()> {
        if v > 0x10ffff {
            return self.syntax(at, "illegal Unicode character");
        }
        match char::from_u32(v) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => self.unsupported(at, format!("lone surrogate \\u{v:04x}")),
        }
    }

    /// Digits with single underscores between them; `lead` allows one right
    /// after a `0x`-style prefix, as Python does.
    fn digits(&mut self, radix: u32, lead: bool) -> String {
        let mut s = String::new();
        loop {
            match self.peek() {
                Some(c) if c.is_digit(radix) => {
                    s.push(c);
                    self.pos += 1;
                }
                Some('_')
                    if (lead || !s.is_empty())
                        && self.peek2().is_some_and(|c| c.is_digit(radix)) =>
                {
                    self.pos += 1;
                }
                _ => return s,
            }
        }
    }

    fn number(&mut self) -> Res<Num> {
        let start = self.pos;
        let base = match self.rest().as_bytes() {
            [b'0', b'x' | b'X', ..] => Some((16, "hexadecimal")),
            [b'0', b'o' | b'O', ..] => Some((8, "octal")),
            [b'0', b'b' | b'B', ..] => Some((2, "binary")),
            _ => None,
        };
        if let Some((radix, name)) = base {
            self.pos += 2;
            let digits = self.digits(radix, true);
            if digits.is_empty() || self.peek().is_some_and(is_ident_continue) {
                return self.syntax(start, format!("invalid {name} literal"));
            }
            return self.int(&digits, radix, start);
        }
        let mut text = self.digits(10, false);
        let mut float = false;
        if self.eat('.') {
            float = true;
            text.push('.');
            text += &self.digits(10, false);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            float = true;
            text.push('e');
            self.pos += 1;
            if let Some(sign @ ('+' | '-')) = self.peek() {
                text.push(sign);
                self.pos += 1;
            }
            let exp = self.digits(10, false);
            if exp.is_empty() {
                return self.syntax(start, "invalid decimal literal");
            }
            text += &exp;
        }
        if matches!(self.peek(), Some('j' | 'J')) {
            return self.unsupported(start, "complex numbers");
        }
        if self.peek().is_some_and(is_ident_continue) {
            return self.syntax(start, "invalid decimal literal");
        }
        if float {
            return match text.parse::<f64>() {
                Ok(f) => Ok(Num::Float(f)),
                Err(_) => self.syntax(start, "invalid decimal literal"),
            };
        }
        if text.starts_with('0') && text.bytes().any(|b| b != b'0') {
            return self.syntax(
                start,
                "leading zeros in decimal integer literals are not permitted",
            );
        }
        self.int(&text, 10, start)
    }

    fn int(&self, digits: &str, radix: u32, start: usize) -> Res<Num> {
        match i128::from_str_radix(digits, radix) {
            Ok(i) => Ok(Num::Int(i)),
            Err(_) => self.unsupported(start, "integer outside the 64-bit range"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Spec = Result<(String, ArgList), ArgError>;

    /// What CPython raises for the same input, so error cases can be
    /// compared by class.
    fn python_exception(e: &ArgError) -> &'static str {
        match e {
            ArgError::Syntax { .. } | ArgError::PositionalAfterKeyword { .. } => "SyntaxError",
            ArgError::NotLiteral { .. } => "ValueError",
            ArgError::Unhashable { .. } | ArgError::TooManyPositional { .. } => "TypeError",
            ArgError::Unsupported { .. } => "Unsupported",
        }
    }

    /// `repr(parse_spec(text))` as the oracle printed it, or `ERR:<class>`.
    fn render(result: &Spec) -> String {
        match result {
            Ok((name, args)) => {
                let pos: Vec<String> = args.positional.iter().map(|v| v.to_string()).collect();
                let kw: Vec<String> = args
                    .keywords
                    .iter()
                    .map(|(k, v)| format!("{}: {v}", Literal::Str(k.clone())))
                    .collect();
                let name = Literal::Str(name.clone());
                format!("({name}, [{}], {{{}}})", pos.join(", "), kw.join(", "))
            }
            Err(e) => format!("ERR:{}", python_exception(e)),
        }
    }

    /// (spec text, pos_limit, expected). The expected column was produced by
    /// CPython 3.11.7 running Publ's `parse_spec` verbatim (ast.parse +
    /// ast.literal_eval) and printing `repr(result)` or `ERR:<exception>`.
    const CPYTHON: &[(&str, Option<usize>, &str)] = &[
        ("{320,240}", None, "('', [320, 240], {})"),
        (
            "{320, 240, resize='fill'}",
            None,
            "('', [320, 240], {'resize': 'fill'})",
        ),
        (
            "{width=320,title=\"A \\\"quoted\\\" title\"}",
            None,
            "('', [], {'width': 320, 'title': 'A \"quoted\" title'})",
        ),
        (
            "{scale=.5,format='png'}",
            None,
            "('', [], {'scale': 0.5, 'format': 'png'})",
        ),
        (
            "{fill_crop_x=0.25}",
            None,
            "('', [], {'fill_crop_x': 0.25})",
        ),
        (
            "{crop=(10,10,100,100)}",
            None,
            "('', [], {'crop': (10, 10, 100, 100)})",
        ),
        ("{link=None}", None, "('', [], {'link': None})"),
        (
            "{code_highlight=False}",
            None,
            "('', [], {'code_highlight': False})",
        ),
        ("{(1,)}", None, "('', [(1,)], {})"),
        ("{[1, 'a']}", None, "('', [[1, 'a']], {})"),
        ("{'a' 'b'}", None, "('', ['ab'], {})"),
        ("{-3}", None, "('', [-3], {})"),
        ("{0x1F}", None, "('', [31], {})"),
        ("{1_000}", None, "('', [1000], {})"),
        ("{}", None, "('', [], {})"),
        (
            "python{code_number_links=False}",
            None,
            "('python', [], {'code_number_links': False})",
        ),
        ("bash", None, "('bash', [], {})"),
        ("foo{", None, "('foo{', [], {})"),
        ("a{b}c", None, "('a{b}c', [], {})"),
        ("photo.jpg{320,240}", None, "('photo.jpg', [320, 240], {})"),
        ("x{1}{2}", None, "ERR:SyntaxError"),
        (
            "photo.jpg{320,240,resize='fill',title=\"x\"}",
            None,
            "('photo.jpg', [320, 240], {'resize': 'fill', 'title': 'x'})",
        ),
        ("{1,}", None, "('', [1], {})"),
        ("{a=1,}", None, "('', [], {'a': 1})"),
        ("{,}", None, "ERR:SyntaxError"),
        ("{1,,2}", None, "ERR:SyntaxError"),
        ("{ }", None, "('', [], {})"),
        ("{()}", None, "('', [()], {})"),
        ("{(1)}", None, "('', [1], {})"),
        ("{(1, 2,)}", None, "('', [(1, 2)], {})"),
        ("{((1))}", None, "('', [1], {})"),
        ("{[]}", None, "('', [[]], {})"),
        ("{[1,]}", None, "('', [[1]], {})"),
        ("{{}}", None, "('', [{}], {})"),
        (
            "{{'a': 1, 'b': [2, 3]}}",
            None,
            "('', [{'a': 1, 'b': [2, 3]}], {})",
        ),
        (
            "{{1: 'a', True: 'b', 1.0: 'c'}}",
            None,
            "('', [{1: 'c'}], {})",
        ),
        ("{{1}}", None, "('', [{1}], {})"),
        ("{{1, 1, True}}", None, "('', [{1}], {})"),
        ("{set()}", None, "('', [set()], {})"),
        ("{set( )}", None, "('', [set()], {})"),
        ("{set([1])}", None, "ERR:ValueError"),
        ("{True, False, None}", None, "('', [True, False, None], {})"),
        ("{+5, -0, -0.0, +1.5}", None, "('', [5, 0, -0.0, 1.5], {})"),
        ("{-(3)}", None, "('', [-3], {})"),
        ("{-(-3)}", None, "ERR:ValueError"),
        ("{--3}", None, "ERR:ValueError"),
        ("{-True}", None, "ERR:ValueError"),
        ("{-'a'}", None, "ERR:ValueError"),
        (
            "{0o17, 0b101, 0X_ff, 0xdead_beef}",
            None,
            "('', [15, 5, 255, 3735928559], {})",
        ),
        (
            "{1e3, 1E-3, 1_000.0, 1., 1.e2, 00.5, 007e1, 0_0, 00}",
            None,
            "('', [1000.0, 0.001, 1000.0, 1.0, 100.0, 0.5, 70.0, 0, 0], {})",
        ),
        (
            "{1e16, 1e15, 0.0001, 0.00001}",
            None,
            "('', [1e+16, 1000000000000000.0, 0.0001, 1e-05], {})",
        ),
        (
            "{1.5e300, 1e999, -1e999, 123456789.123}",
            None,
            "('', [1.5e+300, inf, -inf, 123456789.123], {})",
        ),
        (
            "{0.1, 2.5e-7, 1e22, 12345678901234567.0}",
            None,
            "('', [0.1, 2.5e-07, 1e+22, 1.2345678901234568e+16], {})",
        ),
        (
            "{9223372036854775807, -9223372036854775808}",
            None,
            "('', [9223372036854775807, -9223372036854775808], {})",
        ),
        (
            "{-(9223372036854775808)}",
            None,
            "('', [-9223372036854775808], {})",
        ),
        ("{007}", None, "ERR:SyntaxError"),
        ("{1__0}", None, "ERR:SyntaxError"),
        ("{1_}", None, "ERR:SyntaxError"),
        ("{0x}", None, "ERR:SyntaxError"),
        ("{0b12}", None, "ERR:SyntaxError"),
        ("{0o8}", None, "ERR:SyntaxError"),
        ("{1abc}", None, "ERR:SyntaxError"),
        ("{1e}", None, "ERR:SyntaxError"),
        ("{1._5}", None, "ERR:SyntaxError"),
        (
            "{r'a\\nb', R\"c\\d\"}",
            None,
            "('', ['a\\\\nb', 'c\\\\d'], {})",
        ),
        ("{u'x'}", None, "('', ['x'], {})"),
        (
            "{'''tri'ple''', \"\"\"do\"uble\"\"\"}",
            None,
            "('', [\"tri'ple\", 'do\"uble'], {})",
        ),
        (
            "{'\\x41\\u00e9\\U0001F600\\101\\0\\t\\\\'}",
            None,
            "('', ['Aé😀A\\x00\\t\\\\'], {})",
        ),
        ("{'\\d\\q'}", None, "('', ['\\\\d\\\\q'], {})"),
        ("{'\\x4'}", None, "ERR:SyntaxError"),
        ("{'\\U00110000'}", None, "ERR:SyntaxError"),
        (
            "{\"it's\", 'say \"hi\"', 'both \\' \"'}",
            None,
            "('', [\"it's\", 'say \"hi\"', 'both \\' \"'], {})",
        ),
        ("{'a' \"b\" r'\\c'}", None, "('', ['ab\\\\c'], {})"),
        ("{'unterminated}", None, "ERR:SyntaxError"),
        ("{r'\\'}", None, "ERR:SyntaxError"),
        ("{x'a'}", None, "ERR:SyntaxError"),
        ("{f'fstr'}", None, "ERR:ValueError"),
        ("{foo}", None, "ERR:ValueError"),
        ("{foo(1)}", None, "ERR:ValueError"),
        ("{a=b}", None, "ERR:ValueError"),
        ("{1+2}", None, "ERR:ValueError"),
        ("{1 + 2}", None, "ERR:ValueError"),
        ("{[1][0]}", None, "ERR:ValueError"),
        ("{'a'.upper()}", None, "ERR:ValueError"),
        ("{1 if True else 2}", None, "ERR:ValueError"),
        ("{not True}", None, "ERR:ValueError"),
        ("{~1}", None, "ERR:ValueError"),
        ("{lambda: 1}", None, "ERR:ValueError"),
        ("{*a}", None, "ERR:ValueError"),
        ("{a=1, 2}", None, "ERR:SyntaxError"),
        ("{True=1}", None, "ERR:SyntaxError"),
        ("{if=1}", None, "ERR:SyntaxError"),
        ("{a = 1}", None, "('', [], {'a': 1})"),
        ("{a == 1}", None, "ERR:ValueError"),
        ("{a:=1}", None, "ERR:ValueError"),
        ("{1 2}", None, "ERR:SyntaxError"),
        ("{1)}", None, "ERR:SyntaxError"),
        ("{(1}", None, "ERR:SyntaxError"),
        ("{[1}", None, "ERR:SyntaxError"),
        ("{[1)}", None, "ERR:SyntaxError"),
        ("{{1: }}", None, "ERR:SyntaxError"),
        ("{{1: 2, 3}}", None, "ERR:SyntaxError"),
        ("{{[1]: 2}}", None, "ERR:TypeError"),
        ("{{[1]}}", None, "ERR:TypeError"),
        ("{{(1, [2]): 3}}", None, "ERR:TypeError"),
        ("{{(1, 2): 3}}", None, "('', [{(1, 2): 3}], {})"),
        ("{(x for x in y)}", None, "ERR:ValueError"),
        ("{1 # comment}", None, "ERR:SyntaxError"),
        (
            "{é=1, _x=2, type=3, match=4}",
            None,
            "('', [], {'é': 1, '_x': 2, 'type': 3, 'match': 4})",
        ),
        ("{1,2,3}", Some(2), "ERR:TypeError"),
        ("{1,2}", Some(2), "('', [1, 2], {})"),
        ("{a=1}", Some(0), "('', [], {'a': 1})"),
        ("a{1}\n", None, "('a', [1], {})"),
        ("a{1,\n2}", None, "('a{1,\\n2}', [], {})"),
        ("ab\ncd{1}", None, "('ab\\ncd', [1], {})"),
        ("{1}}", None, "ERR:SyntaxError"),
        ("{{{1}}}", None, "ERR:TypeError"),
        ("{'{'}", None, "('', ['{'], {})"),
        ("{'}'}", None, "('', ['}'], {})"),
        ("{ \t1\t}", None, "('', [1], {})"),
        (
            "{'\\x7f\\x01\\xa0\\u200b\\n\\r'}",
            None,
            "('', ['\\x7f\\x01\\xa0\\u200b\\n\\r'], {})",
        ),
        ("{'ü', \"日本\"}", None, "('', ['ü', '日本'], {})"),
        ("{1;2}", None, "ERR:SyntaxError"),
        ("{\\}", None, "ERR:SyntaxError"),
        ("{\0}", None, "ERR:SyntaxError"),
        ("{1,\r2}", None, "('', [1, 2], {})"),
        ("{'a\rb'}", None, "ERR:SyntaxError"),
        ("{1, #c\r2}", None, "('', [1, 2], {})"),
        ("{'''a\rb'''}", None, "('', ['a\\nb'], {})"),
        ("x{1}\n\n", None, "('x{1}\\n\\n', [], {})"),
        ("{a=1, b=3, a=2}", None, "('', [], {'a': 2, 'b': 3})"),
        ("{\"a\\\rb\"}", None, "('', ['ab'], {})"),
        ("{1,\r\n2}", None, "('{1,\\r\\n2}', [], {})"),
    ];

    /// Inputs CPython accepts (or mangles) that we reject on purpose; see the
    /// module docs. (text, CPython 3.11.7's answer, ours).
    const DIVERGENT: &[(&str, &str, &str)] = &[
        ("{b'bytes'}", "('', [b'bytes'], {})", "ERR:Unsupported"),
        ("{**a}", "('', [], {})", "ERR:ValueError"),
        ("{1j}", "('', [1j], {})", "ERR:Unsupported"),
        ("{\"\\N{BULLET}\"}", "('', ['•'], {})", "ERR:Unsupported"),
        ("{'\\ud800'}", "('', ['\\ud800'], {})", "ERR:Unsupported"),
        (
            "{99999999999999999999}",
            "('', [99999999999999999999], {})",
            "ERR:Unsupported",
        ),
        ("{1.5j}", "('', [1.5j], {})", "ERR:Unsupported"),
        ("{1+2j}", "('', [(1+2j)], {})", "ERR:ValueError"),
        ("{1)(2}", "('', [2], {})", "ERR:SyntaxError"),
        ("{1)+(2}", "ERR:AttributeError", "ERR:SyntaxError"),
    ];

    #[test]
    fn matches_cpython() {
        let mut failures = Vec::new();
        for &(text, limit, expected) in CPYTHON {
            let got = render(&parse_spec(text, limit));
            if got != expected {
                failures.push(format!("{text:?}: expected {expected}, got {got}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn documented_divergences() {
        for &(text, _cpython, ours) in DIVERGENT {
            assert_eq!(render(&parse_spec(text, None)), ours, "{text:?}");
        }
    }

    #[test]
    fn values_round_trip_through_repr() {
        for &(text, limit, _) in CPYTHON {
            let Ok((_, args)) = parse_spec(text, limit) else {
                continue;
            };
            for v in args
                .positional
                .iter()
                .chain(args.keywords.iter().map(|(_, v)| v))
            {
                if v.to_string().contains("inf") {
                    continue; // repr(inf) is not a literal in Python either
                }
                let again = parse_arglist(&v.to_string(), None).map(|a| a.positional);
                assert_eq!(again, Ok(vec![v.clone()]), "{v}");
            }
        }
    }

    #[test]
    fn image_spec_accessors() {
        let (name, args) = parse_spec(
            "photo.jpg{320,240,resize='fill',scale=.5,crop=(1,2,3,4),link=None}",
            Some(2),
        )
        .unwrap();
        assert_eq!(name, "photo.jpg");
        assert_eq!(args.positional, [Literal::Int(320), Literal::Int(240)]);
        assert_eq!(args.get("resize").and_then(Literal::as_str), Some("fill"));
        assert_eq!(args.get("scale").and_then(Literal::as_f64), Some(0.5));
        assert_eq!(args.positional[0].as_f64(), Some(320.0));
        assert_eq!(args.positional[0].as_i64(), Some(320));
        let crop = args.get("crop").and_then(Literal::as_slice).unwrap();
        assert_eq!(crop.iter().filter_map(Literal::as_i64).sum::<i64>(), 10);
        assert!(args.get("link").is_some_and(Literal::is_none));
        assert_eq!(args.get("missing"), None);
        assert!(!args.is_empty());
        assert_eq!(Literal::Bool(true).as_f64(), None);
        assert_eq!(Literal::Bool(false).as_bool(), Some(false));
    }

    #[test]
    fn python_truthiness() {
        let falsy = "None, False, 0, 0.0, -0.0, '', (), [], {}, set()";
        let truthy = "True, 1, -1, 0.1, ' ', (0,), [None], {0: 0}, {0}";
        assert!(parse_arglist(falsy, None)
            .unwrap()
            .positional
            .iter()
            .all(|v| !v.truthy()));
        assert!(parse_arglist(truthy, None)
            .unwrap()
            .positional
            .iter()
            .all(Literal::truthy));
    }

    #[test]
    fn repr_formatting() {
        let cases = [
            (
                "1e16, 1e15, 1e-5, 0.0001, -0.0, 2.5, 1.0",
                "1e+16 1000000000000000.0 1e-05 0.0001 -0.0 2.5 1.0",
            ),
            (
                "(1,), (), [1, (2, 3)], {'a': [1]}, set(), {5}",
                "(1,) () [1, (2, 3)] {'a': [1]} set() {5}",
            ),
            (
                r#""it's", 'say "hi"', 'both \' "', '\\', '\x00\x7f\u200b'"#,
                r#""it's" 'say "hi"' 'both \' "' '\\' '\x00\x7f\u200b'"#,
            ),
        ];
        for (input, expected) in cases {
            let values = parse_arglist(input, None).unwrap().positional;
            let shown: Vec<String> = values.iter().map(ToString::to_string).collect();
            assert_eq!(shown.join(" "), expected);
        }
    }

    #[test]
    fn error_messages_point_at_the_spec() {
        let msg = |text: &str, limit| parse_spec(text, limit).unwrap_err().to_string();
        assert_eq!(
            msg("photo.jpg{320,foo}", None),
            "value at column 15 is not a literal: name 'foo'"
        );
        assert_eq!(
            msg("x{a=f(1)}", None),
            "value at column 5 is not a literal: call to 'f'"
        );
        assert_eq!(
            msg("x{a=1, 2}", None),
            "positional argument at column 8 follows keyword argument"
        );
        assert_eq!(
            msg("x{1,2,3}", Some(2)),
            "expected at most 2 positional args but 3 were given"
        );
        assert_eq!(
            msg("日本{1 2}", None),
            "syntax error at column 6: expected ',' between arguments, found '2'"
        );
        assert_eq!(
            msg("x{[1, 2}", None),
            "syntax error at column 3: '[' was never closed"
        );
        assert_eq!(
            msg("x{'abc}", None),
            "syntax error at column 3: unterminated string literal"
        );
        assert_eq!(
            msg("x{*a}", None),
            "value at column 3 is not a literal: '*' unpacking"
        );
        assert_eq!(
            msg("x{**a}", None),
            "value at column 3 is not a literal: '**' unpacking"
        );
        assert_eq!(
            msg("x{{[1]: 2}}", None),
            "unhashable type 'list' at column 4"
        );
        assert_eq!(
            msg("x{'\\x4'}", None),
            "syntax error at column 4: truncated \\x escape"
        );
    }

    #[test]
    fn whitespace_comments_and_continuations_in_arglist() {
        let args = parse_arglist("1,  # first\n  [2,\n 3], \\\n key = 'v' ,", None).unwrap();
        assert_eq!(args.positional.len(), 2);
        assert_eq!(args.get("key"), Some(&Literal::Str("v".into())));
        assert!(parse_arglist("1 # swallows the paren", None).is_err());
        assert_eq!(
            parse_arglist("'''a\nb'''", None).unwrap().positional,
            [Literal::Str("a\nb".into())]
        );
        assert!(parse_arglist("'a\nb'", None).is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!("{}{}", "[".repeat(150), "]".repeat(150));
        assert!(parse_arglist(&ok, None).is_ok());
        for open in ["(", "[", "{", "-(", "{1:"] {
            assert!(parse_arglist(&open.repeat(100_000), None).is_err());
        }
    }

    /// Every input must produce a value or an error, never a panic.
    #[test]
    fn malformed_input_never_panics() {
        const ATOMS: &[&str] = &[
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            "=",
            "'",
            "\"",
            "'''",
            "\\",
            "r",
            "b",
            "f",
            "x",
            "0x",
            "0b",
            "0o",
            "1",
            "0",
            "_",
            ".",
            "e",
            "j",
            "-",
            "+",
            "*",
            "**",
            "#",
            "\n",
            " ",
            "True",
            "set",
            "é",
            "日",
            "\\x",
            "\\u12",
            "\\U0011ffff",
            "\\N{",
            "\\777",
            "1e",
            "99999999999999999999999999999999999999999",
            "\0",
            "\r\n",
            "==",
            "if",
            "lambda",
        ];
        let mut inputs: Vec<String> = Vec::new();
        for a in ATOMS {
            for b in ATOMS {
                inputs.push(format!("{a}{b}"));
                for c in ATOMS.iter().step_by(3) {
                    inputs.push(format!("{a}{b}{c}"));
                }
            }
        }
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut s = String::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for _ in 0..(seed >> 60) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                s.push_str(ATOMS[(seed >> 33) as usize % ATOMS.len()]);
            }
            inputs.push(s);
        }
        let texts = CPYTHON
            .iter()
            .map(|c| c.0)
            .chain(DIVERGENT.iter().map(|c| c.0));
        for text in texts {
            for (i, _) in text.char_indices() {
                inputs.push(text[..i].to_string());
                let mut deleted = text.to_string();
                deleted.remove(i);
                inputs.push(deleted);
            }
        }
        for input in &inputs {
            for result in [
                parse_spec(input, Some(1)),
                parse_spec(&format!("n{{{input}}}"), None),
            ] {
                match result {
                    Ok((_, args)) => args.positional.iter().for_each(|v| drop(v.to_string())),
                    Err(e) => drop(e.to_string()),
                }
            }
            let _ = parse_arglist(input, None);
        }
    }
}
