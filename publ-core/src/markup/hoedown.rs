//! Publ parses Markdown with Hoedown, whose grammar is older and looser
//! than CommonMark's. Before pulldown-cmark parses an entry, its source is
//! rewritten where the two disagree, so pulldown-cmark reads what Hoedown
//! would: link targets with spaces or line breaks, `#Heading` without a
//! space, list items with a wide gap after the marker, and emphasis inside
//! words. The parse-dependent rewrites take the places to change from a
//! first pulldown-cmark pass, so code, HTML and URLs are never touched.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd};

use super::extensions::Extensions;
use super::images::code_span_end;

/// Stands for a line break inside a link target, which CommonMark does not
/// allow there; the renderer turns it back into `\n` (Hoedown keeps it).
pub(super) const TARGET_NEWLINE: char = '\u{e000}';

/// Stands for an escaped `=`, which must not take part in `==highlight==`;
/// the renderer turns it back into `=`.
pub(super) const ESCAPED_EQUALS: char = '\u{e001}';

/// The source as Hoedown would read it, in CommonMark.
pub(super) fn normalize<'a>(text: &'a str, ext: &Extensions) -> Cow<'a, str> {
    let text = rewrite_lines(text);
    let edits = parse_edits(&text, ext);
    if edits.is_empty() {
        return text;
    }
    Cow::Owned(apply(&text, edits))
}

/// Link targets, run by run of lines outside fenced code (a first parse
/// would not see these links at all).
fn rewrite_lines(text: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_fence: Option<&str> = None;
    let mut run = String::new();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(fence) = in_fence {
            if trimmed.starts_with(fence) {
                in_fence = None;
            }
            out.push_str(line);
            continue;
        }
        if let Some(fence) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) {
            out.push_str(&link_targets(&std::mem::take(&mut run)));
            in_fence = Some(fence);
            out.push_str(line);
            continue;
        }
        run.push_str(line);
    }
    out.push_str(&link_targets(&run));
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// Hoedown takes link targets with spaces (`[this entry](20191029
/// secret.md)`) and line breaks; CommonMark needs the first in `<>` and
/// allows neither there. Leaves code spans and images alone.
fn link_targets(run: &str) -> Cow<'_, str> {
    if !run.contains("](") {
        return Cow::Borrowed(run);
    }
    let b = run.as_bytes();
    let mut out = String::with_capacity(run.len() + 8);
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        match b[i] {
            b'`' => {
                i = code_span_end(b, i);
                continue;
            }
            b']' if b.get(i + 1) == Some(&b'(') && !is_image(b, i) => {
                let start = i + 2;
                let Some(end) = target_end(b, start) else {
                    i += 1;
                    continue;
                };
                let inner = run[start..end].trim();
                let (dest, title) = split_title(inner);
                if dest.contains(char::is_whitespace) && !dest.starts_with('<') {
                    out.push_str(&run[copied..start]);
                    out.push('<');
                    out.push_str(&dest.replace('\n', &TARGET_NEWLINE.to_string()));
                    out.push('>');
                    if let Some(title) = title {
                        out.push(' ');
                        out.push_str(title);
                    }
                    copied = end;
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&run[copied..]);
    Cow::Owned(out)
}

/// The `)` closing a link target that starts at `start`, within the
/// paragraph.
fn target_end(b: &[u8], start: usize) -> Option<usize> {
    let mut depth = 1;
    let mut j = start;
    while j < b.len() {
        match b[j] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            b'\n'
                if b[j + 1..]
                    .iter()
                    .take_while(|c| **c != b'\n')
                    .all(u8::is_ascii_whitespace) =>
            {
                return None
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// Whether the `]` at `close` ends an image's alt text (`![...]`).
fn is_image(b: &[u8], close: usize) -> bool {
    let mut depth = 0;
    for k in (0..close).rev() {
        match b[k] {
            b']' => depth += 1,
            b'[' if depth == 0 => return k > 0 && b[k - 1] == b'!',
            b'[' => depth -= 1,
            _ => {}
        }
    }
    false
}

/// `dest "title"` -> (`dest`, `"title"`).
fn split_title(inner: &str) -> (&str, Option<&str>) {
    for quote in ['"', '\''] {
        if inner.ends_with(quote) {
            if let Some(open) = inner[..inner.len() - 1].rfind(quote) {
                if open > 0 && inner[..open].ends_with(char::is_whitespace) {
                    return (inner[..open].trim_end(), Some(&inner[open..]));
                }
            }
        }
    }
    (inner, None)
}

/// Replacements of source ranges found by parsing:
/// * emphasis inside words: Hoedown allows `snake_case_words` to
///   emphasise; with `no-intra-emphasis` it allows no intra-word emphasis;
/// * `#Heading` starting a line of text is a heading to Hoedown unless
///   `space-headers` is on;
/// * `*      text`: Hoedown takes the text after any gap as the item's,
///   CommonMark starts such an item with indented code;
/// * with `disable-indented-code`, indented code is read as text.
fn parse_edits(text: &str, ext: &Extensions) -> Vec<(Range<usize>, String)> {
    let mut edits = Vec::new();
    let b = text.as_bytes();
    let alnum_at = |i: Option<usize>| {
        i.and_then(|i| b.get(i))
            .is_some_and(u8::is_ascii_alphanumeric)
    };
    let line_start = |i: usize| i == 0 || b[i - 1] == b'\n';
    let mut autolink = 0;
    let mut in_code = false;
    let mut item_start: Option<usize> = None;
    // Adjacent text events: plain text pulldown-cmark split up.
    let mut run: Option<Range<usize>> = None;
    let mut para_end: Option<usize> = None;
    // Inside a list item Hoedown does start a sublist after text.
    let mut item_depth = 0usize;
    for (event, range) in Parser::new_ext(text, ext.parser_options()).into_offset_iter() {
        let after_item = item_start.take();
        let after_para = para_end.take();
        if !matches!(event, Event::Text(_)) || in_code {
            if let Some(run) = run.take() {
                underscores(text, run, ext, &mut edits);
            }
        }
        match event {
            Event::End(TagEnd::Paragraph) => para_end = Some(range.end),
            // Hoedown's paragraphs run on through list items: only a blank
            // line, a heading, a rule or a quote ends them.
            Event::Start(Tag::List(_)) => {
                let line = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
                let previous = text[..line.saturating_sub(1)].rsplit('\n').next();
                if item_depth == 0
                    && after_para.is_some()
                    && previous.is_some_and(|l| !l.trim().is_empty())
                {
                    let mut at = range.start;
                    for line in text[range.start..].split_inclusive('\n') {
                        if line.trim().is_empty() {
                            break;
                        }
                        let indent = line.len() - line.trim_start_matches(' ').len();
                        if let Some(gap) = marker_end(&line[indent..]) {
                            let marker = at + indent + gap - 1;
                            edits.push((marker..marker, "\\".to_string()));
                        }
                        at += line.len();
                    }
                }
            }
            Event::Start(Tag::Strikethrough) if !text[range.clone()].starts_with("~~") => {
                // Hoedown strikes through `~~` pairs only.
                edits.push((range.start..range.start, "\\".to_string()));
                edits.push((range.end - 1..range.end - 1, "\\".to_string()));
            }
            Event::Text(_)
                if ext.highlight
                    && range.start > 0
                    && text[range.start - 1..].starts_with("\\=") =>
            {
                edits.push((range.start - 1..range.start + 1, ESCAPED_EQUALS.to_string()));
            }
            Event::Start(Tag::CodeBlock(_)) | Event::End(TagEnd::CodeBlock) => {
                in_code = matches!(event, Event::Start(_));
                if let Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) = event {
                    if let Some(gap) = after_item.and_then(|at| marker_gap(text, at)) {
                        edits.push((gap, " ".to_string()));
                    }
                    if ext.disable_indented_code {
                        let mut at = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
                        for line in text[at..range.end].split_inclusive('\n') {
                            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
                            edits.push((at..at + indent, String::new()));
                            at += line.len();
                        }
                    }
                }
            }
            Event::Text(_) if in_code => {}
            Event::Start(Tag::Item) => {
                item_start = Some(range.start);
                item_depth += 1;
            }
            Event::End(TagEnd::Item) => item_depth = item_depth.saturating_sub(1),
            Event::Text(ref t) => {
                if !ext.space_headers && line_start(range.start) {
                    // Hoedown: up to six `#` make the level, the rest is text.
                    let hashes = t.bytes().take_while(|&c| c == b'#').count();
                    let level = hashes.min(6);
                    let spaced = hashes == level
                        && t.as_bytes().get(hashes).is_none_or(u8::is_ascii_whitespace);
                    if hashes > 0 && !spaced && text[range.start..].starts_with(&t[..hashes]) {
                        edits.push((range.start + level..range.start + level, " ".to_string()));
                    }
                }
                if autolink == 0 && !ext.no_intra_emphasis {
                    run = match run.take() {
                        Some(r) if r.end == range.start => Some(r.start..range.end),
                        Some(r) => {
                            underscores(text, r, ext, &mut edits);
                            Some(range)
                        }
                        None => Some(range),
                    };
                }
            }
            Event::Start(Tag::Link {
                link_type: LinkType::Autolink | LinkType::Email,
                ..
            }) => autolink += 1,
            Event::End(TagEnd::Link) if autolink > 0 => autolink -= 1,
            Event::Start(Tag::Emphasis | Tag::Strong) if ext.no_intra_emphasis => {
                let n = if matches!(event, Event::Start(Tag::Strong)) {
                    2
                } else {
                    1
                };
                let (open, close) = (range.start, range.end.saturating_sub(n));
                if alnum_at(open.checked_sub(1)) || alnum_at(Some(range.end)) {
                    for at in [open, close] {
                        edits.push((at..at, "\\".to_string()));
                        if n == 2 {
                            edits.push((at + 1..at + 1, "\\".to_string()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(run) = run {
        underscores(text, run, ext, &mut edits);
    }
    edits
}

/// `_` emphasis that Hoedown sees and CommonMark refuses (inside words:
/// `snake_case_words`, `x__init__y`): Hoedown pairs an opener not followed
/// by a space with the next run not preceded by one. Such pairs become
/// `*`s, which CommonMark lets emphasise inside words, where it will; not
/// in URLs that `autolink` will link.
fn underscores(
    text: &str,
    run: Range<usize>,
    ext: &Extensions,
    edits: &mut Vec<(Range<usize>, String)>,
) {
    let b = text.as_bytes();
    let urls: Vec<Range<usize>> = if ext.autolink {
        super::inline::bare_urls(&text[run.clone()])
            .map(|r| r.start + run.start..r.end + run.start)
            .collect()
    } else {
        Vec::new()
    };
    let space = |i: usize| i < run.start || i >= run.end || b[i].is_ascii_whitespace();
    let punct = |i: usize| !space(i) && b[i].is_ascii_punctuation();
    let underscores_at = |i: usize| b[i..run.end].iter().take_while(|&&c| c == b'_').count();
    let mut i = run.start;
    while i < run.end {
        if b[i] != b'_' || urls.iter().any(|u| u.contains(&i)) {
            i += 1;
            continue;
        }
        let n = underscores_at(i);
        // CommonMark's `*` opens where it is left-flanking: not before a
        // space, and not before punctuation unless after a space or some.
        let before = i.checked_sub(1);
        let opens = n <= 2
            && !space(i + n)
            && (!punct(i + n) || before.is_none_or(|k| space(k) || punct(k)));
        if !opens {
            i += n;
            continue;
        }
        let mut j = i + n;
        let close = loop {
            if j >= run.end {
                break None;
            }
            if b[j] == b'_' && !space(j - 1) {
                let m = underscores_at(j);
                if m >= n {
                    break Some(j);
                }
                j += m;
                continue;
            }
            j += 1;
        };
        match close {
            // ...and closes where it is right-flanking.
            Some(j) if !punct(j - 1) || space(j + n) || punct(j + n) => {
                // With `underline`, Hoedown's `_x_` is `<u>`: write it so.
                let (open, close) = if ext.underline && n == 1 {
                    ("<u>".to_string(), "</u>".to_string())
                } else {
                    ("*".repeat(n), "*".repeat(n))
                };
                edits.push((i..i + n, open));
                edits.push((j..j + n, close));
                i = j + n;
            }
            _ => i += n,
        }
    }
}

/// The length of the list marker (`*`, `+`, `-`, `1.`, `1)`) that
/// `line` starts with.
fn marker_end(line: &str) -> Option<usize> {
    if line.starts_with(['*', '+', '-']) {
        return Some(1);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && line[digits..].starts_with(['.', ')'])).then_some(digits + 1)
}

/// The run of spaces after the list marker at `at`, when it is wide
/// enough to have made CommonMark read indented code.
fn marker_gap(text: &str, at: usize) -> Option<Range<usize>> {
    let marker = marker_end(&text[at..])?;
    let gap = text[at + marker..]
        .bytes()
        .take_while(|&c| c == b' ')
        .count();
    (gap >= 5).then(|| at + marker..at + marker + gap)
}

fn apply(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len() + edits.len());
    let mut at = 0;
    for (range, with) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&with);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        normalize(text, &Extensions::default()).into_owned()
    }

    #[test]
    fn link_targets_with_spaces_and_breaks() {
        assert_eq!(norm("[a](b c.md)\n"), "[a](<b c.md>)\n");
        assert_eq!(norm("[a](b c.md \"t\")\n"), "[a](<b c.md> \"t\")\n");
        assert_eq!(
            norm("see [a](http://x/y-\nz) here\n"),
            format!("see [a](<http://x/y-{TARGET_NEWLINE}z>) here\n")
        );
        // a blank line ends the paragraph: no link there
        assert_eq!(norm("[a](b\n\nc)\n"), "[a](b\n\nc)\n");
        assert_eq!(norm("`[a](b c)`\n"), "`[a](b c)`\n");
    }

    #[test]
    fn headings_need_no_space() {
        assert_eq!(norm("#Title\n"), "# Title\n");
        assert_eq!(norm("####### Seven\n"), "###### # Seven\n");
        assert_eq!(norm("```\n#x\n```\n"), "```\n#x\n```\n");
        let ext = Extensions::from_names(&["space-headers"]);
        assert_eq!(normalize("#Title\n", &ext), "#Title\n");
    }

    #[test]
    fn lists_do_not_interrupt_paragraphs() {
        assert_eq!(norm("para\n- one\n- two\n"), "para\n\\- one\n\\- two\n");
        assert_eq!(norm("para\n1. one\n"), "para\n1\\. one\n");
        assert_eq!(norm("para\n\n- one\n"), "para\n\n- one\n");
        // ...but a list item's text may be followed by a sublist
        assert_eq!(norm("* item:\n    * sub\n"), "* item:\n    * sub\n");
        assert_eq!(
            norm("para\n- a\n+ b\n\n- c\n"),
            "para\n\\- a\n\\+ b\n\n- c\n"
        );
    }

    #[test]
    fn single_tildes_and_escaped_equals() {
        assert_eq!(norm("~a~ ~~b~~\n"), "\\~a\\~ ~~b~~\n");
        assert_eq!(norm("\\==x==\n"), format!("{ESCAPED_EQUALS}=x==\n"));
    }

    #[test]
    fn wide_list_marker_gaps() {
        assert_eq!(norm("*      `{x}`: y\n"), "* `{x}`: y\n");
        assert_eq!(norm("1.      z\n"), "1. z\n");
        assert_eq!(norm("*  a\n"), "*  a\n");
    }

    #[test]
    fn code_is_never_rewritten() {
        let code = "```\nsnake_case_name\n#x\n```\n\n    a_b_c\n";
        assert_eq!(norm(code), code);
    }

    #[test]
    fn intra_word_underscores_emphasise() {
        assert_eq!(
            norm("div_class=\"a\",img_class\n"),
            "div*class=\"a\",img*class\n"
        );
        // an opener without a closer stays an underscore
        assert_eq!(norm("db_config.py\n"), "db_config.py\n");
        assert_eq!(norm("a_b_c_d\n"), "a*b*c_d\n");
        assert_eq!(norm("x__init__y\n"), "x**init**y\n");
        assert_eq!(
            norm("`a_b_c` <http://x/a_b_c>\n"),
            "`a_b_c` <http://x/a_b_c>\n"
        );
        let ext = Extensions::from_names(&["underline"]);
        assert_eq!(normalize("un_intra_word\n", &ext), "un<u>intra</u>word\n");
        let ext = Extensions::from_names(&["no-intra-emphasis"]);
        assert_eq!(
            normalize("foo*bar*baz *ok*\n", &ext),
            "foo\\*bar\\*baz *ok*\n"
        );
    }

    #[test]
    fn indented_code_can_be_text() {
        let ext = Extensions::from_names(&["disable-indented-code"]);
        assert_eq!(
            normalize("para\n\n    not code\n", &ext),
            "para\n\nnot code\n"
        );
    }
}
