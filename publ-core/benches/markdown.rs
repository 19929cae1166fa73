//! Rendering the longest entry of the Publ manual (`templating.md` of
//! `../shared/sites/publ-site`): body and `more` with their headings, table
//! of contents and footnotes, as `entry.body` and `entry.more` do.
//!
//!     cargo bench -p publ-core --bench markdown
//!
//! `steady` is what every request after the first pays (highlighted code
//! blocks are kept, as in the server); `first` renders once, cold, and is
//! printed before criterion's runs.

use std::path::PathBuf;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use publ_core::content::entry_file::split_fold;
use publ_core::content::headers::parse_message;
use publ_core::markup::markdown::{count, render, Counter, Extensions, Render};

fn manual_page() -> Option<(String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/sites/publ-site/content/manual/templating.md");
    let raw = std::fs::read_to_string(&path).ok()?;
    Some(split_fold(&parse_message(&raw).payload))
}

fn render_entry(body: &str, more: &str, how: &Render) -> usize {
    let body_html = render(body, how, Counter::default());
    let more_html = render(more, how, count(body, &how.extensions));
    body_html.html.len()
        + more_html.html.len()
        + body_html.toc.len()
        + more_html.toc.len()
        + body_html.footnotes.len()
        + more_html.footnotes.len()
}

fn bench(c: &mut Criterion) {
    let Some((body, more)) = manual_page() else {
        eprintln!("markdown bench: ../shared/sites/publ-site is not beside the repo; skipped");
        return;
    };
    let link = "/manual/324-Templating-Guide".to_string();
    let how = Render {
        extensions: Extensions::default(),
        smartquotes: true,
        entry_id: 324,
        toc_link: link.clone(),
        footnotes_link: link.clone(),
        code_number_links: Some(link),
        code_highlight: true,
        ..Render::default()
    };
    let start = Instant::now();
    let size = render_entry(&body, &more, &how);
    eprintln!(
        "markdown bench: first render {:.2} ms ({size} bytes of output)",
        start.elapsed().as_secs_f64() * 1e3
    );
    c.bench_function("templating manual page, steady", |b| {
        b.iter(|| render_entry(&body, &more, &how))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
