//! The search index against a real tantivy index in a scratch folder.

use std::path::PathBuf;

use chrono::DateTime;

use super::*;
use crate::content::entry_file::Format;
use crate::content::status::PublishStatus::{self, *};
use crate::index::records::{EntryRecord, IndexContents};
use crate::view::Unauthorized;

/// 2024-01-01T00:00:00Z; entries are dated relative to it.
const NOW: i64 = 1_704_067_200;
const DAY: i64 = 86_400;

struct Fixture {
    dir: tempfile::TempDir,
    entries: Vec<EntryRecord>,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            entries: Vec::new(),
        }
    }

    fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    fn index_dir(&self) -> PathBuf {
        self.dir.path().join("_index")
    }

    /// Writes an entry file and adds its catalog record.
    fn add(&mut self, id: i64, category: &str, status: PublishStatus, when: i64, text: &str) {
        let path = self.content().join(category).join(format!("{id}.md"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let title = crate::content::headers::parse_message(text)
            .headers
            .get("Title")
            .unwrap_or("")
            .to_string();
        let date = DateTime::from_timestamp(when, 0).unwrap().fixed_offset();
        self.entries.push(EntryRecord {
            id,
            file_path: path,
            format: Format::Markdown,
            category: category.to_string(),
            status,
            display_date: date,
            utc_timestamp: when,
            local_date: date.naive_local(),
            last_modified: None,
            uuid: format!("uuid-{id}"),
            title: title.clone(),
            sort_title: title.clone(),
            slug_text: title,
            entry_type: String::new(),
            redirect_url: String::new(),
            canonical_path: String::new(),
            auth: String::new(),
            tags: Vec::new(),
            attach: Vec::new(),
        });
    }

    fn record(&mut self, id: i64) -> &mut EntryRecord {
        self.entries.iter_mut().find(|e| e.id == id).unwrap()
    }

    fn catalog(&self) -> Catalog {
        let contents = IndexContents {
            entries: self.entries.clone(),
            ..IndexContents::default()
        };
        Catalog::new(contents, 0, &self.content())
    }

    /// A synced index and the catalog it was synced with.
    fn synced(&self) -> (SearchIndex, Catalog) {
        let index = SearchIndex::new(self.index_dir());
        let catalog = self.catalog();
        index.sync_blocking(&catalog).unwrap();
        (index, catalog)
    }
}

/// Five entries in three categories; one a draft, one scheduled ahead.
fn site() -> Fixture {
    let mut f = Fixture::new();
    f.add(
        1,
        "",
        Published,
        NOW - 5 * DAY,
        "Title: Root apple\nTag: Red, Big Things\n\nThe apple and the banana.\n",
    );
    f.add(
        2,
        "fruit",
        Published,
        NOW - 4 * DAY,
        "Title: Fruit\n\nAn apple a day.\n",
    );
    f.add(
        3,
        "fruit/tropical",
        Published,
        NOW - 3 * DAY,
        "Title: Mango\n\nMango, banana and apple.\n",
    );
    f.add(
        4,
        "fruit",
        Draft,
        NOW - 2 * DAY,
        "Title: Draft\n\nA secret apple.\n",
    );
    f.add(
        5,
        "fruitcake",
        Scheduled,
        NOW + 10 * DAY,
        "Title: Later\n\nA future apple.\n",
    );
    f
}

fn ids(index: &SearchIndex, catalog: &Catalog, q: SearchQuery) -> Vec<i64> {
    let mut found: Vec<i64> = index
        .search(catalog, &q, NOW)
        .entries(Unauthorized::All, None)
        .iter()
        .map(|e| e.id)
        .collect();
    found.sort();
    found
}

fn text(query: &str) -> SearchQuery {
    SearchQuery {
        text: query.to_string(),
        ..SearchQuery::default()
    }
}

// spec O3: bare words search `content` and must all be there
#[test]
fn words_are_anded_in_content() {
    let f = site();
    let (index, catalog) = f.synced();
    assert_eq!(ids(&index, &catalog, text("apple")), [1, 2, 3]);
    assert_eq!(ids(&index, &catalog, text("apple banana")), [1, 3]);
    assert_eq!(ids(&index, &catalog, text("Banana APPLE mango")), [3]);
    assert_eq!(ids(&index, &catalog, text("day OR mango")), [2, 3]);
    assert_eq!(ids(&index, &catalog, text("apple NOT banana")), [2]);
    // Titles are only searched by name; stop words are ignored (Whoosh).
    assert_eq!(ids(&index, &catalog, text("fruit")), Vec::<i64>::new());
    assert_eq!(ids(&index, &catalog, text("title:fruit")), [2]);
    assert_eq!(ids(&index, &catalog, text("the apple")), [1, 2, 3]);
    assert_eq!(ids(&index, &catalog, text("\"banana and apple\"")), [3]);
}

// spec O2: tags are lowercased comma keywords; entry_id and category are terms
#[test]
fn other_fields_by_name() {
    let f = site();
    let (index, catalog) = f.synced();
    assert_eq!(ids(&index, &catalog, text("tag:red")), [1]);
    assert_eq!(ids(&index, &catalog, text("tag:\"big things\"")), [1]);
    assert_eq!(ids(&index, &catalog, text("entry_id:2")), [2]);
    assert_eq!(ids(&index, &catalog, text("apple category:fruit")), [2]);
}

// spec O3: category, with `recurse` also the categories below it
#[test]
fn category_filter() {
    let f = site();
    let (index, catalog) = f.synced();
    let within = |category: Option<&str>, recurse| {
        ids(
            &index,
            &catalog,
            SearchQuery {
                category: category.map(str::to_string),
                recurse,
                future: true,
                ..text("apple")
            },
        )
    };
    assert_eq!(within(None, false), [1, 2, 3, 5]);
    assert_eq!(within(Some("fruit"), false), [2]);
    // `fruitcake` is not below `fruit`.
    assert_eq!(within(Some("fruit"), true), [2, 3]);
    assert_eq!(within(Some("fruit/tropical"), true), [3]);
    // The root: alone, or everything.
    assert_eq!(within(Some(""), false), [1]);
    assert_eq!(within(Some(""), true), [1, 2, 3, 5]);
}

// spec O3: entries scheduled after now only with future=True
#[test]
fn future_filter() {
    let f = site();
    let (index, catalog) = f.synced();
    assert_eq!(ids(&index, &catalog, text("future")), Vec::<i64>::new());
    let future = SearchQuery {
        future: true,
        ..text("future")
    };
    assert_eq!(ids(&index, &catalog, future), [5]);
    // Once its date has come it is found like the others.
    let later = index.search(&catalog, &text("future"), NOW + 11 * DAY);
    assert_eq!(later.len(), 1);
}

// spec O2: drafts are not indexed
#[test]
fn only_published_and_scheduled_are_indexed() {
    let f = site();
    let (index, catalog) = f.synced();
    let all = SearchQuery {
        future: true,
        ..text("secret OR apple")
    };
    assert!(!ids(&index, &catalog, all).contains(&4));
}

// spec O3: `count` alone caps the hits; with `page` it is the page length
#[test]
fn paging() {
    let mut f = Fixture::new();
    for id in 1..=7 {
        f.add(id, "", Published, NOW - id * DAY, "Title: T\n\nword\n");
    }
    let (index, catalog) = f.synced();
    let found = |count: Option<usize>, page: Option<usize>| {
        index
            .search(
                &catalog,
                &SearchQuery {
                    count,
                    page,
                    ..text("word")
                },
                NOW,
            )
            .entries(Unauthorized::All, None)
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    let everything = found(None, None);
    assert_eq!(everything.len(), 7);
    assert_eq!(found(Some(3), None), everything[..3]);
    assert_eq!(found(Some(3), Some(1)), everything[..3]);
    assert_eq!(found(Some(3), Some(2)), everything[3..6]);
    assert_eq!(found(Some(3), Some(3)), everything[6..]);
    // Past the last page: the last page, as Whoosh's `search_page` gives.
    assert_eq!(found(Some(3), Some(9)), everything[6..]);
    // `page` alone: Whoosh's page length of 10.
    assert_eq!(found(None, Some(1)), everything);
    assert!(found(Some(0), None).is_empty());
    assert!(found(Some(3), Some(0)).is_empty());
}

// spec O2: an entry leaves the index when it stops being searchable or its
// file goes; unchanged entries are not read again
#[test]
fn sync_follows_the_catalog() {
    let mut f = site();
    let (index, catalog) = f.synced();
    assert_eq!(ids(&index, &catalog, text("apple")), [1, 2, 3]);

    let report = index.sync_blocking(&catalog).unwrap();
    assert_eq!(
        report,
        SyncReport {
            unchanged: 4,
            ..SyncReport::default()
        }
    );

    f.record(2).status = Draft;
    f.entries.retain(|e| e.id != 3);
    std::fs::write(
        &f.record(1).file_path,
        "Title: Root apple\n\nNow only cherries.\n",
    )
    .unwrap();
    let catalog = f.catalog();
    let report = index.sync_blocking(&catalog).unwrap();
    assert_eq!(
        report,
        SyncReport {
            indexed: 1,
            unchanged: 1,
            removed: 2,
            failed: 0,
        }
    );
    assert_eq!(ids(&index, &catalog, text("apple")), Vec::<i64>::new());
    assert_eq!(ids(&index, &catalog, text("cherries")), [1]);
    // A new title alone is a change too.
    f.record(1).title = "Cherry".into();
    let catalog = f.catalog();
    assert_eq!(index.sync_blocking(&catalog).unwrap().indexed, 1);
    assert_eq!(ids(&index, &catalog, text("title:cherry")), [1]);
}

// spec O4: hits the catalog no longer shows are dropped
#[test]
fn invisible_hits_are_dropped() {
    let mut f = site();
    let (index, _) = f.synced();
    f.record(2).status = Gone;
    let catalog = f.catalog();
    assert_eq!(ids(&index, &catalog, text("apple")), [1, 3]);
    let results = SearchResults::from_hits(&catalog, &[3, 99, 2, 1]);
    let order: Vec<i64> = results
        .entries(Unauthorized::None, None)
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(order, [3, 1], "rank order kept");
}

// spec O4: unauthorized entries count in len() but are left out of entries()
#[test]
fn unauthorized_entries() {
    let mut f = site();
    f.record(3).auth = "friends".into();
    let (index, catalog) = f.synced();
    let results = index.search(&catalog, &text("apple"), NOW);
    assert_eq!(results.len(), 3);
    assert!(results.has_unauthorized(None));
    assert_eq!(results.entries(Unauthorized::None, None).len(), 2);
    assert_eq!(results.entries(Unauthorized::Up(1), None).len(), 3);
}

// spec O1: an index of another schema version is rebuilt, and only
// tantivy's files are touched
#[test]
fn other_schema_version_is_rebuilt() {
    let f = site();
    let (index, catalog) = f.synced();
    drop(index);
    std::fs::write(f.index_dir().join("notes.txt"), "mine").unwrap();
    let old = tantivy::Index::open_in_dir(f.index_dir()).unwrap();
    let mut writer: tantivy::IndexWriter = old.writer_with_num_threads(1, 15_000_000).unwrap();
    let mut commit = writer.prepare_commit().unwrap();
    commit.set_payload("publ-rs search schema 0");
    commit.commit().unwrap();
    drop(writer);

    let reopened = SearchIndex::new(f.index_dir());
    let report = reopened.sync_blocking(&catalog).unwrap();
    assert_eq!(report.indexed, 4, "rebuilt from scratch: {report:?}");
    assert_eq!(ids(&reopened, &catalog, text("apple")), [1, 2, 3]);
    assert_eq!(
        std::fs::read_to_string(f.index_dir().join("notes.txt")).unwrap(),
        "mine"
    );

    // The same version is reused as it is.
    let again = SearchIndex::new(f.index_dir());
    assert_eq!(again.sync_blocking(&catalog).unwrap().unchanged, 4);
}

// spec O1: a folder that cannot be used is an error for the sync and finds
// nothing; removed under a running server, it is recreated by the next sync
#[test]
fn unusable_folder() {
    let f = site();
    let catalog = f.catalog();
    std::fs::write(f.dir.path().join("a-file"), "").unwrap();
    let broken = SearchIndex::new(f.dir.path().join("a-file/_index"));
    assert!(matches!(
        broken.sync_blocking(&catalog),
        Err(SearchError::Folder { .. })
    ));
    assert!(broken.search(&catalog, &text("apple"), NOW).is_empty());

    let (index, catalog) = f.synced();
    std::fs::remove_dir_all(f.index_dir()).unwrap();
    assert_eq!(index.sync_blocking(&catalog).unwrap().indexed, 4);
    assert_eq!(ids(&index, &catalog, text("apple")), [1, 2, 3]);
}

// spec O3: a query that does not parse searches for what it can, never fails
#[test]
fn bad_queries_find_what_they_can() {
    let f = site();
    let (index, catalog) = f.synced();
    for query in [
        "apple AND (",
        "\"unclosed",
        "nofield:apple",
        "published:[x TO",
        ")(",
        "",
        "*",
    ] {
        let _ = index.search(&catalog, &text(query), NOW);
    }
    assert_eq!(ids(&index, &catalog, text("mango AND (")), [3]);
    assert!(ids(&index, &catalog, text("")).is_empty());
}

// spec O3: where tantivy's syntax and Whoosh's differ, Whoosh's meaning
#[test]
fn whoosh_query_syntax() {
    let f = site();
    let (index, catalog) = f.synced();
    let found = |q: &str| ids(&index, &catalog, text(q));
    // `-word` is the word, not its exclusion.
    assert_eq!(found("apple -banana"), [1, 3]);
    assert_eq!(found("apple AND NOT banana"), [2]);
    assert_eq!(found("apple ANDNOT banana"), [2]);
    assert_eq!(found("NOT banana"), [2]);
    assert_eq!(found("mango OR NOT banana"), [2, 3]);
    // Wildcards, lowercased for analyzed fields.
    assert_eq!(found("appl*"), [1, 2, 3]);
    assert_eq!(found("Man*"), [3]);
    assert_eq!(found("b?nana"), [1, 3]);
    assert_eq!(found("title:ro*"), [1]);
    assert_eq!(found("category:fru*"), [2, 3]);
    // Nothing left to search for finds nothing.
    assert_eq!(found("the"), Vec::<i64>::new());
    assert_eq!(found("status:*x"), Vec::<i64>::new());
}
