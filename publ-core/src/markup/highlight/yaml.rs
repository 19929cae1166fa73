//! The callbacks of Pygments' `YamlLexer`, an `ExtendedRegexLexer` that
//! tracks indentation in its lexing context: ported one by one, as the
//! rule tables name them.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::lexer::{Kind, Token};

/// `YamlLexerContext`'s indentation state.
pub(super) struct Context {
    indent_stack: Vec<i64>,
    indent: i64,
    next_indent: i64,
    block_scalar_indent: Option<i64>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            indent_stack: Vec::new(),
            indent: -1,
            next_indent: 0,
            block_scalar_indent: None,
        }
    }
}

enum Call {
    Something,
    ResetIndent,
    SaveIndent { start: bool },
    SetIndent { implicit: bool },
    SetBlockScalarIndent,
    BlockScalarEmptyLine { content: Kind },
    BlockScalarIndent,
    PlainScalarIndent,
}

pub(super) struct Callback {
    call: Call,
    class: Kind,
    /// `token_class.Error`.
    error: Kind,
}

/// One matched rule's text and where its first group is.
pub(super) struct Matched<'t> {
    pub start: usize,
    pub end: usize,
    pub text: &'t str,
    pub group1: Option<&'t str>,
}

fn char_len(s: &str) -> i64 {
    s.chars().count() as i64
}

/// `s[..n]` in characters, as Python slices.
fn split_chars(s: &str, n: i64) -> (&str, &str) {
    let at = s
        .char_indices()
        .nth(n.max(0) as usize)
        .map_or(s.len(), |(i, _)| i);
    s.split_at(at)
}

impl Callback {
    pub(super) fn from_json(
        map: &Map<String, Value>,
        class_of: impl Fn(&Value) -> Kind,
    ) -> Result<Callback, String> {
        let flag = |k: &str| map.get(k).and_then(Value::as_bool).unwrap_or(false);
        let kind = |k: &str| map.get(k).map(&class_of).unwrap_or(Kind::Class(""));
        let call = match map.get("yaml").and_then(Value::as_str).unwrap_or("") {
            "something" => Call::Something,
            "reset_indent" => Call::ResetIndent,
            "save_indent" => Call::SaveIndent {
                start: flag("start"),
            },
            "set_indent" => Call::SetIndent {
                implicit: flag("implicit"),
            },
            "set_block_scalar_indent" => Call::SetBlockScalarIndent,
            "parse_block_scalar_empty_line" => Call::BlockScalarEmptyLine {
                content: kind("content"),
            },
            "parse_block_scalar_indent" => Call::BlockScalarIndent,
            "parse_plain_scalar_indent" => Call::PlainScalarIndent,
            other => return Err(format!("unknown YAML callback {other}")),
        };
        Ok(Callback {
            call,
            class: kind("class"),
            error: kind("error"),
        })
    }

    /// Runs the callback; the position it moves the lexer to, if it does
    /// (`context.pos = match.end()`).
    pub(super) fn run<'t>(
        &self,
        m: &Matched<'t>,
        ctx: &mut Context,
        stack: &mut Vec<usize>,
        out: &mut Vec<Token<'t>>,
    ) -> Option<usize> {
        let text = m.text;
        let mut emit = |at: usize, kind: Kind, s: &'t str| out.push((at, kind, Cow::Borrowed(s)));
        let pop_twice = |stack: &mut Vec<usize>| {
            for _ in 0..2 {
                if stack.len() > 1 {
                    stack.pop();
                }
            }
        };
        match &self.call {
            Call::Something => {
                if text.is_empty() {
                    return None;
                }
                emit(m.start, self.class, text);
            }
            Call::ResetIndent => {
                *ctx = Context::default();
                emit(m.start, self.class, text);
            }
            Call::SaveIndent { start } => {
                let (mut shown, mut extra) = (text, "");
                if *start {
                    ctx.next_indent = char_len(text);
                    if ctx.next_indent < ctx.indent {
                        while ctx.next_indent < ctx.indent {
                            ctx.indent = ctx.indent_stack.pop().unwrap_or(-1);
                        }
                        if ctx.next_indent > ctx.indent {
                            (shown, extra) = split_chars(text, ctx.indent);
                        }
                    }
                } else {
                    ctx.next_indent += char_len(text);
                }
                if !shown.is_empty() {
                    emit(m.start, self.class, shown);
                }
                if !extra.is_empty() {
                    emit(m.start + shown.len(), self.error, extra);
                }
            }
            Call::SetIndent { implicit } => {
                if ctx.indent < ctx.next_indent {
                    ctx.indent_stack.push(ctx.indent);
                    ctx.indent = ctx.next_indent;
                }
                if !implicit {
                    ctx.next_indent += char_len(text);
                }
                emit(m.start, self.class, text);
            }
            Call::SetBlockScalarIndent => {
                ctx.block_scalar_indent = None;
                if text.is_empty() {
                    return None;
                }
                if let Some(n) = m
                    .group1
                    .filter(|g| !g.is_empty())
                    .and_then(|g| g.parse::<i64>().ok())
                {
                    ctx.block_scalar_indent = Some(ctx.indent.max(0) + n);
                }
                emit(m.start, self.class, text);
            }
            Call::BlockScalarEmptyLine { content } => match ctx.block_scalar_indent {
                Some(indent) if char_len(text) > indent => {
                    let (lead, rest) = split_chars(text, indent);
                    emit(m.start, self.class, lead);
                    emit(m.start + lead.len(), *content, rest);
                }
                _ => {
                    if !text.is_empty() {
                        emit(m.start, self.class, text);
                    }
                }
            },
            Call::BlockScalarIndent => {
                let len = char_len(text);
                match ctx.block_scalar_indent {
                    None if len <= ctx.indent.max(0) => {
                        pop_twice(stack);
                        return None;
                    }
                    None => ctx.block_scalar_indent = Some(len),
                    Some(indent) if len < indent => {
                        pop_twice(stack);
                        return None;
                    }
                    Some(_) => {}
                }
                if text.is_empty() {
                    return None;
                }
                emit(m.start, self.class, text);
            }
            Call::PlainScalarIndent => {
                if char_len(text) <= ctx.indent {
                    pop_twice(stack);
                    return None;
                }
                if text.is_empty() {
                    return None;
                }
                emit(m.start, self.class, text);
            }
        }
        Some(m.end)
    }
}
