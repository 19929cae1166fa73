//! Markdown to HTML with pulldown-cmark and Publ's default extensions
//! (spec K1): tables, footnotes, strikethrough, superscript, math, smart
//! punctuation; raw HTML passes through. Headings, footnotes and code
//! blocks are reshaped as Publ's renderer makes them (spec K5, K7, K8), as
//! transforms of the event stream.

use pulldown_cmark::{html, CodeBlockKind, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

use super::arglist::{parse_spec, ArgList, Literal};
pub use super::extensions::Extensions;
use super::highlight::highlight;
use super::hoedown::{normalize, ESCAPED_EQUALS, TARGET_NEWLINE};
use super::html::{escape, make_tag, strip_html, Attrs, Strip};
use super::images::{extract as extract_images, restore as restore_images, ImageHook};
use super::inline;
use super::smartypants::smartypants;
use crate::content::slug::slugify;

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
    pub extensions: Extensions,
    /// Publ's title renderer: paragraphs, lists and headings pass through
    /// as their text (a list item keeps its `* `).
    pub title: bool,
    pub smartquotes: bool,
    /// `markup=False`: footnote markers as `[n]`, no return icon.
    pub plain: bool,
    pub entry_id: i64,
    /// Base URLs of heading, footnote and code line anchors.
    pub toc_link: String,
    pub footnotes_link: String,
    pub code_number_links: Option<String>,
    /// `code_highlight` (default on; `Render::default()` is off, for
    /// counting and plain contexts).
    pub code_highlight: bool,
    pub heading_link_class: Option<String>,
    /// Extra attributes of heading links, in order.
    pub heading_link_attrs: Attrs,
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

/// Counts headings, footnotes and code blocks without rendering; notes
/// count once referred to, as Hoedown renders only those.
pub fn count(text: &str, ext: &Extensions) -> Counter {
    let mut counter = Counter::default();
    let text = normalize(text, ext);
    let mut referenced: Vec<String> = Vec::new();
    let mut defined: Vec<String> = Vec::new();
    for event in Parser::new_ext(&text, ext.parser_options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => counter.toc += 1,
            Event::FootnoteReference(label) if !referenced.contains(&label.to_string()) => {
                referenced.push(label.to_string())
            }
            Event::Start(Tag::FootnoteDefinition(label)) => defined.push(label.to_string()),
            Event::Start(Tag::CodeBlock(_)) => counter.code_blocks += 1,
            _ => {}
        }
    }
    counter.footnote = referenced.iter().filter(|l| defined.contains(l)).count();
    counter
}

/// A block of Markdown as HTML, plain (category descriptions, captions).
pub fn to_html(text: &str, smartquotes: bool, extensions: Extensions) -> String {
    render(
        text,
        &Render {
            smartquotes,
            extensions,
            ..Render::default()
        },
        Counter::default(),
    )
    .html
}

/// A title (or `Summary` header) as Publ's title renderer makes it.
pub fn title_html(text: &str, smartquotes: bool, extensions: Extensions) -> String {
    render(
        text,
        &Render {
            smartquotes,
            extensions,
            title: true,
            ..Render::default()
        },
        Counter::default(),
    )
    .html
}

/// One line of Markdown as inline HTML: no enclosing paragraph.
pub fn inline_html(text: &str, smartquotes: bool, extensions: Extensions) -> String {
    let html = to_html(text, smartquotes, extensions);
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

fn push_events<'a>(
    out: &mut String,
    events: impl IntoIterator<Item = Event<'a>>,
    ext: &Extensions,
) {
    let mut events = inline::math(events.into_iter().collect(), ext);
    if ext.highlight {
        events = highlight_marks(events);
    }
    if ext.superscript {
        events = inline::superscript(events);
    }
    if ext.quote {
        events = inline::quotes(events);
    }
    if ext.autolink {
        events = inline::autolinks(events);
    }
    let mut autolink = false;
    let events = events.into_iter().map(|e| match e {
        Event::Text(t) if t.contains(ESCAPED_EQUALS) => {
            Event::Text(t.replace(ESCAPED_EQUALS, "=").into())
        }
        // Hoedown's autolinks: e-mail addresses get `mailto:`, which a
        // `<mailto:...>` link's text leaves out.
        Event::Start(Tag::Link {
            link_type: LinkType::Email,
            dest_url,
            ..
        }) => Event::InlineHtml(format!("<a href=\"mailto:{}\">", escape(&dest_url)).into()),
        Event::Text(t) if autolink && t.starts_with("mailto:") => {
            Event::Text(t["mailto:".len()..].to_string().into())
        }
        // Publ writes link targets as given (HTML-escaped, not URL-encoded),
        // line breaks included.
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            ..
        }) => {
            autolink = link_type == LinkType::Autolink;
            let title = if title.is_empty() {
                String::new()
            } else {
                format!(" title=\"{}\"", escape(&title))
            };
            let href = escape(&dest_url).replace(TARGET_NEWLINE, "\n");
            Event::InlineHtml(format!("<a href=\"{href}\"{title}>").into())
        }
        Event::End(TagEnd::Link) => {
            autolink = false;
            Event::InlineHtml("</a>".into())
        }
        other => other,
    });
    html::push_html(out, events);
}

/// `***x***` nests as `<strong><em>` in Hoedown, `<em><strong>` in
/// CommonMark: swap the pair where both open and close together, for the
/// events `triple` says were written with one run of three delimiters.
fn strong_outside_em<'a>(
    mut events: Vec<Event<'a>>,
    triple: impl Fn(usize) -> bool,
) -> Vec<Event<'a>> {
    let is = |e: &Event, want: &Event| e == want;
    let (em, strong) = (Event::Start(Tag::Emphasis), Event::Start(Tag::Strong));
    let (end_em, end_strong) = (Event::End(TagEnd::Emphasis), Event::End(TagEnd::Strong));
    let mut i = 0;
    while i + 1 < events.len() {
        if is(&events[i], &em) && is(&events[i + 1], &strong) && triple(i) {
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

/// Renders `text` continuing from `start` (the counts of the sections
/// before it).
pub fn render(text: &str, how: &Render, start: Counter) -> Rendered {
    let ext = &how.extensions;
    let (text, images) = extract_images(text);
    let text = normalize(&text, ext);
    let events = restore_images(parse(text.as_ref(), ext), &images, how.images.as_ref());
    let mut state = State {
        out: Rendered {
            counter: start,
            ..Rendered::default()
        },
        ..State::default()
    };
    let html = blocks(how, events.into_iter(), &mut state);
    let mut out = state.out;
    out.html = html;
    // Hoedown numbers notes as they are first referred to, and shows only
    // those.
    let mut notes: Vec<(usize, String)> = state
        .definitions
        .into_iter()
        .filter_map(|(label, content)| {
            let n = state.referenced.iter().position(|l| *l == label)?;
            let n = out.counter.footnote + n + 1;
            Some((n, footnote_item(how, n, content.trim_end())))
        })
        .collect();
    notes.sort_by_key(|(n, _)| *n);
    out.counter.footnote += notes.len();
    out.footnotes = notes.into_iter().map(|(_, li)| li).collect();
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

/// What rendering collects beside the HTML.
#[derive(Default)]
struct State {
    out: Rendered,
    /// Footnote labels in the order they are first referred to.
    referenced: Vec<String>,
    /// Footnote label and rendered content, in document order.
    definitions: Vec<(String, String)>,
}

/// Block-level rendering: headings, code blocks and footnotes are Publ's
/// own; the rest goes through pulldown-cmark's HTML writer.
fn blocks<'a>(
    how: &Render,
    mut events: impl Iterator<Item = Event<'a>>,
    state: &mut State,
) -> String {
    let ext = &how.extensions;
    let mut html = String::new();
    let mut pending: Vec<Event> = Vec::new();
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                push_events(&mut html, pending.drain(..), ext);
                let inner =
                    collect_until(&mut events, |e| matches!(e, Event::End(TagEnd::Heading(_))));
                let mut content = String::new();
                push_events(&mut content, inner, ext);
                if how.title {
                    // Publ's title renderer passes headings through.
                    html.push_str(&content);
                    continue;
                }
                state.out.counter.toc += 1;
                html.push_str(&heading(
                    how,
                    level,
                    &content,
                    state.out.counter.toc,
                    &mut state.out.toc,
                ));
            }
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) if how.title => {}
            Event::Start(Tag::List(_)) | Event::End(TagEnd::List(_)) | Event::End(TagEnd::Item)
                if how.title => {}
            // ... and puts the `* ` back on list items.
            Event::Start(Tag::Item) if how.title => pending.push(Event::Text("* ".into())),
            Event::FootnoteReference(label) => {
                if state.referenced.contains(&label.to_string()) {
                    // Hoedown refers to each note once; again, it is text.
                    pending.push(Event::Text(format!("[^{label}]").into()));
                    continue;
                }
                state.referenced.push(label.to_string());
                let n = state.out.counter.footnote + state.referenced.len();
                if how.suppress_footnotes {
                    pending.push(Event::Text("\u{200b}".into()));
                } else {
                    pending.push(Event::InlineHtml(footnote_ref(how, n).into()));
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let inner = collect_until(&mut events, |e| {
                    matches!(e, Event::End(TagEnd::FootnoteDefinition))
                });
                let content = blocks(how, inner.into_iter(), state);
                state.definitions.push((label.to_string(), content));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let mut code = String::new();
                for e in events.by_ref() {
                    match e {
                        Event::Text(t) => code.push_str(&t),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                if let (CodeBlockKind::Fenced(info), false) = (&kind, ext.fenced_code) {
                    // Without `fenced-code`, Hoedown reads the fences as a
                    // code span in a paragraph.
                    pending.push(Event::Start(Tag::Paragraph));
                    pending.push(Event::Code(format!("{info}\n{code}").into()));
                    pending.push(Event::End(TagEnd::Paragraph));
                    continue;
                }
                push_events(&mut html, pending.drain(..), ext);
                state.out.counter.code_blocks += 1;
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                html.push_str(&code_block(
                    how,
                    &lang,
                    &code,
                    state.out.counter.code_blocks,
                ));
            }
            other => pending.push(other),
        }
    }
    push_events(&mut html, pending.drain(..), ext);
    html
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

/// The document's events, reshaped where Hoedown builds another tree:
/// * list items hold paragraphs only once the item, or an earlier item of
///   its list, has a blank line inside or after it (CommonMark instead
///   makes every item of a list with any blank line "loose");
/// * a list item keeps one blank line of each run inside its code blocks;
/// * with `underline`, `_emphasis_` is `<u>`.
fn parse<'a>(text: &'a str, ext: &Extensions) -> Vec<Event<'a>> {
    let mut events = Vec::new();
    // Per open list: the source ranges of its items so far.
    let mut lists: Vec<Vec<(usize, std::ops::Range<usize>)>> = Vec::new();
    let mut tight: std::collections::HashSet<usize> = std::collections::HashSet::new();
    let mut underlined: Vec<bool> = Vec::new();
    let mut code_in_item: Option<String> = None;
    // Where each event's source starts (for events made from one, the
    // start of the one they came from).
    let mut starts: Vec<usize> = Vec::new();
    let mut last_start = 0;
    for (event, range) in Parser::new_ext(text, ext.parser_options()).into_offset_iter() {
        starts.resize(events.len(), last_start);
        last_start = range.start;
        match &event {
            // Hoedown numbers every ordered list from 1.
            Event::Start(Tag::List(Some(n))) if *n != 1 => {
                lists.push(Vec::new());
                events.push(Event::Start(Tag::List(Some(1))));
                continue;
            }
            // A backslash before a line break is text to Hoedown.
            Event::HardBreak if text[range.clone()].starts_with('\\') => {
                events.push(Event::Text("\\".into()));
                events.push(Event::SoftBreak);
                continue;
            }
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
            Event::Start(Tag::Emphasis) => {
                let underline = ext.underline && text[range.clone()].starts_with('_');
                underlined.push(underline);
                if underline {
                    events.push(Event::InlineHtml("<u>".into()));
                    continue;
                }
            }
            Event::End(TagEnd::Emphasis) if underlined.pop() == Some(true) => {
                events.push(Event::InlineHtml("</u>".into()));
                continue;
            }
            Event::Start(Tag::CodeBlock(_)) if !lists.is_empty() => {
                code_in_item = Some(String::new());
            }
            Event::Text(t) if code_in_item.is_some() => {
                if let Some(code) = code_in_item.as_mut() {
                    code.push_str(t);
                }
                continue;
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(code) = code_in_item.take() {
                    events.push(Event::Text(single_blank_lines(&code).into()));
                }
            }
            _ => {}
        }
        events.push(event);
    }
    starts.resize(events.len(), last_start);
    let triple = |i: usize| {
        let at = &text[starts[i].min(text.len())..];
        at.starts_with("***") || at.starts_with("___")
    };
    let events = strong_outside_em(events, triple);
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

/// Hoedown reads a list item's lines keeping one blank line of each run.
fn single_blank_lines(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut blank = false;
    for line in code.split_inclusive('\n') {
        let is_blank = line.trim().is_empty();
        if !(is_blank && blank) {
            out.push_str(line);
        }
        blank = is_blank;
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
    if !inline::any_text(&events, |t| t.contains('=')) {
        return events;
    }
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
    let mut attrs: Attrs = vec![(
        "href".into(),
        Some(crate::urls::join(&how.toc_link, &format!("#{id}"))),
    )];
    if let Some(class) = &how.heading_link_class {
        attrs.push(("class".into(), Some(class.clone())));
    }
    attrs.extend(how.heading_link_attrs.iter().cloned());
    let atag = make_tag("a", &attrs, false);
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
    let inner = py_format(template, &[("link", &atag), ("text", content)]);
    let open = make_tag(&format!("h{level}"), &[("id".into(), Some(id))], false);
    format!("{open}{inner}</h{level}>")
}

/// Python's `str.format` with named fields only: `{{`/`}}` are braces,
/// unknown fields are kept as written.
fn py_format(template: &str, fields: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        let field = tail[1..]
            .find('}')
            .map(|j| &tail[1..=j])
            .and_then(|name| fields.iter().find(|(n, _)| *n == name));
        match field {
            Some((name, value)) => {
                out.push_str(value);
                rest = &tail[name.len() + 2..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A footnote marker (spec K7): `[n]` without markup.
fn footnote_ref(how: &Render, n: usize) -> String {
    if how.plain {
        return format!("[{n}]");
    }
    let id = format!("r_e{}_fn{n}", how.entry_id);
    let mut sup: Attrs = vec![("id".into(), Some(id))];
    if let Some(class) = &how.footnotes_class {
        sup.push(("class".into(), Some(class.clone())));
    }
    let href = crate::urls::join(&how.footnotes_link, &format!("#d_e{}_fn{n}", how.entry_id));
    let link = make_tag(
        "a",
        &[
            ("href".into(), Some(href)),
            ("rel".into(), Some("footnote".into())),
        ],
        false,
    );
    format!("{}{link}{n}</a></sup>", make_tag("sup", &sup, false))
}

/// A footnote's `<li>` with its return link inside the first paragraph
/// (spec K7).
fn footnote_item(how: &Render, n: usize, content: &str) -> String {
    let (before, partition, after) = match content.find("</p>") {
        Some(i) => (&content[..i], "</p>", &content[i + 4..]),
        None => (content, "", ""),
    };
    let li = make_tag(
        "li",
        &[("id".into(), Some(format!("d_e{}_fn{n}", how.entry_id)))],
        false,
    );
    let href = crate::urls::join(&how.footnotes_link, &format!("#r_e{}_fn{n}", how.entry_id));
    let link = make_tag(
        "a",
        &[
            ("href".into(), Some(href)),
            ("rev".into(), Some("footnote".into())),
        ],
        false,
    );
    let icon = match &how.footnotes_return {
        Some(icon) => icon.as_str(),
        None if how.plain => "",
        None => "\u{21a9}",
    };
    format!("{li}{before}&nbsp;{link}{icon}</a>{partition}{after}</li>")
}

/// `<figure class=\"blockcode\">` with per-line wrappers (spec K8, K9); a
/// fenced language is highlighted, or plain text when it is unknown. The
/// info string may carry per-block options: `python{code_number_links=False}`.
fn code_block(how: &Render, info: &str, code: &str, block: usize) -> String {
    let mut out = String::from("<figure class=\"blockcode\">");
    let mut text = code;
    if let Some(rest) = text.strip_prefix('!') {
        let (caption, remainder) = rest.split_once('\n').unwrap_or((rest, ""));
        // Hoedown keeps a paragraph's leading spaces (`! caption.py`).
        let lead = caption.len() - caption.trim_start_matches(' ').len();
        let html = inline_html(caption, how.smartquotes, how.extensions);
        let caption = match lead {
            1..=3 if !html.is_empty() => format!("{}{html}", &caption[..lead]),
            _ => html,
        };
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
        let html = to_html(
            "a ~~b~~ \"c\"\n\n|x|y|\n|-|-|\n|1|2|\n",
            true,
            Extensions::default(),
        );
        assert!(html.contains("<del>b</del>"), "{html}");
        assert!(html.contains("&ldquo;c&rdquo;"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(
            to_html("<div class=\"x\">raw</div>\n", true, Extensions::default())
                .contains("<div class=\"x\">raw</div>")
        );
    }

    #[test]
    fn highlight_marks_like_hoedown() {
        // spec K1: the `highlight` extension
        assert_eq!(
            to_html(
                "==Update:== it *works* ==now==",
                true,
                Extensions::default()
            ),
            "<p><mark>Update:</mark> it <em>works</em> <mark>now</mark></p>"
        );
        assert_eq!(
            to_html("a == b", true, Extensions::default()),
            "<p>a == b</p>"
        );
        assert_eq!(
            to_html("`==x==`", true, Extensions::default()),
            "<p><code>==x==</code></p>"
        );
    }

    #[test]
    fn link_targets_may_hold_spaces() {
        // Hoedown accepts them; publ-site's blog relies on it.
        assert_eq!(
            to_html("see [this entry](20191029 secret.md) and [t](a b.md \"T\")", false, Extensions::default()),
            "<p>see <a href=\"20191029 secret.md\">this entry</a> and <a href=\"a b.md\" title=\"T\">t</a></p>"
        );
        // A double-backtick code span may hold single backticks.
        assert_eq!(
            to_html(
                "``[a `b`](c d.md)`` [e](f g.md)",
                false,
                Extensions::default()
            ),
            "<p><code>[a `b`](c d.md)</code> <a href=\"f g.md\">e</a></p>"
        );
        // Images keep their raw target for the image renderer (spec M17).
        assert_eq!(
            to_html("`[x](a b)` ![i](a b.png)", false, Extensions::default()),
            "<p><code>[x](a b)</code> <img src=\"a b.png\" alt=\"i\"></p>"
        );
    }

    #[test]
    fn strong_emphasis_nests_like_hoedown() {
        assert_eq!(
            to_html("a ***huge*** b", false, Extensions::default()),
            "<p>a <strong><em>huge</em></strong> b</p>"
        );
        assert_eq!(
            to_html("*a **b** c*", false, Extensions::default()),
            "<p><em>a <strong>b</strong> c</em></p>"
        );
    }

    #[test]
    fn list_items_loosen_like_hoedown() {
        // Hoedown: items stay tight until one has a blank line after it.
        assert_eq!(
            to_html("- a\n- b\n\n- c\n- d\n", false, Extensions::default()),
            "<ul>\n<li>a</li>\n<li>\n<p>b</p>\n</li>\n<li>\n<p>c</p>\n</li>\n<li>\n<p>d</p>\n</li>\n</ul>"
        );
        assert_eq!(
            to_html("- a\n- b\n", false, Extensions::default()),
            "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
        );
    }

    #[test]
    fn inline_has_no_paragraph() {
        assert_eq!(
            inline_html("*hi* there", true, Extensions::default()),
            "<em>hi</em> there"
        );
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
