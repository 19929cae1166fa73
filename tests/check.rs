//! `publ check SITE` (issue 6 item 8): validates the configuration, parses
//! every template and content file without serving, prints one line per
//! problem and a summary, and exits with 1 on errors so deploy scripts can
//! stop. It must never write into the site it checks.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{repo_root, shared_site, SiteCopy};

/// What one `publ check` run said.
struct Checked {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Checked {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    fn summary(&self) -> &str {
        self.stdout.lines().last().unwrap_or("")
    }

    /// Panics with the whole output unless the run exited with `code`.
    fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code,
            Some(code),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
    }

    fn assert_line(&self, line: &str) {
        assert!(
            self.lines().contains(&line),
            "no line {line:?} in stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
    }
}

fn publ_check(site: &Path, extra: &[&str]) -> Checked {
    let output = Command::new(env!("CARGO_BIN_EXE_publ"))
        .arg("check")
        .arg(site)
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("running publ check {}: {e}", site.display()));
    Checked {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_good_site_passes() {
    let site = SiteCopy::of("sample");
    let run = publ_check(site.path(), &[]);
    run.assert_code(0);
    assert!(
        run.summary().starts_with("checked ")
            && run.summary().contains(" templates and ")
            && run
                .summary()
                .ends_with(" content files: 0 errors, 0 warnings"),
        "{}",
        run.stdout
    );
    assert_eq!(run.lines().len(), 1, "{}", run.stdout);
}

#[test]
fn a_template_syntax_error_names_the_file_and_line() {
    let site = SiteCopy::of("sample");
    site.write(
        "templates/broken.html",
        "<ul>\n{% for e in view.entries %}\n<li>{{ e.title }}\n{% endif %}\n",
    );
    // Binary files next to templates are not templates.
    site.write_bytes("templates/logo.png", b"\x89PNG\r\n\x1a\n\xff\xd8");
    let run = publ_check(site.path(), &[]);
    run.assert_code(1);
    let line = run
        .lines()
        .into_iter()
        .find(|l| l.starts_with("error: templates/broken.html: syntax error: "))
        .unwrap_or_else(|| panic!("no error for broken.html:\n{}", run.stdout));
    assert!(line.ends_with("(line 4)"), "{line}");
    assert!(
        run.summary().ends_with(": 1 error, 0 warnings"),
        "{}",
        run.stdout
    );
}

#[test]
fn unparseable_entries_are_errors_naming_the_file() {
    let site = SiteCopy::of("sample");
    site.write("content/bad-id.md", "Title: Bad ID\nEntry-ID: abc\n\nx\n");
    site.write("content/bad-status.md", "Title: Bad\nStatus: bogus\n\nx\n");
    site.write_bytes("content/latin1.md", b"Title: Caf\xe9\n\n\xff\xfe\n");
    let run = publ_check(site.path(), &[]);
    run.assert_code(1);
    run.assert_line("error: content/bad-id.md: Entry-ID \"abc\" is not a number");
    run.assert_line("error: content/bad-status.md: unknown Status \"bogus\"");
    run.assert_line("error: content/latin1.md: file is not valid UTF-8");
    assert!(
        run.summary().ends_with(": 3 errors, 0 warnings"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_shared_entry_id_is_only_a_warning() {
    let site = SiteCopy::of("sample");
    let about = site.read("content/about.md");
    let id = about
        .lines()
        .find_map(|l| l.strip_prefix("Entry-ID:"))
        .map(str::trim)
        .expect("sites/sample/content/about.md has an Entry-ID")
        .to_string();
    site.write("content/zz-copy.md", &about);
    let run = publ_check(site.path(), &[]);
    run.assert_code(0);
    run.assert_line(&format!(
        "warning: content/zz-copy.md: Entry-ID {id} is also used by about.md; one of them will get a new ID"
    ));
    assert!(
        run.summary().ends_with(": 0 errors, 1 warning"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_bad_config_file_is_an_error() {
    let site = SiteCopy::of("sample");
    site.write("publ.toml", "timezone = \n");
    let run = publ_check(site.path(), &[]);
    run.assert_code(1);
    assert!(
        run.lines()[0].starts_with("error: publ.toml: TOML parse error"),
        "{}",
        run.stdout
    );
    assert!(
        run.summary().ends_with(": 1 error, 0 warnings"),
        "{}",
        run.stdout
    );

    // A --config file that is not there.
    let missing = site.dir.path().join("nowhere.toml");
    let run = publ_check(site.path(), &["--config", missing.to_str().unwrap()]);
    run.assert_code(1);
    assert!(
        run.lines()[0].starts_with(&format!(
            "error: {}: cannot read config: ",
            missing.display()
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn a_bad_timezone_is_an_error() {
    let site = SiteCopy::of("sample");
    site.write("publ.toml", "timezone = \"Mars/Olympus\"\n");
    let run = publ_check(site.path(), &[]);
    run.assert_code(1);
    run.assert_line("error: publ.toml: unknown timezone \"Mars/Olympus\"");
}

#[test]
fn a_missing_content_folder_is_an_error() {
    let site = SiteCopy::of("sample");
    site.remove("content");
    let run = publ_check(site.path(), &[]);
    run.assert_code(1);
    run.assert_line("error: content: content folder is missing or not a folder");
}

/// Every file, folder and symlink under `dir` with its bytes (or target).
fn listing(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn visit(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let items = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for item in items {
            let path = item.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(rel, target.into_os_string().into_encoded_bytes());
            } else if meta.is_dir() {
                out.insert(rel, b"<dir>".to_vec());
                visit(root, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    visit(dir, dir, &mut out);
    out
}

#[test]
fn checking_writes_nothing_into_the_site() {
    let site = SiteCopy::of("sample");
    // `publ serve` would write an Entry-ID (and more) into this file.
    let needs_id = site.read("content/notes/needs-id.md");
    assert!(
        !needs_id.lines().any(|l| l.starts_with("Entry-ID:")),
        "{needs_id}"
    );
    let before = listing(site.path());
    publ_check(site.path(), &[]).assert_code(0);
    assert_eq!(before, listing(site.path()), "publ check changed the site");
    assert!(!site.exists("index.db"));
}

#[test]
fn the_publ_documentation_site_passes() {
    let Some(original) = shared_site("publ-site") else {
        eprintln!("SKIPPED: ../shared/sites/publ-site is absent");
        return;
    };
    let site = SiteCopy::from_dir(&original);
    let config = repo_root().join("sites/publ-site.toml");
    let before = listing(site.path());
    let run = publ_check(site.path(), &["--config", config.to_str().unwrap()]);
    run.assert_code(0);
    assert!(run.summary().contains(": 0 errors, "), "{}", run.stdout);
    assert_eq!(before, listing(site.path()), "publ check changed the site");
}
