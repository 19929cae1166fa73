//! `publ normalize SITE [CATEGORY...]` (spec R3): renames entry files after
//! a name format, the way Python Publ 0.8.19's `flask publ normalize` does.
//! The expected names and the order of the `-v` lines below are what the
//! Python original printed and did on the same site (run by hand against a
//! copy of it), except where a test says "deviation".

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use support::SiteCopy;

/// The test site: entries in the root and in nested categories, of every
/// interesting status; all but one carry the headers a scan would add, so
/// only renames change the tree.
const ENTRIES: &[(&str, &str)] = &[
    (
        "content/hello.md",
        "Title: Hello, World!\nEntry-ID: 11\nDate: 2024-01-02 10:20:30-05:00\n\
         UUID: 00000000-0000-0000-0000-000000000011\n\nHello.\n",
    ),
    (
        "content/20240103 12 Already done.md",
        "Title: Already done\nEntry-ID: 12\nDate: 2024-01-03 08:00:00+00:00\n\
         UUID: 00000000-0000-0000-0000-000000000012\n\nDone.\n",
    ),
    (
        "content/draft.md",
        "Title: Work in progress\nEntry-ID: 13\nStatus: DRAFT\n\
         Date: 2024-01-04 09:00:00+00:00\n\nDraft.\n",
    ),
    (
        "content/future.md",
        "Title: From the future\nEntry-ID: 14\nStatus: SCHEDULED\n\
         Date: 2099-12-31 23:59:00+00:00\nUUID: 00000000-0000-0000-0000-000000000014\n\nLater.\n",
    ),
    (
        "content/hidden.md",
        "Title: Secret\nEntry-ID: 15\nStatus: HIDDEN\nDate: 2024-01-05 12:00:00+00:00\n\
         UUID: 00000000-0000-0000-0000-000000000015\n\nShh.\n",
    ),
    (
        "content/blog/post-a.md",
        "Title: Twins\nEntry-ID: 22\nStatus: DRAFT\nDate: 2024-02-01 00:00:00+00:00\n\nA.\n",
    ),
    (
        "content/blog/post-b.md",
        "Title: Twins\nEntry-ID: 21\nStatus: DRAFT\nDate: 2024-02-01 00:00:00+00:00\n\nB.\n",
    ),
    (
        "content/blog/cafe.md",
        "Title: Café ✨ \"quotes\" & more...\nEntry-ID: 23\nDate: 2024-02-03 04:05:06+09:00\n\
         UUID: 00000000-0000-0000-0000-000000000023\n\nCafé.\n",
    ),
    (
        "content/blog/same-1.md",
        "Title: Same title\nEntry-ID: 24\nDate: 2024-02-04 00:00:00+00:00\n\
         UUID: 00000000-0000-0000-0000-000000000024\n\nOne.\n",
    ),
    (
        "content/blog/same-2.md",
        "Title: Same title\nEntry-ID: 25\nDate: 2024-02-04 00:00:00+00:00\n\
         UUID: 00000000-0000-0000-0000-000000000025\n\nTwo.\n",
    ),
    (
        "content/blog/deep/nested.md",
        "Title: Deep thoughts\nEntry-ID: 31\nDate: 2024-03-01 00:00:00+00:00\n\
         UUID: 00000000-0000-0000-0000-000000000031\n\nDeep.\n",
    ),
    (
        "content/notes/typed.md",
        "Title: A note\nEntry-Type: note\nEntry-ID: 41\nDate: 2024-04-01 00:00:00+00:00\n\
         UUID: 00000000-0000-0000-0000-000000000041\n\nNote.\n",
    ),
    ("content/blog/blog.cat", "Name: Blog\n"),
    ("content/blog/pic.jpg", "not really a JPEG"),
];

/// Every rename of `-a -r` with the default format, in the order Publ
/// prints them (by entry ID).
const ALL_RENAMES: &[(&str, &str)] = &[
    ("content/hello.md", "content/20240102 11 Hello- World.md"),
    (
        "content/draft.md",
        "content/20240104 DRAFT Work in progress.md",
    ),
    (
        "content/future.md",
        "content/20991231 14 From the future.md",
    ),
    ("content/hidden.md", "content/20240105 HIDDEN Secret.md"),
    (
        "content/blog/post-b.md",
        "content/blog/20240201 DRAFT Twins.md",
    ),
    (
        "content/blog/post-a.md",
        "content/blog/20240201 DRAFT Twins-1.md",
    ),
    (
        "content/blog/cafe.md",
        "content/blog/20240203 23 Café ✨ -quotes- - more.md",
    ),
    (
        "content/blog/same-1.md",
        "content/blog/20240204 24 Same title.md",
    ),
    (
        "content/blog/same-2.md",
        "content/blog/20240204 25 Same title.md",
    ),
    (
        "content/blog/deep/nested.md",
        "content/blog/deep/20240301 31 Deep thoughts.md",
    ),
    (
        "content/notes/typed.md",
        "content/notes/20240401 41 A note.md",
    ),
];

/// The test site, indexed into `index.db` in the site folder.
fn test_site() -> SiteCopy {
    let site = SiteCopy::empty();
    site.write("publ.toml", "database = \"index.db\"\ntimezone = \"UTC\"\n");
    for (rel, text) in ENTRIES {
        site.write(rel, text);
    }
    site
}

/// Every file under the site folder: relative path -> bytes.
fn tree(site: &SiteCopy) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for item in fs::read_dir(dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display())) {
            let path = item.expect("folder entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("inside the site");
                let bytes =
                    fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
                out.insert(rel.to_string_lossy().into_owned(), bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(site.path(), site.path(), &mut out);
    out
}

/// `before` with each `(from, to)` of `renames` moved, bytes unchanged.
fn moved(
    before: &BTreeMap<String, Vec<u8>>,
    renames: &[(&str, &str)],
) -> BTreeMap<String, Vec<u8>> {
    let mut after = before.clone();
    for (from, to) in renames {
        let bytes = after
            .remove(*from)
            .unwrap_or_else(|| panic!("{from} is not in the tree"));
        after.insert(to.to_string(), bytes);
    }
    after
}

/// Content files only (the index database changes on every real run).
fn content(tree: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    tree.into_iter()
        .filter(|(rel, _)| rel.starts_with("content/"))
        .collect()
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn assert_ok(&self) {
        assert_eq!(
            self.code,
            Some(0),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
    }

    /// The `FROM -> TO` lines, with the site folder taken off both paths.
    fn renames(&self, site: &SiteCopy) -> Vec<(String, String)> {
        let prefix = format!("{}/", site.path().display());
        self.stdout
            .lines()
            .map(|line| {
                let (from, to) = line
                    .split_once(" -> ")
                    .unwrap_or_else(|| panic!("not a rename line: {line:?}"));
                let rel = |p: &str| {
                    p.strip_prefix(&prefix)
                        .unwrap_or_else(|| panic!("{p:?} is not under {prefix:?}"))
                        .to_string()
                };
                (rel(from), rel(to))
            })
            .collect()
    }
}

fn normalize(site: &SiteCopy, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_publ"))
        .arg("normalize")
        .arg(site.path())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running publ normalize {args:?}: {e}"));
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn renames_of(froms: &[&str]) -> Vec<(&'static str, &'static str)> {
    froms
        .iter()
        .map(|from| {
            *ALL_RENAMES
                .iter()
                .find(|(f, _)| f == from)
                .unwrap_or_else(|| panic!("no rename of {from}"))
        })
        .collect()
}

// spec R3: with no options, published and scheduled entries of the root
// (future ones included) get `{date} {sid} {title}`, silently; drafts,
// hidden entries, names already right and other categories stay
#[test]
fn default_renames_reachable_root_entries() {
    let site = test_site();
    let before = tree(&site);
    let run = normalize(&site, &[]);
    run.assert_ok();
    assert_eq!(run.stdout, "");
    let expected = moved(
        &before,
        &renames_of(&["content/hello.md", "content/future.md"]),
    );
    assert_eq!(content(tree(&site)), content(expected));
}

// spec R3: -a takes every status, -r every category below, -v prints each
// rename as `FROM -> TO`; every byte of every file stays as it was
#[test]
fn all_and_recurse_rename_everything_verbosely() {
    let site = test_site();
    let before = tree(&site);
    let run = normalize(&site, &["-a", "-r", "-v"]);
    run.assert_ok();
    assert_eq!(run.renames(&site), owned(ALL_RENAMES));
    assert_eq!(content(tree(&site)), content(moved(&before, ALL_RENAMES)));

    // The index learned the new paths: a second run finds nothing to do.
    let again = normalize(&site, &["-a", "-r", "-v"]);
    again.assert_ok();
    assert_eq!(again.stdout, "");
}

// spec R3: a named category without -r leaves the categories below it
// alone; with -r it does not
#[test]
fn categories_and_recursion() {
    let site = test_site();
    let run = normalize(&site, &["-v", "blog"]);
    run.assert_ok();
    let blog = [
        "content/blog/cafe.md",
        "content/blog/same-1.md",
        "content/blog/same-2.md",
    ];
    assert_eq!(run.renames(&site), owned(&renames_of(&blog)));
    assert!(site.exists("content/blog/deep/nested.md"));
    assert!(site.exists("content/hello.md"));

    let site = test_site();
    let run = normalize(&site, &["-v", "-r", "blog"]);
    run.assert_ok();
    let mut below = blog.to_vec();
    below.push("content/blog/deep/nested.md");
    assert_eq!(run.renames(&site), owned(&renames_of(&below)));

    // '' names the root among other categories.
    let site = test_site();
    let run = normalize(&site, &["-v", "", "notes"]);
    run.assert_ok();
    let root_and_notes = [
        "content/hello.md",
        "content/future.md",
        "content/notes/typed.md",
    ];
    assert_eq!(run.renames(&site), owned(&renames_of(&root_and_notes)));
}

// spec R3: when two entries want the same name, the lower entry ID keeps
// it and the other gets `-1`
#[test]
fn colliding_names_get_suffixes() {
    let site = test_site();
    let run = normalize(&site, &["-v", "-a", "-f", "{date}_{title}", "blog"]);
    run.assert_ok();
    assert_eq!(
        run.renames(&site),
        owned(&[
            ("content/blog/post-b.md", "content/blog/20240201_Twins.md"),
            ("content/blog/post-a.md", "content/blog/20240201_Twins-1.md"),
            (
                "content/blog/cafe.md",
                "content/blog/20240203_Café ✨ -quotes- - more.md"
            ),
            (
                "content/blog/same-1.md",
                "content/blog/20240204_Same title.md"
            ),
            (
                "content/blog/same-2.md",
                "content/blog/20240204_Same title-1.md"
            ),
        ])
    );
    assert_eq!(site.read("content/blog/20240201_Twins-1.md"), ENTRIES[5].1);
    assert_eq!(site.read("content/blog/20240201_Twins.md"), ENTRIES[6].1);
}

// spec R3: a file the index does not hold (here one it refuses) still
// blocks its name; nothing is ever overwritten
#[test]
fn names_taken_by_other_files_are_skipped() {
    let site = test_site();
    let unindexed = "Title: Broken\nStatus: NO-SUCH-STATUS\n\nkeep me\n";
    site.write("content/blog/20240204 24 Same title.md", unindexed);
    let run = normalize(&site, &["-v", "blog"]);
    run.assert_ok();
    assert_eq!(
        run.renames(&site),
        owned(&[
            (
                "content/blog/cafe.md",
                "content/blog/20240203 23 Café ✨ -quotes- - more.md"
            ),
            (
                "content/blog/same-1.md",
                "content/blog/20240204 24 Same title-1.md"
            ),
            (
                "content/blog/same-2.md",
                "content/blog/20240204 25 Same title.md"
            ),
        ])
    );
    assert_eq!(
        site.read("content/blog/20240204 24 Same title.md"),
        unindexed
    );
}

// spec R3: -F gives one Entry-Type its own format, -g leaves a type alone
// (here the empty type, so only the note is renamed)
#[test]
fn per_type_formats_and_ignored_types() {
    let site = test_site();
    let run = normalize(
        &site,
        &[
            "-v",
            "-a",
            "-r",
            "-F",
            "note",
            "{type} {title}",
            "-g",
            "",
            "-f",
            "{id}",
        ],
    );
    run.assert_ok();
    assert_eq!(
        run.renames(&site),
        owned(&[("content/notes/typed.md", "content/notes/note A note.md")])
    );
}

// spec R3: --dry-run prints what a real run would do and changes nothing:
// no file is renamed or rewritten (not even to add the Entry-ID and UUID a
// scan assigns, which Publ's startup scan would write) and no index is
// created. Deviations: the lines are printed without -v too, and the plan
// accounts for earlier renames, so the twins show `-1` as a real run makes
// them (Publ's dry run shows both with the same name).
#[test]
fn dry_run_changes_nothing() {
    let site = test_site();
    site.write(
        "content/blog/no-id.md",
        "Title: No ID yet\nDate: 2024-02-02 00:00:00+00:00\n\nNew.\n",
    );
    let before = tree(&site);
    let run = normalize(&site, &["-n", "-a", "-r"]);
    run.assert_ok();
    assert_eq!(tree(&site), before, "the site changed");
    assert!(!site.exists("index.db"));

    let shown = run.renames(&site);
    let (new, known): (Vec<_>, Vec<_>) = shown
        .into_iter()
        .partition(|(from, _)| from == "content/blog/no-id.md");
    assert_eq!(known, owned(ALL_RENAMES));
    let [(_, to)] = new.as_slice() else {
        panic!("no-id.md shown {} times", new.len());
    };
    let id = to
        .strip_prefix("content/blog/20240202 ")
        .and_then(|rest| rest.strip_suffix(" No ID yet.md"))
        .unwrap_or_else(|| panic!("unexpected name {to:?}"));
    assert!(id.parse::<u64>().is_ok(), "{to:?}");
}

// spec R3, A22: a real run first writes the assigned Entry-ID into a new
// entry (as Publ's startup scan does), then names the file with it
#[test]
fn new_entries_are_named_with_their_written_id() {
    let site = test_site();
    let text = "Title: No ID yet\nDate: 2024-02-02 00:00:00+00:00\n\nNew.\n";
    site.write("content/blog/no-id.md", text);
    let run = normalize(&site, &["-v", "blog"]);
    run.assert_ok();
    assert!(!site.exists("content/blog/no-id.md"));
    let renamed: Vec<String> = tree(&site)
        .into_keys()
        .filter(|rel| rel.ends_with(" No ID yet.md"))
        .collect();
    let [rel] = renamed.as_slice() else {
        panic!("renamed to {renamed:?}");
    };
    let id = rel
        .strip_prefix("content/blog/20240202 ")
        .and_then(|rest| rest.strip_suffix(" No ID yet.md"))
        .unwrap_or_else(|| panic!("unexpected name {rel:?}"));
    let written = site.read(rel);
    assert!(
        written.contains(&format!("\nEntry-ID: {id}\n")),
        "{rel}:\n{written}"
    );
    assert!(written.starts_with("Title: No ID yet\nDate: 2024-02-02 00:00:00+00:00\n"));
    assert!(written.ends_with("\n\nNew.\n"), "{written}");
    assert!(run
        .renames(&site)
        .contains(&("content/blog/no-id.md".to_string(), rel.clone())));
}

// spec R3: a format with an unknown token is refused before anything
// changes (Publ fails with a KeyError)
#[test]
fn bad_format_is_refused() {
    let site = test_site();
    let before = tree(&site);
    let run = normalize(&site, &["-f", "{date} {nope}"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("{nope}"), "{}", run.stderr);
    assert_eq!(tree(&site), before);
}
