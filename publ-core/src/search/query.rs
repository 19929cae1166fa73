//! A search as templates ask for it -> entry IDs, best match first (spec O3).

use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, RangeQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DateTime, TantivyDocument, Term};

use super::folder::OpenIndex;
use super::syntax;
use crate::content::status::PublishStatus;

/// Whoosh's `search_page` page length, for `page` without `count`.
const PAGE_LENGTH: usize = 10;

/// `search(query, category, recurse, count, page, future)` (spec E10).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Whoosh query language; bare words search `content` and must all match.
    pub text: String,
    /// `None`: everywhere; `Some("")`: the root category.
    pub category: Option<String>,
    /// Also the categories below `category`.
    pub recurse: bool,
    /// Hits per page, or at most this many hits without `page`.
    pub count: Option<usize>,
    /// 1-based; a page past the last is the last (as Whoosh does).
    pub page: Option<usize>,
    /// Also entries scheduled after now.
    pub future: bool,
}

/// A filter that leaves the ranking to the text query.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

fn term(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

/// The whole query: the text, and the category and date filters; `None`
/// when the text leaves nothing to search for (Whoosh's `NullQuery`).
fn build(open: &OpenIndex, q: &SearchQuery, now: i64) -> Option<Box<dyn Query>> {
    let f = &open.fields;
    let mut parser = QueryParser::for_index(&open.index, vec![f.content]);
    parser.set_conjunction_by_default();
    let (text, problems) = syntax::parse(&parser, &open.index.schema(), "content", &q.text);
    if !problems.is_empty() {
        tracing::warn!(query = %q.text, ?problems, "search query partly not understood; searching for the rest");
    }
    let text = text?;
    let mut clauses = vec![(Occur::Must, text)];
    match (q.category.as_deref(), q.recurse) {
        (None, _) | (Some(""), true) => {}
        (Some(category), false) => {
            clauses.push(filter(term(Term::from_field_text(f.category, category))))
        }
        (Some(category), true) => clauses.push(filter(term(Term::from_field_text(
            f.category_tree,
            category,
        )))),
    }
    if !q.future {
        let published = Term::from_field_i64(f.status, PublishStatus::Published.as_i64());
        let until_now = RangeQuery::new(
            Bound::Unbounded,
            Bound::Included(Term::from_field_date(
                f.published,
                DateTime::from_timestamp_secs(now),
            )),
        );
        clauses.push(filter(Box::new(BooleanQuery::new(vec![
            (Occur::Should, term(published)),
            (Occur::Should, Box::new(until_now)),
        ]))));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// The IDs of the entries `q` finds at `now` (UTC seconds), best first.
pub fn run(open: &OpenIndex, q: &SearchQuery, now: i64) -> tantivy::Result<Vec<i64>> {
    let searcher = open.reader.searcher();
    let size = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    let Some(query) = build(open, q, now) else {
        return Ok(Vec::new());
    };
    let hits = match q.page {
        None => {
            let limit = q.count.unwrap_or(size).min(size);
            if limit == 0 {
                return Ok(Vec::new());
            }
            searcher.search(&query, &TopDocs::with_limit(limit))?
        }
        Some(page) => {
            let length = q.count.unwrap_or(PAGE_LENGTH);
            if page == 0 || length == 0 || size == 0 {
                return Ok(Vec::new());
            }
            let limit = page.saturating_mul(length).min(size);
            let (hits, total) = searcher.search(&query, &(TopDocs::with_limit(limit), Count))?;
            let last_page = total.div_ceil(length);
            let start = (page.min(last_page).max(1) - 1) * length;
            hits.into_iter().skip(start).take(length).collect()
        }
    };
    let mut ids = Vec::with_capacity(hits.len());
    for (_score, address) in hits {
        let doc: TantivyDocument = searcher.doc(address)?;
        let id = doc
            .get_first(open.fields.entry_id)
            .and_then(|v| v.as_str())
            .and_then(|id| id.parse().ok());
        match id {
            Some(id) => ids.push(id),
            None => tracing::warn!(?address, "search index document without an entry_id"),
        }
    }
    Ok(ids)
}
