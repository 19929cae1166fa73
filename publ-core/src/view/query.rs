//! Filters and orders the catalog's entries for a normalised view spec
//! (Publ's `queries.build_query`).

use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use super::spec::{Order, Spec, SpecError, SpecValue};
use crate::content::slug::slugify;
use crate::content::status::PublishStatus;
use crate::index::catalog::Catalog;
use crate::index::records::EntryRecord;

/// The span a `date` spec covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Day,
    Week,
    Month,
    Year,
}

impl Span {
    pub fn name(self) -> &'static str {
        match self {
            Span::Day => "day",
            Span::Week => "week",
            Span::Month => "month",
            Span::Year => "year",
        }
    }

    /// The Arrow format that names a span of this kind in a `date` spec.
    pub fn url_format(self) -> &'static str {
        match self {
            Span::Day => "YYYY-MM-DD",
            Span::Week => "YYYYMMDD_w",
            Span::Month => "YYYY-MM",
            Span::Year => "YYYY",
        }
    }
}

/// A parsed `date` spec: its first instant and kind (spec J4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub start: NaiveDateTime,
    pub span: Span,
}

impl DateSpan {
    pub fn parse(text: &str) -> Result<DateSpan, SpecError> {
        let bad = || SpecError::BadDate(text.to_string());
        let re = date_regex();
        let Some(caps) = re.captures(text) else {
            let dt = crate::content::date::parse_date(text).ok_or_else(bad)?;
            return Ok(DateSpan {
                start: dt.date_naive().and_hms_opt(0, 0, 0).ok_or_else(bad)?,
                span: Span::Day,
            });
        };
        let num = |i: usize| caps.get(i).map(|m| m.as_str().parse::<u32>());
        let year: i32 = caps[1].parse().map_err(|_| bad())?;
        let month = num(3).transpose().map_err(|_| bad())?;
        let day = num(5).transpose().map_err(|_| bad())?;
        let date =
            NaiveDate::from_ymd_opt(year, month.unwrap_or(1), day.unwrap_or(1)).ok_or_else(bad)?;
        let (date, span) = if caps.get(6).is_some() {
            let monday = date - Duration::days(date.weekday().num_days_from_monday() as i64);
            (monday, Span::Week)
        } else if day.is_some() {
            (date, Span::Day)
        } else if month.is_some() {
            (date, Span::Month)
        } else {
            (date, Span::Year)
        };
        Ok(DateSpan {
            start: date.and_hms_opt(0, 0, 0).ok_or_else(bad)?,
            span,
        })
    }

    /// The first instant after the span.
    pub fn end(&self) -> NaiveDateTime {
        let d = self.start.date();
        let next = match self.span {
            Span::Day => d.succ_opt(),
            Span::Week => d.checked_add_signed(Duration::days(7)),
            Span::Month => {
                let (y, m) = if d.month() == 12 {
                    (d.year() + 1, 1)
                } else {
                    (d.year(), d.month() + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1)
            }
            Span::Year => NaiveDate::from_ymd_opt(d.year() + 1, 1, 1),
        };
        next.and_then(|n| n.and_hms_opt(0, 0, 0))
            .unwrap_or(NaiveDateTime::MAX)
    }

    pub fn contains(&self, t: NaiveDateTime) -> bool {
        t >= self.start && t < self.end()
    }
}

fn date_regex() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"^([0-9]{4})(-?([0-9]{1,2}))?(-?([0-9]{1,2}))?(_w)?$")
            .expect("static regex")
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagFilter {
    Any,
    All,
    None,
}

/// Entries matching `query` (already normalised), ordered by `order`.
pub fn select(
    catalog: &Catalog,
    query: &Spec,
    order: Order,
    now: i64,
) -> Result<Vec<Arc<EntryRecord>>, SpecError> {
    let filter = Filter::new(catalog, query, now)?;
    let mut out: Vec<Arc<EntryRecord>> = catalog
        .entries()
        .iter()
        .filter(|e| filter.matches(e))
        .cloned()
        .collect();
    match order {
        Order::Oldest => {}
        Order::Newest => out.reverse(),
        Order::Title => out.sort_by(|a, b| (&a.sort_title, a.id).cmp(&(&b.sort_title, b.id))),
    }
    Ok(out)
}

struct Filter {
    all: bool,
    deleted: bool,
    attachments: bool,
    future: bool,
    now: i64,
    categories: Option<(Vec<String>, bool)>,
    category_not: Vec<String>,
    entry_type: Option<Vec<String>>,
    entry_type_not: Option<Vec<String>>,
    date: Option<DateSpan>,
    bounds: Vec<(Bound, (NaiveDateTime, i64))>,
    tags: Option<(Vec<String>, TagFilter)>,
    /// Entries attached to / attaching the referenced entry (spec J10).
    attachments_of: Option<Vec<i64>>,
    attached_to: Option<Vec<i64>>,
    has_attachments: Option<bool>,
    is_attached: Option<bool>,
    catalog_attach: AttachMaps,
}

/// Who has attachments, for the `has_attachments`/`is_attached` filters.
#[derive(Default)]
struct AttachMaps {
    with_attachments: std::collections::HashSet<i64>,
    attached: std::collections::HashSet<i64>,
}

#[derive(Debug, Clone, Copy)]
enum Bound {
    Last,
    First,
    Before,
    After,
}

impl Filter {
    fn new(catalog: &Catalog, q: &Spec, now: i64) -> Result<Filter, SpecError> {
        let flag = |k: &str| q.get(k).is_some_and(SpecValue::truthy);
        let list = |k: &str| q.get(k).filter(|v| !v.is_none()).map(SpecValue::as_list);
        let mut bounds = Vec::new();
        for (key, bound) in [
            ("last", Bound::Last),
            ("first", Bound::First),
            ("before", Bound::Before),
            ("after", Bound::After),
        ] {
            let Some(v) = q.get(key).filter(|v| !v.is_none()) else {
                continue;
            };
            let entry = v
                .entry_id()
                .and_then(|id| catalog.entry(id))
                .ok_or(SpecError::MissingEntry)?;
            bounds.push((bound, entry.sort_key()));
        }
        let tag_filter = match q
            .get("tag_filter")
            .map(|v| v.as_list())
            .and_then(|l| l.into_iter().next())
        {
            None => TagFilter::Any,
            Some(f) => match f.to_uppercase().as_str() {
                "ANY" | "OR" => TagFilter::Any,
                "ALL" | "AND" => TagFilter::All,
                "NONE" | "NOT" => TagFilter::None,
                _ => return Err(SpecError::BadTagFilter(f)),
            },
        };
        let entry_ref = |key: &str| -> Result<Option<i64>, SpecError> {
            match q.get(key).filter(|v| !v.is_none()) {
                None => Ok(None),
                Some(v) => v
                    .entry_id()
                    .filter(|id| catalog.entry(*id).is_some())
                    .map(Some)
                    .ok_or(SpecError::MissingEntry),
            }
        };
        let bool_key = |key: &str| q.get(key).filter(|v| !v.is_none()).map(SpecValue::truthy);
        let has_attachments = bool_key("has_attachments");
        let is_attached = bool_key("is_attached");
        let mut catalog_attach = AttachMaps::default();
        if has_attachments.is_some() || is_attached.is_some() {
            for e in catalog.entries() {
                if !catalog.attachments_of(e.id).is_empty() {
                    catalog_attach.with_attachments.insert(e.id);
                }
                if !catalog.attached_to(e.id).is_empty() {
                    catalog_attach.attached.insert(e.id);
                }
            }
        }
        Ok(Filter {
            attachments_of: entry_ref("attachments")?.map(|id| catalog.attachments_of(id).to_vec()),
            attached_to: entry_ref("attached")?.map(|id| catalog.attached_to(id).to_vec()),
            has_attachments,
            is_attached,
            catalog_attach,
            all: flag("_all"),
            deleted: flag("_deleted"),
            attachments: flag("_attachments"),
            future: flag("future"),
            now,
            categories: q
                .get("category")
                .filter(|v| !v.is_none())
                .map(|v| (v.as_list(), flag("recurse"))),
            category_not: list("category_not").unwrap_or_default(),
            entry_type: list("entry_type"),
            entry_type_not: list("entry_type_not"),
            date: match q.get("date").filter(|v| !v.is_none()) {
                Some(v) => Some(DateSpan::parse(&v.as_list().concat())?),
                None => None,
            },
            bounds,
            tags: list("tag").map(|t| {
                (
                    t.iter().map(|t| slugify(t, None, true)).collect(),
                    tag_filter,
                )
            }),
        })
    }

    fn matches(&self, e: &EntryRecord) -> bool {
        let status_ok = if self.all {
            true
        } else if self.deleted {
            e.status == PublishStatus::Gone
        } else if self.future {
            matches!(
                e.status,
                PublishStatus::Published | PublishStatus::Scheduled
            ) || (self.attachments && e.status == PublishStatus::Attachment)
        } else {
            e.status == PublishStatus::Published
                || (e.status == PublishStatus::Scheduled && e.utc_timestamp <= self.now)
                || (self.attachments && e.status == PublishStatus::Attachment)
        };
        if !status_ok {
            return false;
        }
        if let Some((cats, recurse)) = &self.categories {
            let ok = cats.iter().any(|c| {
                e.category == *c
                    || (*recurse && (c.is_empty() || e.category.starts_with(&format!("{c}/"))))
            });
            if !ok {
                return false;
            }
        }
        if self.category_not.contains(&e.category) {
            return false;
        }
        if let Some(types) = &self.entry_type {
            if !types.contains(&e.entry_type) {
                return false;
            }
        }
        if let Some(types) = &self.entry_type_not {
            if types.contains(&e.entry_type) {
                return false;
            }
        }
        if let Some(span) = &self.date {
            if !span.contains(e.local_date) {
                return false;
            }
        }
        let key = e.sort_key();
        for (bound, reference) in &self.bounds {
            let ok = match bound {
                Bound::Last => key <= *reference,
                Bound::First => key >= *reference,
                Bound::Before => key < *reference,
                Bound::After => key > *reference,
            };
            if !ok {
                return false;
            }
        }
        if self
            .attachments_of
            .as_ref()
            .is_some_and(|ids| !ids.contains(&e.id))
            || self
                .attached_to
                .as_ref()
                .is_some_and(|ids| !ids.contains(&e.id))
            || self
                .has_attachments
                .is_some_and(|want| want != self.catalog_attach.with_attachments.contains(&e.id))
            || self
                .is_attached
                .is_some_and(|want| want != self.catalog_attach.attached.contains(&e.id))
        {
            return false;
        }
        if let Some((tags, filter)) = &self.tags {
            let has = |t: &String| e.tags.iter().any(|et| &et.key == t);
            let ok = match filter {
                TagFilter::Any => tags.iter().any(has),
                TagFilter::All => tags.iter().all(has),
                TagFilter::None => !tags.iter().any(has),
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_specs() {
        // spec J4
        let d = DateSpan::parse("2018-4").unwrap();
        assert_eq!(d.span, Span::Month);
        assert_eq!(d.start.to_string(), "2018-04-01 00:00:00");
        assert_eq!(d.end().to_string(), "2018-05-01 00:00:00");
        assert_eq!(DateSpan::parse("20180403").unwrap().span, Span::Day);
        let w = DateSpan::parse("20181004_w").unwrap();
        assert_eq!(
            (w.span, w.start.to_string()),
            (Span::Week, "2018-10-01 00:00:00".to_string())
        );
        assert_eq!(
            DateSpan::parse("2018").unwrap().end().to_string(),
            "2019-01-01 00:00:00"
        );
        assert!(DateSpan::parse("2018-13").is_err());
        assert!(DateSpan::parse("banana").is_err());
    }
}
