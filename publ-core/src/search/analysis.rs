//! How text becomes search terms: Whoosh's analyzers, so the same words
//! match as in Publ (spec O2, O3). The query parser runs query text through
//! the same analyzer as the field it searches.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Tokenizer name of `title` and `content` (Whoosh's `TEXT`).
pub const WORDS: &str = "publ_words";
/// Tokenizer name of `tag` (Whoosh's `KEYWORD(lowercase=True, commas=True)`).
pub const KEYWORDS: &str = "publ_keywords";

/// Whoosh's `STOP_WORDS`.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have", "if", "in",
    "is", "it", "may", "not", "of", "on", "or", "tbd", "that", "the", "this", "to", "us", "we",
    "when", "will", "with", "yet", "you", "your",
];

/// Whoosh's `StandardAnalyzer`: words (`\w+(\.?\w+)*`, so `3.14` and
/// `e.g` stay whole), lowercased, without stop words or one-letter words;
/// positions count only the words kept.
#[derive(Clone)]
pub struct WordTokenizer {
    word: regex::Regex,
}

impl WordTokenizer {
    fn new() -> WordTokenizer {
        WordTokenizer {
            // A constant pattern: it compiles or the tests fail.
            word: regex::Regex::new(r"\w+(?:\.?\w+)*").expect("word pattern"),
        }
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = TokenList;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokenList {
        let mut tokens: Vec<Token> = Vec::new();
        for found in self.word.find_iter(text) {
            let word = found.as_str().to_lowercase();
            if word.chars().count() < 2 || STOP_WORDS.contains(&word.as_str()) {
                continue;
            }
            tokens.push(Token {
                offset_from: found.start(),
                offset_to: found.end(),
                position: tokens.len(),
                text: word,
                position_length: 1,
            });
        }
        TokenList::new(tokens)
    }
}

/// Whoosh's comma-separated keywords: each item trimmed and lowercased,
/// spaces inside kept (`Blue Thing` is the one term `blue thing`).
#[derive(Clone, Default)]
pub struct KeywordTokenizer;

impl Tokenizer for KeywordTokenizer {
    type TokenStream<'a> = TokenList;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokenList {
        let mut tokens: Vec<Token> = Vec::new();
        let mut start = 0;
        for item in text.split(',') {
            let trimmed = item.trim();
            if !trimmed.is_empty() {
                let offset_from = start + (item.len() - item.trim_start().len());
                tokens.push(Token {
                    offset_from,
                    offset_to: offset_from + trimmed.len(),
                    position: tokens.len(),
                    text: trimmed.to_lowercase(),
                    position_length: 1,
                });
            }
            start += item.len() + 1;
        }
        TokenList::new(tokens)
    }
}

/// Tokens computed up front.
pub struct TokenList {
    pending: std::vec::IntoIter<Token>,
    current: Token,
}

impl TokenList {
    fn new(tokens: Vec<Token>) -> TokenList {
        TokenList {
            pending: tokens.into_iter(),
            current: Token::default(),
        }
    }
}

impl TokenStream for TokenList {
    fn advance(&mut self) -> bool {
        match self.pending.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Makes the analyzers known to an opened index (tantivy keeps only their
/// names in the index).
pub fn register(index: &tantivy::Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(WORDS, TextAnalyzer::builder(WordTokenizer::new()).build());
    tokenizers.register(KEYWORDS, TextAnalyzer::builder(KeywordTokenizer).build());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms<T: Tokenizer>(mut tokenizer: T, text: &str) -> Vec<(String, usize)> {
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    // spec O2: title and content are analyzed as by Whoosh's StandardAnalyzer
    #[test]
    fn words_like_whoosh_standard_analyzer() {
        assert_eq!(
            terms(
                WordTokenizer::new(),
                "The Quick fox, e.g. version 3.14 is a Ünïcode X"
            ),
            [
                ("quick".to_string(), 0),
                ("fox".to_string(), 1),
                ("e.g".to_string(), 2),
                ("version".to_string(), 3),
                ("3.14".to_string(), 4),
                ("ünïcode".to_string(), 5),
            ]
        );
        assert!(terms(WordTokenizer::new(), "the a I").is_empty());
    }

    // spec O2: tags are comma keywords, lowercased
    #[test]
    fn keywords_split_on_commas() {
        assert_eq!(
            terms(KeywordTokenizer, " Red, Blue Thing ,,green"),
            [
                ("red".to_string(), 0),
                ("blue thing".to_string(), 1),
                ("green".to_string(), 2),
            ]
        );
    }
}
