//! The RFC 2822 header block of entry and meta files (spec A2, A3, A22).
//!
//! Publ reads files with `email.message_from_file` on a text-mode file
//! (compat32 policy), so everything here reproduces what that combination
//! yields, quirks included: Python's universal newlines, the feed parser's
//! idea of where the header block ends, and compat32's raw header values.

/// Header fields in file order, keeping each name's original spelling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    fields: Vec<(String, String)>,
}

impl Headers {
    pub fn new() -> Self {
        Self::default()
    }

    /// First value of `name` (case-insensitive), like `msg[name]`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| same_name(k, name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name` in file order, like `msg.get_all(name, [])`.
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| same_name(k, name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.fields.iter().any(|(k, _)| same_name(k, name))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Adds a field at the end, like `msg[name] = value` (which never
    /// replaces).
    pub fn append(&mut self, name: &str, value: &str) {
        self.fields.push((name.to_string(), value.to_string()));
    }

    /// Publ's `del msg[name]; msg[name] = value`: every field of that name
    /// goes, and the new one lands at the end of the block.
    pub fn set_replacing(&mut self, name: &str, value: &str) {
        self.fields.retain(|(k, _)| !same_name(k, name));
        self.append(name, value);
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// Python compares `k.lower() == name.lower()`; parsed names are ASCII, but
/// a caller may ask with any string.
fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
        || (!(a.is_ascii() && b.is_ascii()) && a.to_lowercase() == b.to_lowercase())
}

/// A parsed file: its headers and everything Python calls the payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub headers: Headers,
    pub payload: String,
    /// Parsing discarded some of the text's lines, so writing the message
    /// back would lose them: the feed parser drops a leading `From ` line
    /// (taken as a Unix mbox envelope), later `From ` lines in the header
    /// block, lines starting with `:`, and continuation lines that follow
    /// no header.
    pub drops_text: bool,
}

/// Parses file contents exactly as Publ's `load_message` does. Never fails:
/// anything that is not a header simply ends up in the payload (or, for the
/// few shapes the feed parser discards, nowhere: see `Message::drops_text`).
pub fn parse_message(text: &str) -> Message {
    parse(text)
}

/// `f'{key}: {val}'` per header, a blank line, then the payload verbatim:
/// Publ's `save_file`, which avoids `str(msg)` so nothing gets MIME-folded.
pub fn serialize(headers: &Headers, payload: &str) -> String {
    let mut out = String::with_capacity(payload.len() + 64 * headers.len());
    for (name, value) in headers.iter() {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(payload);
    out
}

fn parse(text: &str) -> Message {
    let text = universal_newlines(text);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();

    // The header block runs up to the first line that is neither a header
    // nor a continuation; a blank terminator is consumed, anything else is
    // pushed back into the payload.
    let split = lines
        .iter()
        .position(|l| !is_header_line(l))
        .unwrap_or(lines.len());
    let header_lines = &lines[..split];
    let body_start = if lines.get(split) == Some(&"\n") {
        split + 1
    } else {
        split
    };

    let mut headers = Headers::new();
    let mut dropped = false;
    let mut pushed_back: Option<&str> = None;
    let mut current: Option<(&str, Vec<&str>)> = None;
    for (lineno, line) in header_lines.iter().enumerate() {
        if line.starts_with([' ', '\t']) {
            match current.as_mut() {
                Some((_, source)) => source.push(line),
                None => dropped = true,
            }
            continue;
        }
        if let Some((name, source)) = current.take() {
            headers.append(name, &field_value(&source));
        }
        if line.starts_with("From ") {
            if lineno + 1 == header_lines.len() && lineno != 0 {
                // The parser guesses a trailing `From ` line is the first
                // line of the body.
                pushed_back = Some(line);
            } else {
                dropped = true;
            }
            continue;
        }
        match line.find(':') {
            Some(colon) if colon > 0 => current = Some((&line[..colon], vec![line])),
            _ => dropped = true,
        }
    }
    if let Some((name, source)) = current {
        headers.append(name, &field_value(&source));
    }

    let mut payload = String::new();
    if let Some(line) = pushed_back {
        payload.push_str(line);
    }
    for line in &lines[body_start..] {
        payload.push_str(line);
    }
    Message {
        headers,
        payload,
        drops_text: dropped,
    }
}

/// Python's text-mode read turns `\r\n` and lone `\r` into `\n`.
fn universal_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The feed parser's `headerRE`: `^(From |[\041-\071\073-\176]*:|[\t ])`.
fn is_header_line(line: &str) -> bool {
    if line.starts_with("From ") || line.starts_with([' ', '\t']) {
        return true;
    }
    line.bytes()
        .find(|b| !matches!(b, 0x21..=0x39 | 0x3b..=0x7e))
        .is_some_and(|b| b == b':')
}

/// compat32 `header_source_parse`: the first line's value loses leading
/// blanks, continuation lines are kept raw (newlines and indentation
/// included), and only trailing line breaks are removed.
fn field_value(source: &[&str]) -> String {
    let Some((first, rest)) = source.split_first() else {
        return String::new();
    };
    let after_colon = first.split_once(':').map(|(_, v)| v).unwrap_or_default();
    let mut value = after_colon.trim_start_matches([' ', '\t']).to_string();
    for line in rest {
        value.push_str(line);
    }
    let kept = value.trim_end_matches(['\r', '\n']).len();
    value.truncate(kept);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drops_text(text: &str) -> bool {
        parse_message(text).drops_text
    }

    fn pairs(m: &Message) -> Vec<(&str, &str)> {
        m.headers.iter().collect()
    }

    // spec A2: the expected values below were produced by Python 3.11's
    // email.message_from_file on a text-mode file.
    #[test]
    fn simple_block() {
        let m = parse_message("Title: a\nDate: b\n\nbody\n");
        assert_eq!(pairs(&m), [("Title", "a"), ("Date", "b")]);
        assert_eq!(m.payload, "body\n");
    }

    // spec A2: a file beginning with a blank line has no headers
    #[test]
    fn leading_blank_line_means_no_headers() {
        let m = parse_message("\nTitle: a\n\nbody");
        assert!(m.headers.is_empty());
        assert_eq!(m.payload, "Title: a\n\nbody");
    }

    // spec A2: the first non-header line ends the block and stays in the payload
    #[test]
    fn first_non_header_line_belongs_to_payload() {
        let m = parse_message("Title: a\nnot a header\nmore\n");
        assert_eq!(pairs(&m), [("Title", "a")]);
        assert_eq!(m.payload, "not a header\nmore\n");

        let m = parse_message("Foo Bar: x\n\nbody");
        assert!(m.headers.is_empty());
        assert_eq!(m.payload, "Foo Bar: x\n\nbody");
    }

    // spec A2: continuation lines are kept raw in the value
    #[test]
    fn continuation_lines() {
        let m = parse_message("X: a\n  b\n\tc\n\npayload");
        assert_eq!(m.headers.get("x"), Some("a\n  b\n\tc"));
        assert_eq!(m.payload, "payload");

        let m = parse_message("X:  \n  b\n\n");
        assert_eq!(m.headers.get("X"), Some("\n  b"));

        // A blank-looking line of spaces is a continuation, not the separator.
        let m = parse_message("Title: x\n   \nbody");
        assert_eq!(m.headers.get("Title"), Some("x\n   "));
        assert_eq!(m.payload, "body");
    }

    // spec A2: no space after the colon, empty values, trailing blanks kept
    #[test]
    fn value_whitespace() {
        let m = parse_message("X:a\nY:\nZ:   \nStatus: published \n\nP");
        assert_eq!(
            pairs(&m),
            [("X", "a"), ("Y", ""), ("Z", ""), ("Status", "published ")]
        );
        assert_eq!(m.payload, "P");
    }

    // spec A2: CRLF and lone CR become LF, as Python's text-mode read does
    #[test]
    fn crlf_and_cr() {
        let m = parse_message("Title: a\r\nDate: b\r\n\r\nbody\r\nline2\r\n");
        assert_eq!(pairs(&m), [("Title", "a"), ("Date", "b")]);
        assert_eq!(m.payload, "body\nline2\n");

        let m = parse_message("X: a\r\n  b\r\n\r\nbody");
        assert_eq!(m.headers.get("X"), Some("a\n  b"));

        let m = parse_message("Title: a\rDate: b\r\rbody\r");
        assert_eq!(pairs(&m), [("Title", "a"), ("Date", "b")]);
        assert_eq!(m.payload, "body\n");
    }

    // spec A2: header-only files, empty files
    #[test]
    fn degenerate_files() {
        for text in ["Title: x", "Title: x\n"] {
            let m = parse_message(text);
            assert_eq!(pairs(&m), [("Title", "x")]);
            assert_eq!(m.payload, "");
        }
        for text in ["", "\n"] {
            assert_eq!(parse_message(text), Message::default());
        }
        let m = parse_message("no headers at all");
        assert!(m.headers.is_empty());
        assert_eq!(m.payload, "no headers at all");

        let m = parse_message("Title: x\n\n\nbody\n\n");
        assert_eq!(m.payload, "\nbody\n\n");
    }

    // spec A2: a UTF-8 BOM makes the first line a non-header
    #[test]
    fn bom_means_no_headers() {
        let m = parse_message("\u{feff}Title: x\n\nbody");
        assert!(m.headers.is_empty());
        assert_eq!(m.payload, "\u{feff}Title: x\n\nbody");
    }

    // spec A2: the feed parser's envelope and defect handling
    #[test]
    fn lines_the_parser_discards() {
        let text = "From here on\nbody line\n";
        let m = parse_message(text);
        assert!(m.headers.is_empty());
        assert_eq!(m.payload, "body line\n");
        assert!(drops_text(text));

        let m = parse_message("From me: hi\nTitle: x\n\nbody");
        assert_eq!(pairs(&m), [("Title", "x")]);

        let text = "Title: x\nFrom y\nZ: 1\n\nbody";
        assert_eq!(pairs(&parse_message(text)), [("Title", "x"), ("Z", "1")]);
        assert!(drops_text(text));

        let text = "   indented\nTitle: x\n\nbody";
        assert_eq!(pairs(&parse_message(text)), [("Title", "x")]);
        assert!(drops_text(text));

        let text = ":colon\n  cont\nTitle: x\n\nbody";
        let m = parse_message(text);
        assert_eq!(pairs(&m), [("Title", "x")]);
        assert_eq!(m.payload, "body");
        assert!(drops_text(text));
    }

    // spec A2: a `From ` line ending the block is pushed back into the body
    #[test]
    fn trailing_from_line_is_body() {
        let text = "Title: x\nFrom y\n\nbody";
        let m = parse_message(text);
        assert_eq!(pairs(&m), [("Title", "x")]);
        assert_eq!(m.payload, "From y\nbody");
        assert!(!drops_text(text));
    }

    // spec A2: header names are printable ASCII without ':' or space
    #[test]
    fn header_name_charset() {
        let m = parse_message("A~: x\n\nb");
        assert_eq!(pairs(&m), [("A~", "x")]);
        let m = parse_message("Tit\u{7f}le: x\n\nb");
        assert!(m.headers.is_empty());
        let m = parse_message("Titlé: x\n\nb");
        assert!(m.headers.is_empty());
    }

    // spec A3: case-insensitive lookup, repeated headers, original spelling
    #[test]
    fn lookup() {
        let m = parse_message("X: 1\nx: 2\nX: 3\nPath-Alias: /a\n\n");
        assert_eq!(m.headers.get("X"), Some("1"));
        assert_eq!(m.headers.get_all("x"), ["1", "2", "3"]);
        assert!(m.headers.contains("path-alias"));
        assert!(!m.headers.contains("Path"));
        assert_eq!(m.headers.get("Nope"), None);
        assert!(m.headers.get_all("Nope").is_empty());
        assert_eq!(m.headers.len(), 4);
        // Python's str.lower() folds KELVIN SIGN to 'k'.
        assert_eq!(parse_message("k: v\n\n").headers.get("\u{212a}"), Some("v"));
    }

    // spec A22: del msg[name]; msg[name] = value
    #[test]
    fn set_replacing_moves_to_end() {
        let mut m = parse_message("Date: bad\nTitle: t\ndate: also\nUUID: u\n\nbody");
        m.headers.set_replacing("Date", "2018-04-03 12:34:56+00:00");
        assert_eq!(
            pairs(&m),
            [
                ("Title", "t"),
                ("UUID", "u"),
                ("Date", "2018-04-03 12:34:56+00:00")
            ]
        );
        m.headers.set_replacing("Entry-ID", "12");
        assert_eq!(m.headers.iter().last(), Some(("Entry-ID", "12")));
    }

    // spec A22: save_file's output
    #[test]
    fn serialize_like_save_file() {
        let m = parse_message("Title: é ünïcode\nX:a\nY:\nZ: a\n  b\n\nbödy\n.....\nmore");
        assert_eq!(
            serialize(&m.headers, &m.payload),
            "Title: é ünïcode\nX: a\nY: \nZ: a\n  b\n\nbödy\n.....\nmore"
        );
        assert_eq!(serialize(&Headers::new(), "p"), "\np");
    }

    // spec A22: canonical files survive a parse/serialize round trip
    #[test]
    fn round_trip_is_identity_for_canonical_files() {
        for text in [
            "Title: a\nDate: 2018-04-03\n\nbody\n",
            "Title: x\nZ: a\n  b\n\tc\n\n\n\nbody",
            "\nno headers",
            "Title: x\n   \n\nbody",
        ] {
            let m = parse_message(text);
            assert_eq!(serialize(&m.headers, &m.payload), text);
            assert!(!drops_text(text));
        }
    }
}
