//! URL slugs and tag keys (spec A12, A19a, section 4 item 11).

use unicode_normalization::UnicodeNormalization;

/// Publ's `utils.slugify` with its defaults (`allow_unicode=True`,
/// `allow_spaces=False`). Publ passes no `max_length` for entry slugs and
/// tag keys, and 32 for heading anchors.
pub fn slugify(text: &str, max_length: Option<usize>, to_lower: bool) -> String {
    slugify_with(text, max_length, to_lower, false)
}

/// Publ's `utils.slugify(text, allow_spaces=True)`, which `publ normalize`
/// uses for file names (spec R3): spaces are kept as they are.
pub fn slugify_keeping_spaces(text: &str) -> String {
    slugify_with(text, None, false, true)
}

fn slugify_with(
    text: &str,
    max_length: Option<usize>,
    to_lower: bool,
    allow_spaces: bool,
) -> String {
    // Runs of the punctuation class and of spaces/hyphens both collapse to a
    // single '-' (Python does it in two passes; a merged run is the same).
    let mut slug = String::with_capacity(text.len());
    let mut in_run = false;
    for c in text.chars() {
        if (c == ' ' && !allow_spaces) || SEPARATORS.contains(c) {
            if !in_run {
                slug.push('-');
            }
            in_run = true;
        } else {
            slug.push(c);
            in_run = false;
        }
    }
    let mut slug = slug.trim_start_matches('-').to_string();
    if let Some(max) = max_length {
        if let Some((cut, _)) = slug.char_indices().nth(max) {
            slug.truncate(cut);
        }
    }
    strip_trailing_chaff(&mut slug);
    if to_lower {
        slug = casefold(&slug);
    }
    // Python ends with NFKC, so compatibility forms fold (`ﬁ` -> `fi`).
    slug.nfkc().collect()
}

/// The class in `re.sub(r'[\-/~!@#$%^&*()+`\[\]\\|{}:";\'<>?,]+', '-', text)`.
const SEPARATORS: &str = "-/~!@#$%^&*()+`[]\\|{}:\";'<>?,";

/// `re.sub(r'[.\-]+$', '', text)`: `$` also matches before a final newline,
/// so a run sitting there goes while the newline stays.
fn strip_trailing_chaff(slug: &mut String) {
    let newline = slug.ends_with('\n');
    let body = if newline {
        &slug[..slug.len() - 1]
    } else {
        slug.as_str()
    };
    let keep = body.trim_end_matches(['.', '-']).len();
    slug.replace_range(keep..body.len(), "");
}

/// Python's `str.casefold()`: full lowercasing plus the case-folding
/// differences in `FOLD_EXCEPTIONS` and Cherokee (which folds to upper case).
fn casefold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let cp = u32::from(c);
        let cherokee = match cp {
            0x13A0..=0x13F5 => Some(cp),
            0x13F8..=0x13FD => Some(cp - 8),
            0xAB70..=0xABBF => Some(cp - 0xAB70 + 0x13A0),
            _ => None,
        };
        if let Some(folded) = cherokee.and_then(char::from_u32) {
            out.push(folded);
        } else if let Ok(i) = FOLD_EXCEPTIONS.binary_search_by_key(&c, |&(k, _)| k) {
            out.push_str(FOLD_EXCEPTIONS[i].1);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Characters whose `casefold()` differs from `lower()` in Python 3.11
/// (Unicode 14), Cherokee excepted; sorted for binary search.
const FOLD_EXCEPTIONS: &[(char, &str)] = &[
    ('\u{b5}', "\u{3bc}"),
    ('\u{df}', "\u{73}\u{73}"),
    ('\u{149}', "\u{2bc}\u{6e}"),
    ('\u{17f}', "\u{73}"),
    ('\u{1f0}', "\u{6a}\u{30c}"),
    ('\u{345}', "\u{3b9}"),
    ('\u{390}', "\u{3b9}\u{308}\u{301}"),
    ('\u{3b0}', "\u{3c5}\u{308}\u{301}"),
    ('\u{3c2}', "\u{3c3}"),
    ('\u{3d0}', "\u{3b2}"),
    ('\u{3d1}', "\u{3b8}"),
    ('\u{3d5}', "\u{3c6}"),
    ('\u{3d6}', "\u{3c0}"),
    ('\u{3f0}', "\u{3ba}"),
    ('\u{3f1}', "\u{3c1}"),
    ('\u{3f5}', "\u{3b5}"),
    ('\u{587}', "\u{565}\u{582}"),
    ('\u{1c80}', "\u{432}"),
    ('\u{1c81}', "\u{434}"),
    ('\u{1c82}', "\u{43e}"),
    ('\u{1c83}', "\u{441}"),
    ('\u{1c84}', "\u{442}"),
    ('\u{1c85}', "\u{442}"),
    ('\u{1c86}', "\u{44a}"),
    ('\u{1c87}', "\u{463}"),
    ('\u{1c88}', "\u{a64b}"),
    ('\u{1e96}', "\u{68}\u{331}"),
    ('\u{1e97}', "\u{74}\u{308}"),
    ('\u{1e98}', "\u{77}\u{30a}"),
    ('\u{1e99}', "\u{79}\u{30a}"),
    ('\u{1e9a}', "\u{61}\u{2be}"),
    ('\u{1e9b}', "\u{1e61}"),
    ('\u{1e9e}', "\u{73}\u{73}"),
    ('\u{1f50}', "\u{3c5}\u{313}"),
    ('\u{1f52}', "\u{3c5}\u{313}\u{300}"),
    ('\u{1f54}', "\u{3c5}\u{313}\u{301}"),
    ('\u{1f56}', "\u{3c5}\u{313}\u{342}"),
    ('\u{1f80}', "\u{1f00}\u{3b9}"),
    ('\u{1f81}', "\u{1f01}\u{3b9}"),
    ('\u{1f82}', "\u{1f02}\u{3b9}"),
    ('\u{1f83}', "\u{1f03}\u{3b9}"),
    ('\u{1f84}', "\u{1f04}\u{3b9}"),
    ('\u{1f85}', "\u{1f05}\u{3b9}"),
    ('\u{1f86}', "\u{1f06}\u{3b9}"),
    ('\u{1f87}', "\u{1f07}\u{3b9}"),
    ('\u{1f88}', "\u{1f00}\u{3b9}"),
    ('\u{1f89}', "\u{1f01}\u{3b9}"),
    ('\u{1f8a}', "\u{1f02}\u{3b9}"),
    ('\u{1f8b}', "\u{1f03}\u{3b9}"),
    ('\u{1f8c}', "\u{1f04}\u{3b9}"),
    ('\u{1f8d}', "\u{1f05}\u{3b9}"),
    ('\u{1f8e}', "\u{1f06}\u{3b9}"),
    ('\u{1f8f}', "\u{1f07}\u{3b9}"),
    ('\u{1f90}', "\u{1f20}\u{3b9}"),
    ('\u{1f91}', "\u{1f21}\u{3b9}"),
    ('\u{1f92}', "\u{1f22}\u{3b9}"),
    ('\u{1f93}', "\u{1f23}\u{3b9}"),
    ('\u{1f94}', "\u{1f24}\u{3b9}"),
    ('\u{1f95}', "\u{1f25}\u{3b9}"),
    ('\u{1f96}', "\u{1f26}\u{3b9}"),
    ('\u{1f97}', "\u{1f27}\u{3b9}"),
    ('\u{1f98}', "\u{1f20}\u{3b9}"),
    ('\u{1f99}', "\u{1f21}\u{3b9}"),
    ('\u{1f9a}', "\u{1f22}\u{3b9}"),
    ('\u{1f9b}', "\u{1f23}\u{3b9}"),
    ('\u{1f9c}', "\u{1f24}\u{3b9}"),
    ('\u{1f9d}', "\u{1f25}\u{3b9}"),
    ('\u{1f9e}', "\u{1f26}\u{3b9}"),
    ('\u{1f9f}', "\u{1f27}\u{3b9}"),
    ('\u{1fa0}', "\u{1f60}\u{3b9}"),
    ('\u{1fa1}', "\u{1f61}\u{3b9}"),
    ('\u{1fa2}', "\u{1f62}\u{3b9}"),
    ('\u{1fa3}', "\u{1f63}\u{3b9}"),
    ('\u{1fa4}', "\u{1f64}\u{3b9}"),
    ('\u{1fa5}', "\u{1f65}\u{3b9}"),
    ('\u{1fa6}', "\u{1f66}\u{3b9}"),
    ('\u{1fa7}', "\u{1f67}\u{3b9}"),
    ('\u{1fa8}', "\u{1f60}\u{3b9}"),
    ('\u{1fa9}', "\u{1f61}\u{3b9}"),
    ('\u{1faa}', "\u{1f62}\u{3b9}"),
    ('\u{1fab}', "\u{1f63}\u{3b9}"),
    ('\u{1fac}', "\u{1f64}\u{3b9}"),
    ('\u{1fad}', "\u{1f65}\u{3b9}"),
    ('\u{1fae}', "\u{1f66}\u{3b9}"),
    ('\u{1faf}', "\u{1f67}\u{3b9}"),
    ('\u{1fb2}', "\u{1f70}\u{3b9}"),
    ('\u{1fb3}', "\u{3b1}\u{3b9}"),
    ('\u{1fb4}', "\u{3ac}\u{3b9}"),
    ('\u{1fb6}', "\u{3b1}\u{342}"),
    ('\u{1fb7}', "\u{3b1}\u{342}\u{3b9}"),
    ('\u{1fbc}', "\u{3b1}\u{3b9}"),
    ('\u{1fbe}', "\u{3b9}"),
    ('\u{1fc2}', "\u{1f74}\u{3b9}"),
    ('\u{1fc3}', "\u{3b7}\u{3b9}"),
    ('\u{1fc4}', "\u{3ae}\u{3b9}"),
    ('\u{1fc6}', "\u{3b7}\u{342}"),
    ('\u{1fc7}', "\u{3b7}\u{342}\u{3b9}"),
    ('\u{1fcc}', "\u{3b7}\u{3b9}"),
    ('\u{1fd2}', "\u{3b9}\u{308}\u{300}"),
    ('\u{1fd3}', "\u{3b9}\u{308}\u{301}"),
    ('\u{1fd6}', "\u{3b9}\u{342}"),
    ('\u{1fd7}', "\u{3b9}\u{308}\u{342}"),
    ('\u{1fe2}', "\u{3c5}\u{308}\u{300}"),
    ('\u{1fe3}', "\u{3c5}\u{308}\u{301}"),
    ('\u{1fe4}', "\u{3c1}\u{313}"),
    ('\u{1fe6}', "\u{3c5}\u{342}"),
    ('\u{1fe7}', "\u{3c5}\u{308}\u{342}"),
    ('\u{1ff2}', "\u{1f7c}\u{3b9}"),
    ('\u{1ff3}', "\u{3c9}\u{3b9}"),
    ('\u{1ff4}', "\u{3ce}\u{3b9}"),
    ('\u{1ff6}', "\u{3c9}\u{342}"),
    ('\u{1ff7}', "\u{3c9}\u{342}\u{3b9}"),
    ('\u{1ffc}', "\u{3c9}\u{3b9}"),
    ('\u{fb00}', "\u{66}\u{66}"),
    ('\u{fb01}', "\u{66}\u{69}"),
    ('\u{fb02}', "\u{66}\u{6c}"),
    ('\u{fb03}', "\u{66}\u{66}\u{69}"),
    ('\u{fb04}', "\u{66}\u{66}\u{6c}"),
    ('\u{fb05}', "\u{73}\u{74}"),
    ('\u{fb06}', "\u{73}\u{74}"),
    ('\u{fb13}', "\u{574}\u{576}"),
    ('\u{fb14}', "\u{574}\u{565}"),
    ('\u{fb15}', "\u{574}\u{56b}"),
    ('\u{fb16}', "\u{57e}\u{576}"),
    ('\u{fb17}', "\u{574}\u{56d}"),
];

#[cfg(test)]
mod tests {
    use super::*;

    // spec A12, section 4 item 11: expectations from Publ's utils.slugify
    #[test]
    fn matches_publ() {
        let cases = [
            ("Hello, World!", "Hello-World"),
            ("  --leading and trailing--  ", "leading-and-trailing"),
            ("a - b -- c", "a-b-c"),
            ("what? the... end.", "what-the...-end"),
            ("emoji 🎉 party", "emoji-🎉-party"),
            ("Ünïcödé Tîtle", "Ünïcödé-Tîtle"),
            ("tab\tstays", "tab\tstays"),
            ("under_score.and.dots", "under_score.and.dots"),
            ("a/b\\c|d", "a-b-c-d"),
            ("=equals= & ampersand", "=equals=-ampersand"),
            ("", ""),
            ("!!!", ""),
            ("trailing.-.", "trailing"),
            ("line\nbreak-", "line\nbreak"),
            ("end-.\n", "end\n"),
        ];
        for (text, want) in cases {
            assert_eq!(slugify(text, None, false), want, "{text:?}");
        }
    }

    // section 4 item 10: heading anchors truncate to 32 characters
    #[test]
    fn truncation_counts_characters() {
        assert_eq!(
            slugify("a long heading - with a dash at 32!", Some(32), false),
            "a-long-heading-with-a-dash-at-32"
        );
        assert_eq!(slugify("ééééé-x", Some(6), false), "ééééé");
        assert_eq!(slugify("abc", Some(0), false), "");
        assert_eq!(slugify("abc", Some(10), false), "abc");
    }

    // spec A19a: tag keys casefold
    #[test]
    fn tag_keys_casefold() {
        let cases = [
            ("Straße", "strasse"),
            ("STRASSE", "strasse"),
            ("ΣΊΣΥΦΟΣ", "σίσυφοσ"),
            ("ﬁsh", "fish"),
            ("İstanbul", "i\u{307}stanbul"),
            ("Ꮳ Ꭰ ꮳ", "Ꮳ-Ꭰ-Ꮳ"),
            ("Emoji 🎉 Tag", "emoji-🎉-tag"),
            ("µ", "μ"),
        ];
        for (text, want) in cases {
            assert_eq!(slugify(text, None, true), want, "{text:?}");
        }
    }

    // spec R3: file names keep their spaces; only the punctuation class
    // turns into '-'
    #[test]
    fn keeping_spaces_matches_publ() {
        let cases = [
            ("Hello, World!", "Hello- World"),
            ("a - b -- c", "a - b - c"),
            ("  two  spaces  ", "  two  spaces  "),
            ("-- lead/and: trail?.", " lead-and- trail"),
            ("What's up?", "What-s up"),
            ("ﬁle ｎａｍｅ", "file name"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(slugify_keeping_spaces(text), want, "{text:?}");
        }
    }

    // spec section 4 item 11: Python finishes with NFKC
    #[test]
    fn compatibility_forms_fold() {
        assert_eq!(slugify("ﬁsh ｆｕｌｌ", None, false), "fish-full");
    }

    #[test]
    fn fold_table_is_sorted() {
        assert!(FOLD_EXCEPTIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
