//! `publ check SITE`: the site's problems on stdout, one a line, then a
//! summary; exit code 1 when any is an error, for deploy scripts (issue 6
//! item 8).

use std::path::Path;
use std::process::ExitCode;

use publ_core::check::{Area, Problem, Report, Severity};
use publ_core::config::ConfigError;
use publ_core::Config;

pub fn run(site: &Path, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config_file = config.map_or_else(|| site.join("publ.toml"), Path::to_path_buf);
    let report = match Config::load(site, config) {
        Ok(loaded) => publ_core::check::check(&loaded),
        // Nothing else can be checked without the folders it names.
        Err(err) => Report {
            problems: vec![Problem {
                severity: Severity::Error,
                area: Area::Config,
                path: config_file.clone(),
                message: config_message(err),
            }],
            ..Report::default()
        },
    };
    for problem in &report.problems {
        let severity = match problem.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Settings are blamed on the site folder; the file they are in is
        // the better name.
        let path = match problem.area {
            Area::Config if problem.path == site => &config_file,
            _ => &problem.path,
        };
        println!(
            "{severity}: {}: {}",
            shown(site, path),
            continued(&problem.message)
        );
    }
    println!(
        "checked {} and {}: {}, {}",
        counted(report.templates, "template"),
        counted(report.content_files, "content file"),
        counted(report.errors(), "error"),
        counted(report.warnings(), "warning"),
    );
    Ok(if report.errors() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The error without the config file's path, which the line already shows.
fn config_message(err: ConfigError) -> String {
    match err {
        ConfigError::Invalid { message, .. } => message,
        ConfigError::Read { source, .. } => format!("cannot read config: {source}"),
    }
}

/// `path` relative to the site folder when it is inside it.
fn shown(site: &Path, path: &Path) -> String {
    match path.strip_prefix(site) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => path.display().to_string(),
    }
}

/// A message of several lines (TOML errors show the line at fault) with
/// every line after the first indented, so each problem still starts a line
/// with its severity.
fn continued(message: &str) -> String {
    let mut lines = message.lines().filter(|l| !l.trim().is_empty());
    let mut out = lines.next().unwrap_or("").to_string();
    for line in lines {
        out.push_str("\n    ");
        out.push_str(line);
    }
    out
}

fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_site_are_relative() {
        let site = Path::new("/srv/site");
        assert_eq!(
            shown(site, Path::new("/srv/site/templates/a.html")),
            "templates/a.html"
        );
        assert_eq!(shown(site, Path::new("/etc/publ.toml")), "/etc/publ.toml");
        assert_eq!(shown(site, site), "/srv/site");
    }

    #[test]
    fn continuation_lines_are_indented() {
        assert_eq!(continued("one line"), "one line");
        assert_eq!(
            continued("TOML parse error\n  |\n1 | x =\n\ninvalid string\n"),
            "TOML parse error\n      |\n    1 | x =\n    invalid string"
        );
    }

    #[test]
    fn counts_are_plural_but_one() {
        assert_eq!(counted(0, "error"), "0 errors");
        assert_eq!(counted(1, "content file"), "1 content file");
        assert_eq!(counted(12, "template"), "12 templates");
    }
}
