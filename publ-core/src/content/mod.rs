//! Entry and meta files as Publ reads and rewrites them (spec A1-A32).

pub mod category;
pub mod date;
pub mod entry;
pub mod entry_file;
pub mod headers;
pub mod scan;
pub mod slug;
pub mod status;
pub mod writeback;
