//! Crash-safe file replacement and renaming, and change detection (spec
//! A22, R3).

use std::fmt;
use std::fs::{self, File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What Publ's `utils.file_fingerprint` looks at: a file that keeps all
/// three is taken to be unchanged.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Fingerprint {
    pub inode: u64,
    pub mtime_nanos: i128,
    pub size: u64,
}

impl Fingerprint {
    /// Inverse of the `Display` form, `inode,mtime_nanos,size`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split(',');
        let fingerprint = Fingerprint {
            inode: parts.next()?.parse().ok()?,
            mtime_nanos: parts.next()?.parse().ok()?,
            size: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(fingerprint)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{}", self.inode, self.mtime_nanos, self.size)
    }
}

/// Fingerprint of the file `path` points at (symlinks followed, like
/// `os.stat`).
pub fn fingerprint(path: &Path) -> io::Result<Fingerprint> {
    let meta = fs::metadata(path)?;
    Ok(Fingerprint {
        inode: meta.ino(),
        mtime_nanos: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        size: meta.size(),
    })
}

/// Replaces `path` with `bytes` so readers see either the old or the new
/// file, never a torn one, and the new one survives a crash.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    atomic_write_if(path, bytes, || Ok(true)).map(|_| ())
}

/// [`atomic_write`], except that `still_wanted` runs after the new contents
/// are durable and right before the rename; if it returns `false` the file
/// is left alone and the result is `Ok(false)`. Writing through a symlink
/// replaces its target, keeping the link. An existing file keeps its
/// permission bits.
pub fn atomic_write_if(
    path: &Path,
    bytes: &[u8],
    still_wanted: impl FnOnce() -> io::Result<bool>,
) -> io::Result<bool> {
    let staged = Staged::write(path, bytes)?;
    staged.temp.as_file().sync_all()?;
    let dir = staged.dir.clone();
    if !staged.replace_if(still_wanted)? {
        return Ok(false);
    }
    File::open(&dir)?.sync_all()?;
    Ok(true)
}

/// Many [`atomic_write_if`]s at once, for thousands of files: each new
/// file is written beside its target, one `syncfs` makes them all durable
/// (instead of an fsync each, which is most of the time they take), then
/// each is renamed over its target if `still_wanted(i)` says so and each
/// folder is synced once. The results are in the order of `writes`.
pub fn atomic_write_all(
    writes: &[(PathBuf, Vec<u8>)],
    still_wanted: impl Fn(usize) -> io::Result<bool> + Sync,
) -> Vec<io::Result<bool>> {
    // Creating and renaming thousands of files is kernel work that spreads
    // over the cores.
    let staged: Vec<io::Result<Staged>> =
        crate::parallel::map(writes.iter().collect(), 64, |(path, bytes)| {
            Staged::write(path, bytes)
        })
        .into_iter()
        .map(|s| s.unwrap_or_else(|| Err(io::Error::other("staging a file panicked"))))
        .collect();
    // One filesystem holds most content folders; a temp file on another
    // one gets its own sync.
    let mut synced: Vec<u64> = Vec::new();
    let staged: Vec<(usize, io::Result<Staged>)> = staged
        .into_iter()
        .map(|s| {
            let s = s?;
            let device = s.temp.as_file().metadata()?.dev();
            if !synced.contains(&device) {
                nix::unistd::syncfs(s.temp.as_file()).map_err(io::Error::from)?;
                synced.push(device);
            }
            Ok(s)
        })
        .enumerate()
        .collect();
    let results: Vec<io::Result<(bool, PathBuf)>> = crate::parallel::map(staged, 64, |(i, s)| {
        let s = s?;
        let dir = s.dir.clone();
        Ok((s.replace_if(|| still_wanted(i))?, dir))
    })
    .into_iter()
    .map(|r| r.unwrap_or_else(|| Err(io::Error::other("renaming a file panicked"))))
    .collect();
    let mut dirs: Vec<&PathBuf> = results
        .iter()
        .filter_map(|r| match r {
            Ok((true, dir)) => Some(dir),
            _ => None,
        })
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    for dir in dirs {
        if let Err(err) = File::open(dir).and_then(|d| d.sync_all()) {
            tracing::warn!(dir = %dir.display(), error = %err, "cannot sync folder after rewriting files in it");
        }
    }
    results
        .into_iter()
        .map(|r| r.map(|(replaced, _)| replaced))
        .collect()
}

/// New contents written to a hidden temp file beside the file they replace.
struct Staged {
    target: PathBuf,
    dir: PathBuf,
    temp: tempfile::NamedTempFile,
}

impl Staged {
    fn write(path: &Path, bytes: &[u8]) -> io::Result<Staged> {
        let found = |meta: io::Result<fs::Metadata>| match meta {
            Ok(meta) => Ok(Some(meta)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        };
        // Only a file that is a symlink needs resolving (its target is what
        // gets replaced); linked folders on the way can stay as they are.
        // Resolving every path cost a readlink per path component, for
        // each of thousands of files.
        let (target, meta) = match found(fs::symlink_metadata(path))? {
            Some(meta) if meta.file_type().is_symlink() => match fs::canonicalize(path) {
                Ok(target) => {
                    let meta = found(fs::metadata(&target))?;
                    (target, meta)
                }
                // A dangling link is replaced by the file.
                Err(e) if e.kind() == io::ErrorKind::NotFound => (path.to_path_buf(), None),
                Err(e) => return Err(e),
            },
            meta => (path.to_path_buf(), meta),
        };
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let permissions = meta.map(|meta| meta.permissions());
        // Hidden, extension-less name so content scanners never pick it up;
        // the 0666 request is narrowed by the umask, as for any new file.
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .permissions(Permissions::from_mode(0o666))
            .tempfile_in(&dir)?;
        temp.write_all(bytes)?;
        if let Some(permissions) = permissions {
            temp.as_file().set_permissions(permissions)?;
        }
        Ok(Staged { target, dir, temp })
    }

    /// Renames the (already durable) temp file over the target, or drops it.
    fn replace_if(self, still_wanted: impl FnOnce() -> io::Result<bool>) -> io::Result<bool> {
        if !still_wanted()? {
            return Ok(false);
        }
        self.temp.persist(&self.target).map_err(|e| e.error)?;
        Ok(true)
    }
}

/// Renames `from` to `to` atomically, failing with `AlreadyExists` instead
/// of replacing whatever is at `to` (a plain rename would silently clobber
/// a file created there since the caller looked).
pub fn rename_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use nix::errno::Errno;
        use nix::fcntl::{renameat2, RenameFlags, AT_FDCWD};
        match renameat2(AT_FDCWD, from, AT_FDCWD, to, RenameFlags::RENAME_NOREPLACE) {
            Ok(()) => return Ok(()),
            // Filesystems without RENAME_NOREPLACE say EINVAL; links do the
            // same job there.
            Err(Errno::EINVAL | Errno::ENOSYS | Errno::EOPNOTSUPP) => {}
            Err(errno) => return Err(errno.into()),
        }
    }
    // A new link never replaces an existing name; the old name goes once
    // the new one is in place, so the file is never without a name.
    fs::hard_link(from, to)?;
    if let Err(err) = fs::remove_file(from) {
        // Leave things as they were rather than with two names.
        let _ = fs::remove_file(to);
        return Err(err);
    }
    Ok(())
}

/// Whether two paths name the same file, as Python's `os.path.samefile`
/// sees it (same device and inode, symlinks followed); `false` when either
/// cannot be read.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// The prefix of the temp files [`atomic_write_if`] and [`atomic_write_all`]
/// write beside the files they replace.
pub const TEMP_PREFIX: &str = ".publ-";

/// Deletes temp files of ours under `dir` older than `age`: what a writer
/// killed between writing and renaming left behind (younger ones may
/// belong to a writer still at work). Returns how many went.
pub fn remove_stale_temp_files(dir: &Path, age: std::time::Duration) -> usize {
    let stale = |item: &walkdir::DirEntry| {
        item.file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TEMP_PREFIX))
            && item
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|elapsed| elapsed >= age)
    };
    let mut removed = 0;
    for item in walk_files(dir, |_| {}).filter(stale) {
        match fs::remove_file(item.path()) {
            Ok(()) => removed += 1,
            Err(err) => {
                tracing::warn!(path = %item.path().display(), error = %err, "cannot remove a stale temp file")
            }
        }
    }
    removed
}

/// Every file under `dir`, following symlinks (as Publ does) in a stable
/// name order; each unreadable folder or dangling symlink goes to `skipped`.
pub fn walk_files(
    dir: &Path,
    mut skipped: impl FnMut(walkdir::Error),
) -> impl Iterator<Item = walkdir::DirEntry> {
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_map(move |item| match item {
            Ok(item) => item.file_type().is_file().then_some(item),
            Err(err) => {
                skipped(err);
                None
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect()
    }

    // spec A22
    #[test]
    fn replaces_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.md");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        atomic_write(&path, b"new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn creates_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.md");
        atomic_write(&path, b"hello").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"hello");
    }

    // spec A22: the pre-rename check can veto the write
    #[test]
    fn vetoed_write_leaves_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.md");
        fs::write(&path, "old").unwrap();
        assert!(!atomic_write_if(&path, b"new", || Ok(false)).unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert!(leftovers(dir.path()).is_empty());
        let err = atomic_write_if(&path, b"new", || Err(io::Error::other("boom"))).unwrap_err();
        assert_eq!(err.to_string(), "boom");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
    }

    #[test]
    fn writes_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.md");
        let link = dir.path().join("link.md");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        atomic_write(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    // Issue 8 item 6: a killed writer's temp files go, others stay
    #[test]
    fn stale_temp_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("sub/.publ-abc123"), "half").unwrap();
        fs::write(dir.path().join("sub/entry.md"), "keep").unwrap();
        fs::write(dir.path().join(".hidden"), "keep").unwrap();
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(remove_stale_temp_files(dir.path(), hour), 0, "too young");
        let none = std::time::Duration::ZERO;
        assert_eq!(remove_stale_temp_files(dir.path(), none), 1);
        assert!(!dir.path().join("sub/.publ-abc123").exists());
        assert!(dir.path().join("sub/entry.md").exists());
        assert!(dir.path().join(".hidden").exists());
    }

    // spec R3: a rename never replaces an existing file
    #[test]
    fn rename_never_clobbers() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.md");
        let b = dir.path().join("b.md");
        let c = dir.path().join("c.md");
        fs::write(&a, "a").unwrap();
        fs::write(&b, "b").unwrap();
        let err = rename_no_clobber(&a, &b).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&a).unwrap(), "a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "b");
        let inode = fingerprint(&a).unwrap().inode;
        rename_no_clobber(&a, &c).unwrap();
        assert!(!a.exists());
        assert_eq!(fs::read_to_string(&c).unwrap(), "a");
        assert_eq!(fingerprint(&c).unwrap().inode, inode);
        let missing = rename_no_clobber(&a, &dir.path().join("d.md")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        fs::hard_link(&c, &a).unwrap();
        assert!(same_file(&a, &c));
        assert!(!same_file(&b, &c));
        assert!(!same_file(&b, &dir.path().join("d.md")));
    }

    #[test]
    fn fingerprint_tracks_changes_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, "one").unwrap();
        let a = fingerprint(&path).unwrap();
        assert_eq!(fingerprint(&path).unwrap(), a);
        assert_eq!(Fingerprint::parse(&a.to_string()), Some(a.clone()));
        atomic_write(&path, b"one").unwrap();
        assert_ne!(fingerprint(&path).unwrap(), a, "a new inode is a change");
        for bad in ["", "1,2", "1,2,3,4", "a,2,3", "1,2,-3"] {
            assert_eq!(Fingerprint::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Fingerprint::parse("5,-1000000001,0"),
            Some(Fingerprint {
                inode: 5,
                mtime_nanos: -1_000_000_001,
                size: 0
            })
        );
        assert!(fingerprint(&dir.path().join("missing")).is_err());
    }
}
