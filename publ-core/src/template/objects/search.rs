//! `search(query, category=None, recurse=False, count=None, page=None,
//! future=False)` in templates and the results it gives (spec E10, O4).

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, Value};

use super::args::CallArgs;
use super::category::CategoryObject;
use super::entry::EntryObject;
use super::member::bind;
use super::view::unauthorized_arg;
use crate::search::{SearchQuery, SearchResults};
use crate::template::page::Page;
use crate::view::Unauthorized;

pub struct SearchResultsObject {
    page: Arc<Page>,
    results: SearchResults,
}

impl fmt::Debug for SearchResultsObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<search results ({})>", self.results.len())
    }
}

/// The `search()` global. Without a `search_index` it finds nothing, as
/// in Publ; it never fails on what a visitor typed.
pub fn search(page: &Arc<Page>, args: &CallArgs) -> Result<Value, Error> {
    let results = match (&page.search, query_of(args)) {
        (Some(index), Some(query)) => index.search(&page.catalog, &query, page.now),
        _ => SearchResults::default(),
    };
    Ok(Value::from_object(SearchResultsObject {
        page: page.clone(),
        results,
    }))
}

/// The call's arguments; `None` without a query text.
fn query_of(args: &CallArgs) -> Option<SearchQuery> {
    Some(SearchQuery {
        text: args.string(0, "query")?,
        category: args.get(1, "category").filter(|v| !v.is_none()).map(|v| {
            match v.downcast_object_ref::<CategoryObject>() {
                Some(category) => category.path.clone(),
                None => v.to_string(),
            }
        }),
        recurse: args.flag(2, "recurse", false),
        count: size(args, 3, "count"),
        page: size(args, 4, "page"),
        future: args.flag(5, "future", false),
    })
}

/// A count or page number; anything else is ignored with a warning
/// (`count=request.args.n` may hold any text).
fn size(args: &CallArgs, index: usize, name: &str) -> Option<usize> {
    let value = args.get(index, name).filter(|v| !v.is_none())?;
    let number = value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
    if number.is_none() {
        tracing::warn!(argument = name, value = %value, "search: not a number; ignored");
    }
    number.map(|n| usize::try_from(n).unwrap_or(0))
}

impl SearchResultsObject {
    fn entries(&self, unauthorized: Unauthorized) -> Vec<Value> {
        self.results
            .entries(unauthorized, self.page.user.as_deref())
            .iter()
            .map(|e| EntryObject::value(&self.page, e))
            .collect()
    }
}

impl Object for SearchResultsObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Iterable
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(match key.as_str()? {
            "entries" => bind(self, "entries", |r, a| {
                Ok(Value::from(r.entries(unauthorized_arg(a))))
            }),
            "has_unauthorized" => {
                Value::from(self.results.has_unauthorized(self.page.user.as_deref()))
            }
            _ => return None,
        })
    }

    /// Iterating gives the entries the visitor may see.
    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.entries(Unauthorized::None))
    }

    /// `length` counts unauthorized entries too, as Publ's `len()` does.
    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.results.len())
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.results.is_empty()
    }
}
