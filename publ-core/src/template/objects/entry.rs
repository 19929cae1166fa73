//! `entry` in templates (spec F1-F19).

use std::fmt;
use std::sync::{Arc, OnceLock};

use minijinja::value::{Object, ObjectRepr};
use minijinja::{Error, Value};

use super::args::{bad_argument, CallArgs};
use super::category::CategoryObject;
use super::image::{image_args, layout_args, ImageObject};
use super::member::bind;
use super::view::{spec_from_keywords, ViewObject};
use crate::access::is_authorized;
use crate::content::entry_file::{split_fold, Format};
use crate::content::headers::{parse_message, Headers};
use crate::image::markup::rewrite_img;
use crate::image::set::render_set;
use crate::index::records::EntryRecord;
use crate::markup::html::{escape, first_paragraph, images_in, plain_text, rewrite_links};
use crate::markup::images::ImageHook;
use crate::markup::markdown::{count, render, toc_to_html, Counter, Render, Rendered};
use crate::markup::title::html_title;
use crate::template::date::ArrowDate;
use crate::template::page::Page;
use crate::view::spec::SpecValue;

/// The two halves of an entry around its `.....` fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Body,
    More,
}

/// The parts of an entry file that only rendering needs.
#[derive(Debug, Default)]
struct EntryText {
    headers: Headers,
    body: String,
    more: String,
}

pub struct EntryObject {
    page: Arc<Page>,
    pub record: Arc<EntryRecord>,
    text: OnceLock<EntryText>,
}

impl fmt::Debug for EntryObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<entry {}>", self.record.id)
    }
}

impl EntryObject {
    pub fn value(page: &Arc<Page>, record: &Arc<EntryRecord>) -> Value {
        Value::from_object(EntryObject {
            page: page.clone(),
            record: record.clone(),
            text: OnceLock::new(),
        })
    }

    fn text(&self) -> &EntryText {
        self.text.get_or_init(|| {
            let raw = match std::fs::read_to_string(&self.record.file_path) {
                Ok(raw) => raw,
                Err(err) => {
                    tracing::error!(path = %self.record.file_path.display(), error = %err, "cannot read entry file");
                    return EntryText::default();
                }
            };
            let msg = parse_message(&raw);
            let (body, more) = split_fold(&msg.payload);
            EntryText {
                headers: msg.headers,
                body,
                more,
            }
        })
    }

    pub fn authorized(&self) -> bool {
        is_authorized(&self.record.auth, self.page.user.as_deref())
    }

    /// Unauthorized viewers may only read these headers (spec F17).
    fn readable(&self, name: &str) -> bool {
        matches!(
            name.to_ascii_lowercase().as_str(),
            "uuid" | "id" | "date" | "last-modified"
        ) || self.authorized()
    }

    pub fn permalink(&self, args: &CallArgs) -> String {
        let absolute = args.flag(0, "absolute", false);
        let query: Vec<(String, String)> = args
            .keywords
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "absolute" | "expand") && !k.starts_with('_'))
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        let path = crate::urls::permalink(
            &self.record,
            args.flag(1, "expand", true),
            &query,
            self.page.user.as_deref(),
        );
        let link = self.page.link(&path, absolute);
        // Flask's `_scheme` (publ-site asks for https canonical links);
        // Publ drops every keyword for `Path-Canonical` entries.
        match args.string(usize::MAX, "_scheme") {
            Some(scheme) if absolute && self.record.canonical_path.is_empty() => {
                match link.split_once("://") {
                    Some((_, rest)) => format!("{scheme}://{rest}"),
                    None => link,
                }
            }
            _ => link,
        }
    }

    /// Markdown rendering options from the call's arguments; anchor links
    /// default to this entry's own link so index pages point at the entry
    /// (spec section 4 item 10).
    fn render_options(&self, args: &CallArgs) -> Render {
        let own_link = || {
            self.link(&CallArgs::with_flag(
                "absolute",
                args.flag(usize::MAX, "absolute", false),
            ))
        };
        let link_arg = |name: &str| match args.get(usize::MAX, name) {
            None => Some(own_link()),
            Some(v) if v.kind() == minijinja::value::ValueKind::Bool => v.is_true().then(own_link),
            Some(v) if v.is_none() => None,
            Some(v) => Some(v.to_string()),
        };
        // Layout fills in the renderer's options, but not the ones Publ
        // reads from the call alone (smart quotes, links, extensions).
        let merged = self.page.with_layout(args);
        let heading_link_attrs = merged
            .get(usize::MAX, "heading_link_attrs")
            .and_then(|attrs| {
                let keys = attrs.try_iter().ok()?;
                Some(
                    keys.map(|k| {
                        let v = attrs.get_item(&k).ok().filter(|v| !v.is_undefined());
                        let v = v.filter(|v| !v.is_none()).map(|v| v.to_string());
                        (k.to_string(), v)
                    })
                    .collect(),
                )
            })
            .unwrap_or_default();
        Render {
            extensions: self.page.extensions(args),
            title: false,
            smartquotes: smartquotes(args),
            plain: !merged.flag(usize::MAX, "markup", true),
            entry_id: self.record.id,
            toc_link: link_arg("toc_link").unwrap_or_default(),
            footnotes_link: link_arg("footnotes_link").unwrap_or_default(),
            code_number_links: link_arg("code_number_links"),
            code_highlight: merged.flag(usize::MAX, "code_highlight", true),
            heading_link_class: merged.string(usize::MAX, "heading_link_class"),
            heading_link_attrs,
            heading_template: merged.string(usize::MAX, "heading_template"),
            footnotes_class: merged.string(usize::MAX, "footnotes_class"),
            footnotes_return: merged.string(usize::MAX, "footnotes_return"),
            suppress_footnotes: args.flag(usize::MAX, "_suppress_footnotes", false),
            images: Some(self.image_hook(args)),
        }
    }

    /// The entry's folder, then its category's (spec M1, L5).
    pub fn search_path(&self) -> Vec<std::path::PathBuf> {
        let content_dir = self.page.config.content_dir();
        let entry_dir = self
            .record
            .file_path
            .parent()
            .unwrap_or(&content_dir)
            .to_path_buf();
        vec![entry_dir, content_dir.join(&self.record.category)]
    }

    /// Image sets with the call's options over the site's `layout`
    /// (spec M19); summaries show none.
    fn image_hook(&self, args: &CallArgs) -> ImageHook {
        if args.flag(usize::MAX, "_suppress_images", false) {
            return ImageHook(Arc::new(|_: &str, _: &str| " ".to_string()));
        }
        let scope = self.page.image_scope(self.search_path());
        let config = layout_args(&self.page.config).merged(&image_args(&args.keywords));
        let smartquotes = smartquotes(args);
        let extensions = self.page.extensions(args);
        ImageHook(Arc::new(move |alt: &str, specs: &str| {
            render_set(&scope, &config, alt, specs, |caption| {
                crate::markup::markdown::inline_html(caption, smartquotes, extensions)
            })
        }))
    }

    /// The counts a section starts from: `more` continues the body's.
    fn start_of(&self, section: Section, args: &CallArgs) -> Counter {
        match (section, self.record.format) {
            (Section::More, Format::Markdown) => {
                count(&self.text().body, &self.page.extensions(args))
            }
            _ => Counter::default(),
        }
    }

    fn source(&self, section: Section) -> &str {
        match section {
            Section::Body => &self.text().body,
            Section::More => &self.text().more,
        }
    }

    /// A section rendered to HTML with links resolved; `None` when there is
    /// nothing the visitor may see.
    fn rendered(&self, section: Section, args: &CallArgs) -> Option<Rendered> {
        let source = self.source(section);
        if source.is_empty() || !self.authorized() {
            return None;
        }
        Some(self.markup(source, self.start_of(section, args), args))
    }

    /// Entry text as HTML: Markdown rendered, then links and images
    /// resolved in it (raw HTML in Markdown too, spec K14, L4).
    fn markup(&self, source: &str, start: Counter, args: &CallArgs) -> Rendered {
        let mut rendered = match self.record.format {
            Format::Markdown => render(source, &self.render_options(args), start),
            Format::Html => Rendered {
                html: source.to_string(),
                ..Rendered::default()
            },
        };
        let resolver = self
            .page
            .link_resolver(self.search_path(), args.flag(usize::MAX, "absolute", false));
        let scope = self.page.image_scope(self.search_path());
        let config = layout_args(&self.page.config).merged(&image_args(&args.keywords));
        let image = |attrs| rewrite_img(&scope, &config, attrs);
        rendered.html = rewrite_links(&rendered.html, |u| resolver.resolve(u), image);
        rendered.footnotes = rendered
            .footnotes
            .iter()
            .map(|f| rewrite_links(f, |u| resolver.resolve(u), image))
            .collect();
        rendered
    }

    fn render_section(&self, section: Section, args: &CallArgs) -> String {
        let Some(rendered) = self.rendered(section, args) else {
            return String::new();
        };
        if args.flag(usize::MAX, "markup", true) {
            rendered.html
        } else {
            plain_text(&rendered.html)
        }
    }

    /// Publ collects the body's footnotes and headings without its
    /// smartypants pass, which runs over the whole buffer when `more` is
    /// rendered into it: when `more`'s count is non-zero, and that count
    /// includes the body's once the page has shown `more` (Publ carries the
    /// counter across). So: smartquoted when there is a `more` to render.
    fn body_buffer_args(&self, args: &CallArgs) -> CallArgs {
        if !self.text().more.is_empty() {
            return CallArgs {
                positional: args.positional.clone(),
                keywords: args.keywords.clone(),
            };
        }
        let mut straight = CallArgs::with_flag("smartquotes", false);
        straight.keywords.extend(
            args.keywords
                .iter()
                .filter(|(k, _)| *k != "smartquotes")
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        straight
    }

    /// `entry.footnotes(**args)`: every footnote of body and more (F5).
    fn footnotes(&self, args: &CallArgs) -> Value {
        let body_args = self.body_buffer_args(args);
        let notes: Vec<String> = [(Section::Body, &body_args), (Section::More, args)]
            .into_iter()
            .filter_map(|(s, a)| self.rendered(s, a))
            .flat_map(|r| r.footnotes)
            .collect();
        if notes.is_empty() {
            return Value::from("");
        }
        if args.flag(usize::MAX, "markup", true) {
            return Value::from_safe_string(format!("<ol>{}</ol>", notes.concat()));
        }
        let plain: Vec<String> = notes
            .iter()
            .enumerate()
            .map(|(i, n)| format!("[{}] {}", i + 1, plain_text(n)))
            .collect();
        Value::from(plain.join("\n\n"))
    }

    /// `entry.toc(max_depth=None, **args)`: nested lists of headings (F6).
    fn toc(&self, args: &CallArgs) -> Value {
        let max_depth = args
            .get(0, "max_depth")
            .and_then(|v| v.as_i64())
            .map(|d| d.max(0) as usize);
        let body_args = self.body_buffer_args(args);
        let toc: Vec<(u8, String)> = [(Section::Body, &body_args), (Section::More, args)]
            .into_iter()
            .filter_map(|(s, a)| self.rendered(s, a))
            .flat_map(|r| r.toc)
            .collect();
        Value::from_safe_string(toc_to_html(&toc, max_depth))
    }

    /// A title or `Summary` header: Publ's title renderer resolves links
    /// too, with no search path of its own.
    fn title_markup(&self, text: &str, args: &CallArgs) -> String {
        let html = html_title(text, smartquotes(args), self.page.extensions(args));
        let resolver = self.page.link_resolver(Vec::new(), false);
        rewrite_links(&html, |u| resolver.resolve(u), |a| a)
    }

    fn title(&self, args: &CallArgs) -> Value {
        if !args.flag(2, "always_show", false) && !self.authorized() {
            return Value::from("");
        }
        let html = self.title_markup(&self.record.title, args);
        if args.flag(0, "markup", true) {
            Value::from_safe_string(html)
        } else {
            Value::from(plain_text(&html))
        }
    }

    fn summary(&self, args: &CallArgs) -> Value {
        if !args.flag(2, "always_show", false) && !self.authorized() {
            return Value::from("");
        }
        let markup = args.flag(0, "markup", true);
        let html = match self.text().headers.get("Summary") {
            Some(summary) => self.title_markup(summary, args),
            None => {
                let section = if self.text().body.is_empty() {
                    Section::More
                } else {
                    Section::Body
                };
                // Summaries link absolutely and hide footnote markers.
                let mut summary_args = CallArgs {
                    positional: Vec::new(),
                    keywords: args.keywords.clone(),
                };
                summary_args.keywords.remove("markup");
                // Only a `Summary` header gets the call's extensions.
                summary_args.keywords.remove("markdown_extensions");
                summary_args
                    .keywords
                    .insert("absolute".into(), Value::from(true));
                summary_args
                    .keywords
                    .insert("_suppress_footnotes".into(), Value::from(true));
                summary_args
                    .keywords
                    .insert("_suppress_images".into(), Value::from(true));
                first_paragraph(&self.render_section(section, &summary_args), false)
            }
        };
        if markup {
            Value::from_safe_string(html)
        } else {
            Value::from(plain_text(&html))
        }
    }

    /// OpenGraph tags (spec F7, M28): the first `count` images of the
    /// `image` option, the entry itself, then `image_fallback`, as
    /// absolute 1x renditions.
    fn card(&self, args: &CallArgs) -> Value {
        let tag = |k: &str, v: &str| {
            format!(
                "<meta property=\"{}\" content=\"{}\">",
                escape(k),
                escape(v)
            )
        };
        let plain = CallArgs::with_flag("markup", false);
        let mut out = tag("og:title", &self.title(&plain).to_string());
        out.push_str(&tag(
            "og:url",
            &self.link(&CallArgs::with_flag("absolute", true)),
        ));
        let mut render_args = CallArgs::default();
        render_args.keywords.insert("count".into(), Value::from(1));
        render_args.keywords.extend(args.keywords.clone());
        for (k, v) in [
            ("max_scale", Value::from(1)),
            ("_suppress_footnotes", Value::from(true)),
            ("_no_resize_external", Value::from(true)),
            ("absolute", Value::from(true)),
        ] {
            render_args.keywords.insert(k.into(), v);
        }
        let named = |key: &str| -> Vec<(String, Option<String>, Option<String>)> {
            let Some(value) = args.get(usize::MAX, key).filter(|v| v.is_true()) else {
                return Vec::new();
            };
            let names = crate::template::objects::view::value_list(&value);
            let scope = self.page.image_scope(self.search_path());
            let options = image_args(&render_args.keywords);
            names
                .iter()
                .filter_map(|name| scope.image(name).rendition(&scope, 1.0, &options).ok())
                .map(|(url, size)| {
                    let (w, h) = size.map_or((None, None), |(w, h)| {
                        (Some(w.to_string()), Some(h.to_string()))
                    });
                    (url, w, h)
                })
                .collect()
        };
        let mut images = Vec::new();
        if !args
            .get(usize::MAX, "image")
            .is_some_and(|v| v.kind() == minijinja::value::ValueKind::Bool && !v.is_true())
        {
            images.extend(named("image"));
            if self.authorized() {
                let text = self.text();
                let combined = format!("{}\n\n{}", text.body, text.more);
                let html = self
                    .markup(&combined, Counter::default(), &render_args)
                    .html;
                images.extend(images_in(&html));
            }
            images.extend(named("image_fallback"));
        }
        let count = args
            .get(usize::MAX, "count")
            .and_then(|v| v.as_i64())
            .unwrap_or(1)
            .max(0) as usize;
        for (url, width, height) in images.into_iter().take(count) {
            out.push_str(&tag("og:image", &url));
            if let Some(w) = width.filter(|w| !w.is_empty()) {
                out.push_str(&tag("og:image:width", &w));
            }
            if let Some(h) = height.filter(|h| !h.is_empty()) {
                out.push_str(&tag("og:image:height", &h));
            }
        }
        let description = self.summary(&plain).to_string();
        if !description.is_empty() {
            out.push_str(&tag("og:description", &description));
        }
        Value::from_safe_string(out)
    }

    fn link(&self, args: &CallArgs) -> String {
        if !self.record.redirect_url.is_empty() {
            return self.record.redirect_url.clone();
        }
        self.permalink(args)
    }

    fn archive(&self, args: &CallArgs) -> Result<String, Error> {
        let paging = args.string(0, "paging");
        let template = args.string(1, "template").unwrap_or_default();
        let category = args
            .string(2, "category")
            .unwrap_or_else(|| self.record.category.clone());
        let absolute = args.flag(3, "absolute", false);
        let index_template = CategoryObject::index_template_of(&self.page, &category);
        let template = if template == index_template {
            String::new()
        } else {
            template
        };
        let local = self.record.display_date.naive_local();
        let mut query: Vec<(String, String)> = Vec::new();
        match paging.as_deref() {
            Some("day") => query.push(("date".into(), local.format("%Y-%m-%d").to_string())),
            Some("month") => query.push(("date".into(), local.format("%Y-%m").to_string())),
            Some("year") => query.push(("date".into(), local.format("%Y").to_string())),
            Some("week") => {
                use chrono::Datelike;
                let monday = local.date()
                    - chrono::Duration::days(local.weekday().num_days_from_monday() as i64);
                query.push(("date".into(), monday.format("%Y%m%d_w").to_string()));
            }
            None | Some("offset") | Some("") => {
                query.push(("id".into(), self.record.id.to_string()))
            }
            Some(other) => return Err(bad_argument(format!("Unknown paging type '{other}'"))),
        }
        if let Some(tag) = args.get(4, "tag").filter(|v| v.is_true()) {
            let mut keys: Vec<String> = Vec::new();
            for t in super::view::value_list(&tag) {
                let key = crate::content::slug::slugify(&t, None, true);
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            query.extend(keys.into_iter().map(|k| ("tag".to_string(), k)));
        }
        Ok(self.page.link(
            &crate::urls::category(&category, &template, &query),
            absolute,
        ))
    }

    /// `next`/`previous`: the adjacent entry in the category (spec F13).
    fn adjacent(&self, args: &CallArgs, forward: bool) -> Result<Value, Error> {
        let mut spec = spec_from_keywords(&args.keywords);
        spec.entry("category".into())
            .or_insert_with(|| SpecValue::Str(self.record.category.clone()));
        let key = if forward { "after" } else { "before" };
        spec.insert(key.into(), SpecValue::Entry(self.record.id));
        spec.insert(
            "order".into(),
            SpecValue::Str(if forward { "oldest" } else { "newest" }.into()),
        );
        let view = ViewObject::build(&self.page, &spec)?;
        Ok(view
            .authorized_entries()
            .first()
            .map(|e| EntryObject::value(&self.page, e))
            .unwrap_or(Value::from(())))
    }

    /// `attachments(order=None, **spec)` (visitor-filtered, attachments
    /// included) and `attached(order=None, **spec)` (spec F15).
    fn attachments(&self, args: &CallArgs, key: &str) -> Result<Value, Error> {
        let mut spec = spec_from_keywords(&args.keywords);
        let order = spec.remove("order");
        spec.insert(key.into(), SpecValue::Entry(self.record.id));
        if key == "attachments" {
            spec.insert("_attachments".into(), SpecValue::Bool(true));
        }
        spec.insert(
            "order".into(),
            order.unwrap_or(SpecValue::Str("oldest".into())),
        );
        let view = ViewObject::build(&self.page, &spec)?;
        let entries = if key == "attachments" {
            view.authorized_entries()
        } else {
            view.all_entries()
        };
        Ok(Value::from(
            entries
                .iter()
                .map(|e| EntryObject::value(&self.page, e))
                .collect::<Vec<_>>(),
        ))
    }

    fn header(&self, name: &str, always: bool) -> Option<String> {
        if !always && !self.readable(name) {
            return None;
        }
        self.text().headers.get(name).map(str::to_string)
    }

    fn member(self: &Arc<Self>, name: &str) -> Option<Value> {
        let member = |name, f| bind(self, name, f);
        Some(match name {
            "title" => member("title", |e, a| Ok(e.title(a))),
            "summary" => member("summary", |e, a| Ok(e.summary(a))),
            "body" => member("body", |e, a| {
                Ok(Value::from_safe_string(e.render_section(Section::Body, a)))
            }),
            "more" => member("more", |e, a| {
                Ok(Value::from_safe_string(e.render_section(Section::More, a)))
            }),
            "footnotes" => member("footnotes", |e, a| Ok(e.footnotes(a))),
            "toc" => member("toc", |e, a| Ok(e.toc(a))),
            "card" => member("card", |e, a| Ok(e.card(a))),
            "link" => member("link", |e, a| Ok(Value::from(e.link(a)))),
            "permalink" => member("permalink", |e, a| Ok(Value::from(e.permalink(a)))),
            "archive" => member("archive", |e, a| e.archive(a).map(Value::from)),
            "next" => member("next", |e, a| e.adjacent(a, true)),
            "previous" => member("previous", |e, a| e.adjacent(a, false)),
            "attachments" => member("attachments", |e, a| e.attachments(a, "attachments")),
            "attached" => member("attached", |e, a| e.attachments(a, "attached")),
            // Not for general use in Publ either: a login link back here.
            "login" => member("login", |e, a| {
                let page = crate::urls::entry("", e.record.id, "", &[]);
                let path = format!(
                    "/_login/{}",
                    crate::urls::quote_path(page.trim_start_matches('/'))
                );
                Ok(Value::from(
                    e.page.secure_link(&path, a.flag(0, "absolute", false)),
                ))
            }),
            "image" => member("image", |e, a| {
                Ok(ImageObject::value(
                    e.page.image_scope(e.search_path()),
                    &a.string(0, "filename").unwrap_or_default(),
                ))
            }),
            "get" => member("get", |e, a| {
                let name = a
                    .string(0, "name")
                    .ok_or_else(|| bad_argument("get() needs a header name"))?;
                Ok(match e.header(&name, a.flag(2, "always_show", false)) {
                    Some(v) => Value::from(v),
                    None => a.get(1, "default").unwrap_or(Value::from(())),
                })
            }),
            "get_all" => member("get_all", |e, a| {
                let name = a
                    .string(0, "name")
                    .ok_or_else(|| bad_argument("get_all() needs a header name"))?;
                if !a.flag(1, "always_show", false) && !e.readable(&name) {
                    return Ok(Value::from(Vec::<Value>::new()));
                }
                Ok(Value::from(
                    e.text()
                        .headers
                        .get_all(&name)
                        .into_iter()
                        .map(Value::from)
                        .collect::<Vec<_>>(),
                ))
            }),
            _ => return None,
        })
    }
}

fn smartquotes(args: &CallArgs) -> bool {
    match args.get(usize::MAX, "smartquotes") {
        Some(v) => v.is_true(),
        None => !args.flag(usize::MAX, "no_smartquotes", false),
    }
}

impl Object for EntryObject {
    /// A map so `'Header' in entry` asks for the header (spec F17); an
    /// entry is still always true and not iterable, as in Python.
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn is_true(self: &Arc<Self>) -> bool {
        true
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::NonEnumerable
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        if let Some(member) = self.member(name) {
            return Some(member);
        }
        let r = &self.record;
        let date = |d| Value::from_object(ArrowDate::new(d));
        Some(match name {
            "id" => Value::from(r.id),
            "uuid" => Value::from(r.uuid.clone()),
            "file_path" => Value::from(r.file_path.to_string_lossy().into_owned()),
            "category" => CategoryObject::value(&self.page, &r.category),
            "status" => Value::from(r.status.as_i64()),
            "entry_type" | "type" => Value::from(r.entry_type.clone()),
            "slug_text" => Value::from(r.slug_text.clone()),
            "redirect_url" => Value::from(r.redirect_url.clone()),
            "sort_title" => Value::from(r.sort_title.clone()),
            "canonical_path" => Value::from(r.canonical_path.clone()),
            "display_date" => Value::from(r.display_date.to_rfc3339()),
            "utc_timestamp" => Value::from(r.utc_timestamp),
            "local_date" => Value::from(r.local_date.format("%Y-%m-%d %H:%M:%S").to_string()),
            "date" => date(r.display_date),
            "last_modified" => date(r.last_modified.unwrap_or(r.display_date)),
            "date_year" => Value::from(r.display_date.format("%Y").to_string()),
            "date_month" => Value::from(r.display_date.format("%Y-%m").to_string()),
            "date_day" => Value::from(r.display_date.format("%Y-%m-%d").to_string()),
            "tags" => Value::from(
                r.tags
                    .iter()
                    .filter(|t| !t.hidden)
                    .map(|t| Value::from(t.name.clone()))
                    .collect::<Vec<_>>(),
            ),
            "private" => Value::from(!is_authorized(&r.auth, None)),
            "authorized" => Value::from(self.authorized()),
            "auth" => Value::from(r.auth.clone()),
            other => Value::from(self.header(other, false)?),
        })
    }

    fn custom_cmp(
        self: &Arc<Self>,
        other: &minijinja::value::DynObject,
    ) -> Option<std::cmp::Ordering> {
        let other = other.downcast_ref::<EntryObject>()?;
        Some(self.record.id.cmp(&other.record.id))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.record.id)
    }
}
