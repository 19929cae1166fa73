//! HTML compared as a document, by the rules of the compat tool
//! (`tools/compat/compat.py`: `Normaliser.html`, `_Tree`, `clean`,
//! `attrs`, `sort_query`), so that a test says "same" exactly when
//! compat.py does.
//!
//! [`normalize`] turns a page into compat.py's line-per-node form:
//!
//! * the page is tokenized as Python 3.11's `html.parser.HTMLParser` does
//!   (with `convert_charrefs=True`): tags and attribute names lowercased,
//!   attribute values unquoted and entity-decoded, text entity-decoded as
//!   `html.unescape` does (named entities, with or without the `;` for the
//!   legacy ones, `&#NNN;`/`&#xHHH;`, the windows-1252 remapping of
//!   `&#128;`..`&#159;`), `<script>`/`<style>` content taken raw up to
//!   their end tag;
//! * the tree is the forgiving one of `_Tree`: every start tag opens an
//!   element except the void ones (`<br>`, `<hr>`, `<img>`, ...) and
//!   self-closed ones (`<x/>`); an end tag closes the innermost open
//!   element of that name (and everything inside it), or is ignored when
//!   none is open. Nothing is closed implicitly;
//! * comments, processing instructions and `<![CDATA[...]]>` sections are
//!   dropped; `<!doctype ...>` is a node of its own;
//! * every text chunk has its whitespace collapsed (Python's `str.split()`,
//!   so U+00A0 `&nbsp;` counts as whitespace) - in `<pre>` too -, empty
//!   chunks are dropped and a chunk that follows another in the same
//!   element (e.g. across a comment) is joined to it with one space;
//! * attributes are sorted by name (then value), their values collapsed the
//!   same way; the query parameters of `href`/`src`/`action` are sorted;
//! * image rendition URLs (`/static/_img/...`, `/_img/...`, with or without
//!   `http(s)://host`) become `{IMAGE-RENDITION}`, `/_file/...` URLs
//!   `{FILE-ASSET}` (compat.py's defaults: `static_url_path = "/static"`,
//!   `image_output_subdir = "_img"`).
//!
//! Each node is one line, indented one space per level: `<tag a="v">` for
//! an element (no end tags), `| text` for text.
//!
//! compat.py's `--code-text` option (highlighted code compared by text
//! only) is not applied, as compat.py does not apply it by default.
//!
//! The parser follows the `html.parser` of Python 3.11 (the oracle's and
//! compat.py's Python; later versions changed how some malformed markup is
//! read). It was checked against compat.py's `Normaliser.html` on the
//! golden pages and on randomly assembled malformed markup. Known gaps:
//! named entities beyond HTML 4 (and `&apos;`) are left as they are, where
//! Python knows all of HTML 5's; compat.py fails outright on a tag that
//! repeats an attribute with and without a value, which sorts here.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Elements that never hold content (compat.py's `VOID`).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Attributes whose value is a URL (compat.py's `URL_ATTRS`).
const URL_ATTRS: &[&str] = &["href", "src", "action"];

/// The canonical form of an HTML page or fragment: one line per node, see
/// the module documentation. Two bodies give the same string exactly when
/// compat.py's `Normaliser.html` gives them the same lines (compat.py also
/// compares the content type, which is not part of the body).
pub fn normalize(html: &str) -> String {
    let mut tree = Tree::new();
    Parser {
        raw: html,
        cdata: None,
    }
    .run(&mut tree);
    tree.lines.join("\n")
}

// ---------------------------------------------------------------------------
// The tree (compat.py's `_Tree`), written out line by line as it grows
// ---------------------------------------------------------------------------

/// An open element: its tag, the indentation of its children and the line
/// of its last child if that child is text (the next text joins it).
struct Open {
    tag: String,
    depth: usize,
    last_text: Option<usize>,
}

/// The dump of compat.py's tree, built while parsing: a node's line is
/// written when the node is added, which is its place in the pre-order
/// dump, since nodes are only ever added to the innermost open element.
struct Tree {
    lines: Vec<String>,
    stack: Vec<Open>,
}

impl Tree {
    fn new() -> Self {
        Tree {
            lines: Vec::new(),
            stack: vec![Open {
                tag: "#document".into(),
                depth: 0,
                last_text: None,
            }],
        }
    }

    fn top(&mut self) -> &mut Open {
        self.stack.last_mut().expect("the document is always open")
    }

    /// An element (or declaration) node; `open` pushes it on the stack.
    fn element(&mut self, tag: String, attrs: String, open: bool) {
        let depth = self.top().depth;
        self.top().last_text = None;
        self.lines
            .push(format!("{}<{tag}{attrs}>", " ".repeat(depth)));
        if open {
            self.stack.push(Open {
                tag,
                depth: depth + 1,
                last_text: None,
            });
        }
    }

    fn start_tag(&mut self, tag: String, attrs: &mut [(String, Option<String>)], closed: bool) {
        let open = !closed && !VOID.contains(&tag.as_str());
        self.element(tag, format_attrs(attrs), open);
    }

    fn end_tag(&mut self, tag: &str) {
        if let Some(i) = (1..self.stack.len())
            .rev()
            .find(|&i| self.stack[i].tag == tag)
        {
            self.stack.truncate(i);
        }
    }

    fn data(&mut self, data: &str) {
        let text = clean(data);
        if text.is_empty() {
            return;
        }
        let depth = self.top().depth;
        match self.top().last_text {
            Some(line) => {
                self.lines[line].push(' ');
                self.lines[line].push_str(&text);
            }
            None => {
                self.lines.push(format!("{}| {text}", " ".repeat(depth)));
                let line = self.lines.len() - 1;
                self.top().last_text = Some(line);
            }
        }
    }

    fn decl(&mut self, decl: &str) {
        let words: Vec<&str> = decl.split(is_py_space).filter(|w| !w.is_empty()).collect();
        let tag = format!("!{}", words.join(" ").to_lowercase());
        self.element(tag, String::new(), false);
    }
}

/// ` name="value"` for each attribute, sorted as Python sorts the
/// `(name, value)` pairs.
fn format_attrs(attrs: &mut [(String, Option<String>)]) -> String {
    attrs.sort();
    let mut out = String::new();
    for (name, value) in attrs.iter() {
        let value = value.as_deref().unwrap_or("");
        let value = if URL_ATTRS.contains(&name.as_str()) {
            clean(&sort_query(value))
        } else {
            clean(value)
        };
        out.push_str(&format!(" {name}=\"{value}\""));
    }
    out
}

/// compat.py's `sort_query`: `?b=1&a=2` -> `?a=2&b=1`.
fn sort_query(url: &str) -> String {
    let Some((base, rest)) = url.split_once('?') else {
        return url.to_string();
    };
    let (query, frag) = match rest.split_once('#') {
        Some((query, frag)) => (query, Some(frag)),
        None => (rest, None),
    };
    let mut params: Vec<&str> = query.split('&').collect();
    params.sort();
    let mut out = format!("{base}?{}", params.join("&"));
    if let Some(frag) = frag {
        out.push('#');
        out.push_str(frag);
    }
    out
}

/// compat.py's `clean`: whitespace collapsed, rendition and file URLs
/// replaced by placeholders.
fn clean(text: &str) -> String {
    let words: Vec<&str> = text.split(is_py_space).filter(|w| !w.is_empty()).collect();
    replace_asset_urls(&words.join(" "))
}

/// compat.py's `url_re.sub(...)`: every match of
/// `(?:https?://[^/\s"'<>]*)?(?:(/static/_img/|/_img/)|/_file/)[^\s"'<>,)]*`
/// replaced by `{IMAGE-RENDITION}` (group 1 matched) or `{FILE-ASSET}`.
fn replace_asset_urls(text: &str) -> String {
    const PREFIXES: [(&str, &str); 3] = [
        ("/static/_img/", "{IMAGE-RENDITION}"),
        ("/_img/", "{IMAGE-RENDITION}"),
        ("/_file/", "{FILE-ASSET}"),
    ];
    // The placeholder and the end of the URL if one starts at `p`; the
    // host part cannot hold a `/`, so it never needs to give one back.
    let url_at = |p: usize| -> Option<(&str, usize)> {
        let rest = &text[p..];
        let mut q = p;
        if let Some(after) = rest
            .strip_prefix("http://")
            .or_else(|| rest.strip_prefix("https://"))
        {
            q = skip_while(text, text.len() - after.len(), |c| {
                !(c == '/' || is_py_space(c) || matches!(c, '"' | '\'' | '<' | '>'))
            });
            if !PREFIXES
                .iter()
                .any(|(prefix, _)| text[q..].starts_with(prefix))
            {
                q = p;
            }
        }
        let (prefix, placeholder) = PREFIXES
            .iter()
            .find(|(prefix, _)| text[q..].starts_with(prefix))?;
        let end = skip_while(text, q + prefix.len(), |c| {
            !(is_py_space(c) || matches!(c, '"' | '\'' | '<' | '>' | ',' | ')'))
        });
        Some((placeholder, end))
    };
    let mut out = String::new();
    let mut done = 0;
    let mut p = 0;
    while p < text.len() {
        match url_at(p) {
            Some((placeholder, end)) => {
                out.push_str(&text[done..p]);
                out.push_str(placeholder);
                done = end;
                p = end;
            }
            None => p += text[p..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out.push_str(&text[done..]);
    out
}

/// Python's `str.isspace()` (what `str.split()` and `\s` split on): Rust's
/// `char::is_whitespace` plus the four ASCII separators U+001C..U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

// ---------------------------------------------------------------------------
// The tokenizer (Python 3.11's html.parser.HTMLParser.goahead, end=True)
// ---------------------------------------------------------------------------

struct Parser<'a> {
    raw: &'a str,
    /// Inside `<script>` or `<style>`: the element whose end tag ends it.
    cdata: Option<String>,
}

impl Parser<'_> {
    fn run(&mut self, tree: &mut Tree) {
        let raw = self.raw;
        let n = raw.len();
        let mut i = 0;
        while i < n {
            if let Some(elem) = self.cdata.take() {
                // Raw text up to `</\s*elem\s*>`; without one, the rest of
                // the page is dropped (as HTMLParser does).
                let Some((j, end)) = find_end_tag(raw, i, &elem) else {
                    return;
                };
                if i < j {
                    tree.data(&raw[i..j]);
                }
                tree.end_tag(&elem);
                i = end;
                continue;
            }
            let j = raw[i..].find('<').map_or(n, |p| i + p);
            if i < j {
                tree.data(&unescape(&raw[i..j]));
            }
            i = j;
            if i == n {
                break;
            }
            let rest = &raw[i..];
            let next = rest.as_bytes().get(1).copied();
            let k = if next.is_some_and(|b| b.is_ascii_alphabetic()) {
                self.start_tag(i, tree)
            } else if rest.starts_with("</") {
                end_tag(raw, i, tree)
            } else if rest.starts_with("<!--") {
                comment_end(raw, i + 4)
            } else if rest.starts_with("<?") {
                raw[i + 2..].find('>').map(|p| i + 2 + p + 1)
            } else if rest.starts_with("<!") {
                declaration(raw, i, tree)
            } else if i + 1 < n {
                tree.data("<");
                Some(i + 1)
            } else {
                break;
            };
            i = match k {
                Some(k) => k,
                None => {
                    // Not terminated: up to the next `>` (or `<`) is text.
                    let k = match raw[i + 1..].find('>') {
                        Some(p) => i + 1 + p + 1,
                        None => raw[i + 1..].find('<').map_or(i + 1, |p| i + 1 + p),
                    };
                    tree.data(&unescape(&raw[i..k]));
                    k
                }
            };
        }
        if i < n && self.cdata.is_none() {
            tree.data(&unescape(&raw[i..]));
        }
    }

    /// `<tag attr=value ...>` at `i`; the end of what was consumed, or
    /// `None` if the tag is not terminated.
    fn start_tag(&mut self, i: usize, tree: &mut Tree) -> Option<usize> {
        let raw = self.raw;
        let b = raw.as_bytes();
        let mut p = name_end(b, i + 1);
        let tag = raw[i + 1..p].to_lowercase();
        p = skip_space_slash(raw, p);
        let mut attrs = Vec::new();
        while let Some(c) = raw[p..].chars().next() {
            // attrfind_tolerant: a name starts after a quote, space or `/`
            let prev = raw[..p].chars().next_back().unwrap_or('<');
            if is_py_space(c) || c == '/' || c == '>' {
                break;
            }
            if !(prev == '"' || prev == '\'' || prev == '/' || is_py_space(prev)) {
                break;
            }
            let start = p;
            p += c.len_utf8();
            p = skip_while(raw, p, |c| {
                !(is_py_space(c) || matches!(c, '/' | '=' | '>'))
            });
            let name = raw[start..p].to_lowercase();
            let mut value = None;
            let q = skip_while(raw, p, is_py_space);
            if b.get(q) == Some(&b'=') {
                // `\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*)`, backtracking
                // as the regex does when a quote is not closed.
                let eq_end = skip_while(raw, q, |c| c == '=');
                let v = skip_while(raw, eq_end, is_py_space);
                let bare = |from: usize| skip_while(raw, from, |c| !(c == '>' || is_py_space(c)));
                match b.get(v) {
                    Some(&quote @ (b'"' | b'\'')) => {
                        if let Some(len) = raw[v + 1..].find(quote as char) {
                            value = Some(&raw[v + 1..v + 1 + len]);
                            p = v + 1 + len + 1;
                        } else if v > eq_end {
                            // an empty bare value before the last space
                            value = Some("");
                            p = v;
                        } else if eq_end - q >= 2 {
                            // a bare value starting with the last `=`
                            let end = bare(eq_end - 1);
                            value = Some(&raw[eq_end - 1..end]);
                            p = end;
                        }
                    }
                    _ => {
                        let end = bare(v);
                        value = Some(&raw[v..end]);
                        p = end;
                    }
                }
            }
            p = skip_space_slash(raw, p);
            let value = value.map(|v| {
                if v.is_empty() {
                    String::new()
                } else {
                    unescape(v)
                }
            });
            attrs.push((name, value));
        }
        let rest = &raw[p..];
        if rest.starts_with('>') || rest.starts_with("/>") {
            let closed = rest.starts_with('/');
            let is_cdata = !closed && (tag == "script" || tag == "style");
            if is_cdata {
                self.cdata = Some(tag.clone());
            }
            tree.start_tag(tag, &mut attrs, closed);
            return Some(p + if closed { 2 } else { 1 });
        }
        match rest.chars().next() {
            None => None,
            Some(c) if c.is_ascii_alphabetic() || c == '=' || c == '/' => None,
            Some(_) => {
                // Not a tag after all: its text, undecoded.
                let end = p.max(i + 1);
                tree.data(&raw[i..end]);
                Some(end)
            }
        }
    }
}

/// `</tag>` at `i` (not in `<script>`/`<style>`).
fn end_tag(raw: &str, i: usize, tree: &mut Tree) -> Option<usize> {
    let b = raw.as_bytes();
    let n = raw.len();
    raw[i + 1..].find('>')?;
    // endtagfind: </\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>
    let p = skip_while(raw, i + 2, is_py_space);
    if p < n && b[p].is_ascii_alphabetic() {
        let q = skip_while(raw, p + 1, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_')
        });
        let r = skip_while(raw, q, is_py_space);
        if b.get(r) == Some(&b'>') {
            tree.end_tag(&raw[p..q].to_lowercase());
            return Some(r + 1);
        }
    }
    // tagfind_tolerant at i + 2
    if i + 2 < n && b[i + 2].is_ascii_alphabetic() {
        let q = name_end(b, i + 2);
        tree.end_tag(&raw[i + 2..q].to_lowercase());
        let q = skip_space_slash(raw, q);
        return raw[q..].find('>').map(|p| q + p + 1);
    }
    if raw[i..].starts_with("</>") {
        return Some(i + 3);
    }
    // a bogus comment
    raw[i + 2..].find('>').map(|p| i + 2 + p + 1)
}

/// The end of a comment whose text starts at `from` (`--\s*>`).
fn comment_end(raw: &str, from: usize) -> Option<usize> {
    let mut p = from;
    loop {
        p += raw[p..].find("--")?;
        let q = skip_while(raw, p + 2, is_py_space);
        if raw[q..].starts_with('>') {
            return Some(q + 1);
        }
        p += 1;
    }
}

/// `<!doctype ...>`, `<![CDATA[...]]>` (dropped) or a bogus comment
/// `<!...>` (dropped) at `i`.
fn declaration(raw: &str, i: usize, tree: &mut Tree) -> Option<usize> {
    let rest = &raw[i..];
    if rest.len() >= 9 && rest.is_char_boundary(9) && rest[..9].eq_ignore_ascii_case("<!doctype") {
        let gt = i + 9 + raw[i + 9..].find('>')?;
        tree.decl(&raw[i + 2..gt]);
        return Some(gt + 1);
    }
    if rest.starts_with("<![") {
        let name_end = skip_while(raw, i + 3, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
        });
        let name = raw[i + 3..name_end].to_ascii_lowercase();
        // `]\s*]\s*>` for CDATA and the like, `]\s*>` for MS Office's
        let brackets = if matches!(name.as_str(), "if" | "else" | "endif") {
            1
        } else {
            2
        };
        let mut p = i + 3;
        loop {
            p += raw[p..].find(']')?;
            let mut q = p;
            let mut ok = true;
            for _ in 0..brackets {
                q = skip_while(raw, q, is_py_space);
                if raw[q..].starts_with(']') {
                    q += 1;
                } else {
                    ok = false;
                    break;
                }
            }
            let q = skip_while(raw, q, is_py_space);
            if ok && raw[q..].starts_with('>') {
                return Some(q + 1);
            }
            p += 1;
        }
    }
    raw[i + 2..].find('>').map(|p| i + 2 + p + 1)
}

/// The start and end of the first `</\s*elem\s*>` (ASCII case-insensitive)
/// at or after `from`.
fn find_end_tag(raw: &str, from: usize, elem: &str) -> Option<(usize, usize)> {
    let mut p = from;
    loop {
        p += raw[p..].find("</")?;
        let q = skip_while(raw, p + 2, is_py_space);
        let r = q + elem.len();
        if raw.len() >= r && raw.is_char_boundary(r) && raw[q..r].eq_ignore_ascii_case(elem) {
            let r = skip_while(raw, r, is_py_space);
            if raw[r..].starts_with('>') {
                return Some((p, r + 1));
            }
        }
        p += 2;
    }
}

fn skip_while(raw: &str, from: usize, keep: impl Fn(char) -> bool) -> usize {
    raw[from..]
        .char_indices()
        .find(|&(_, c)| !keep(c))
        .map_or(raw.len(), |(p, _)| from + p)
}

/// `(?:\s|/(?!>))*`
fn skip_space_slash(raw: &str, mut p: usize) -> usize {
    loop {
        let q = skip_while(raw, p, is_py_space);
        if raw[q..].starts_with('/') && !raw[q + 1..].starts_with('>') {
            p = q + 1;
        } else {
            return q;
        }
    }
}

// ---------------------------------------------------------------------------
// Character references (Python's html.unescape)
// ---------------------------------------------------------------------------

/// The HTML 4 entities, `&apos;` and the upper-case legacy spellings, as
/// `name=value` with the values of Python's `html.entities.html5` (so
/// `&lang;` is U+27E8); `*` marks the legacy ones, also decoded without
/// their `;`. Python knows all of HTML 5's; the others do not occur in
/// Publ's pages or ours.
const ENTITIES: &str = "\
    AElig*=Æ AMP*=& Aacute*=Á Acirc*=Â Agrave*=À Alpha=Α Aring*=Å Atilde*=Ã Auml*=Ä \
    Beta=Β COPY*=© Ccedil*=Ç Chi=Χ Dagger=‡ Delta=Δ ETH*=Ð Eacute*=É Ecirc*=Ê Egrave*=È \
    Epsilon=Ε Eta=Η Euml*=Ë GT*=> Gamma=Γ Iacute*=Í Icirc*=Î Igrave*=Ì Iota=Ι Iuml*=Ï \
    Kappa=Κ LT*=< Lambda=Λ Mu=Μ Ntilde*=Ñ Nu=Ν OElig=Œ Oacute*=Ó Ocirc*=Ô Ograve*=Ò \
    Omega=Ω Omicron=Ο Oslash*=Ø Otilde*=Õ Ouml*=Ö Phi=Φ Pi=Π Prime=″ Psi=Ψ QUOT*=\u{22} \
    REG*=® Rho=Ρ Scaron=Š Sigma=Σ THORN*=Þ Tau=Τ Theta=Θ Uacute*=Ú Ucirc*=Û Ugrave*=Ù \
    Upsilon=Υ Uuml*=Ü Xi=Ξ Yacute*=Ý Yuml=Ÿ Zeta=Ζ aacute*=á acirc*=â acute*=´ aelig*=æ \
    agrave*=à alefsym=ℵ alpha=α amp*=& and=∧ ang=∠ apos=' aring*=å asymp=≈ atilde*=ã \
    auml*=ä bdquo=„ beta=β brvbar*=¦ bull=• cap=∩ ccedil*=ç cedil*=¸ cent*=¢ chi=χ circ=ˆ \
    clubs=♣ cong=≅ copy*=© crarr=↵ cup=∪ curren*=¤ dArr=⇓ dagger=† darr=↓ deg*=° delta=δ \
    diams=♦ divide*=÷ eacute*=é ecirc*=ê egrave*=è empty=∅ emsp=\u{2003} ensp=\u{2002} \
    epsilon=ε equiv=≡ eta=η eth*=ð euml*=ë euro=€ exist=∃ fnof=ƒ forall=∀ frac12*=½ \
    frac14*=¼ frac34*=¾ frasl=⁄ gamma=γ ge=≥ gt*=> hArr=⇔ harr=↔ hearts=♥ hellip=… \
    iacute*=í icirc*=î iexcl*=¡ igrave*=ì image=ℑ infin=∞ int=∫ iota=ι iquest*=¿ isin=∈ \
    iuml*=ï kappa=κ lArr=⇐ lambda=λ lang=⟨ laquo*=« larr=← lceil=⌈ ldquo=“ le=≤ lfloor=⌊ \
    lowast=∗ loz=◊ lrm=\u{200e} lsaquo=‹ lsquo=‘ lt*=< macr*=¯ mdash=— micro*=µ middot*=· \
    minus=− mu=μ nabla=∇ nbsp*=\u{a0} ndash=– ne=≠ ni=∋ not*=¬ notin=∉ nsub=⊄ ntilde*=ñ \
    nu=ν oacute*=ó ocirc*=ô oelig=œ ograve*=ò oline=‾ omega=ω omicron=ο oplus=⊕ or=∨ \
    ordf*=ª ordm*=º oslash*=ø otilde*=õ otimes=⊗ ouml*=ö para*=¶ part=∂ permil=‰ perp=⊥ \
    phi=φ pi=π piv=ϖ plusmn*=± pound*=£ prime=′ prod=∏ prop=∝ psi=ψ quot*=\u{22} rArr=⇒ \
    radic=√ rang=⟩ raquo*=» rarr=→ rceil=⌉ rdquo=” real=ℜ reg*=® rfloor=⌋ rho=ρ \
    rlm=\u{200f} rsaquo=› rsquo=’ sbquo=‚ scaron=š sdot=⋅ sect*=§ shy*=\u{ad} sigma=σ \
    sigmaf=ς sim=∼ spades=♠ sub=⊂ sube=⊆ sum=∑ sup=⊃ sup1*=¹ sup2*=² sup3*=³ supe=⊇ \
    szlig*=ß tau=τ there4=∴ theta=θ thetasym=ϑ thinsp=\u{2009} thorn*=þ tilde=˜ times*=× \
    trade=™ uArr=⇑ uacute*=ú uarr=↑ ucirc*=û ugrave*=ù uml*=¨ upsih=ϒ upsilon=υ uuml*=ü \
    weierp=℘ xi=ξ yacute*=ý yen*=¥ yuml*=ÿ zeta=ζ zwj=\u{200d} zwnj=\u{200c} \
";

/// Name (without `;`) -> (value, legacy).
fn entities() -> &'static HashMap<&'static str, (char, bool)> {
    static MAP: OnceLock<HashMap<&'static str, (char, bool)>> = OnceLock::new();
    MAP.get_or_init(|| {
        ENTITIES
            .split(' ')
            .filter(|e| !e.is_empty())
            .map(|e| {
                let (name, value) = e.split_once('=').expect("name=value");
                let mut chars = value.chars();
                let value = chars.next().expect("a value");
                assert!(chars.next().is_none(), "one character: {e}");
                match name.strip_suffix('*') {
                    Some(name) => (name, (value, true)),
                    None => (name, (value, false)),
                }
            })
            .collect()
    })
}

/// Python's `html.unescape`: each match of
/// `&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)` replaced.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut done = 0;
    let mut from = 0;
    while let Some(amp) = s[from..].find('&').map(|p| from + p) {
        let body = &s[amp + 1..];
        let len = if let Some(num) = body.strip_prefix('#') {
            let (digits, skip) = match num.strip_prefix(['x', 'X']) {
                Some(hex) => (hex.bytes().take_while(u8::is_ascii_hexdigit).count(), 2),
                None => (num.bytes().take_while(u8::is_ascii_digit).count(), 1),
            };
            (digits > 0).then_some(skip + digits)
        } else {
            let name: usize = body
                .chars()
                .take_while(|c| !matches!(c, '\t' | '\n' | '\x0c' | ' ' | '<' | '&' | '#' | ';'))
                .take(32)
                .map(char::len_utf8)
                .sum();
            (name > 0).then_some(name)
        };
        let Some(mut len) = len else {
            from = amp + 1;
            continue;
        };
        if body[len..].starts_with(';') {
            len += 1;
        }
        out.push_str(&s[done..amp]);
        out.push_str(&replace_charref(&body[..len]));
        done = amp + 1 + len;
        from = done;
    }
    out.push_str(&s[done..]);
    out
}

fn replace_charref(s: &str) -> String {
    if let Some(num) = s.strip_prefix('#') {
        let num = num.trim_end_matches(';');
        let (digits, radix) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (num, 10),
        };
        // saturating: anything past U+10FFFF is U+FFFD anyway
        let code = digits.chars().fold(0u64, |acc, d| {
            (acc * radix + u64::from(d.to_digit(radix as u32).unwrap_or(0))).min(0x11_0000)
        });
        return numeric_charref(code);
    }
    let table = entities();
    let bare = s.strip_suffix(';');
    match bare {
        Some(name) => {
            if let Some(&(value, _)) = table.get(name) {
                return value.to_string();
            }
        }
        None => {
            if let Some(&(value, true)) = table.get(s) {
                return value.to_string();
            }
        }
    }
    // The longest legacy name that starts `s` (at least two characters).
    let ends: Vec<usize> = s.char_indices().map(|(p, _)| p).skip(2).collect();
    for &end in ends.iter().rev() {
        if let Some(&(value, true)) = table.get(&s[..end]) {
            return format!("{value}{}", &s[end..]);
        }
    }
    format!("&{s}")
}

fn numeric_charref(code: u64) -> String {
    // html._invalid_charrefs
    const WINDOWS_1252: [char; 32] = [
        '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}',
        '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}',
        '\u{178}',
    ];
    match code {
        0 => return '\u{fffd}'.to_string(),
        0x0d => return '\r'.to_string(),
        0x80..=0x9f => return WINDOWS_1252[(code - 0x80) as usize].to_string(),
        0xd800..=0xdfff | 0x11_0000.. => return '\u{fffd}'.to_string(),
        _ => {}
    }
    // html._invalid_codepoints
    let invalid = matches!(code, 0x1..=0x8 | 0xb | 0xe..=0x1f | 0x7f..=0x9f | 0xfdd0..=0xfdef)
        || code & 0xfffe == 0xfffe;
    match char::from_u32(code as u32) {
        Some(c) if !invalid => c.to_string(),
        _ => String::new(),
    }
}

/// Where a tag name starting at `p` ends (Python's `tagfind_tolerant`).
fn name_end(b: &[u8], mut p: usize) -> usize {
    while p < b.len()
        && !matches!(
            b[p],
            b'\t' | b'\n' | b'\r' | b'\x0c' | b' ' | b'/' | b'>' | 0
        )
    {
        p += 1;
    }
    p
}
