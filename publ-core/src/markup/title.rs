//! Entry and category titles (spec K13): inline Markdown, except a leading
//! run of digits, dots and spaces stays literal so `1. Foo` is no list.

use super::extensions::Extensions;
use super::html::plain_text;
use super::markdown::title_html;

fn split_number(title: &str) -> (&str, &str) {
    let end = title
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ' '))
        .unwrap_or(title.len());
    title.split_at(end)
}

/// The title as HTML.
pub fn html_title(title: &str, smartquotes: bool, extensions: Extensions) -> String {
    let (number, rest) = split_number(title);
    let mut out = crate::markup::html::escape(number).into_owned();
    if !rest.is_empty() {
        out.push_str(&title_html(rest, smartquotes, extensions));
    }
    out
}

/// The title as plain text (`markup=False`): tags stripped, `<del>`/`<s>`
/// contents dropped.
pub fn plain_title_with(title: &str, smartquotes: bool) -> String {
    plain_text(&html_title(title, smartquotes, Extensions::default()))
}

/// The plain title without smart quotes: the source of default slugs (A12).
pub fn plain_title(title: &str) -> String {
    plain_title_with(title, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_numbers_stay_literal() {
        // spec K13
        assert_eq!(
            html_title("1. *Foo*", true, Extensions::default()),
            "1. <em>Foo</em>"
        );
        assert_eq!(plain_title("Hello ~~cruel~~ *world*"), "Hello world");
        assert_eq!(plain_title("Tom & \"Jerry\""), "Tom & \"Jerry\"");
    }
}
