//! Entry text to HTML: Markdown, titles, and HTML helpers.

pub mod arglist;
pub mod highlight;
pub mod html;
pub mod images;
pub mod links;
pub mod markdown;
pub mod smartypants;
pub mod title;
