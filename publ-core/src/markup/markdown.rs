//! Markdown to HTML with pulldown-cmark and Publ's default extensions
//! (spec K1): tables, footnotes, strikethrough, smart punctuation; raw HTML
//! passes through.

use pulldown_cmark::{html, Options, Parser};

fn options(smartquotes: bool) -> Options {
    let mut opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_MATH;
    if smartquotes {
        opts |= Options::ENABLE_SMART_PUNCTUATION;
    }
    opts
}

/// A block of Markdown as HTML.
pub fn to_html(text: &str, smartquotes: bool) -> String {
    let parser = Parser::new_ext(text, options(smartquotes));
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out.truncate(out.trim_end().len());
    out
}

/// One line of Markdown as inline HTML: no enclosing paragraph.
pub fn inline_html(text: &str, smartquotes: bool) -> String {
    let html = to_html(text, smartquotes);
    let trimmed = html.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_extensions() {
        // spec K1, K4
        let html = to_html("a ~~b~~ \"c\"\n\n|x|y|\n|-|-|\n|1|2|\n", true);
        assert!(html.contains("<del>b</del>"), "{html}");
        assert!(html.contains("\u{201c}c\u{201d}"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(
            to_html("<div class=\"x\">raw</div>\n", true).contains("<div class=\"x\">raw</div>")
        );
    }

    #[test]
    fn inline_has_no_paragraph() {
        assert_eq!(inline_html("*hi* there", true), "<em>hi</em> there");
    }
}
