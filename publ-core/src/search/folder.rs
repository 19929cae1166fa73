//! The `search_index` folder: opens the index there, or creates it when the
//! folder holds none, or rebuilds it when it was made with another schema
//! version (spec O1).

use std::path::{Path, PathBuf};

use tantivy::directory::MmapDirectory;
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyError};

use super::analysis;
use super::schema::{version_tag, Fields};
use super::SearchError;

/// Indexing memory: tantivy's minimum for its one writer thread.
const WRITER_MEMORY: usize = 15_000_000;

/// An index ready to be searched and written.
pub struct OpenIndex {
    pub dir: PathBuf,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
}

impl OpenIndex {
    pub fn open_or_create(dir: &Path) -> Result<OpenIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Folder {
            path: dir.to_path_buf(),
            source,
        })?;
        let failed = |source: TantivyError| SearchError::Index {
            path: dir.to_path_buf(),
            source,
        };
        let (schema, fields) = Fields::schema();
        let index = match open_current(dir, &schema).map_err(failed)? {
            Some(index) => index,
            None => create(dir, schema).map_err(failed)?,
        };
        analysis::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(failed)?;
        Ok(OpenIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
        })
    }

    /// Whether the files the index was opened from are still there (the
    /// folder may have been removed under a running server).
    pub fn still_on_disk(&self) -> bool {
        self.dir.join("meta.json").is_file()
    }

    pub fn writer(&self) -> tantivy::Result<IndexWriter> {
        self.index.writer_with_num_threads(1, WRITER_MEMORY)
    }
}

/// Commits with the schema version in the payload (every commit replaces
/// the payload of the one before).
pub fn commit(writer: &mut IndexWriter) -> tantivy::Result<()> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&version_tag());
    prepared.commit()?;
    Ok(())
}

/// The index in `dir` if it has this build's schema version; otherwise
/// clears what an older one left and returns `None`.
fn open_current(dir: &Path, schema: &Schema) -> tantivy::Result<Option<Index>> {
    let directory = MmapDirectory::open(dir)?;
    if !Index::exists(&directory)? {
        tracing::info!(path = %dir.display(), "creating the search index");
        return Ok(None);
    }
    match Index::open(directory) {
        Ok(index) => {
            let payload = index.load_metas()?.payload;
            if index.schema() == *schema && payload.as_deref() == Some(version_tag().as_str()) {
                return Ok(Some(index));
            }
            tracing::info!(
                path = %dir.display(),
                found = payload.as_deref().unwrap_or(""),
                want = %version_tag(),
                "search index schema changed; rebuilding it"
            );
        }
        Err(err) => tracing::warn!(
            path = %dir.display(),
            error = %err,
            "search index unreadable; rebuilding it"
        ),
    }
    clear(dir)?;
    Ok(None)
}

fn create(dir: &Path, schema: Schema) -> tantivy::Result<Index> {
    let index = Index::create_in_dir(dir, schema)?;
    // An empty first commit records the version even if nothing is indexed.
    commit(&mut index.writer_with_num_threads(1, WRITER_MEMORY)?)?;
    Ok(index)
}

/// Removes tantivy's files from `dir` and nothing else: the folder is the
/// site owner's and may hold other things (a Whoosh index of Publ's, say).
fn clear(dir: &Path) -> std::io::Result<()> {
    for item in std::fs::read_dir(dir)? {
        let item = item?;
        let name = item.file_name();
        let name = name.to_string_lossy();
        if item.file_type()?.is_file() && is_tantivy_file(&name) {
            std::fs::remove_file(item.path())?;
        }
    }
    Ok(())
}

/// `meta.json`, `.managed.json`, lock files, and segment files named by a
/// 32-digit hex segment id (`<id>.idx`, `<id>.<opstamp>.del`, ...).
fn is_tantivy_file(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    matches!(name, "meta.json" | ".managed.json")
        || name.starts_with(".tantivy-")
        || (stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()) && stem != name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tantivy_files_are_cleared() {
        for name in [
            "meta.json",
            ".managed.json",
            ".tantivy-writer.lock",
            "0123456789abcdef0123456789abcdef.idx",
            "0123456789abcdef0123456789abcdef.12.del",
        ] {
            assert!(is_tantivy_file(name), "{name}");
        }
        for name in [
            "_MAIN_1.toc",
            "MAIN_abc.seg",
            "notes.txt",
            "0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdeg.idx",
        ] {
            assert!(!is_tantivy_file(name), "{name}");
        }
    }
}
