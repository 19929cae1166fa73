//! Entry publication status (spec A10, A11, section 4 item 4).

use std::fmt;
use std::str::FromStr;

/// Publ's `PublishStatus`; the discriminants are the values stored in the
/// index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublishStatus {
    Draft = 0,
    Hidden = 1,
    Published = 2,
    Scheduled = 3,
    Gone = 4,
    Illegal = 5,
    Teapot = 6,
    Attachment = 7,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown entry status {0:?}")]
pub struct UnknownStatus(pub String);

impl PublishStatus {
    pub fn as_i64(self) -> i64 {
        self as i64
    }

    pub fn from_i64(value: i64) -> Option<Self> {
        use PublishStatus::*;
        Some(match value {
            0 => Draft,
            1 => Hidden,
            2 => Published,
            3 => Scheduled,
            4 => Gone,
            5 => Illegal,
            6 => Teapot,
            7 => Attachment,
            _ => return None,
        })
    }

    /// The canonical (first-declared) Python enum member name.
    pub fn name(self) -> &'static str {
        use PublishStatus::*;
        match self {
            Draft => "DRAFT",
            Hidden => "HIDDEN",
            Published => "PUBLISHED",
            Scheduled => "SCHEDULED",
            Gone => "GONE",
            Illegal => "ILLEGAL",
            Teapot => "TEAPOT",
            Attachment => "ATTACHMENT",
        }
    }

    /// Reachable by direct URL, aliases and category existence, whatever the
    /// date (spec section 4 item 4).
    pub fn is_visible(self) -> bool {
        use PublishStatus::*;
        matches!(self, Hidden | Published | Scheduled | Attachment)
    }
}

impl FromStr for PublishStatus {
    type Err = UnknownStatus;

    /// `PublishStatus[value.upper()]`: aliases accepted, surrounding
    /// whitespace is not (Publ does not strip the header value).
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        use PublishStatus::*;
        Ok(match value.to_uppercase().as_str() {
            "DRAFT" => Draft,
            "HIDDEN" | "UNLISTED" => Hidden,
            "PUBLISHED" => Published,
            "SCHEDULED" => Scheduled,
            "GONE" | "DELETED" => Gone,
            "ILLEGAL" | "BURNT" | "BURNED" | "DMCA" => Illegal,
            "TEAPOT" => Teapot,
            "ATTACHMENT" | "ATTACH" => Attachment,
            _ => return Err(UnknownStatus(value.to_string())),
        })
    }
}

impl fmt::Display for PublishStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PublishStatus::*;

    // spec A10
    #[test]
    fn names_and_aliases() {
        let cases = [
            ("draft", Draft),
            ("Hidden", Hidden),
            ("UNLISTED", Hidden),
            ("published", Published),
            ("scheduled", Scheduled),
            ("gone", Gone),
            ("Deleted", Gone),
            ("illegal", Illegal),
            ("burnt", Illegal),
            ("burned", Illegal),
            ("dmca", Illegal),
            ("teapot", Teapot),
            ("attachment", Attachment),
            ("attach", Attachment),
            // Python's upper() maps dotless i to I.
            ("publ\u{131}shed", Published),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<PublishStatus>(), Ok(want), "{text}");
        }
    }

    // spec A10: unknown values (including untrimmed ones) are errors
    #[test]
    fn unknown_status() {
        for text in ["", "public", "published ", " draft", "2"] {
            assert_eq!(
                text.parse::<PublishStatus>(),
                Err(UnknownStatus(text.to_string()))
            );
        }
    }

    // spec A10: numeric codes and canonical names
    #[test]
    fn codes_round_trip() {
        for code in 0..8 {
            let status = PublishStatus::from_i64(code).unwrap();
            assert_eq!(status.as_i64(), code);
            assert_eq!(status.name().parse::<PublishStatus>(), Ok(status));
        }
        assert_eq!(PublishStatus::from_i64(8), None);
        assert_eq!(PublishStatus::from_i64(-1), None);
        assert_eq!(Hidden.name(), "HIDDEN");
        assert_eq!(Illegal.to_string(), "ILLEGAL");
    }

    // spec A11, section 4 item 4
    #[test]
    fn visibility() {
        let visible: Vec<_> = (0..8)
            .filter_map(PublishStatus::from_i64)
            .filter(|s| s.is_visible())
            .collect();
        assert_eq!(visible, [Hidden, Published, Scheduled, Attachment]);
    }
}
