//! Rewriting an entry file with the headers Publ assigned (spec A22).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::content::headers::{serialize, Headers};
use crate::fsutil::{atomic_write_all, fingerprint, Fingerprint};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteBack {
    Written,
    Skipped(SkipReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The file is gone or differs from the scanned version; the next scan
    /// will see the author's edit.
    Changed,
    /// The header parser discards some of the file's lines (see
    /// `Message::drops_text`), so Publ's rewrite would delete them. Python
    /// Publ rewrites anyway; we keep the text and only lose the write-back.
    WouldDropText,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::Changed => "file changed since it was scanned",
            SkipReason::WouldDropText => {
                "rewriting would drop lines the header parser ignores \
                 (a leading `From ` line, a line starting with `:` or an \
                 indented first line)"
            }
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteBackError {
    #[error("cannot read {} before rewriting it: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot rewrite {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// One file to rewrite with the headers Publ assigned.
pub struct Rewrite {
    pub path: PathBuf,
    pub headers: Headers,
    pub payload: String,
    /// The file as it was scanned; any other version is left alone.
    pub expected: Fingerprint,
    /// Parsing the scanned file discarded some of its lines.
    pub drops_text: bool,
}

/// Replaces each file with its `headers` + blank line + `payload` exactly
/// as Publ's `save_file` formats it, unless the file no longer matches
/// `expected` (checked again right before the atomic rename) or the
/// rewrite would lose text. Line endings come out as `\n`, as in Publ,
/// since the payload was read through universal newlines. All files are
/// made durable together (see [`atomic_write_all`]); the results are in
/// the order of `rewrites`.
pub fn write_back_all(rewrites: &[Rewrite]) -> Vec<Result<WriteBack, WriteBackError>> {
    let mut prepared: Vec<Result<Result<String, SkipReason>, WriteBackError>> =
        rewrites.iter().map(prepare).collect();
    // The texts move into the writes; what stays marks which were written.
    let (writes, wanted): (Vec<(PathBuf, Vec<u8>)>, Vec<usize>) = prepared
        .iter_mut()
        .enumerate()
        .filter_map(|(i, p)| match p {
            Ok(Ok(text)) => Some((
                (rewrites[i].path.clone(), std::mem::take(text).into_bytes()),
                i,
            )),
            _ => None,
        })
        .unzip();
    let mut written = atomic_write_all(&writes, |w| {
        let r = &rewrites[wanted[w]];
        matches(&r.path, &r.expected)
    })
    .into_iter();
    prepared
        .into_iter()
        .zip(rewrites)
        .map(|(p, r)| match p? {
            Err(reason) => Ok(WriteBack::Skipped(reason)),
            Ok(_) => match written.next() {
                Some(Ok(true)) => Ok(WriteBack::Written),
                Some(Ok(false)) | None => Ok(WriteBack::Skipped(SkipReason::Changed)),
                Some(Err(source)) => Err(WriteBackError::Write {
                    path: r.path.clone(),
                    source,
                }),
            },
        })
        .collect()
}

/// The new text of a file, or why it is not to be rewritten.
fn prepare(r: &Rewrite) -> Result<Result<String, SkipReason>, WriteBackError> {
    let read_error = |source| WriteBackError::Read {
        path: r.path.clone(),
        source,
    };
    // The same fingerprint is the same text as scanned.
    if !matches(&r.path, &r.expected).map_err(read_error)? {
        return Ok(Err(SkipReason::Changed));
    }
    if r.drops_text {
        return Ok(Err(SkipReason::WouldDropText));
    }
    Ok(Ok(serialize(&r.headers, &r.payload)))
}

fn matches(path: &Path, expected: &Fingerprint) -> io::Result<bool> {
    match fingerprint(path) {
        Ok(current) => Ok(current == *expected),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::headers::{parse_message, Message};
    use crate::fsutil::atomic_write_if;
    use std::fs;

    fn write_back(
        path: &Path,
        msg: &Message,
        expected: &Fingerprint,
    ) -> Result<WriteBack, WriteBackError> {
        let rewrite = Rewrite {
            path: path.to_path_buf(),
            headers: msg.headers.clone(),
            payload: msg.payload.clone(),
            expected: expected.clone(),
            drops_text: msg.drops_text,
        };
        write_back_all(&[rewrite]).remove(0)
    }

    fn scan(path: &Path) -> (crate::content::headers::Message, Fingerprint) {
        let fp = fingerprint(path).unwrap();
        (parse_message(&fs::read_to_string(path).unwrap()), fp)
    }

    // spec A22: only the replaced headers move; every other byte stays
    #[test]
    fn preserves_everything_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.md");
        let original = "Title: Ünïcode ✨ entry\nTag: b\nDate: not a date\ntag: a\n\
                        Folded: one\n  two\n\nBody with émoji 🎉\n\n.....\n\nMore\n\n\n";
        fs::write(&path, original).unwrap();
        let (mut msg, fp) = scan(&path);
        msg.headers
            .set_replacing("Date", "2018-04-03 12:34:56-07:00");
        msg.headers.set_replacing("UUID", "u-u-i-d");
        msg.headers.set_replacing("Entry-ID", "42");
        let result = write_back(&path, &msg, &fp).unwrap();
        assert_eq!(result, WriteBack::Written);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "Title: Ünïcode ✨ entry\nTag: b\ntag: a\nFolded: one\n  two\n\
             Date: 2018-04-03 12:34:56-07:00\nUUID: u-u-i-d\nEntry-ID: 42\n\n\
             Body with émoji 🎉\n\n.....\n\nMore\n\n\n"
        );
    }

    // spec A22: what Python's save_file does to CRLF files, `X:a` and a
    // missing separator line - all text kept, layout normalised
    #[test]
    fn normalises_like_publ() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.md");
        fs::write(&path, "Title: a\r\nX:b\r\nbody line\r\nnext\r\n").unwrap();
        let (mut msg, fp) = scan(&path);
        msg.headers.set_replacing("Entry-ID", "7");
        assert_eq!(write_back(&path, &msg, &fp).unwrap(), WriteBack::Written);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "Title: a\nX: b\nEntry-ID: 7\n\nbody line\nnext\n"
        );
    }

    // spec A22: a file edited between scan and write-back is not overwritten
    #[test]
    fn changed_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.md");
        fs::write(&path, "Title: a\n\nbody").unwrap();
        let (mut msg, fp) = scan(&path);
        msg.headers.set_replacing("Entry-ID", "1");
        fs::write(&path, "Title: a\n\nbody, edited by the author").unwrap();
        assert_eq!(
            write_back(&path, &msg, &fp).unwrap(),
            WriteBack::Skipped(SkipReason::Changed)
        );
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "Title: a\n\nbody, edited by the author"
        );

        fs::remove_file(&path).unwrap();
        assert_eq!(
            write_back(&path, &msg, &fp).unwrap(),
            WriteBack::Skipped(SkipReason::Changed)
        );
        assert!(!path.exists());
    }

    // spec A22: the check right before the rename catches late edits
    #[test]
    fn edit_during_write_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.md");
        fs::write(&path, "Title: a\n\nbody").unwrap();
        let fp = fingerprint(&path).unwrap();
        let written = atomic_write_if(&path, b"replacement", || {
            fs::write(&path, "Title: a\n\nlate edit")?;
            matches(&path, &fp)
        })
        .unwrap();
        assert!(!written);
        assert_eq!(fs::read_to_string(&path).unwrap(), "Title: a\n\nlate edit");
    }

    // spec A2, A22: lines the parser discards are never written away
    #[test]
    fn refuses_to_drop_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.md");
        let original = "From the archive: a story\nTitle: x\n\nbody";
        fs::write(&path, original).unwrap();
        let (mut msg, fp) = scan(&path);
        msg.headers.set_replacing("Entry-ID", "3");
        assert_eq!(
            write_back(&path, &msg, &fp).unwrap(),
            WriteBack::Skipped(SkipReason::WouldDropText)
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), original);
    }

    #[test]
    fn unreadable_file_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let scanned = dir.path().join("entry.md");
        fs::write(&scanned, "Title: a\n\nbody").unwrap();
        let (msg, fp) = scan(&scanned);
        // A path that cannot even be looked at (its folder is a file).
        let path = scanned.join("entry.md");
        let err = write_back(&path, &msg, &fp).unwrap_err();
        assert!(matches!(err, WriteBackError::Read { .. }));
        assert!(err.to_string().contains("entry.md/entry.md"), "{err}");
    }
}
