//! The search index's fields (spec O2) and the version that says whether an
//! index on disk was built with them (spec O1).

use tantivy::schema::{
    DateOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
    STORED, STRING,
};

use super::analysis::{KEYWORDS, WORDS};

/// Bump on any change to the fields, their analysis or what the sync
/// stores: an index of another version is rebuilt from scratch.
pub const SCHEMA_VERSION: u32 = 1;

/// Kept in every commit's payload; an index without it is rebuilt.
pub fn version_tag() -> String {
    format!("publ-rs search schema {SCHEMA_VERSION}")
}

/// Whoosh's fields, by the names its query language uses, plus what the
/// sync and the category filter need.
#[derive(Debug, Clone)]
pub struct Fields {
    /// The entry ID as text (Whoosh's unique `ID`): the document's key.
    pub entry_id: Field,
    /// Changes whenever the document would (file fingerprint and the
    /// catalog facts it holds), so unchanged entries are not re-read.
    pub stamp: Field,
    pub title: Field,
    /// The file's text after the headers, unrendered.
    pub content: Field,
    /// From `utc_timestamp`.
    pub published: Field,
    pub tag: Field,
    /// The category path, whole (`''` at the root).
    pub category: Field,
    /// The category and every category above it, for `recurse`.
    pub category_tree: Field,
    /// `PublishStatus` as its number.
    pub status: Field,
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let words = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let keywords = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORDS)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            entry_id: builder.add_text_field("entry_id", STRING | STORED),
            stamp: builder.add_text_field("stamp", STRING | STORED),
            title: builder.add_text_field("title", words.clone()),
            content: builder.add_text_field("content", words),
            published: builder
                .add_date_field("published", DateOptions::default().set_indexed().set_fast()),
            tag: builder.add_text_field("tag", keywords),
            category: builder.add_text_field("category", STRING),
            category_tree: builder.add_text_field("category_tree", STRING),
            status: builder
                .add_i64_field("status", NumericOptions::default().set_indexed().set_fast()),
        };
        (builder.build(), fields)
    }
}
