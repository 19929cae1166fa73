//! `publ check`: what would go wrong with a site, found without serving it
//! (issue 6 item 8). Nothing is written and no index is opened, so it is
//! safe on a live site: the configuration is checked as [`Site::open`]
//! would, every template is parsed by the real environment and every content
//! file is parsed as the indexer does.
//!
//! [`Site::open`]: crate::Site::open

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigError};
use crate::content::scan::{walk_with, SourceFile};
use crate::index::indexer::{parse_source, ParsedSource};
use crate::site::SiteError;
use crate::template::resolve::template_name;

/// Which part of the site a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Config,
    Template,
    Content,
}

/// Errors stop the site from starting or lose a page; warnings are things
/// the site survives but its author probably did not mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub area: Area,
    /// The file or folder at fault; the site folder for settings.
    pub path: PathBuf,
    /// What is wrong, without the path.
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub problems: Vec<Problem>,
    /// Template files parsed (binary files are not templates).
    pub templates: usize,
    /// Entry and category files parsed.
    pub content_files: usize,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == severity)
            .count()
    }

    fn push(&mut self, severity: Severity, area: Area, path: &Path, message: impl Into<String>) {
        self.problems.push(Problem {
            severity,
            area,
            path: path.to_path_buf(),
            message: message.into(),
        });
    }
}

/// Checks the site `config` describes. Synchronous and read-only.
pub fn check(config: &Config) -> Report {
    let mut report = Report::default();
    check_config(config, &mut report);
    check_templates(&config.template_dir(), &mut report);
    check_content(&config.content_dir(), &mut report);
    tracing::debug!(
        templates = report.templates,
        content_files = report.content_files,
        errors = report.errors(),
        warnings = report.warnings(),
        "site checked"
    );
    report
}

/// The settings [`Site::open`](crate::Site::open) refuses to start with.
/// `Config::load` rejects most of them already; a `Config` built in code or
/// an unknown machine time zone reaches this far.
fn check_config(config: &Config, report: &mut Report) {
    let message = match crate::site::check_config(config) {
        // The content folder is `check_content`'s to report.
        Ok(_) | Err(SiteError::NoContent(_)) => return,
        Err(SiteError::Config(ConfigError::Invalid { message, .. })) => message,
        Err(other) => other.to_string(),
    };
    report.push(Severity::Error, Area::Config, &config.root, message);
}

fn check_templates(dir: &Path, report: &mut Report) {
    // The site starts without one, but only the built-in error page exists
    // then, so every other page is a 404.
    if !dir.is_dir() {
        report.push(
            Severity::Warning,
            Area::Template,
            dir,
            "template folder is missing or not a folder: every page is a 404",
        );
        return;
    }
    let env = crate::template::env::build(dir);
    let mut skipped = Vec::new();
    let files: Vec<_> = crate::fsutil::walk_files(dir, |err| skipped.push(err)).collect();
    for err in skipped {
        // Skipped when serving too; only requests for it fail.
        let path = err.path().unwrap_or(dir).to_path_buf();
        report.push(Severity::Warning, Area::Template, &path, walk_message(&err));
    }
    for item in files {
        let path = item.path();
        match std::fs::read(path) {
            // Images and other binary files can sit next to templates; they
            // are never rendered as one.
            Ok(bytes) if std::str::from_utf8(&bytes).is_err() => continue,
            Ok(_) => {}
            Err(err) => {
                report.templates += 1;
                report.push(
                    Severity::Error,
                    Area::Template,
                    path,
                    format!("cannot read template: {err}"),
                );
                continue;
            }
        }
        report.templates += 1;
        let Some(name) = template_name(dir, path) else {
            continue;
        };
        if let Err(err) = env.get_template(&name) {
            report.push(
                Severity::Error,
                Area::Template,
                path,
                template_message(&err),
            );
        }
    }
}

/// minijinja's message on one line, with the line number but without the
/// template name (the report names the file).
fn template_message(err: &minijinja::Error) -> String {
    let mut message = match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    };
    if let Some(line) = err.line() {
        message.push_str(&format!(" (line {line})"));
    }
    message.replace('\n', " ")
}

fn walk_message(err: &walkdir::Error) -> String {
    match err.io_error() {
        Some(io) => format!("cannot read: {io}"),
        None => err.to_string(),
    }
}

fn check_content(dir: &Path, report: &mut Report) {
    if !dir.is_dir() {
        report.push(
            Severity::Error,
            Area::Content,
            dir,
            "content folder is missing or not a folder",
        );
        return;
    }
    let files = walk_with(dir, |err| {
        // The indexer logs these and carries on; a dangling editor lock
        // file is one.
        let path = err.path().unwrap_or(dir).to_path_buf();
        report.push(Severity::Warning, Area::Content, &path, walk_message(&err));
    });
    // Header IDs by their first file, in the indexer's (sorted) order.
    let mut owners: HashMap<i64, &SourceFile> = HashMap::new();
    for file in &files {
        report.content_files += 1;
        let facts = match parse_source(file) {
            Ok(ParsedSource::Entry(entry)) => entry.1,
            Ok(ParsedSource::Meta(_)) => continue,
            Err(err) => {
                report.push(Severity::Error, Area::Content, &file.path, err.to_string());
                continue;
            }
        };
        // Entry-ID 0 means "assign one" to the indexer.
        let Some(id) = facts.header_id.filter(|id| *id != 0) else {
            continue;
        };
        match owners.get(&id) {
            // The indexer keeps the ID for one file and gives the other a
            // new one, rewriting its header (see `resolve_id`).
            Some(owner) => report.push(
                Severity::Warning,
                Area::Content,
                &file.path,
                format!(
                    "Entry-ID {id} is also used by {}; one of them will get a new ID",
                    owner.rel.display()
                ),
            ),
            None => {
                owners.insert(id, file);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch site with `files`, checked with `extra` settings.
    fn check_site(files: &[(&str, &[u8])], extra: &str) -> (tempfile::TempDir, Report) {
        let dir = tempfile::tempdir().unwrap();
        for (rel, bytes) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let mut config = Config::parse(
            &format!("timezone = \"UTC\"\n{extra}"),
            Path::new("publ.toml"),
        )
        .unwrap();
        config.root = dir.path().to_path_buf();
        let report = check(&config);
        (dir, report)
    }

    fn messages(report: &Report) -> Vec<(Severity, Area, String)> {
        report
            .problems
            .iter()
            .map(|p| (p.severity, p.area, p.message.clone()))
            .collect()
    }

    #[test]
    fn a_good_site_has_no_problems() {
        let (_dir, report) = check_site(
            &[
                ("content/a.md", b"Title: A\nEntry-ID: 1\n\nx\n"),
                ("content/blog/blog.cat", b"Name: Blog\n"),
                (
                    "templates/index.html",
                    b"{% for e in view.entries %}{{ e }}{% endfor %}",
                ),
                ("templates/style.css", b"body { color: red }"),
                ("templates/logo.png", b"\x89PNG\r\n\x1a\n\xff\xfe"),
            ],
            "",
        );
        assert_eq!(report.problems, vec![]);
        assert_eq!((report.templates, report.content_files), (2, 2));
    }

    #[test]
    fn template_syntax_errors_name_the_line() {
        let (dir, report) = check_site(
            &[
                ("content/a.md", b"Title: A\n\nx\n"),
                ("templates/sub/bad.xml", b"<a>\n\n{% for x in %}\n"),
            ],
            "",
        );
        assert_eq!(report.errors(), 1, "{report:?}");
        let problem = &report.problems[0];
        assert_eq!(problem.area, Area::Template);
        assert_eq!(problem.path, dir.path().join("templates/sub/bad.xml"));
        assert!(problem.message.starts_with("syntax error: "), "{problem:?}");
        assert!(problem.message.ends_with("(line 3)"), "{problem:?}");
        assert!(!problem.message.contains('\n'));
    }

    #[test]
    fn unparseable_entries_are_errors_without_the_path_twice() {
        let (dir, report) = check_site(
            &[
                ("content/id.md", b"Entry-ID: abc\n\nx\n"),
                ("content/status.md", b"Status: bogus\n\nx\n"),
                ("content/latin1.md", b"Title: Caf\xe9\n\nx\n"),
                ("templates/index.html", b"ok"),
            ],
            "",
        );
        let got: Vec<(PathBuf, String)> = report
            .problems
            .iter()
            .map(|p| (p.path.clone(), p.message.clone()))
            .collect();
        let content = dir.path().join("content");
        assert_eq!(
            got,
            vec![
                (
                    content.join("id.md"),
                    "Entry-ID \"abc\" is not a number".into()
                ),
                (content.join("latin1.md"), "file is not valid UTF-8".into()),
                (content.join("status.md"), "unknown Status \"bogus\"".into()),
            ]
        );
        assert_eq!(report.errors(), 3);
    }

    #[test]
    fn shared_entry_ids_are_warnings() {
        let (_dir, report) = check_site(
            &[
                ("content/a.md", b"Entry-ID: 7\n\nx\n"),
                ("content/b.md", b"Entry-ID: 7\n\nx\n"),
                ("content/c.md", b"Entry-ID: 0\n\nx\n"),
                ("content/d.md", b"Entry-ID: 0\n\nx\n"),
                ("templates/index.html", b"ok"),
            ],
            "",
        );
        assert_eq!(
            messages(&report),
            vec![(
                Severity::Warning,
                Area::Content,
                "Entry-ID 7 is also used by a.md; one of them will get a new ID".into()
            )]
        );
        assert_eq!(report.errors(), 0);
    }

    #[test]
    fn missing_folders() {
        let (_dir, report) = check_site(&[], "");
        assert_eq!(
            messages(&report),
            vec![
                (
                    Severity::Warning,
                    Area::Template,
                    "template folder is missing or not a folder: every page is a 404".into()
                ),
                (
                    Severity::Error,
                    Area::Content,
                    "content folder is missing or not a folder".into()
                ),
            ]
        );
    }

    #[test]
    fn settings_load_rejects_are_checked_too() {
        let (dir, mut config) = {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("content")).unwrap();
            let config = Config {
                root: dir.path().to_path_buf(),
                timezone: Some("Mars/Olympus".into()),
                ..Config::default()
            };
            (dir, config)
        };
        config.path_alias_regex = vec![crate::config::RegexAlias {
            pattern: "/(unclosed".into(),
            target: "/x".into(),
            permanent: false,
        }];
        // The first setting that would stop the site is the one reported.
        let config_problems = |config: &Config| -> Vec<Problem> {
            check(config)
                .problems
                .into_iter()
                .filter(|p| p.area == Area::Config)
                .collect()
        };
        let problems = config_problems(&config);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path, dir.path());
        assert_eq!(problems[0].message, "unknown timezone \"Mars/Olympus\"");
        config.timezone = Some("UTC".into());
        let problems = config_problems(&config);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0]
            .message
            .starts_with("path_alias_regex \"/(unclosed\": "));
    }
}
