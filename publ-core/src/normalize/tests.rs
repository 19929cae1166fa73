use std::fs;
use std::path::{Path, PathBuf};

use chrono::DateTime;

use super::*;
use crate::content::entry_file::Format;
use crate::index::records::IndexContents;

/// An entry of 2024-03-05 07:08:09 -08:00 in the root category, at
/// `content/x.md`.
pub(super) fn record(id: i64, status: PublishStatus, title: &str) -> EntryRecord {
    let date = DateTime::parse_from_rfc3339("2024-03-05T07:08:09-08:00").expect("date");
    EntryRecord {
        id,
        file_path: PathBuf::from("content/x.md"),
        format: Format::Markdown,
        category: String::new(),
        status,
        display_date: date,
        utc_timestamp: date.timestamp(),
        local_date: date.naive_local(),
        last_modified: None,
        uuid: String::new(),
        title: title.to_string(),
        sort_title: title.to_string(),
        slug_text: crate::content::slug::slugify(title, None, false),
        entry_type: "note".to_string(),
        redirect_url: String::new(),
        canonical_path: String::new(),
        auth: String::new(),
        tags: Vec::new(),
        attach: Vec::new(),
    }
}

/// A content folder holding one file per entry, at `rel` (whose folder is
/// also its category).
struct Content {
    dir: tempfile::TempDir,
    entries: Vec<EntryRecord>,
}

impl Content {
    fn new() -> Content {
        Content {
            dir: tempfile::tempdir().unwrap(),
            entries: Vec::new(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn add(&mut self, rel: &str, id: i64, status: PublishStatus, title: &str) -> &mut EntryRecord {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, format!("Title: {title}\n\nentry {id}\n")).unwrap();
        let mut e = record(id, status, title);
        e.category = Path::new(rel)
            .parent()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        e.file_path = path;
        self.entries.push(e);
        self.entries.last_mut().unwrap()
    }

    fn catalog(&self) -> Catalog {
        let contents = IndexContents {
            entries: self.entries.clone(),
            ..IndexContents::default()
        };
        Catalog::new(contents, 1, self.dir.path())
    }

    /// `(from, to)` relative to the content folder.
    fn plan(&self, options: &Options) -> Vec<(String, String)> {
        plan(&self.catalog(), options)
            .into_iter()
            .map(|r| (self.rel(&r.from), self.rel(&r.to)))
            .collect()
    }

    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(self.dir.path())
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

// spec R3: published and scheduled entries of the root by default; -a adds
// every status; -r and named categories widen the scope
#[test]
fn which_entries() {
    let mut c = Content::new();
    c.add("a.md", 1, PublishStatus::Published, "A");
    c.add("b.md", 2, PublishStatus::Scheduled, "B");
    c.add("c.md", 3, PublishStatus::Draft, "C");
    c.add("d.md", 4, PublishStatus::Hidden, "D");
    c.add("blog/e.md", 5, PublishStatus::Published, "E");
    c.add("blog/deep/f.md", 6, PublishStatus::Published, "F");
    c.add("blogger/g.md", 7, PublishStatus::Published, "G");

    let default = c.plan(&Options::default());
    assert_eq!(
        default,
        pairs(&[("a.md", "20240305 1 A.md"), ("b.md", "20240305 2 B.md")])
    );
    let all = Options {
        all: true,
        ..Options::default()
    };
    assert_eq!(
        c.plan(&all),
        pairs(&[
            ("a.md", "20240305 1 A.md"),
            ("b.md", "20240305 2 B.md"),
            ("c.md", "20240305 DRAFT C.md"),
            ("d.md", "20240305 HIDDEN D.md"),
        ])
    );
    let blog = Options {
        categories: vec!["blog".to_string()],
        ..Options::default()
    };
    assert_eq!(
        c.plan(&blog),
        pairs(&[("blog/e.md", "blog/20240305 5 E.md")])
    );
    let blog_below = Options {
        recurse: true,
        ..blog
    };
    assert_eq!(
        c.plan(&blog_below),
        pairs(&[
            ("blog/e.md", "blog/20240305 5 E.md"),
            ("blog/deep/f.md", "blog/deep/20240305 6 F.md"),
        ])
    );
    let everything = Options {
        recurse: true,
        ..Options::default()
    };
    assert_eq!(c.plan(&everything).len(), 5);
    // Deviation from Publ: `-r '' blog` also reaches below the root.
    let root_named = Options {
        categories: vec![String::new(), "blog".to_string()],
        recurse: true,
        ..Options::default()
    };
    assert_eq!(c.plan(&root_named).len(), 5);
}

// spec R3: the first entry by ID keeps the plain name, later ones get -1,
// -2; files that are not entries count too
#[test]
fn collisions_get_suffixes() {
    let mut c = Content::new();
    c.add("one.md", 9, PublishStatus::Draft, "Same");
    c.add("two.md", 3, PublishStatus::Draft, "Same");
    c.add("three.md", 5, PublishStatus::Draft, "Same");
    fs::write(c.path("20240305 DRAFT Same-1.md"), "not an entry").unwrap();
    let options = Options {
        all: true,
        ..Options::default()
    };
    assert_eq!(
        c.plan(&options),
        pairs(&[
            ("two.md", "20240305 DRAFT Same.md"),
            ("three.md", "20240305 DRAFT Same-2.md"),
            ("one.md", "20240305 DRAFT Same-3.md"),
        ])
    );
}

// spec R3: a name an earlier entry gives up is free; one a later entry
// still holds is not
#[test]
fn names_freed_by_earlier_renames() {
    let mut c = Content::new();
    c.add("20240305 2 B.md", 1, PublishStatus::Published, "A");
    c.add("x.md", 2, PublishStatus::Published, "B");
    c.add("y.md", 3, PublishStatus::Published, "Zed");
    c.add("20240305 3 Zed.md", 4, PublishStatus::Published, "Four");
    let renames = plan(&c.catalog(), &Options::default());
    let shown: Vec<_> = renames
        .iter()
        .map(|r| (c.rel(&r.from), c.rel(&r.to)))
        .collect();
    assert_eq!(
        shown,
        pairs(&[
            ("20240305 2 B.md", "20240305 1 A.md"),
            ("x.md", "20240305 2 B.md"),
            ("y.md", "20240305 3 Zed-1.md"),
            ("20240305 3 Zed.md", "20240305 4 Four.md"),
        ])
    );
    assert_eq!(
        apply(&renames),
        Applied {
            renamed: 4,
            failed: 0
        }
    );
    let mut names: Vec<_> = fs::read_dir(c.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "20240305 1 A.md",
            "20240305 2 B.md",
            "20240305 3 Zed-1.md",
            "20240305 4 Four.md"
        ]
    );
    assert_eq!(
        fs::read_to_string(c.path("20240305 2 B.md")).unwrap(),
        "Title: B\n\nentry 2\n"
    );
}

// spec R3: a name that already fits is left alone, even with a suffix
// from an earlier run
#[test]
fn normalized_names_stay() {
    let mut c = Content::new();
    c.add("20240305 1 Done.md", 1, PublishStatus::Published, "Done");
    c.add("20240305 DRAFT Draft.md", 2, PublishStatus::Draft, "Draft");
    c.add(
        "20240305 DRAFT Draft-1.md",
        3,
        PublishStatus::Draft,
        "Draft",
    );
    let options = Options {
        all: true,
        ..Options::default()
    };
    assert_eq!(c.plan(&options), Vec::new());
}

// spec R3: -F per-type formats, -g ignored types, -m length cap
#[test]
fn type_formats_ignores_and_length() {
    let mut c = Content::new();
    c.add("a.md", 1, PublishStatus::Published, "A").entry_type = "photo".into();
    c.add("b.md", 2, PublishStatus::Published, "B").entry_type = "skip".into();
    c.add("c.md", 3, PublishStatus::Published, "A rather long title");
    c.add("d.md", 4, PublishStatus::Published, "Anything");
    fs::write(c.path("20240305 3 A rath.md"), "taken").unwrap();
    let options = Options {
        format: "{date} {id} {title}".parse().unwrap(),
        type_formats: HashMap::from([("photo".to_string(), "{type}-{id}".parse().unwrap())]),
        ignore_types: HashSet::from(["skip".to_string()]),
        max_length: 20,
        ..Options::default()
    };
    assert_eq!(
        c.plan(&options),
        pairs(&[
            ("a.md", "photo-1.md"),
            ("c.md", "20240305 3 A ra-1.md"),
            ("d.md", "20240305 4 Anythi.md"),
        ])
    );
}

// spec R3: entries the index lists but the disk lacks are skipped
#[test]
fn missing_files_are_skipped() {
    let mut c = Content::new();
    c.add("gone.md", 1, PublishStatus::Published, "Gone");
    fs::remove_file(c.path("gone.md")).unwrap();
    assert_eq!(c.plan(&Options::default()), Vec::new());
}

// spec R3: apply renames in place and keeps every byte
#[test]
fn apply_renames_and_keeps_contents() {
    let mut c = Content::new();
    c.add("a.md", 1, PublishStatus::Published, "A");
    c.add("b.md", 2, PublishStatus::Published, "B");
    let before = fs::read(c.path("a.md")).unwrap();
    let renames = plan(&c.catalog(), &Options::default());
    assert_eq!(
        apply(&renames),
        Applied {
            renamed: 2,
            failed: 0
        }
    );
    assert!(!c.path("a.md").exists());
    assert_eq!(fs::read(c.path("20240305 1 A.md")).unwrap(), before);
    assert!(c.path("20240305 2 B.md").is_file());
}

// spec R3: a file that appears at a planned name after planning is never
// overwritten
#[test]
fn apply_never_clobbers() {
    let mut c = Content::new();
    c.add("a.md", 1, PublishStatus::Published, "A");
    c.add("b.md", 2, PublishStatus::Published, "B");
    let renames = plan(&c.catalog(), &Options::default());
    fs::write(c.path("20240305 1 A.md"), "the author's new file").unwrap();
    assert_eq!(
        apply(&renames),
        Applied {
            renamed: 1,
            failed: 1
        }
    );
    assert!(c.path("a.md").is_file());
    assert_eq!(
        fs::read_to_string(c.path("20240305 1 A.md")).unwrap(),
        "the author's new file"
    );
    assert!(c.path("20240305 2 B.md").is_file());
}

#[test]
fn default_format_parses() {
    assert_eq!(
        Options::default().format,
        DEFAULT_FORMAT.parse::<NameFormat>().unwrap()
    );
    assert_eq!(Options::default().max_length, 120);
}
