//! The Pygments lexers publ-rs runs, as dumped by
//! `tools/pygments/dump_lexers.py`: a JSON index line, then each lexer's
//! rules compressed on their own, so only the lexers a site's code blocks
//! name are ever inflated and compiled. Loaded lexers live for the
//! process, like Pygments' own class-level rule cache.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;

use super::lexer::{Lexer, LexerData};

const DATA: &[u8] = include_bytes!("lexers.bin");

#[derive(Deserialize)]
struct Index {
    /// Every alias Pygments knows, with the lexer we run for it (`None`:
    /// a lexer Pygments has but we could not port).
    aliases: HashMap<String, Option<String>>,
    /// Lexer name -> (offset, length) of its compressed rules.
    lexers: HashMap<String, (usize, usize)>,
}

/// What Pygments' `get_lexer_by_name` would give for a name.
pub(super) enum Found {
    Lexer(&'static Lexer),
    /// Pygments has a lexer for it that we do not run.
    Unported,
    /// Pygments knows no such language (Publ then uses plain text).
    Unknown,
}

fn index() -> Option<&'static (Index, &'static [u8])> {
    static INDEX: OnceLock<Option<(Index, &'static [u8])>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let newline = DATA.iter().position(|&b| b == b'\n')?;
            match serde_json::from_slice(&DATA[..newline]) {
                Ok(index) => Some((index, &DATA[newline + 1..])),
                Err(err) => {
                    tracing::error!(%err, "the built-in Pygments lexer index is unreadable");
                    None
                }
            }
        })
        .as_ref()
}

/// The lexer for a language name as written after a code fence.
pub(super) fn by_alias(alias: &str) -> Found {
    let Some((index, _)) = index() else {
        return Found::Unknown;
    };
    match index.aliases.get(&alias.to_lowercase()) {
        None => Found::Unknown,
        Some(None) => Found::Unported,
        Some(Some(name)) => by_name(name).map_or(Found::Unported, Found::Lexer),
    }
}

/// A lexer by its Pygments class name (`using(CssLexer)` and friends).
pub(super) fn by_name(name: &str) -> Option<&'static Lexer> {
    static LOADED: OnceLock<Mutex<HashMap<String, Option<&'static Lexer>>>> = OnceLock::new();
    let loaded = LOADED.get_or_init(Default::default);
    if let Some(hit) = loaded.lock().ok()?.get(name) {
        return *hit;
    }
    let lexer = load(name).map(|lexer| &*Box::leak(Box::new(lexer)));
    loaded.lock().ok()?.insert(name.to_string(), lexer);
    lexer
}

fn load(name: &str) -> Option<Lexer> {
    let (index, blobs) = index()?;
    let &(offset, len) = index.lexers.get(name)?;
    let blob = blobs.get(offset..offset + len)?;
    let mut json = Vec::new();
    let parsed = flate2::read::ZlibDecoder::new(blob)
        .read_to_end(&mut json)
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::from_slice::<LexerData>(&json).map_err(|e| e.to_string()))
        .and_then(Lexer::build);
    match parsed {
        Ok(lexer) => Some(lexer),
        Err(err) => {
            tracing::warn!(lexer = name, %err, "Pygments lexer unusable; its code is shown plain");
            None
        }
    }
}

#[cfg(test)]
pub(super) fn all_names() -> Vec<String> {
    index().map_or_else(Vec::new, |(index, _)| {
        index.lexers.keys().cloned().collect()
    })
}
