//! The index: what the content folder holds, kept in SQL and mirrored in
//! memory for queries.

pub mod catalog;
pub mod indexer;
pub mod owners;
pub mod records;
pub mod schema;
pub mod store;
