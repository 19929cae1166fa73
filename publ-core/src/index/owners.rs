//! Which file holds which entry ID, kept in memory through a scan so that
//! assigning thousands of IDs asks the database nothing.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::content::status::PublishStatus;

#[derive(Debug, Default)]
pub struct Owners {
    by_id: HashMap<i64, (PathBuf, PublishStatus)>,
    by_path: HashMap<PathBuf, BTreeSet<i64>>,
}

impl Owners {
    pub fn new(rows: Vec<(i64, PathBuf, PublishStatus)>) -> Owners {
        let mut owners = Owners::default();
        for (id, path, status) in rows {
            owners.by_path.entry(path.clone()).or_default().insert(id);
            owners.by_id.insert(id, (path, status));
        }
        owners
    }

    /// How many entries the index holds.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn owner(&self, id: i64) -> Option<(&Path, PublishStatus)> {
        self.by_id
            .get(&id)
            .map(|(path, status)| (path.as_path(), *status))
    }

    /// The lowest ID stored for `path`.
    pub fn first_id_of(&self, path: &Path) -> Option<i64> {
        self.by_path.get(path)?.first().copied()
    }

    /// Forgets the entries of `path`, returning their IDs.
    pub fn remove_path(&mut self, path: &Path) -> Vec<i64> {
        let ids: Vec<i64> = self
            .by_path
            .remove(path)
            .unwrap_or_default()
            .into_iter()
            .collect();
        for id in &ids {
            self.by_id.remove(id);
        }
        ids
    }

    /// Gives `id` to the entry in `path`, replacing whatever held that ID
    /// or came from that file before; returns the IDs so replaced.
    pub fn claim(&mut self, id: i64, path: &Path, status: PublishStatus) -> Vec<i64> {
        let mut replaced = self.remove_path(path);
        if let Some((old_path, _)) = self.by_id.remove(&id) {
            if let Some(ids) = self.by_path.get_mut(&old_path) {
                ids.remove(&id);
                if ids.is_empty() {
                    self.by_path.remove(&old_path);
                }
            }
            replaced.push(id);
        }
        self.by_path
            .entry(path.to_path_buf())
            .or_default()
            .insert(id);
        self.by_id.insert(id, (path.to_path_buf(), status));
        replaced
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_replaces_the_files_old_ids_and_the_ids_old_holder() {
        let mut owners = Owners::new(vec![
            (1, "a.md".into(), PublishStatus::Published),
            (2, "a.md".into(), PublishStatus::Published),
            (3, "b.md".into(), PublishStatus::Draft),
        ]);
        assert_eq!(owners.first_id_of(Path::new("a.md")), Some(1));
        let mut replaced = owners.claim(3, Path::new("a.md"), PublishStatus::Published);
        replaced.sort_unstable();
        assert_eq!(replaced, vec![1, 2, 3]);
        assert_eq!(owners.len(), 1);
        assert_eq!(
            owners.owner(3),
            Some((Path::new("a.md"), PublishStatus::Published))
        );
        assert_eq!(owners.first_id_of(Path::new("b.md")), None);
        assert_eq!(owners.remove_path(Path::new("a.md")), vec![3]);
        assert!(owners.is_empty());
    }
}
