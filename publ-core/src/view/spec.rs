//! View specifications: the keys a template or URL gives, normalised the way
//! Publ's `View.__init__` does (spec J1-J11, section 4 item 5).

use std::collections::BTreeMap;

/// One value of a view spec; entries are referred to by ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpecValue {
    None,
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<String>),
    Entry(i64),
}

impl SpecValue {
    pub fn as_list(&self) -> Vec<String> {
        match self {
            SpecValue::None => Vec::new(),
            SpecValue::Bool(b) => vec![if *b { "True" } else { "False" }.to_string()],
            SpecValue::Int(i) | SpecValue::Entry(i) => vec![i.to_string()],
            SpecValue::Str(s) => vec![s.clone()],
            SpecValue::List(l) => l.clone(),
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, SpecValue::None)
    }

    pub fn truthy(&self) -> bool {
        match self {
            SpecValue::None => false,
            SpecValue::Bool(b) => *b,
            SpecValue::Int(i) => *i != 0,
            SpecValue::Str(s) => !s.is_empty(),
            SpecValue::List(l) => !l.is_empty(),
            SpecValue::Entry(_) => true,
        }
    }

    /// An entry reference: an ID given as a number, a numeric string or an
    /// entry.
    pub fn entry_id(&self) -> Option<i64> {
        match self {
            SpecValue::Int(i) | SpecValue::Entry(i) => Some(*i),
            SpecValue::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

pub type Spec = BTreeMap<String, SpecValue>;

/// Offset keys in priority order: only the first present survives.
pub const OFFSET_PRIORITY: &[&str] = &["date", "start", "last", "first"];
/// Pagination keys in priority order (`date` overrides `count`).
pub const PAGINATION_PRIORITY: &[&str] = &["date", "count"];

/// Every key `build_query` accepts, plus the view-level ones.
const QUERY_KEYS: &[&str] = &[
    "_all",
    "_deleted",
    "_attachments",
    "future",
    "recurse",
    "category",
    "tag",
    "tag_filter",
    "category_not",
    "entry_type",
    "entry_type_not",
    "date",
    "last",
    "first",
    "before",
    "after",
    "attachments",
    "attached",
    "has_attachments",
    "is_attached",
];
const VIEW_KEYS: &[&str] = &["count", "order", "start"];

/// The spec without its offset keys: the view's "current" form.
pub fn without_offset(spec: &Spec) -> Spec {
    spec.iter()
        .filter(|(k, _)| !OFFSET_PRIORITY.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("Got an unknown query parameter '{0}'")]
    UnknownKey(String),
    #[error("Invalid date {0}")]
    BadDate(String),
    #[error("Attempted to reference non-existent entry")]
    MissingEntry,
    #[error("Unknown order {0:?}")]
    BadOrder(String),
    #[error("Unsupported tag filter {0:?}")]
    BadTagFilter(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Newest,
    Oldest,
    Title,
}

impl Order {
    pub fn name(self) -> &'static str {
        match self {
            Order::Newest => "newest",
            Order::Oldest => "oldest",
            Order::Title => "title",
        }
    }
}

/// A view spec after normalisation: `spec` is what templates see as
/// `view.spec`; `query` is what filters the entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub spec: Spec,
    pub query: Spec,
    pub order: Order,
    pub count: Option<i64>,
}

pub fn normalize(input: &Spec) -> Result<Normalized, SpecError> {
    for key in input.keys() {
        if !QUERY_KEYS.contains(&key.as_str()) && !VIEW_KEYS.contains(&key.as_str()) {
            return Err(SpecError::UnknownKey(key.clone()));
        }
    }
    let mut spec: Spec = input
        .iter()
        .filter(|(k, _)| {
            !OFFSET_PRIORITY.contains(&k.as_str()) && !PAGINATION_PRIORITY.contains(&k.as_str())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(key) = OFFSET_PRIORITY.iter().find(|k| input.contains_key(**k)) {
        spec.insert(key.to_string(), input[*key].clone());
    }
    let mut paginated = false;
    if let Some(key) = PAGINATION_PRIORITY.iter().find(|k| input.contains_key(**k)) {
        paginated = true;
        spec.insert(key.to_string(), input[*key].clone());
    }
    let mut query = spec.clone();
    let order = match query.remove("order") {
        None | Some(SpecValue::None) => Order::Newest,
        Some(v) => match v.as_list().first().map(|s| s.to_lowercase()).as_deref() {
            Some("newest") => Order::Newest,
            Some("oldest") => Order::Oldest,
            Some("title") => Order::Title,
            other => return Err(SpecError::BadOrder(other.unwrap_or("").to_string())),
        },
    };
    // `start` only means something on a paginated view; it stays in `spec`
    // so `view(count=N)` on an `?id=` page still works.
    if let Some(start) = query.remove("start") {
        if paginated {
            match order {
                Order::Oldest => {
                    query.insert("first".into(), start);
                }
                Order::Newest => {
                    query.insert("last".into(), start);
                }
                Order::Title => {}
            }
        }
    }
    let count = match query.remove("count") {
        Some(SpecValue::Int(n)) => Some(n),
        Some(SpecValue::Str(s)) => s.trim().parse().ok(),
        _ => None,
    };
    Ok(Normalized {
        spec,
        query,
        order,
        count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(items: &[(&str, SpecValue)]) -> Spec {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn only_first_offset_and_pagination_survive() {
        // spec section 4 item 5
        let n = normalize(&spec(&[
            ("first", SpecValue::Int(1)),
            ("last", SpecValue::Int(2)),
            ("count", SpecValue::Int(5)),
            ("date", SpecValue::Str("2020".into())),
        ]))
        .unwrap();
        assert_eq!(n.spec.get("date"), Some(&SpecValue::Str("2020".into())));
        assert!(!n.spec.contains_key("first") && !n.spec.contains_key("last"));
        assert!(!n.spec.contains_key("count"));
        assert_eq!(n.count, None);
    }

    #[test]
    fn start_needs_pagination() {
        // spec section 4 item 5
        let n = normalize(&spec(&[("start", SpecValue::Int(7))])).unwrap();
        assert!(n.spec.contains_key("start"));
        assert!(!n.query.contains_key("last") && !n.query.contains_key("start"));
        let n = normalize(&spec(&[
            ("start", SpecValue::Int(7)),
            ("count", SpecValue::Int(3)),
        ]))
        .unwrap();
        assert_eq!(n.query.get("last"), Some(&SpecValue::Int(7)));
        let n = normalize(&spec(&[
            ("start", SpecValue::Int(7)),
            ("count", SpecValue::Int(3)),
            ("order", SpecValue::Str("oldest".into())),
        ]))
        .unwrap();
        assert_eq!(n.query.get("first"), Some(&SpecValue::Int(7)));
    }

    #[test]
    fn unknown_keys_are_errors() {
        // spec J11
        assert_eq!(
            normalize(&spec(&[("bogus", SpecValue::Int(1))])),
            Err(SpecError::UnknownKey("bogus".into()))
        );
    }
}
