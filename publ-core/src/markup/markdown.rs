//! Markdown to HTML with pulldown-cmark and Publ's default extensions
//! (spec K1): tables, footnotes, strikethrough, superscript, math, smart
//! punctuation; raw HTML passes through. Headings, footnotes and code
//! blocks are reshaped as Publ's renderer makes them (spec K5, K7, K8), as
//! transforms of the event stream.

use pulldown_cmark::{html, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::arglist::{parse_spec, ArgList, Literal};
use super::highlight::highlight;
use super::html::{escape, strip_html, Strip};
use super::images::{
    code_span_end, extract as extract_images, restore as restore_images, ImageHook,
};
use super::smartypants::smartypants;
use crate::content::slug::slugify;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_MATH
}

/// Running counts carried from an entry's body into its `more` (spec
/// section 4 item 10).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counter {
    pub toc: usize,
    pub footnote: usize,
    pub code_blocks: usize,
}

/// How an entry's Markdown is rendered (the keyword arguments of
/// `entry.body()` that shape Markdown).
#[derive(Debug, Clone, Default)]
pub struct Render {
    pub smartquotes: bool,
    pub entry_id: i64,
    /// Base URLs of heading, footnote and code line anchors.
    pub toc_link: String,
    pub footnotes_link: String,
    pub code_number_links: Option<String>,
    /// `code_highlight` (default on; `Render::default()` is off, for
    /// counting and plain contexts).
    pub code_highlight: bool,
    pub heading_link_class: Option<String>,
    pub heading_template: Option<String>,
    pub footnotes_class: Option<String>,
    pub footnotes_return: Option<String>,
    /// Footnote markers as zero-width spaces (summaries, spec section 4
    /// item 14).
    pub suppress_footnotes: bool,
    /// Renders image sets; without it images are plain `<img>` tags.
    pub images: Option<ImageHook>,
}

/// A rendered section and what it found along the way.
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    /// `(level, <a ...>text</a>)` per heading, for `entry.toc`.
    pub toc: Vec<(u8, String)>,
    /// `<li>` per footnote, for `entry.footnotes`.
    pub footnotes: Vec<String>,
    pub counter: Counter,
}

/// Counts headings, footnotes and code blocks without rendering.
pub fn count(text: &str) -> Counter {
    let mut counter = Counter::default();
    for event in Parser::new_ext(text, options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => counter.toc += 1,
            Event::Start(Tag::FootnoteDefinition(_)) => counter.footnote += 1,
            Event::Start(Tag::CodeBlock(_)) => counter.code_blocks += 1,
            _ => {}
        }
    }
    counter
}

/// A block of Markdown as HTML, plain (category descriptions, captions).
pub fn to_html(text: &str, smartquotes: bool) -> String {
    render(
        text,
        &Render {
            smartquotes,
            ..Render::default()
        },
        Counter::default(),
    )
    .html
}

/// One line of Markdown as inline HTML: no enclosing paragraph.
pub fn inline_html(text: &str, smartquotes: bool) -> String {
    let html = to_html(text, smartquotes);
    strip_single_paragraph(&html).to_string()
}

fn strip_single_paragraph(html: &str) -> &str {
    let trimmed = html.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner,
        _ => trimmed,
    }
}

fn push_events<'a>(out: &mut String, events: impl IntoIterator<Item = Event<'a>>) {
    let events = events.into_iter().map(|e| match e {
        // Publ writes link targets as given (HTML-escaped, not URL-encoded).
        Event::Start(Tag::Link {
            dest_url, title, ..
        }) => {
            let title = if title.is_empty() {
                String::new()
            } else {
                format!(" title=\"{}\"", escape(&title))
            };
            Event::InlineHtml(format!("<a href=\"{}\"{title}>", escape(&dest_url)).into())
        }
        Event::End(TagEnd::Link) => Event::InlineHtml("</a>".into()),
        other => other,
    });
    let events = strong_outside_em(highlight_marks(events.collect()));
    html::push_html(out, events.into_iter());
}

/// `***x***` nests as `<strong><em>` in Hoedown, `<em><strong>` in
/// CommonMark: swap the pair where both open and close together.
fn strong_outside_em(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let is = |e: &Event, want: &Event| e == want;
    let (em, strong) = (Event::Start(Tag::Emphasis), Event::Start(Tag::Strong));
    let (end_em, end_strong) = (Event::End(TagEnd::Emphasis), Event::End(TagEnd::Strong));
    let mut i = 0;
    while i + 1 < events.len() {
        if is(&events[i], &em) && is(&events[i + 1], &strong) {
            // Find the Strong that closes this one, at the same depth.
            let mut depth = 0;
            let close = (i + 2..events.len()).find(|&j| {
                if is(&events[j], &strong) {
                    depth += 1;
                } else if is(&events[j], &end_strong) {
                    if depth == 0 {
                        return true;
                    }
                    depth -= 1;
                }
                false
            });
            if let Some(j) = close {
                if events.get(j + 1).is_some_and(|e| is(e, &end_em)) {
                    events.swap(i, i + 1);
                    events.swap(j, j + 1);
                }
            }
        }
        i += 1;
    }
    events
}

/// Hoedown (Publ's parser) takes link targets with spaces in them
/// (`[this entry](20191029 secret.md)`); CommonMark needs them in `<>`.
/// Wraps such targets, leaving code and images alone.
fn bracket_spaced_links(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("](") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_fence: Option<&str> = None;
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
            in_fence = Some(fence);
            out.push_str(line);
            continue;
        }
        out.push_str(&bracket_line(line));
    }
    out.into()
}

fn bracket_line(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len() + 8);
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
                let mut depth = 1;
                let mut j = start;
                while j < b.len() {
                    match b[j] {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= b.len() {
                    break;
                }
                let inner = line[start..j].trim();
                let (dest, title) = split_title(inner);
                if dest.contains(char::is_whitespace) && !dest.starts_with('<') {
                    out.push_str(&line[copied..start]);
                    out.push('<');
                    out.push_str(dest);
                    out.push('>');
                    if let Some(title) = title {
                        out.push(' ');
                        out.push_str(title);
                    }
                    copied = j;
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&line[copied..]);
    out
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

/// Renders `text` continuing from `start` (the counts of the sections
/// before it).
pub fn render(text: &str, how: &Render, start: Counter) -> Rendered {
    let (text, images) = extract_images(text);
    let text = bracket_spaced_links(&text);
    let text = text.as_ref();
    let mut out = Rendered {
        counter: start,
        ..Rendered::default()
    };
    let mut footnote_numbers: Vec<String> = Vec::new();
    let mut footnotes: Vec<(usize, String)> = Vec::new();
    let number_of = |label: &str, numbers: &mut Vec<String>| -> usize {
        match numbers.iter().position(|l| l == label) {
            Some(i) => i + 1,
            None => {
                numbers.push(label.to_string());
                numbers.len()
            }
        }
    };
    let mut events =
        restore_images(hoedown_list_items(text), &images, how.images.as_ref()).into_iter();
    let mut pending: Vec<Event> = Vec::new();
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                push_events(&mut out.html, pending.drain(..));
                let inner =
                    collect_until(&mut events, |e| matches!(e, Event::End(TagEnd::Heading(_))));
                let mut content = String::new();
                push_events(&mut content, inner);
                out.counter.toc += 1;
                out.html.push_str(&heading(
                    how,
                    level,
                    &content,
                    out.counter.toc,
                    &mut out.toc,
                ));
            }
            Event::FootnoteReference(_) if how.suppress_footnotes => {
                pending.push(Event::Text("\u{200b}".into()));
            }
            Event::FootnoteReference(label) => {
                let n = out.counter.footnote + number_of(&label, &mut footnote_numbers);
                let class = how
                    .footnotes_class
                    .as_deref()
                    .map(|c| format!(" class=\"{}\"", escape(c)))
                    .unwrap_or_default();
                pending.push(Event::InlineHtml(
                    format!(
                        "<sup id=\"r_e{eid}_fn{n}\"{class}><a href=\"{link}#d_e{eid}_fn{n}\" rel=\"footnote\">{n}</a></sup>",
                        eid = how.entry_id,
                        link = escape(&how.footnotes_link),
                    )
                    .into(),
                ));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let inner = collect_until(&mut events, |e| {
                    matches!(e, Event::End(TagEnd::FootnoteDefinition))
                });
                let n = out.counter.footnote + number_of(&label, &mut footnote_numbers);
                let mut content = String::new();
                push_events(&mut content, inner);
                footnotes.push((n, footnote_item(how, n, content.trim_end())));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                push_events(&mut out.html, pending.drain(..));
                let mut code = String::new();
                for e in events.by_ref() {
                    match e {
                        Event::Text(t) => code.push_str(&t),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                out.counter.code_blocks += 1;
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                out.html
                    .push_str(&code_block(how, &lang, &code, out.counter.code_blocks));
            }
            other => pending.push(other),
        }
    }
    push_events(&mut out.html, pending.drain(..));
    footnotes.sort_by_key(|(n, _)| *n);
    out.counter.footnote += footnotes.len();
    out.footnotes = footnotes.into_iter().map(|(_, li)| li).collect();
    out.html.truncate(out.html.trim_end().len());
    // Publ runs smartypants over the finished HTML (spec K4).
    if how.smartquotes {
        out.html = smartypants(&out.html);
        for text in out
            .footnotes
            .iter_mut()
            .chain(out.toc.iter_mut().map(|(_, t)| t))
        {
            *text = smartypants(text);
        }
    }
    out
}

/// Events up to (not including) the one `end` matches, which is consumed.
fn collect_until<'a>(
    events: &mut impl Iterator<Item = Event<'a>>,
    end: impl Fn(&Event) -> bool,
) -> Vec<Event<'a>> {
    let mut inner = Vec::new();
    for e in events.by_ref() {
        if end(&e) {
            break;
        }
        inner.push(e);
    }
    inner
}

/// The document's events with list items as Hoedown shapes them: an item
/// holds paragraphs only once it, or an earlier item of its list, has a
/// blank line inside or after it; CommonMark instead makes every item of a
/// list with any blank line "loose".
fn hoedown_list_items(text: &str) -> Vec<Event<'_>> {
    let mut events = Vec::new();
    // Per open list: the source ranges of its items so far.
    let mut lists: Vec<Vec<(usize, std::ops::Range<usize>)>> = Vec::new();
    let mut tight: std::collections::HashSet<usize> = std::collections::HashSet::new();
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match &event {
            Event::Start(Tag::List(_)) => lists.push(Vec::new()),
            Event::Start(Tag::Item) => {
                if let Some(items) = lists.last_mut() {
                    items.push((events.len(), range.clone()));
                }
            }
            Event::End(TagEnd::List(_)) => {
                let items = lists.pop().unwrap_or_default();
                let mut block = false;
                for (k, (index, item)) in items.iter().enumerate() {
                    let until = items
                        .get(k + 1)
                        .map(|(_, next)| next.start)
                        .unwrap_or(item.end);
                    let span = text.get(item.start..until.max(item.start)).unwrap_or("");
                    let body = if k + 1 == items.len() {
                        span.trim_end()
                    } else {
                        span
                    };
                    block |= has_blank_line(body);
                    if !block {
                        tight.insert(*index);
                    }
                }
            }
            _ => {}
        }
        events.push(event);
    }
    // Drop the paragraphs directly inside items that stay tight.
    let mut out = Vec::with_capacity(events.len());
    let mut stack: Vec<(bool, bool)> = Vec::new(); // (tight item, dropped paragraph)
    for (index, event) in events.into_iter().enumerate() {
        match &event {
            Event::Start(Tag::Paragraph) if stack.last().is_some_and(|(t, _)| *t) => {
                stack.push((false, true));
                continue;
            }
            Event::Start(Tag::Item) => stack.push((tight.contains(&index), false)),
            Event::Start(_) => stack.push((false, false)),
            Event::End(_) if stack.pop().is_some_and(|(_, dropped)| dropped) => continue,
            _ => {}
        }
        out.push(event);
    }
    out
}

/// A line holding only whitespace, between two others.
fn has_blank_line(text: &str) -> bool {
    text.split('\n')
        .skip(1)
        .collect::<Vec<_>>()
        .split_last()
        .is_some_and(|(_, middle)| middle.iter().any(|l| l.trim().is_empty()))
}

/// `==text==` as `<mark>text</mark>` (Publ's `highlight` extension, spec
/// K1): pairs of `==` within one run of text.
fn highlight_marks<'a>(events: Vec<Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut Vec<Event<'a>>| {
        if run.is_empty() {
            return;
        }
        let pieces: Vec<&str> = run.split("==").collect();
        if pieces.len() < 3 {
            out.push(Event::Text(std::mem::take(run).into()));
            return;
        }
        let pairs = (pieces.len() - 1) / 2;
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                if i <= pairs * 2 {
                    out.push(Event::InlineHtml(
                        if i % 2 == 1 { "<mark>" } else { "</mark>" }.into(),
                    ));
                } else {
                    out.push(Event::Text("==".into()));
                }
            }
            if !piece.is_empty() {
                out.push(Event::Text(piece.to_string().into()));
            }
        }
        run.clear();
    };
    for event in events {
        match event {
            Event::Text(t) => run.push_str(&t),
            other => {
                flush(&mut run, &mut out);
                out.push(other);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// `<hN id=...><a href="toc_link#id"></a>text</hN>` (spec K5).
fn heading(
    how: &Render,
    level: HeadingLevel,
    content: &str,
    num: usize,
    toc: &mut Vec<(u8, String)>,
) -> String {
    let level = level as u8;
    let plain = strip_html(
        content,
        Strip {
            remove_elements: &["del", "s", "table"],
            ..Strip::default()
        },
    );
    // Named before smartypants runs, so from the straight quotes.
    let id = format!(
        "{}_h{level}_{num}_{}",
        how.entry_id,
        slugify(&plain, Some(32), false)
    );
    let class = how
        .heading_link_class
        .as_deref()
        .map(|c| format!(" class=\"{}\"", escape(c)))
        .unwrap_or_default();
    let atag = format!(
        "<a href=\"{}#{}\"{class}>",
        escape(&how.toc_link),
        escape(&id)
    );
    let toc_text = strip_html(
        content,
        Strip {
            allowed_tags: &[
                "sup", "sub", "em", "strong", "b", "i", "code", "tt", "del", "add", "mark",
            ],
            ..Strip::default()
        },
    );
    toc.push((level, format!("{atag}{toc_text}</a>")));
    let template = how
        .heading_template
        .as_deref()
        .unwrap_or("{link}</a>{text}");
    let inner = template.replace("{link}", &atag).replace("{text}", content);
    format!("<h{level} id=\"{}\">{inner}</h{level}>", escape(&id))
}

/// A footnote's `<li>` with its return link inside the first paragraph
/// (spec K7).
fn footnote_item(how: &Render, n: usize, content: &str) -> String {
    let (before, partition, after) = match content.find("</p>") {
        Some(i) => (&content[..i], "</p>", &content[i + 4..]),
        None => (content, "", ""),
    };
    format!(
        "<li id=\"d_e{eid}_fn{n}\">{before}&nbsp;<a href=\"{link}#r_e{eid}_fn{n}\" rev=\"footnote\">{icon}</a>{partition}{after}</li>",
        eid = how.entry_id,
        link = escape(&how.footnotes_link),
        icon = how.footnotes_return.as_deref().unwrap_or("\u{21a9}"),
    )
}

/// `<figure class=\"blockcode\">` with per-line wrappers (spec K8, K9); a
/// fenced language is highlighted, or plain text when it is unknown. The
/// info string may carry per-block options: `python{code_number_links=False}`.
fn code_block(how: &Render, info: &str, code: &str, block: usize) -> String {
    let mut out = String::from("<figure class=\"blockcode\">");
    let mut text = code;
    if let Some(rest) = text.strip_prefix('!') {
        let (caption, remainder) = rest.split_once('\n').unwrap_or((rest, ""));
        let caption = inline_html(caption, how.smartquotes);
        if !caption.is_empty() {
            out.push_str(&format!("<figcaption>{caption}</figcaption>"));
        }
        text = remainder;
    } else if text.starts_with("\\!") || text.starts_with('\n') {
        // An escaped `!`, or a blank first line, loses its first character.
        text = &text[1..];
    }
    let (lang, args) = match parse_spec(info, Some(0)) {
        Ok(parsed) => parsed,
        Err(err) => {
            tracing::warn!(info, error = %err, "bad code block options; ignored");
            (info.to_string(), ArgList::default())
        }
    };
    let highlighting = !lang.is_empty()
        && args
            .get("code_highlight")
            .map_or(how.code_highlight, Literal::truthy);
    let number_links = match args.get("code_number_links") {
        Some(Literal::Str(base)) => Some(base.clone()),
        Some(flag) if !flag.truthy() => None,
        _ => how.code_number_links.clone(),
    }
    .filter(|_| highlighting);
    if lang.is_empty() {
        out.push_str("<pre>");
    } else {
        out.push_str(&format!(
            "<pre{} data-language=\"{}\"{}>",
            if highlighting {
                " class=\"highlight\""
            } else {
                ""
            },
            escape(&lang),
            if number_links.is_some() {
                " data-line-numbers"
            } else {
                ""
            }
        ));
    }
    if highlighting {
        let lines = highlight(&lang, text);
        for (i, line) in lines.iter().enumerate() {
            let id = format!("e{}cb{block}L{}", how.entry_id, i + 1);
            let number = match &number_links {
                Some(base) => format!(
                    "<a class=\"line-number\" href=\"{}#{id}\"></a>",
                    escape(base)
                ),
                None => String::new(),
            };
            out.push_str(&format!(
                "<span class=\"line\" id=\"{id}\">{number}<span class=\"line-content\">{line}</span></span>\n"
            ));
        }
    } else {
        for line in text.lines() {
            out.push_str(&format!(
                "<span class=\"line\"><span class=\"line-content\">{}</span></span>\n",
                escape(line)
            ));
        }
    }
    out.push_str("</pre></figure>");
    out
}

/// `entry.toc`: nested `<ol>`s of the headings (spec F6).
pub fn toc_to_html(toc: &[(u8, String)], max_depth: Option<usize>) -> String {
    let Some(min_level) = toc.iter().map(|(l, _)| *l).min() else {
        return String::new();
    };
    let mut out = String::new();
    let mut current = 0usize;
    for (level, text) in toc {
        let level = (*level - min_level) as usize + 1;
        if max_depth.is_some_and(|m| level > m) {
            continue;
        }
        if level > current {
            out.push_str(&"<ol><li>".repeat(level - current));
        } else {
            out.push_str(&"</li></ol>".repeat(current - level));
            out.push_str("</li><li>");
        }
        out.push_str(text);
        current = level;
    }
    out.push_str(&"</li></ol>".repeat(current));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_extensions() {
        // spec K1, K4
        let html = to_html("a ~~b~~ \"c\"\n\n|x|y|\n|-|-|\n|1|2|\n", true);
        assert!(html.contains("<del>b</del>"), "{html}");
        assert!(html.contains("&ldquo;c&rdquo;"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(
            to_html("<div class=\"x\">raw</div>\n", true).contains("<div class=\"x\">raw</div>")
        );
    }

    #[test]
    fn highlight_marks_like_hoedown() {
        // spec K1: the `highlight` extension
        assert_eq!(
            to_html("==Update:== it *works* ==now==", true),
            "<p><mark>Update:</mark> it <em>works</em> <mark>now</mark></p>"
        );
        assert_eq!(to_html("a == b", true), "<p>a == b</p>");
        assert_eq!(to_html("`==x==`", true), "<p><code>==x==</code></p>");
    }

    #[test]
    fn link_targets_may_hold_spaces() {
        // Hoedown accepts them; publ-site's blog relies on it.
        assert_eq!(
            to_html("see [this entry](20191029 secret.md) and [t](a b.md \"T\")", false),
            "<p>see <a href=\"20191029 secret.md\">this entry</a> and <a href=\"a b.md\" title=\"T\">t</a></p>"
        );
        // A double-backtick code span may hold single backticks.
        assert_eq!(
            to_html("``[a `b`](c d.md)`` [e](f g.md)", false),
            "<p><code>[a `b`](c d.md)</code> <a href=\"f g.md\">e</a></p>"
        );
        // Images keep their raw target for the image renderer (spec M17).
        assert_eq!(
            to_html("`[x](a b)` ![i](a b.png)", false),
            "<p><code>[x](a b)</code> <img src=\"a b.png\" alt=\"i\"></p>"
        );
    }

    #[test]
    fn strong_emphasis_nests_like_hoedown() {
        assert_eq!(
            to_html("a ***huge*** b", false),
            "<p>a <strong><em>huge</em></strong> b</p>"
        );
        assert_eq!(
            to_html("*a **b** c*", false),
            "<p><em>a <strong>b</strong> c</em></p>"
        );
    }

    #[test]
    fn list_items_loosen_like_hoedown() {
        // Hoedown: items stay tight until one has a blank line after it.
        assert_eq!(
            to_html("- a\n- b\n\n- c\n- d\n", false),
            "<ul>\n<li>a</li>\n<li>\n<p>b</p>\n</li>\n<li>\n<p>c</p>\n</li>\n<li>\n<p>d</p>\n</li>\n</ul>"
        );
        assert_eq!(
            to_html("- a\n- b\n", false),
            "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
        );
    }

    #[test]
    fn inline_has_no_paragraph() {
        assert_eq!(inline_html("*hi* there", true), "<em>hi</em> there");
    }

    fn entry(id: i64) -> Render {
        Render {
            smartquotes: true,
            entry_id: id,
            toc_link: "/e/5-x".into(),
            footnotes_link: "/e/5-x".into(),
            code_number_links: Some("/e/5-x".into()),
            code_highlight: true,
            ..Render::default()
        }
    }

    #[test]
    fn headings_carry_publ_ids_across_sections() {
        // spec K5, section 4 item 10
        let body = render("# Hello *there*\n\ntext\n", &entry(5), Counter::default());
        assert_eq!(
            body.html,
            "<h1 id=\"5_h1_1_Hello-there\"><a href=\"/e/5-x#5_h1_1_Hello-there\"></a>Hello <em>there</em></h1><p>text</p>"
        );
        let more = render("## Next ~~gone~~ bit\n", &entry(5), body.counter);
        assert!(
            more.html.starts_with("<h2 id=\"5_h2_2_Next-bit\">"),
            "{}",
            more.html
        );
        let toc: Vec<_> = body.toc.iter().chain(more.toc.iter()).cloned().collect();
        assert_eq!(
            toc_to_html(&toc, None),
            "<ol><li><a href=\"/e/5-x#5_h1_1_Hello-there\">Hello <em>there</em></a><ol><li><a href=\"/e/5-x#5_h2_2_Next-bit\">Next <del>gone</del> bit</a></li></ol></li></ol>"
        );
        assert_eq!(toc_to_html(&toc, Some(1)).matches("<li>").count(), 1);
        // Anchors come from the straight-quoted text, as Publ's do.
        let quoted = render("## Publ's \"take\"\n", &entry(5), Counter::default());
        assert!(
            quoted.html.starts_with("<h2 id=\"5_h2_1_Publ-s-take\">"),
            "{}",
            quoted.html
        );
    }

    #[test]
    fn footnotes_are_collected_and_numbered_on() {
        // spec K7
        let body = render("A[^x].\n\n[^x]: Note *x*.\n", &entry(5), Counter::default());
        assert_eq!(
            body.html,
            "<p>A<sup id=\"r_e5_fn1\"><a href=\"/e/5-x#d_e5_fn1\" rel=\"footnote\">1</a></sup>.</p>"
        );
        assert_eq!(
            body.footnotes,
            vec!["<li id=\"d_e5_fn1\"><p>Note <em>x</em>.&nbsp;<a href=\"/e/5-x#r_e5_fn1\" rev=\"footnote\">\u{21a9}</a></p></li>".to_string()]
        );
        let more = render("B[^y].\n\n[^y]: Why.\n", &entry(5), body.counter);
        assert!(more.html.contains("id=\"r_e5_fn2\""), "{}", more.html);
    }

    #[test]
    fn code_block_options_per_block() {
        // spec K9: `lang{args}` overrides the template's options per block
        let r = render(
            "```python{code_number_links=False}\nx = 1\n```\n",
            &entry(5),
            Counter::default(),
        );
        assert!(
            r.html.contains("<pre class=\"highlight\" data-language=\"python\"><span class=\"line\" id=\"e5cb1L1\"><span class=\"line-content\"><span class=\"n"),
            "{}",
            r.html
        );
        let r = render(
            "```bash{code_highlight=False}\necho $x\n```\n",
            &entry(5),
            Counter::default(),
        );
        assert!(
            r.html.contains("<pre data-language=\"bash\"><span class=\"line\"><span class=\"line-content\">echo $x</span></span>\n</pre>"),
            "{}",
            r.html
        );
        let r = render(
            "```python{code_number_links='/x'}\nx\n```\n",
            &entry(5),
            Counter::default(),
        );
        assert!(r.html.contains("href=\"/x#e5cb1L1\""), "{}", r.html);
        // a malformed option list is ignored, never an error
        let r = render("```python{=}\nx\n```\n", &entry(5), Counter::default());
        assert!(r.html.contains("data-language=\"python{=}\""), "{}", r.html);
    }

    #[test]
    fn code_blocks_are_figures() {
        // spec K8
        let plain = render(
            "```\n!A *caption*\nx < y\n```\n",
            &entry(5),
            Counter::default(),
        );
        assert_eq!(
            plain.html,
            "<figure class=\"blockcode\"><figcaption>A <em>caption</em></figcaption><pre><span class=\"line\"><span class=\"line-content\">x &lt; y</span></span>\n</pre></figure>"
        );
        let fenced = render("```python\nprint(1)\n```\n", &entry(5), Counter::default());
        assert!(fenced.html.contains("<pre class=\"highlight\" data-language=\"python\" data-line-numbers><span class=\"line\" id=\"e5cb1L1\"><a class=\"line-number\" href=\"/e/5-x#e5cb1L1\"></a>"), "{}", fenced.html);
    }
}
