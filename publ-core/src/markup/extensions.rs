//! Publ's Markdown extensions (spec K1, K2): Misaka's names, chosen per
//! site (`markdown_extensions` in the config) and per call.

use pulldown_cmark::Options;

/// Which of Hoedown's extensions are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extensions {
    pub tables: bool,
    pub fenced_code: bool,
    pub footnotes: bool,
    pub autolink: bool,
    pub strikethrough: bool,
    pub underline: bool,
    pub highlight: bool,
    pub quote: bool,
    pub superscript: bool,
    pub math: bool,
    pub no_intra_emphasis: bool,
    pub space_headers: bool,
    pub math_explicit: bool,
    pub disable_indented_code: bool,
}

/// Publ's default `markdown_extensions`.
pub const DEFAULT_NAMES: &[&str] = &[
    "tables",
    "fenced-code",
    "footnotes",
    "strikethrough",
    "highlight",
    "superscript",
    "math",
];

impl Default for Extensions {
    fn default() -> Self {
        Extensions::from_names(DEFAULT_NAMES)
    }
}

impl Extensions {
    /// From Misaka's extension names; unknown names are logged and skipped.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Extensions {
        let mut ext = Extensions {
            tables: false,
            fenced_code: false,
            footnotes: false,
            autolink: false,
            strikethrough: false,
            underline: false,
            highlight: false,
            quote: false,
            superscript: false,
            math: false,
            no_intra_emphasis: false,
            space_headers: false,
            math_explicit: false,
            disable_indented_code: false,
        };
        for name in names {
            let flag = match name.as_ref() {
                "tables" => &mut ext.tables,
                "fenced-code" => &mut ext.fenced_code,
                "footnotes" => &mut ext.footnotes,
                "autolink" => &mut ext.autolink,
                "strikethrough" => &mut ext.strikethrough,
                "underline" => &mut ext.underline,
                "highlight" => &mut ext.highlight,
                "quote" => &mut ext.quote,
                "superscript" => &mut ext.superscript,
                "math" => &mut ext.math,
                "no-intra-emphasis" => &mut ext.no_intra_emphasis,
                "space-headers" => &mut ext.space_headers,
                "math-explicit" => &mut ext.math_explicit,
                "disable-indented-code" => &mut ext.disable_indented_code,
                other => {
                    tracing::warn!(extension = other, "unknown Markdown extension ignored");
                    continue;
                }
            };
            *flag = true;
        }
        ext
    }

    /// What pulldown-cmark parses itself; the rest are transforms of its
    /// input or its events.
    pub(super) fn parser_options(&self) -> Options {
        let mut options = Options::empty();
        for (on, option) in [
            (self.tables, Options::ENABLE_TABLES),
            (self.footnotes, Options::ENABLE_FOOTNOTES),
            (self.strikethrough, Options::ENABLE_STRIKETHROUGH),
            (self.math, Options::ENABLE_MATH),
        ] {
            if on {
                options |= option;
            }
        }
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_publs_set() {
        // spec K1
        let ext = Extensions::default();
        assert!(ext.tables && ext.fenced_code && ext.footnotes && ext.strikethrough);
        assert!(ext.highlight && ext.superscript && ext.math);
        assert!(!ext.autolink && !ext.no_intra_emphasis && !ext.underline && !ext.quote);
        assert!(!ext.space_headers && !ext.math_explicit && !ext.disable_indented_code);
    }

    #[test]
    fn names_as_misaka_spells_them() {
        let ext = Extensions::from_names(&["autolink", "no-intra-emphasis", "bogus"]);
        assert!(ext.autolink && ext.no_intra_emphasis && !ext.tables);
    }
}
