//! Entry text to HTML: Markdown, titles, and HTML helpers.

pub mod arglist;
pub mod extensions;
pub mod highlight;
mod hoedown;
pub mod html;
pub mod images;
mod inline;
pub mod links;
pub mod markdown;
pub mod smartypants;
pub mod title;
