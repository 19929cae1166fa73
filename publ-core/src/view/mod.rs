//! Views: which entries a page shows, and the pages around it (spec H, J).

pub mod paging;
pub mod query;
pub mod spec;

use std::sync::{Arc, OnceLock};

use crate::auth::User;
use crate::index::catalog::Catalog;
use crate::index::records::EntryRecord;
use spec::{
    normalize, without_offset, Normalized, Order, Spec, SpecError, SpecValue, OFFSET_PRIORITY,
};

/// How many entries the visitor may not see a page includes anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unauthorized {
    None,
    Up(usize),
    All,
}

/// Whether `user` (`None`: anonymous) may see `e` (spec N6).
pub fn authorized(e: &EntryRecord, user: Option<&User>) -> bool {
    crate::access::is_authorized(&e.auth, user)
}

/// Publ's `Entry.filter_auth`: authorized entries up to `count`, plus the
/// allowed share of unauthorized ones, which count against it too.
pub fn filter_auth(
    matched: &[Arc<EntryRecord>],
    count: Option<i64>,
    unauthorized: Unauthorized,
    user: Option<&User>,
) -> Vec<Arc<EntryRecord>> {
    let limit = count.map(|n| n.max(0) as usize).unwrap_or(usize::MAX);
    let mut allowance = unauthorized;
    let mut out = Vec::new();
    for e in matched {
        if out.len() >= limit {
            break;
        }
        if authorized(e, user) {
            out.push(e.clone());
            continue;
        }
        match allowance {
            Unauthorized::None => {}
            Unauthorized::All => out.push(e.clone()),
            Unauthorized::Up(n) => {
                out.push(e.clone());
                allowance = if n > 1 {
                    Unauthorized::Up(n - 1)
                } else {
                    Unauthorized::None
                };
            }
        }
    }
    out
}

/// The older and newer pages of a view.
pub type Neighbours = (Option<Arc<View>>, Option<Arc<View>>);

/// A view over one catalog snapshot at one instant.
#[derive(Debug)]
pub struct View {
    pub catalog: Arc<Catalog>,
    pub now: i64,
    /// Who the view is for; `None` is an anonymous visitor.
    pub user: Option<Arc<User>>,
    pub norm: Normalized,
    /// Every entry the query matches, in order, before auth and count.
    matched: Vec<Arc<EntryRecord>>,
    /// The page as the visitor sees it (spec H1).
    page: Vec<Arc<EntryRecord>>,
    pages: OnceLock<Neighbours>,
}

impl View {
    pub fn new(
        catalog: Arc<Catalog>,
        now: i64,
        user: Option<Arc<User>>,
        input: &Spec,
    ) -> Result<View, SpecError> {
        let norm = normalize(input)?;
        let matched = query::select(&catalog, &norm.query, norm.order, now)?;
        let page = filter_auth(&matched, norm.count, Unauthorized::None, user.as_deref());
        Ok(View {
            catalog,
            now,
            user,
            norm,
            matched,
            page,
            pages: OnceLock::new(),
        })
    }

    /// Another view over the same snapshot.
    pub fn derive(&self, input: &Spec) -> Result<View, SpecError> {
        View::new(self.catalog.clone(), self.now, self.user.clone(), input)
    }

    /// The spec with `restrict` laid over it (`view(**restrict)`, spec H9).
    pub fn restrict(&self, restrict: &Spec) -> Result<View, SpecError> {
        let mut spec = self.norm.spec.clone();
        for (k, v) in restrict {
            spec.insert(k.clone(), v.clone());
        }
        self.derive(&spec)
    }

    /// `view.current(**restrict)`: this view without its offset (spec H6).
    pub fn current(&self, restrict: &Spec) -> Result<View, SpecError> {
        let mut spec = without_offset(&self.norm.spec);
        for (k, v) in restrict {
            spec.insert(k.clone(), v.clone());
        }
        self.derive(&spec)
    }

    pub fn is_current(&self) -> bool {
        !self
            .norm
            .spec
            .keys()
            .any(|k| OFFSET_PRIORITY.contains(&k.as_str()))
    }

    pub fn order(&self) -> Order {
        self.norm.order
    }

    /// The page's entries: the first `count` the visitor may see (spec H1).
    pub fn entries(&self) -> &[Arc<EntryRecord>] {
        &self.page
    }

    /// `view.entries(unauthorized=N)`: the page with up to N (or all)
    /// entries the visitor may not see mixed in, counting against `count`.
    pub fn entries_with(&self, unauthorized: Unauthorized) -> Vec<Arc<EntryRecord>> {
        filter_auth(
            &self.matched,
            self.norm.count,
            unauthorized,
            self.user.as_deref(),
        )
    }

    /// Entries hidden from the visitor among the page's span (spec H3).
    pub fn unauthorized(&self, limit: Option<usize>) -> Vec<Arc<EntryRecord>> {
        let mut seen = 0usize;
        let mut out = Vec::new();
        for e in &self.matched {
            if self.norm.count.is_some_and(|n| seen as i64 >= n)
                || limit.is_some_and(|l| out.len() >= l)
            {
                break;
            }
            if authorized(e, self.user.as_deref()) {
                seen += 1;
            } else {
                out.push(e.clone());
            }
        }
        out
    }

    pub fn has_unauthorized(&self) -> bool {
        !self.unauthorized(Some(1)).is_empty()
    }

    pub fn first(&self) -> Option<&Arc<EntryRecord>> {
        self.entries().first()
    }

    pub fn last(&self) -> Option<&Arc<EntryRecord>> {
        self.entries().last()
    }

    pub fn newest(&self) -> Option<&Arc<EntryRecord>> {
        match self.norm.order {
            Order::Newest => self.first(),
            Order::Oldest => self.last(),
            Order::Title => self.entries().iter().max_by_key(|e| (e.display_date, e.id)),
        }
    }

    pub fn oldest(&self) -> Option<&Arc<EntryRecord>> {
        match self.norm.order {
            Order::Newest => self.last(),
            Order::Oldest => self.first(),
            Order::Title => self
                .entries()
                .iter()
                .min_by_key(|e| (e.display_date, -e.id)),
        }
    }

    /// GONE entries in the same range, for Atom tombstones (spec H4).
    pub fn deleted(&self) -> Result<Vec<Arc<EntryRecord>>, SpecError> {
        let mut q = self.norm.query.clone();
        q.insert("_deleted".into(), SpecValue::Bool(true));
        let mut found = query::select(&self.catalog, &q, self.norm.order, self.now)?;
        if self.norm.count.is_some() {
            if let Some(next_first) = self.next().and_then(|n| n.first().cloned()) {
                let key = next_first.sort_key();
                found.retain(|e| match self.norm.order {
                    Order::Oldest => e.sort_key() < key,
                    Order::Newest => e.sort_key() > key,
                    Order::Title => true,
                });
            }
        }
        Ok(found)
    }

    pub fn older(&self) -> Option<Arc<View>> {
        self.pagination().0.clone()
    }

    pub fn newer(&self) -> Option<Arc<View>> {
        self.pagination().1.clone()
    }

    pub fn previous(&self) -> Option<Arc<View>> {
        match self.norm.order {
            Order::Oldest => self.older(),
            Order::Newest => self.newer(),
            Order::Title => None,
        }
    }

    pub fn next(&self) -> Option<Arc<View>> {
        match self.norm.order {
            Order::Oldest => self.newer(),
            Order::Newest => self.older(),
            Order::Title => None,
        }
    }

    fn pagination(&self) -> &Neighbours {
        self.pages.get_or_init(|| paging::neighbours(self))
    }

    /// `offset` or the date span name (spec H5).
    pub fn paging(&self) -> &'static str {
        match self.norm.spec.get("date") {
            Some(d) => query::DateSpan::parse(&d.as_list().concat())
                .map(|s| s.span.name())
                .unwrap_or("day"),
            None => "offset",
        }
    }

    /// `count`, a span name, or none (spec H5).
    pub fn paging_type(&self) -> Option<&'static str> {
        if self.norm.spec.contains_key("date") {
            Some(self.paging())
        } else if self.norm.count.is_some() {
            Some("count")
        } else {
            None
        }
    }

    /// The tag keys of the spec (`view.tags`).
    pub fn tags(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in self
            .norm
            .spec
            .get("tag")
            .map(SpecValue::as_list)
            .unwrap_or_default()
        {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }
}
