//! Small HTML helpers: escaping like markupsafe and Publ's `strip_html`.

use std::borrow::Cow;

/// markupsafe's `escape()`: exactly these five characters, as numeric
/// references for the quotes.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One piece of an HTML document.
enum Token<'a> {
    Text(&'a str),
    Start { name: String, self_closing: bool },
    End(String),
    Other,
}

/// Splits HTML into text and tags; a stray `<` is text.
fn tokens(html: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        if lt > 0 {
            out.push(Token::Text(&rest[..lt]));
        }
        let tail = &rest[lt..];
        if let Some(body) = tail.strip_prefix("<!--") {
            let end = body.find("-->").map(|i| i + 3).unwrap_or(body.len());
            out.push(Token::Other);
            rest = &body[end..];
            continue;
        }
        let Some(end) = tag_end(tail) else {
            out.push(Token::Text(tail));
            rest = "";
            break;
        };
        let inner = &tail[1..end];
        rest = &tail[end + 1..];
        if let Some(name) = inner.strip_prefix('/') {
            out.push(Token::End(tag_name(name)));
        } else if inner.starts_with('!') || inner.starts_with('?') {
            out.push(Token::Other);
        } else {
            let name = tag_name(inner);
            if name.is_empty() {
                out.push(Token::Text(&tail[..end + 1]));
            } else {
                out.push(Token::Start {
                    name,
                    self_closing: inner.trim_end().ends_with('/'),
                });
            }
        }
    }
    if !rest.is_empty() {
        out.push(Token::Text(rest));
    }
    out
}

/// The index of the `>` closing the tag at the start of `s`, skipping
/// quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

fn tag_name(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Publ's `strip_html` without allowed tags: tags removed, the contents of
/// `remove_elements` dropped, `<p>`/`<br>` as line breaks, entities
/// decoded, runs of spaces collapsed (spec E12).
pub fn strip_html(html: &str, remove_elements: &[&str]) -> String {
    let mut out = String::with_capacity(html.len());
    let mut removing = 0usize;
    for token in tokens(html) {
        match token {
            Token::Text(t) if removing == 0 => out.push_str(t),
            Token::Start { name, self_closing } => {
                if name == "p" || name == "br" {
                    out.push('\n');
                }
                if !self_closing && remove_elements.contains(&name.as_str()) {
                    removing += 1;
                }
            }
            Token::End(name) => {
                if name == "p" {
                    out.push('\n');
                }
                if remove_elements.contains(&name.as_str()) {
                    removing = removing.saturating_sub(1);
                }
            }
            _ => {}
        }
    }
    let text = unescape(&out);
    let mut collapsed = String::with_capacity(text.len());
    let mut prev_space = false;
    for c in text.chars() {
        if c == ' ' && prev_space {
            continue;
        }
        prev_space = c == ' ';
        collapsed.push(c);
    }
    collapsed.trim().to_string()
}

/// The first paragraph of rendered HTML, tags included (a simplified
/// `first_paragraph`, spec E13); the whole text when it has no `<p>`.
pub fn first_paragraph(html: &str) -> String {
    let Some(start) = html.find("<p>").or_else(|| html.find("<p ")) else {
        return html.trim().to_string();
    };
    match html[start..].find("</p>") {
        Some(end) => html[start..start + end + 4].to_string(),
        None => html[start..].trim().to_string(),
    }
}

/// Decodes character references (the common named ones and all numeric).
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let decoded = tail.find(';').filter(|semi| *semi <= 12).and_then(|semi| {
            let name = &tail[1..semi];
            let c = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(num, 16).ok().and_then(char::from_u32)
            } else if let Some(num) = name.strip_prefix('#') {
                num.parse().ok().and_then(char::from_u32)
            } else {
                named_entity(name)
            };
            c.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "mdash" => '\u{2014}',
        "ndash" => '\u{2013}',
        "hellip" => '\u{2026}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201c}',
        "rdquo" => '\u{201d}',
        "copy" => '\u{a9}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_matches_markupsafe() {
        assert_eq!(
            escape("<a href='x'>\"&/"),
            "&lt;a href=&#39;x&#39;&gt;&#34;&amp;/"
        );
    }

    #[test]
    fn strip_html_like_publ() {
        // spec E12
        assert_eq!(
            strip_html("<p>Hello <b>there</b></p><p>you &amp; me</p>", &[]),
            "Hello there\n\nyou & me"
        );
        assert_eq!(strip_html("a <del>gone</del>  b", &["del"]), "a b");
        assert_eq!(strip_html("x < y", &[]), "x < y");
    }
}
