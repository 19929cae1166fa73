//! The older and newer pages of a view (spec section 4 item 6).

use std::sync::Arc;

use super::query::{DateSpan, Span};
use super::spec::{without_offset, Order, Spec, SpecValue};
use super::{Neighbours, View};

/// `(older, newer)` pages; views that do not paginate have neither.
pub fn neighbours(view: &View) -> Neighbours {
    let base = without_offset(&view.norm.spec);
    if let Some(date) = view.norm.spec.get("date") {
        return match DateSpan::parse(&date.as_list().concat()) {
            Ok(span) => by_date(view, base, span),
            Err(_) => (None, None),
        };
    }
    if view.norm.count.is_some() {
        return by_count(view, base);
    }
    (None, None)
}

fn with(base: &Spec, extra: &[(&str, SpecValue)]) -> Spec {
    let mut spec = base.clone();
    for (k, v) in extra {
        spec.insert(k.to_string(), v.clone());
    }
    spec
}

fn load(view: &View, spec: Spec) -> Option<View> {
    view.derive(&spec).ok()
}

fn by_count(view: &View, base: Spec) -> Neighbours {
    let Some(count) = view.norm.count else {
        return (None, None);
    };
    let order = view.norm.order;
    let neighbour = |key: &str, entry: i64, order: &str| {
        load(
            view,
            with(
                &base,
                &[
                    (key, SpecValue::Entry(entry)),
                    ("order", SpecValue::Str(order.into())),
                ],
            ),
        )
        .and_then(|v| v.first().map(|e| e.id))
    };
    let oldest_neighbour = view
        .oldest()
        .and_then(|e| neighbour("before", e.id, "newest"));
    let newest_neighbour = view
        .newest()
        .and_then(|e| neighbour("after", e.id, "oldest"));
    let out_spec = with(
        &base,
        &[
            ("count", SpecValue::Int(count)),
            ("order", SpecValue::Str(order.name().into())),
        ],
    );
    let page = |key: &str, id: i64| {
        load(view, with(&out_spec, &[(key, SpecValue::Entry(id))])).map(Arc::new)
    };
    // The far edge of the page on the other side: `count` entries on from
    // the neighbour, walking away from this page.
    let far_edge = |key: &str, id: i64, walk: &str| {
        load(
            view,
            with(
                &base,
                &[
                    (key, SpecValue::Entry(id)),
                    ("order", SpecValue::Str(walk.into())),
                    ("count", SpecValue::Int(count)),
                ],
            ),
        )
        .and_then(|v| v.last().map(|e| e.id))
    };
    match order {
        Order::Newest => {
            let older = oldest_neighbour.and_then(|id| page("last", id));
            let newer = newest_neighbour
                .and_then(|id| far_edge("first", id, "oldest"))
                .and_then(|id| page("last", id));
            (older, newer)
        }
        Order::Oldest => {
            let older = oldest_neighbour
                .and_then(|id| far_edge("last", id, "newest"))
                .and_then(|id| page("first", id));
            let newer = newest_neighbour.and_then(|id| page("first", id));
            (older, newer)
        }
        Order::Title => (None, None),
    }
}

fn by_date(view: &View, base: Spec, span: DateSpan) -> Neighbours {
    let mut query_base = base.clone();
    query_base.remove("order");
    query_base.remove("count");
    let Some(all) = load(view, query_base) else {
        return (None, None);
    };
    let end = span.end();
    // Publ finds the neighbours in the database, before any auth filtering;
    // `matched` is newest first.
    let older = all.matched.iter().find(|e| e.local_date < span.start);
    let newer = all.matched.iter().rev().find(|e| e.local_date >= end);
    let page = |e: Option<&Arc<crate::index::records::EntryRecord>>| {
        let e = e?;
        let date = format_span(e.display_date.naive_local(), span.span);
        load(view, with(&base, &[("date", SpecValue::Str(date))])).map(Arc::new)
    };
    (page(older), page(newer))
}

/// Names the span of `span`'s kind that holds `t`, as a `date` spec.
fn format_span(t: chrono::NaiveDateTime, span: Span) -> String {
    match span {
        Span::Day => t.format("%Y-%m-%d").to_string(),
        Span::Week => t.format("%Y%m%d_w").to_string(),
        Span::Month => t.format("%Y-%m").to_string(),
        Span::Year => t.format("%Y").to_string(),
    }
}
