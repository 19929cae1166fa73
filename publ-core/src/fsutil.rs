// TEMP STUB (integrator)
use std::os::unix::fs::MetadataExt;
use std::path::Path;
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(String);
impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
pub fn fingerprint(path: &Path) -> std::io::Result<Fingerprint> {
    let m = std::fs::metadata(path)?;
    Ok(Fingerprint(format!(
        "{},{},{}",
        m.ino(),
        m.mtime_nsec() + m.mtime() * 1_000_000_000,
        m.size()
    )))
}
pub fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
