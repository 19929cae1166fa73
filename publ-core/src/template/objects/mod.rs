//! The objects templates see: entry, category, view, search results, and
//! the small ones.

pub mod args;
pub mod category;
pub mod entry;
pub mod image;
pub mod member;
pub mod request;
pub mod search;
pub mod view;

use std::collections::BTreeMap;

/// A template mapping (`{'a': 1}`) from key/value pairs.
pub fn map_value<K: Into<String>>(
    items: impl IntoIterator<Item = (K, minijinja::Value)>,
) -> minijinja::Value {
    minijinja::Value::from_object(
        items
            .into_iter()
            .map(|(k, v)| (k.into(), v))
            .collect::<BTreeMap<String, minijinja::Value>>(),
    )
}
