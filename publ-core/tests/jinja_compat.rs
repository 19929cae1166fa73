//! Golden test: publ-rs's template environment renders
//! `tests/jinja_compat/constructs.html` — every Jinja construct publ-site's
//! and Publ's built-in templates use, plus Jinja2's filters and tests, over
//! plain data — to the same bytes as Jinja2 3.1 with markupsafe under Flask's
//! settings (`expected.html`, written by `tests/jinja_compat/generate.py`).

use std::path::PathBuf;

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/jinja_compat")
}

/// The first differing line, with context, so a failure reads like a diff.
fn first_difference(want: &str, got: &str) -> String {
    let want_lines: Vec<&str> = want.split('\n').collect();
    let got_lines: Vec<&str> = got.split('\n').collect();
    let line = want_lines
        .iter()
        .zip(&got_lines)
        .position(|(w, g)| w != g)
        .unwrap_or(want_lines.len().min(got_lines.len()));
    let mut msg = format!(
        "rendering differs from Jinja2 at line {} (expected {} lines, got {}):\n",
        line + 1,
        want_lines.len(),
        got_lines.len()
    );
    let from = line.saturating_sub(2);
    for (i, w) in want_lines.iter().enumerate().skip(from).take(5) {
        msg.push_str(&format!("  jinja2 {:>4}: {w:?}\n", i + 1));
    }
    for (i, g) in got_lines.iter().enumerate().skip(from).take(5) {
        msg.push_str(&format!("  publ   {:>4}: {g:?}\n", i + 1));
    }
    if let (Some(w), Some(g)) = (want_lines.get(line), got_lines.get(line)) {
        let col = w
            .chars()
            .zip(g.chars())
            .position(|(a, b)| a != b)
            .unwrap_or(w.chars().count().min(g.chars().count()));
        let tail = |s: &str| {
            s.chars()
                .skip(col.saturating_sub(10))
                .take(60)
                .collect::<String>()
        };
        msg.push_str(&format!(
            "  first difference at column {}:\n    jinja2: {:?}\n    publ:   {:?}\n",
            col + 1,
            tail(w),
            tail(g)
        ));
    }
    msg
}

#[test]
fn constructs_render_like_jinja2() {
    let dir = folder();
    let env = publ_core::template::env::build(&dir);
    let got = env
        .get_template("constructs.html")
        .and_then(|t| t.render(()))
        .unwrap_or_else(|e| panic!("constructs.html failed to render: {e:#}"));
    let want = std::fs::read_to_string(dir.join("expected.html"))
        .expect("expected.html (run tests/jinja_compat/generate.py)");
    if got != want {
        if let Ok(path) = std::env::var("JINJA_COMPAT_OUT") {
            std::fs::write(&path, &got).expect("write JINJA_COMPAT_OUT");
        }
        panic!(
            "{}(set JINJA_COMPAT_OUT=<file> to save publ-rs's rendering for a full diff)",
            first_difference(&want, &got)
        );
    }
}
