// TEMP STUB (integrator)
use std::path::Path;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}
impl Format {
    pub fn from_path(p: &Path) -> Option<Format> {
        match p.extension()?.to_str()? {
            "md" => Some(Format::Markdown),
            "htm" | "html" => Some(Format::Html),
            _ => None,
        }
    }
}
pub fn split_fold(payload: &str) -> (String, String) {
    let (mut body, mut more) = match payload.split_once("\n.....\n") {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (payload.to_string(), String::new()),
    };
    if more.is_empty() && body.starts_with(".....\n") {
        more = body[6..].to_string();
        body = String::new();
    }
    (body.trim().to_string(), more.trim().to_string())
}
