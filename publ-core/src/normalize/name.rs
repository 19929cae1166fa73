//! Entry file names made from a `--format` template such as Publ's default
//! `{date} {sid} {title}` (spec R3).

use std::str::FromStr;

use crate::content::slug::slugify_keeping_spaces;
use crate::content::status::PublishStatus;
use crate::index::records::EntryRecord;

/// Publ's default `--format`.
pub const DEFAULT_FORMAT: &str = "{date} {sid} {title}";

/// Publ's default `--max-length`, in characters, extension included.
pub const DEFAULT_MAX_LENGTH: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error(
        "format {format:?}: unknown token {{{token}}} (known: {{date}} {{time}} {{id}} \
         {{status}} {{sid}} {{title}} {{slug}} {{type}})"
    )]
    UnknownToken { format: String, token: String },
    #[error("format {format:?}: single '{brace}' (write '{brace}{brace}' for a literal one)")]
    LoneBrace { format: String, brace: char },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Date,
    Time,
    Id,
    Status,
    Sid,
    Title,
    Slug,
    Type,
}

impl Token {
    fn named(name: &str) -> Option<Token> {
        Some(match name {
            "date" => Token::Date,
            "time" => Token::Time,
            "id" => Token::Id,
            "status" => Token::Status,
            "sid" => Token::Sid,
            "title" => Token::Title,
            "slug" => Token::Slug,
            "type" => Token::Type,
            _ => return None,
        })
    }

    /// What Publ's `normalize_command` passes to `str.format` for this
    /// token.
    fn value(self, entry: &EntryRecord) -> String {
        // Drafts have no stable ID: the indexer may give them another one
        // on every scan.
        let id = || match entry.status {
            PublishStatus::Draft => entry.status.name().to_string(),
            _ => entry.id.to_string(),
        };
        match self {
            Token::Date => entry.local_date.format("%Y%m%d").to_string(),
            Token::Time => entry.local_date.format("%H%M%S").to_string(),
            Token::Id => id(),
            Token::Status => entry.status.name().to_string(),
            Token::Sid => match entry.status {
                PublishStatus::Published | PublishStatus::Scheduled => id(),
                status => status.name().to_string(),
            },
            Token::Title => slugify_keeping_spaces(&entry.title),
            Token::Slug => slugify_keeping_spaces(&entry.slug_text),
            Token::Type => entry.entry_type.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Token(Token),
}

/// A parsed `--format`: Python `str.format` syntax (`{{` and `}}` are
/// literal braces) with only the tokens Publ passes, so a bad format is
/// refused before any file is renamed. Conversions and format specs
/// (`{title:.20}`) are not supported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameFormat {
    pieces: Vec<Piece>,
}

impl FromStr for NameFormat {
    type Err = FormatError;

    fn from_str(format: &str) -> Result<NameFormat, FormatError> {
        let lone = |brace| FormatError::LoneBrace {
            format: format.to_string(),
            brace,
        };
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '}' => return Err(lone('}')),
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => return Err(lone('{')),
                        }
                    }
                    let token = Token::named(&name).ok_or_else(|| FormatError::UnknownToken {
                        format: format.to_string(),
                        token: name,
                    })?;
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Token(token));
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(NameFormat { pieces })
    }
}

impl NameFormat {
    /// The file name `entry` should have, without its extension: the tokens
    /// filled in, outer whitespace trimmed and runs of spaces made one, as
    /// Publ does. A `/` or NUL (which an NFKC-folded title such as `a ／ b`
    /// or an `Entry-Type` can bring) becomes `-`, so the name stays one name
    /// in the entry's own folder.
    pub fn stem_for(&self, entry: &EntryRecord) -> String {
        let mut raw = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => raw.push_str(text),
                Piece::Token(token) => raw.push_str(&token.value(entry)),
            }
        }
        let mut stem = String::with_capacity(raw.len());
        for c in raw.trim_matches(is_python_space).chars() {
            match c {
                ' ' if stem.ends_with(' ') => {}
                '/' | '\0' => stem.push('-'),
                c => stem.push(c),
            }
        }
        stem
    }
}

/// Python's `str.isspace`, which `str.strip()` uses: Rust's whitespace plus
/// the information separators U+001C..U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Candidate `suffix` (0 for none) for a file named `stem` with extension
/// `ext` (`.md`): Publ cuts the stem so that stem, `-N` suffix and
/// extension fit in `max_length` characters.
pub fn candidate(stem: &str, suffix: usize, ext: &str, max_length: usize) -> String {
    let suffix = if suffix == 0 {
        String::new()
    } else {
        format!("-{suffix}")
    };
    let cap = max_length.saturating_sub(suffix.chars().count() + ext.chars().count());
    let mut name: String = stem.chars().take(cap).collect();
    name.push_str(&suffix);
    name.push_str(ext);
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tests::record as entry;

    fn stem(format: &str, e: &EntryRecord) -> String {
        format.parse::<NameFormat>().unwrap().stem_for(e)
    }

    // spec R3: the default format, with the date in the entry's own offset
    #[test]
    fn default_format() {
        let e = entry(42, PublishStatus::Published, "Hello, World!");
        assert_eq!(stem(DEFAULT_FORMAT, &e), "20240305 42 Hello- World");
    }

    // spec R3: every token, as Publ fills it in
    #[test]
    fn all_tokens() {
        let e = entry(7, PublishStatus::Scheduled, "Tea: a / story");
        assert_eq!(
            stem(
                "{date}|{time}|{id}|{status}|{sid}|{title}|{slug}|{type}",
                &e
            ),
            "20240305|070809|7|SCHEDULED|7|Tea- a - story|Tea-a-story|note"
        );
    }

    // spec R3: a draft's {id} is DRAFT; {sid} is the ID only for published
    // and scheduled entries
    #[test]
    fn id_and_sid_by_status() {
        let cases = [
            (PublishStatus::Published, "5", "5"),
            (PublishStatus::Scheduled, "5", "5"),
            (PublishStatus::Draft, "DRAFT", "DRAFT"),
            (PublishStatus::Hidden, "5", "HIDDEN"),
            (PublishStatus::Gone, "5", "GONE"),
            (PublishStatus::Attachment, "5", "ATTACHMENT"),
        ];
        for (status, id, sid) in cases {
            let e = entry(5, status, "t");
            assert_eq!(stem("{id}", &e), id, "{status}");
            assert_eq!(stem("{sid}", &e), sid, "{status}");
        }
    }

    // spec R3: outer whitespace goes, runs of spaces become one
    #[test]
    fn spaces_are_tidied() {
        let e = entry(3, PublishStatus::Published, "  lots   of   space  ");
        assert_eq!(stem(DEFAULT_FORMAT, &e), "20240305 3 lots of space");
        let untitled = entry(3, PublishStatus::Published, "");
        assert_eq!(stem(DEFAULT_FORMAT, &untitled), "20240305 3");
        assert_eq!(stem("\u{1f} {title}\t", &untitled), "");
    }

    // Deviation from Publ: a name never reaches into another folder.
    #[test]
    fn slashes_stay_out_of_names() {
        let mut e = entry(3, PublishStatus::Published, "a ／ b");
        e.entry_type = "x/y".to_string();
        assert_eq!(stem("{title} {type}", &e), "a - b x-y");
    }

    // spec R3: Python str.format escapes and errors
    #[test]
    fn braces() {
        let e = entry(9, PublishStatus::Published, "t");
        assert_eq!(stem("{{{id}}} }}{{", &e), "{9} }{");
        let unknown = "{date} {nope}".parse::<NameFormat>().unwrap_err();
        assert_eq!(
            unknown,
            FormatError::UnknownToken {
                format: "{date} {nope}".to_string(),
                token: "nope".to_string()
            }
        );
        assert!(unknown.to_string().contains("{nope}"), "{unknown}");
        for (bad, brace) in [("{date", '{'), ("date}", '}'), ("{title:.3}", '?')] {
            let err = bad.parse::<NameFormat>().unwrap_err();
            match err {
                FormatError::LoneBrace { brace: b, .. } => assert_eq!(b, brace, "{bad}"),
                FormatError::UnknownToken { .. } => assert_eq!(brace, '?', "{bad}"),
            }
        }
    }

    // spec R3: stem, suffix and extension fit in max_length characters
    #[test]
    fn candidates_are_capped() {
        let ext = ".md";
        assert_eq!(candidate("20240305 1 Hi", 0, ext, 120), "20240305 1 Hi.md");
        assert_eq!(
            candidate("20240305 1 Hi", 2, ext, 120),
            "20240305 1 Hi-2.md"
        );
        assert_eq!(candidate("abcdefgh", 0, ext, 8), "abcde.md");
        assert_eq!(candidate("abcdefgh", 1, ext, 8), "abc-1.md");
        assert_eq!(candidate("ééééé", 0, ext, 6), "ééé.md");
        assert_eq!(candidate("abc", 0, "", 2), "ab");
        assert_eq!(candidate("abc", 10, ext, 2), "-10.md");
    }
}
