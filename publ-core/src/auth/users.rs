//! The user list (`users.cfg`): which identities and groups belong to
//! which groups (spec N3, N4). Read again when the file changes, so an
//! edit takes effect without a restart, as in Publ.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::RwLock;
use std::time::SystemTime;

/// Group memberships as the file states them: member -> groups.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Memberships(HashMap<String, BTreeSet<String>>);

impl Memberships {
    /// Publ's reading of the file (Python's configparser with no value
    /// delimiter): `[group]` starts a group, every other line names a
    /// member, `#` and `;` start comments.
    pub fn parse(text: &str) -> Memberships {
        let mut members: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut group: Option<&str> = None;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                group = Some(name);
            } else if let Some(group) = group {
                members
                    .entry(line.to_string())
                    .or_default()
                    .insert(group.to_string());
            } else {
                tracing::warn!(line, "users.cfg: a member before any [group] is ignored");
            }
        }
        Memberships(members)
    }

    /// Every group `identity` belongs to, through other groups too, and
    /// `identity` itself when `include_self` (Publ's `get_groups`).
    pub fn groups_of(&self, identity: &str, include_self: bool) -> BTreeSet<String> {
        let mut result = BTreeSet::new();
        let mut pending = VecDeque::from([identity.to_string()]);
        while let Some(check) = pending.pop_front() {
            if result.contains(&check) {
                continue;
            }
            if let Some(groups) = self.0.get(&check) {
                pending.extend(groups.iter().cloned());
            }
            result.insert(check);
        }
        if !include_self {
            result.remove(identity);
        }
        result
    }
}

/// The user list file, read again whenever its modification time moves.
#[derive(Debug)]
pub struct UserList {
    path: PathBuf,
    loaded: RwLock<(Option<SystemTime>, std::sync::Arc<Memberships>)>,
}

impl UserList {
    pub fn new(path: PathBuf) -> UserList {
        UserList {
            path,
            loaded: RwLock::new((None, Default::default())),
        }
    }

    pub fn current(&self) -> std::sync::Arc<Memberships> {
        let modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        if let Ok(loaded) = self.loaded.read() {
            if loaded.0 == modified && modified.is_some() {
                return loaded.1.clone();
            }
        }
        let memberships = match std::fs::read_to_string(&self.path) {
            Ok(text) => Memberships::parse(&text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Memberships::default(),
            Err(err) => {
                tracing::error!(path = %self.path.display(), error = %err, "cannot read the user list; nobody is in any group");
                Memberships::default()
            }
        };
        let memberships = std::sync::Arc::new(memberships);
        if let Ok(mut loaded) = self.loaded.write() {
            *loaded = (modified, memberships.clone());
        }
        memberships
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANUAL_EXAMPLE: &str = "[admin]\nhttp://example.com/\nmailto:me@example.com\n\n\
        [friends]\nmailto:someone@example.com\nhttp://example.com/~friend/\ngood-friends\n\n\
        ; a comment\n[good-friends]\nhttps://beesbuzz.biz/\n# another\n";

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    // spec N3: groups nest; an identity is its own group for Auth
    #[test]
    fn groups_nest() {
        let m = Memberships::parse(MANUAL_EXAMPLE);
        assert_eq!(
            m.groups_of("https://beesbuzz.biz/", false),
            set(&["friends", "good-friends"])
        );
        assert_eq!(
            m.groups_of("https://beesbuzz.biz/", true),
            set(&["friends", "good-friends", "https://beesbuzz.biz/"])
        );
        assert_eq!(m.groups_of("mailto:me@example.com", false), set(&["admin"]));
        assert_eq!(m.groups_of("test:nobody", false), set(&[]));
    }

    #[test]
    fn cycles_end() {
        let m = Memberships::parse("[a]\nb\n[b]\na\nme\n");
        assert_eq!(m.groups_of("me", false), set(&["a", "b"]));
    }

    #[test]
    fn edits_are_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.cfg");
        let list = UserList::new(path.clone());
        assert_eq!(list.current().groups_of("test:a", false), set(&[]));
        std::fs::write(&path, "[friends]\ntest:a\n").unwrap();
        assert_eq!(list.current().groups_of("test:a", false), set(&["friends"]));
        std::fs::write(&path, "[family]\ntest:a\n").unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(list.current().groups_of("test:a", false), set(&["family"]));
    }
}
