//! Markdown images as Publ reads them: Hoedown hands the raw alt text and
//! the raw target (which may hold spaces, `|` sets and `{...}` options) to
//! Publ's image renderer. CommonMark would reject most such targets, so
//! images are cut out of the text before parsing and put back, rendered,
//! in the event stream.

use std::borrow::Cow;
use std::sync::Arc;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::html::escape;

/// Renders one image (set) from its raw alt text and target.
#[derive(Clone)]
pub struct ImageHook(pub Arc<RenderImage>);

/// `(raw alt text, raw target) -> HTML`.
pub type RenderImage = dyn Fn(&str, &str) -> String + Send + Sync;

impl std::fmt::Debug for ImageHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImageHook")
    }
}

const PLACEHOLDER: &str = "publ-image:";

/// Replaces each `![alt](target)` outside code with `![](publ-image:N)`
/// and returns the raw `(alt, target)` pairs.
pub fn extract(text: &str) -> (Cow<'_, str>, Vec<(String, String)>) {
    if !text.contains("![") {
        return (text.into(), Vec::new());
    }
    let mut found = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<&str> = None;
    // Paragraph text is scanned as a whole: Publ's image sets often put
    // one image per line (`| b.jpg "B"`).
    let mut prose = String::new();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if let Some(f) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) {
            out.push_str(&extract_prose(&std::mem::take(&mut prose), &mut found));
            fence = Some(f);
            out.push_str(line);
            continue;
        }
        prose.push_str(line);
    }
    out.push_str(&extract_prose(&prose, &mut found));
    (out.into(), found)
}

fn extract_prose(line: &str, found: &mut Vec<(String, String)>) -> String {
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let (mut i, mut copied) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'`' => {
                i = code_span_end(b, i);
                continue;
            }
            b'\\' => i += 1,
            b'!' if b.get(i + 1) == Some(&b'[') => {
                if let Some((alt_end, target_end)) = image_at(b, i) {
                    out.push_str(&line[copied..i]);
                    out.push_str(&format!("![]({PLACEHOLDER}{})", found.len()));
                    found.push((
                        line[i + 2..alt_end].to_string(),
                        line[alt_end + 2..target_end].trim().to_string(),
                    ));
                    copied = target_end + 1;
                    i = target_end;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&line[copied..]);
    out
}

/// For a run of backticks at `at`: the index after the code span it opens
/// (closed by a run of the same length, within the paragraph), or after
/// the run itself when nothing closes it.
pub(super) fn code_span_end(b: &[u8], at: usize) -> usize {
    let run = |k: usize| b[k..].iter().take_while(|c| **c == b'`').count();
    let n = run(at);
    let mut k = at + n;
    while k < b.len() {
        match b[k] {
            b'`' => {
                let m = run(k);
                if m == n {
                    return k + m;
                }
                k += m;
            }
            b'\n' if blank_line_follows(b, k) => break,
            _ => k += 1,
        }
    }
    at + n
}

/// Whether the newline at `at` ends a paragraph (the next line is blank).
fn blank_line_follows(b: &[u8], at: usize) -> bool {
    b[at + 1..]
        .iter()
        .take_while(|c| **c != b'\n')
        .all(|c| c.is_ascii_whitespace())
}

/// For `![` at `start`: the index of the `]` closing the alt text (which
/// must be followed by `(`) and of the `)` closing the target.
fn image_at(b: &[u8], start: usize) -> Option<(usize, usize)> {
    let close = |open: u8, shut: u8, from: usize| {
        let mut depth = 0usize;
        let mut quote: Option<u8> = None;
        let mut k = from;
        while k < b.len() {
            let c = b[k];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                // Quotes only count inside the target (titles, options).
                // Quotes only count inside the target (titles, options),
                // where a title or value may start.
                None if open == b'('
                    && (c == b'"' || c == b'\'')
                    && k > from
                    && matches!(b[k - 1], b' ' | b'=' | b',' | b'(' | b'{' | b'[') =>
                {
                    quote = Some(c);
                }
                _ if c == b'\n' && blank_line_follows(b, k) => return None,
                None if c == b'\\' => k += 1,
                None if c == open => depth += 1,
                None if c == shut => {
                    if depth == 0 {
                        return Some(k);
                    }
                    depth -= 1;
                }
                None => {}
            }
            k += 1;
        }
        None
    };
    let alt_end = close(b'[', b']', start + 2)?;
    if b.get(alt_end + 1) != Some(&b'(') {
        return None;
    }
    let target_end = close(b'(', b')', alt_end + 2)?;
    Some((alt_end, target_end))
}

/// Puts the rendered images back into the events; without a hook, a plain
/// `<img>` as CommonMark would write it.
pub fn restore<'a>(
    events: Vec<Event<'a>>,
    found: &[(String, String)],
    hook: Option<&ImageHook>,
) -> Vec<Event<'a>> {
    if found.is_empty() {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut skipping = 0usize;
    for event in events {
        if skipping > 0 {
            match event {
                Event::Start(Tag::Image { .. }) => skipping += 1,
                Event::End(TagEnd::Image) => skipping -= 1,
                _ => {}
            }
            continue;
        }
        let index = match &event {
            Event::Start(Tag::Image { dest_url, .. }) => dest_url
                .strip_prefix(PLACEHOLDER)
                .and_then(|n| n.parse::<usize>().ok()),
            _ => None,
        };
        let Some((alt, target)) = index.and_then(|i| found.get(i)) else {
            out.push(event);
            continue;
        };
        skipping = 1;
        let html = match hook {
            Some(hook) => (hook.0)(alt, target),
            None => format!("<img src=\"{}\" alt=\"{}\">", escape(target), escape(alt)),
        };
        out.push(Event::InlineHtml(html.into()));
    }
    unwrap_blocks(out)
}

/// Publ's `paragraph()`: a paragraph that is just a `<div>` or `<figure>`
/// (an image set) is not wrapped in `<p>`.
fn unwrap_blocks(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut iter = events.into_iter().peekable();
    while let Some(event) = iter.next() {
        if let Event::Start(Tag::Paragraph) = event {
            let mut inner = Vec::new();
            for e in iter.by_ref() {
                if matches!(e, Event::End(TagEnd::Paragraph)) {
                    break;
                }
                inner.push(e);
            }
            let block = match inner.as_slice() {
                [Event::InlineHtml(html)] => ["div", "figure"]
                    .into_iter()
                    .any(|t| {
                        html.starts_with(&format!("<{t}")) && html.ends_with(&format!("</{t}>"))
                    })
                    .then(|| html.to_string()),
                _ => None,
            };
            match block {
                Some(html) => out.push(Event::Html(format!("\n{html}\n").into())),
                None => {
                    out.push(Event::Start(Tag::Paragraph));
                    out.extend(inner);
                    out.push(Event::End(TagEnd::Paragraph));
                }
            }
            continue;
        }
        out.push(event);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_cut_out_with_their_raw_text() {
        let (text, found) = extract(
            "a ![cat{scale=2}](c.jpg{320} \"A (big) cat\" | d.jpg) b `![x](y)`\n```\n![no](z)\n```\n",
        );
        assert_eq!(
            found,
            vec![(
                "cat{scale=2}".to_string(),
                "c.jpg{320} \"A (big) cat\" | d.jpg".to_string()
            )]
        );
        assert!(text.contains("a ![](publ-image:0) b `![x](y)`"), "{text}");
        assert!(text.contains("![no](z)"));
        let (text, found) = extract("![a](b.jpg \"B\"\n| c.jpg \"C\")\n\n![x](y\n\nz)");
        assert_eq!(found[0].1, "b.jpg \"B\"\n| c.jpg \"C\"");
        assert_eq!(found.len(), 1, "a paragraph break ends a target");
        assert!(text.starts_with("![](publ-image:0)\n\n![x](y"), "{text}");
        let (_, found) = extract("![a](b{crop=(1,2,3,4)})");
        assert_eq!(found[0].1, "b{crop=(1,2,3,4)}");
        let (_, found) = extract("``a ` ![x](y) `` ![z](w)");
        assert_eq!(found, vec![("z".to_string(), "w".to_string())]);
        let (text, found) = extract("![unclosed](x");
        assert!(found.is_empty());
        assert_eq!(text, "![unclosed](x");
    }
}
