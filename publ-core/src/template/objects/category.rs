//! `category` in templates (spec G1-G9).

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr};
use minijinja::{Error, Value};

use super::args::CallArgs;
use super::entry::EntryObject;
use super::member::bind;
use super::view::{spec_from_keywords, ViewObject};
use crate::content::category::default_name;
use crate::markup::html::{plain_text, rewrite_links};
use crate::markup::markdown::to_html;
use crate::markup::title::html_title;
use crate::template::page::Page;
use crate::view::spec::SpecValue;

pub struct CategoryObject {
    page: Arc<Page>,
    pub path: String,
}

impl fmt::Debug for CategoryObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<category {:?}>", self.path)
    }
}

/// `(name, count)` pairs of `category.tags` that also answer `.name` and
/// `.count` like Python's namedtuple.
#[derive(Debug)]
struct TagCount {
    name: String,
    count: usize,
}

impl Object for TagCount {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match (key.as_str(), key.as_i64()) {
            (Some("name"), _) | (_, Some(0)) => Some(Value::from(self.name.clone())),
            (Some("count"), _) | (_, Some(1)) => Some(Value::from(self.count)),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(2)
    }
}

impl CategoryObject {
    pub fn value(page: &Arc<Page>, path: &str) -> Value {
        Value::from_object(CategoryObject {
            page: page.clone(),
            path: path.to_string(),
        })
    }

    fn meta_header(&self, name: &str) -> Option<&str> {
        self.page
            .catalog
            .category_meta(&self.path)?
            .headers
            .get(name)
    }

    /// The index template of a category (spec B5).
    pub fn index_template_of(page: &Page, path: &str) -> String {
        page.catalog
            .category_meta(path)
            .and_then(|m| m.headers.get("Index-Template"))
            .unwrap_or("index")
            .to_string()
    }

    fn raw_name(&self) -> String {
        match self.meta_header("Name") {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => default_name(&self.path),
        }
    }

    /// Publ passes `no_smartquotes` where `smartquotes` belongs, so names
    /// are not smartquoted by default (spec section 4 item 16).
    fn name(&self, args: &CallArgs) -> Value {
        let smart = args.flag(1, "no_smartquotes", false);
        let html = html_title(&self.raw_name(), smart, self.page.extensions(args));
        if args.flag(0, "markup", true) {
            Value::from_safe_string(html)
        } else {
            Value::from(plain_text(&html))
        }
    }

    pub fn sort_name(&self) -> String {
        match self.page.catalog.category_meta(&self.path) {
            Some(m) if !m.record.sort_name.is_empty() => m.record.sort_name.clone(),
            _ => self.name(&CallArgs::with_flag("markup", false)).to_string(),
        }
    }

    fn parent_path(&self) -> Option<String> {
        if self.path.is_empty() {
            return None;
        }
        Some(match self.path.rfind('/') {
            Some(i) => self.path[..i].to_string(),
            None => String::new(),
        })
    }

    fn link(&self, args: &CallArgs) -> String {
        let template = args.string(0, "template").unwrap_or_default();
        let template = if template == Self::index_template_of(&self.page, &self.path) {
            String::new()
        } else {
            template
        };
        let query: Vec<(String, String)> = args
            .keywords
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "template" | "absolute"))
            .flat_map(|(k, v)| {
                super::view::value_list(v)
                    .into_iter()
                    .map(move |v| (k.clone(), v))
            })
            .collect();
        self.page.link(
            &crate::urls::category(&self.path, &template, &query),
            args.flag(1, "absolute", false),
        )
    }

    /// Subcategories with visible entries (spec G4, section 4 item 19).
    fn subcats(&self, recurse: bool) -> Vec<CategoryObject> {
        let below = self.page.catalog.categories_below(&self.path);
        let depth = if self.path.is_empty() {
            1
        } else {
            self.path.split('/').count() + 1
        };
        let mut paths: Vec<String> = below
            .iter()
            .map(|c| {
                if recurse {
                    c.to_string()
                } else {
                    c.split('/').take(depth).collect::<Vec<_>>().join("/")
                }
            })
            .collect();
        paths.sort();
        paths.dedup();
        let mut cats: Vec<CategoryObject> = paths
            .into_iter()
            .map(|path| CategoryObject {
                page: self.page.clone(),
                path,
            })
            .collect();
        if recurse {
            cats.sort_by_cached_key(|c| {
                c.breadcrumb()
                    .iter()
                    .map(|b| b.sort_name())
                    .collect::<Vec<_>>()
            });
        } else {
            cats.sort_by_cached_key(|c| c.sort_name());
        }
        cats
    }

    fn breadcrumb(&self) -> Vec<CategoryObject> {
        let mut out = vec![CategoryObject {
            page: self.page.clone(),
            path: self.path.clone(),
        }];
        while let Some(parent) = out.last().and_then(|c| c.parent_path()) {
            out.push(CategoryObject {
                page: self.page.clone(),
                path: parent,
            });
        }
        out.reverse();
        out
    }

    /// `category.tags(**spec)`: non-hidden tag counts over every matching
    /// entry, authorized or not, in key order as Publ's query groups them
    /// (spec G8).
    fn tags(&self, args: &CallArgs) -> Result<Value, Error> {
        let mut spec = spec_from_keywords(&args.keywords);
        spec.insert("category".into(), SpecValue::Str(self.path.clone()));
        let view = ViewObject::build(&self.page, &spec)?;
        let mut counts: Vec<(String, usize)> = Vec::new();
        for entry in view.all_entries() {
            for tag in entry.tags.iter().filter(|t| !t.hidden) {
                match counts.iter_mut().find(|(k, _)| *k == tag.key) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((tag.key.clone(), 1)),
                }
            }
        }
        counts.sort();
        Ok(Value::from(
            counts
                .into_iter()
                .map(|(key, count)| {
                    Value::from_object(TagCount {
                        name: self.page.catalog.tag_name(&key).to_string(),
                        count,
                    })
                })
                .collect::<Vec<_>>(),
        ))
    }

    fn edge(&self, args: &CallArgs, newest: bool) -> Result<Value, Error> {
        let mut spec = spec_from_keywords(&args.keywords);
        spec.insert("category".into(), SpecValue::Str(self.path.clone()));
        spec.insert(
            "order".into(),
            SpecValue::Str(if newest { "newest" } else { "oldest" }.into()),
        );
        let view = ViewObject::build(&self.page, &spec)?;
        // No auth filtering here, as in Publ (spec G7).
        Ok(view
            .all_entries()
            .first()
            .map(|e| EntryObject::value(&self.page, e))
            .unwrap_or(Value::from(())))
    }

    fn member(self: &Arc<Self>, name: &str) -> Option<Value> {
        let member = |name, f| bind(self, name, f);
        Some(match name {
            "name" => member("name", |c, a| Ok(c.name(a))),
            "link" => member("link", |c, a| Ok(Value::from(c.link(a)))),
            "description" => member("description", |c, _| {
                Ok(match c.page.catalog.category_meta(&c.path) {
                    Some(m) if !m.description.is_empty() => {
                        let dir = c.page.config.content_dir().join(&c.path);
                        let resolver = c.page.link_resolver(vec![dir], false);
                        let ext = c.page.extensions(&Default::default());
                        let html = to_html(&m.description, true, ext);
                        Value::from_safe_string(rewrite_links(
                            &html,
                            |u| resolver.resolve(u),
                            |a| a,
                        ))
                    }
                    _ => Value::from(""),
                })
            }),
            "subcats" => member("subcats", |c, a| {
                Ok(Value::from(
                    c.subcats(a.flag(0, "recurse", false))
                        .into_iter()
                        .map(Value::from_object)
                        .collect::<Vec<_>>(),
                ))
            }),
            "tags" => member("tags", |c, a| c.tags(a)),
            "first" => member("first", |c, a| c.edge(a, false)),
            "last" => member("last", |c, a| c.edge(a, true)),
            "image" => member("image", |c, a| {
                let folder = c.page.config.content_dir().join(&c.path);
                Ok(super::image::ImageObject::value(
                    c.page.image_scope(vec![folder]),
                    &a.string(0, "filename").unwrap_or_default(),
                ))
            }),
            "get" => member("get", |c, a| {
                let name = a.string(0, "name").unwrap_or_default();
                Ok(c.meta_header(&name)
                    .map(Value::from)
                    .or_else(|| a.get(1, "default"))
                    .unwrap_or(Value::from(())))
            }),
            "get_all" => member("get_all", |c, a| {
                let name = a.string(0, "name").unwrap_or_default();
                Ok(match c.page.catalog.category_meta(&c.path) {
                    Some(m) => Value::from(
                        m.headers
                            .get_all(&name)
                            .into_iter()
                            .map(Value::from)
                            .collect::<Vec<_>>(),
                    ),
                    None => Value::from(()),
                })
            }),
            _ => return None,
        })
    }
}

impl Object for CategoryObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        if let Some(member) = self.member(name) {
            return Some(member);
        }
        Some(match name {
            "path" => Value::from(self.path.clone()),
            "basename" => Value::from(self.path.rsplit('/').next().unwrap_or("").to_string()),
            "parent" => match self.parent_path() {
                Some(p) => CategoryObject::value(&self.page, &p),
                None => Value::from(()),
            },
            "root" => CategoryObject::value(&self.page, ""),
            "breadcrumb" => Value::from(
                self.breadcrumb()
                    .into_iter()
                    .map(Value::from_object)
                    .collect::<Vec<_>>(),
            ),
            "sort_name" => Value::from(self.sort_name()),
            "index_template" => Value::from(Self::index_template_of(&self.page, &self.path)),
            "search_path" => Value::from(
                self.page
                    .config
                    .content_dir()
                    .join(&self.path)
                    .to_string_lossy()
                    .into_owned(),
            ),
            "file_path" => match self.page.catalog.category_meta(&self.path) {
                Some(m) => Value::from(m.record.file_path.to_string_lossy().into_owned()),
                None => Value::from(()),
            },
            other => match self.meta_header(other) {
                Some(v) => Value::from(v),
                None => Value::from(()),
            },
        })
    }

    fn custom_cmp(
        self: &Arc<Self>,
        other: &minijinja::value::DynObject,
    ) -> Option<std::cmp::Ordering> {
        let other = other.downcast_ref::<CategoryObject>()?;
        Some(self.path.cmp(&other.path))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}
