//! `view` in templates (spec H1-H9).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};

use super::args::CallArgs;
use super::category::CategoryObject;
use super::entry::EntryObject;
use super::member::{bind, resolve};
use crate::content::slug::slugify;
use crate::index::records::EntryRecord;
use crate::template::date::ArrowDate;
use crate::template::page::Page;
use crate::view::query::DateSpan;
use crate::view::spec::{Spec, SpecValue, OFFSET_PRIORITY};
use crate::view::{Unauthorized, View};

pub struct ViewObject {
    page: Arc<Page>,
    view: Arc<View>,
}

impl fmt::Debug for ViewObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<view {:?}>", self.view.norm.spec)
    }
}

/// A bad view spec is a template error (spec J11, C19).
fn spec_error(err: crate::view::spec::SpecError) -> Error {
    Error::new(ErrorKind::InvalidOperation, err.to_string()).with_source(err)
}

/// Template values as a list of strings (tags, categories, types).
pub fn value_list(v: &Value) -> Vec<String> {
    let v = resolve(v).unwrap_or(Value::UNDEFINED);
    if v.as_str().is_some()
        || v.as_object()
            .is_some_and(|o| o.downcast_ref::<CategoryObject>().is_some())
    {
        return vec![v.to_string()];
    }
    match v.try_iter() {
        Ok(items) => items.map(|i| i.to_string()).collect(),
        Err(_) => vec![v.to_string()],
    }
}

/// A template value as a view spec value.
pub fn spec_value(v: &Value) -> SpecValue {
    let v = resolve(v).unwrap_or(Value::UNDEFINED);
    if v.is_none() || v.is_undefined() {
        return SpecValue::None;
    }
    if let Some(e) = v.downcast_object_ref::<EntryObject>() {
        return SpecValue::Entry(e.record.id);
    }
    if let Some(c) = v.downcast_object_ref::<CategoryObject>() {
        return SpecValue::Str(c.path.clone());
    }
    match v.kind() {
        minijinja::value::ValueKind::Bool => SpecValue::Bool(v.is_true()),
        minijinja::value::ValueKind::Number => match v.as_i64() {
            Some(i) => SpecValue::Int(i),
            None => SpecValue::Str(v.to_string()),
        },
        minijinja::value::ValueKind::String => SpecValue::Str(v.to_string()),
        minijinja::value::ValueKind::Seq | minijinja::value::ValueKind::Iterable => {
            SpecValue::List(value_list(&v))
        }
        _ => SpecValue::Str(v.to_string()),
    }
}

/// The `unauthorized` argument of `entries()`: a count, or `True` for all.
pub fn unauthorized_arg(args: &CallArgs) -> Unauthorized {
    match args.get(0, "unauthorized") {
        None => Unauthorized::None,
        Some(n) if n.kind() == minijinja::value::ValueKind::Bool => {
            if n.is_true() {
                Unauthorized::All
            } else {
                Unauthorized::None
            }
        }
        Some(n) => match n.as_i64() {
            Some(n) if n > 0 => Unauthorized::Up(n as usize),
            _ => Unauthorized::None,
        },
    }
}

pub fn spec_from_keywords(keywords: &BTreeMap<String, Value>) -> Spec {
    keywords
        .iter()
        .map(|(k, v)| (k.clone(), spec_value(v)))
        .collect()
}

fn spec_to_value(page: &Arc<Page>, v: &SpecValue) -> Value {
    match v {
        SpecValue::None => Value::from(()),
        SpecValue::Bool(b) => Value::from(*b),
        SpecValue::Int(i) => Value::from(*i),
        SpecValue::Str(s) => Value::from(s.clone()),
        SpecValue::List(l) => {
            Value::from(l.iter().map(|s| Value::from(s.clone())).collect::<Vec<_>>())
        }
        SpecValue::Entry(id) => match page.catalog.entry(*id) {
            Some(e) => EntryObject::value(page, e),
            None => Value::from(*id),
        },
    }
}

impl ViewObject {
    pub fn build(page: &Arc<Page>, spec: &Spec) -> Result<ViewObject, Error> {
        let view = View::new(page.catalog.clone(), page.now, page.user.clone(), spec)
            .map_err(spec_error)?;
        Ok(ViewObject {
            page: page.clone(),
            view: Arc::new(view),
        })
    }

    pub fn value(page: &Arc<Page>, spec: &Spec) -> Result<Value, Error> {
        Ok(Value::from_object(ViewObject::build(page, spec)?))
    }

    fn wrap(&self, view: Option<Arc<View>>) -> Value {
        match view {
            Some(view) => Value::from_object(ViewObject {
                page: self.page.clone(),
                view,
            }),
            None => Value::from(()),
        }
    }

    fn derived(&self, result: Result<View, crate::view::spec::SpecError>) -> Result<Value, Error> {
        Ok(self.wrap(Some(Arc::new(result.map_err(spec_error)?))))
    }

    /// The page's entries the visitor may see (spec H1).
    pub fn authorized_entries(&self) -> Vec<Arc<EntryRecord>> {
        self.view.entries().to_vec()
    }

    /// Every entry of the page, authorized or not.
    pub fn all_entries(&self) -> Vec<Arc<EntryRecord>> {
        self.view.entries_with(Unauthorized::All)
    }

    fn entry(&self, e: Option<&Arc<EntryRecord>>) -> Value {
        e.map(|e| EntryObject::value(&self.page, e))
            .unwrap_or(Value::from(()))
    }

    fn entries_value(&self, entries: &[Arc<EntryRecord>]) -> Value {
        Value::from(
            entries
                .iter()
                .map(|e| EntryObject::value(&self.page, e))
                .collect::<Vec<_>>(),
        )
    }

    /// `view.link(template='', absolute=False, category=None, **query)`.
    fn link(&self, args: &CallArgs) -> String {
        let spec = &self.view.norm.spec;
        let mut query: Vec<(String, String)> = Vec::new();
        if let Some(date) = spec.get("date") {
            query.push(("date".into(), date.as_list().concat()));
        } else if let Some(offset) = OFFSET_PRIORITY.iter().find_map(|k| spec.get(*k)) {
            if let Some(id) = offset.entry_id() {
                query.push(("id".into(), id.to_string()));
            }
        }
        let tags = match args.keywords.get("tag") {
            Some(t) => value_list(t),
            None => spec.get("tag").map(SpecValue::as_list).unwrap_or_default(),
        };
        let mut seen: Vec<String> = Vec::new();
        for tag in tags {
            let key = slugify(&tag, None, true);
            if !seen.contains(&key) {
                seen.push(key.clone());
                query.push(("tag".into(), key));
            }
        }
        for (k, v) in &args.keywords {
            if !matches!(k.as_str(), "template" | "absolute" | "category" | "tag") {
                query.extend(value_list(v).into_iter().map(|v| (k.clone(), v)));
            }
        }
        let category = args
            .string(2, "category")
            .or_else(|| spec.get("category").map(|c| c.as_list().concat()))
            .unwrap_or_default();
        let template = args.string(0, "template").unwrap_or_default();
        let template = if template == CategoryObject::index_template_of(&self.page, &category) {
            String::new()
        } else {
            template
        };
        self.page.link(
            &crate::urls::category(&category, &template, &query),
            args.flag(1, "absolute", false),
        )
    }

    fn tag_op(&self, args: &CallArgs, op: fn(&mut Vec<String>, String)) -> Result<Value, Error> {
        let mut tags = self.view.tags();
        for arg in &args.positional {
            for tag in value_list(arg) {
                op(&mut tags, tag);
            }
        }
        let mut spec = self.view.norm.spec.clone();
        spec.insert("tag".into(), SpecValue::List(tags));
        self.derived(self.view.derive(&spec))
    }

    fn member(self: &Arc<Self>, name: &str) -> Option<Value> {
        let member = |name, f| bind(self, name, f);
        Some(match name {
            "entries" => member("entries", |v, a| {
                Ok(v.entries_value(&v.view.entries_with(unauthorized_arg(a))))
            }),
            "link" => member("link", |v, a| Ok(Value::from(v.link(a)))),
            "current" => member("current", |v, a| {
                v.derived(v.view.current(&spec_from_keywords(&a.keywords)))
            }),
            "unauthorized" => member("unauthorized", |v, a| {
                let limit = a
                    .get(0, "count")
                    .and_then(|n| n.as_i64())
                    .map(|n| n.max(0) as usize);
                Ok(v.entries_value(&v.view.unauthorized(limit)))
            }),
            "tag_add" => member("tag_add", |v, a| {
                v.tag_op(a, |tags, t| {
                    if !tags
                        .iter()
                        .any(|x| slugify(x, None, true) == slugify(&t, None, true))
                    {
                        tags.push(t)
                    }
                })
            }),
            "tag_remove" => member("tag_remove", |v, a| {
                v.tag_op(a, |tags, t| {
                    tags.retain(|x| slugify(x, None, true) != slugify(&t, None, true))
                })
            }),
            "tag_toggle" => member("tag_toggle", |v, a| {
                v.tag_op(a, |tags, t| {
                    let key = slugify(&t, None, true);
                    if tags.iter().any(|x| slugify(x, None, true) == key) {
                        tags.retain(|x| slugify(x, None, true) != key);
                    } else {
                        tags.push(t);
                    }
                })
            }),
            "range" => member("range", |v, a| Ok(Value::from(v.range(a)))),
            _ => return None,
        })
    }

    /// `view.range(**formats)`: a human label for the dates the page
    /// covers (spec H7), with Arrow formats per span kind.
    fn range(&self, args: &CallArgs) -> String {
        let spec = &self.view.norm.spec;
        if !spec
            .keys()
            .any(|k| OFFSET_PRIORITY.contains(&k.as_str()) || k == "count" || k == "date")
        {
            return String::new();
        }
        let (Some(oldest), Some(newest)) = (self.view.oldest(), self.view.newest()) else {
            return String::new();
        };
        let (o, n) = (oldest.display_date, newest.display_date);
        use chrono::Datelike;
        let (span, default) = match spec
            .get("date")
            .map(|d| DateSpan::parse(&d.as_list().concat()))
        {
            Some(Ok(d)) => (d.span.name(), d.span.url_format()),
            _ if o.year() != n.year() => ("year", "YYYY"),
            _ if o.month() != n.month() => ("month", "YYYY-MM"),
            _ => ("day", "YYYY-MM-DD"),
        };
        let format = args.string(usize::MAX, span).unwrap_or_else(|| {
            match span {
                "day" | "week" => "YYYY/MM/DD",
                "month" | "year" => "YYYY/MM",
                _ => default,
            }
            .to_string()
        });
        let a = ArrowDate::new(o).format(&format);
        if oldest.id == newest.id {
            return a;
        }
        let b = ArrowDate::new(n).format(&format);
        let template = if a == b {
            args.string(usize::MAX, "single")
                .unwrap_or_else(|| "{oldest} ({count})".into())
        } else {
            args.string(usize::MAX, "span")
                .unwrap_or_else(|| "{oldest} \u{2014} {newest} ({count})".into())
        };
        template
            .replace("{count}", &self.view.entries().len().to_string())
            .replace("{oldest}", &a)
            .replace("{newest}", &b)
    }
}

impl Object for ViewObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Iterable
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        if let Some(member) = self.member(name) {
            return Some(member);
        }
        let v = &self.view;
        Some(match name {
            "count" => Value::from(self.authorized_entries().len()),
            "first" => self.entry(v.first()),
            "last" => self.entry(v.last()),
            "newest" => self.entry(v.newest()),
            "oldest" => self.entry(v.oldest()),
            "last_modified" => {
                let latest = v
                    .entries()
                    .iter()
                    .map(|e| e.last_modified.unwrap_or(e.display_date))
                    .max();
                let dt = latest.unwrap_or_else(|| {
                    chrono::DateTime::from_timestamp(self.page.now, 0)
                        .unwrap_or_default()
                        .fixed_offset()
                });
                Value::from_object(ArrowDate::new(dt))
            }
            "deleted" => Value::from(
                v.deleted()
                    .unwrap_or_default()
                    .iter()
                    .map(|e| EntryObject::value(&self.page, e))
                    .collect::<Vec<_>>(),
            ),
            "older" => self.wrap(v.older()),
            "newer" => self.wrap(v.newer()),
            "previous" => self.wrap(v.previous()),
            "next" => self.wrap(v.next()),
            "pages" => {
                let mut before = Vec::new();
                let mut cur = v.previous();
                while let Some(p) = cur {
                    cur = p.previous();
                    before.push(p);
                }
                before.reverse();
                let mut pages: Vec<Value> =
                    before.into_iter().map(|p| self.wrap(Some(p))).collect();
                pages.push(Value::from_dyn_object(self.clone()));
                let mut cur = v.next();
                while let Some(p) = cur {
                    cur = p.next();
                    pages.push(self.wrap(Some(p)));
                }
                Value::from(pages)
            }
            "paging" => Value::from(v.paging()),
            "type" => v.paging_type().map(Value::from).unwrap_or(Value::from(())),
            "is_current" => Value::from(v.is_current()),
            "spec" => crate::template::objects::map_value(
                v.norm
                    .spec
                    .iter()
                    .map(|(k, s)| (k.clone(), spec_to_value(&self.page, s))),
            ),
            "query_spec" => crate::template::objects::map_value(
                v.norm
                    .spec
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "order" | "count"))
                    .map(|(k, s)| (k.clone(), spec_to_value(&self.page, s))),
            ),
            "tags" => Value::from(
                v.tags()
                    .iter()
                    .map(|t| {
                        Value::from(
                            self.page
                                .catalog
                                .tag_name(&slugify(t, None, true))
                                .to_string(),
                        )
                    })
                    .collect::<Vec<_>>(),
            ),
            "has_unauthorized" => Value::from(v.has_unauthorized()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let entries: Vec<Value> = self
            .authorized_entries()
            .iter()
            .map(|e| EntryObject::value(&self.page, e))
            .collect();
        Enumerator::Values(entries)
    }

    fn is_true(self: &Arc<Self>) -> bool {
        true
    }

    /// `view(**restrict)`: a sub-view (spec H9).
    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let args = CallArgs::parse(args)?;
        self.derived(self.view.restrict(&spec_from_keywords(&args.keywords)))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.link(&CallArgs::default()))
    }
}
