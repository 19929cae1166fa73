//! What a search found, as entries the catalog can show (spec O4).

use std::sync::Arc;

use crate::auth::User;
use crate::index::catalog::Catalog;
use crate::index::records::EntryRecord;
use crate::view::{authorized, filter_auth, Unauthorized};

/// Visible entries in rank order, whether or not the visitor may read them.
#[derive(Debug, Default, Clone)]
pub struct SearchResults {
    records: Vec<Arc<EntryRecord>>,
}

impl SearchResults {
    /// Hits the catalog no longer has, or no longer shows, are dropped.
    pub fn from_hits(catalog: &Catalog, ids: &[i64]) -> SearchResults {
        SearchResults {
            records: ids
                .iter()
                .filter_map(|id| catalog.entry(*id))
                .filter(|e| e.visible())
                .cloned()
                .collect(),
        }
    }

    /// `len(results)`: unauthorized entries count too, as in Publ.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// `results.entries(unauthorized=N)`.
    pub fn entries(
        &self,
        unauthorized: Unauthorized,
        user: Option<&User>,
    ) -> Vec<Arc<EntryRecord>> {
        filter_auth(&self.records, None, unauthorized, user)
    }

    pub fn has_unauthorized(&self, user: Option<&User>) -> bool {
        self.records.iter().any(|e| !authorized(e, user))
    }
}
