//! Fenced code must highlight exactly as Publ does with Pygments: every
//! sample in `tests/highlight/samples/<alias>.txt` is highlighted as a
//! block of language `<alias>` and compared, line by line, with what
//! Pygments printed for it (`tests/highlight/expected.json`, written by
//! `tools/pygments/golden.py`, since CI has no Python).
//!
//! Every mismatching sample is reported, not just the first.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use publ_core::markup::highlight::highlight;
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/highlight")
}

/// The golden output: file name -> (language, lines).
fn expected() -> BTreeMap<String, (String, Vec<String>)> {
    let path = dir().join("expected.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let Value::Object(samples) = json else {
        panic!("{}: not a JSON object", path.display());
    };
    samples
        .into_iter()
        .map(|(name, sample)| {
            let lang = sample["lang"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: no \"lang\""))
                .to_string();
            let lines = sample["lines"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: no \"lines\""))
                .iter()
                .map(|l| l.as_str().expect("lines are strings").to_string())
                .collect();
            (name, (lang, lines))
        })
        .collect()
}

fn samples() -> Vec<(String, String)> {
    let path = dir().join("samples");
    let mut out: Vec<(String, String)> = fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|entry| entry.expect("readable directory").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let name = p
                .file_name()
                .expect("a file")
                .to_string_lossy()
                .into_owned();
            let code = fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, code)
        })
        .collect();
    out.sort();
    out
}

/// A readable account of how `actual` differs from `expected`, if it does.
fn diff(name: &str, lang: &str, expected: &[String], actual: &[String]) -> Option<String> {
    if expected == actual {
        return None;
    }
    let differing = expected.iter().zip(actual).filter(|(e, a)| e != a).count()
        + expected.len().abs_diff(actual.len());
    let first = expected
        .iter()
        .zip(actual)
        .position(|(e, a)| e != a)
        .unwrap_or(expected.len().min(actual.len()));
    let show = |lines: &[String]| {
        lines
            .get(first)
            .map_or_else(|| "<no such line>".to_string(), |l| format!("{l:?}"))
    };
    Some(format!(
        "{name} (lang {lang:?}): {differing} line(s) differ; expected {} lines, got {}; \
         first difference at line index {first} (line {}):\n  expected: {}\n  actual:   {}",
        expected.len(),
        actual.len(),
        first + 1,
        show(expected),
        show(actual),
    ))
}

#[test]
fn highlighting_matches_pygments() {
    let mut expected = expected();
    let samples = samples();
    assert!(!samples.is_empty(), "no samples in {}", dir().display());
    let mut failures = Vec::new();
    let mut matched = Vec::new();
    for (name, code) in &samples {
        let Some((lang, lines)) = expected.remove(name) else {
            failures.push(format!(
                "{name}: not in expected.json; rerun tools/pygments/golden.py"
            ));
            continue;
        };
        let actual = highlight(&lang, code);
        match diff(name, &lang, &lines, &actual) {
            Some(report) => failures.push(report),
            None => matched.push(name.as_str()),
        }
    }
    for name in expected.keys() {
        failures.push(format!(
            "{name}: in expected.json but not among the samples; rerun tools/pygments/golden.py"
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} samples differ from Pygments (matching: {}):\n\n{}",
        failures.len(),
        samples.len(),
        if matched.is_empty() {
            "none".to_string()
        } else {
            matched.join(", ")
        },
        failures.join("\n\n")
    );
}
