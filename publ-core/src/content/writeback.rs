// TEMP STUB (integrator)
use super::headers::{serialize, Headers};
use crate::fsutil::{fingerprint, Fingerprint};
use std::path::{Path, PathBuf};
pub enum WriteBack {
    Written,
    Skipped(String),
}
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct WriteBackError {
    path: PathBuf,
    source: std::io::Error,
}
pub fn write_back(
    path: &Path,
    headers: &Headers,
    payload: &str,
    expected: &Fingerprint,
) -> Result<WriteBack, WriteBackError> {
    if fingerprint(path).ok().as_ref() != Some(expected) {
        return Ok(WriteBack::Skipped("file changed".into()));
    }
    crate::fsutil::atomic_write(path, serialize(headers, payload).as_bytes()).map_err(
        |source| WriteBackError {
            path: path.into(),
            source,
        },
    )?;
    Ok(WriteBack::Written)
}
