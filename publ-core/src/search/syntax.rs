//! Whoosh's query language read with tantivy's parser (spec O3). The two
//! mostly agree; where they do not, this follows Whoosh: `a AND NOT b` and
//! `a OR NOT b` mean what they say, `appl*` and `a?ple` are wildcards,
//! `ANDNOT` is an operator, and a leading `-` or `+` is not one (Whoosh
//! reads `-word` as `word`). Words that analyze to nothing (stop words) are
//! left out, as Whoosh leaves them out.

use std::sync::LazyLock;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, Query, QueryParser, RegexQuery,
};
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{FieldType, Schema};

/// `-word`, `+word` at the start of a word.
static SIGN: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"(^|[\s(])[+-]+").expect("sign pattern"));
static ANDNOT: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"\bANDNOT\b").expect("ANDNOT pattern"));

/// Problems found on the way; the query still runs without the parts
/// they concern.
pub type Problems = Vec<String>;

/// The query `text` means, searching `default_field` for bare words;
/// `None` when nothing is left to search for.
pub fn parse(
    parser: &QueryParser,
    schema: &Schema,
    default_field: &str,
    text: &str,
) -> (Option<Box<dyn Query>>, Problems) {
    let text = SIGN.replace_all(text, "$1");
    let text = ANDNOT.replace_all(&text, "AND NOT");
    let (ast, errors) = tantivy::query_grammar::parse_query_lenient(&text);
    let mut problems: Problems = errors
        .iter()
        .map(|e| format!("{} at position {}", e.message, e.pos))
        .collect();
    let reader = Reader {
        parser,
        schema,
        default_field,
    };
    let query = reader.ast(ast, &mut problems);
    (query, problems)
}

struct Reader<'a> {
    parser: &'a QueryParser,
    schema: &'a Schema,
    default_field: &'a str,
}

impl Reader<'_> {
    fn ast(&self, ast: UserInputAst, problems: &mut Problems) -> Option<Box<dyn Query>> {
        match ast {
            UserInputAst::Clause(children) => self.clause(children, problems),
            UserInputAst::Boost(inner, boost) => self
                .ast(*inner, problems)
                .map(|q| Box::new(BoostQuery::new(q, boost as f32)) as Box<dyn Query>),
            UserInputAst::Leaf(leaf) => self.leaf(*leaf, problems),
        }
    }

    /// Bare words must all match; a clause of only `NOT`s matches
    /// everything but them (Whoosh's `Not`), at any depth.
    fn clause(
        &self,
        children: Vec<(Option<Occur>, UserInputAst)>,
        problems: &mut Problems,
    ) -> Option<Box<dyn Query>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (occur, child) in children {
            if let Some(query) = self.ast(child, problems) {
                clauses.push((occur.unwrap_or(Occur::Must), query));
            }
        }
        if clauses.is_empty() {
            return None;
        }
        if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    fn leaf(&self, leaf: UserInputLeaf, problems: &mut Problems) -> Option<Box<dyn Query>> {
        if let UserInputLeaf::Literal(literal) = &leaf {
            if literal.delimiter == Delimiter::None
                && (literal.prefix || literal.phrase.contains(['*', '?']))
            {
                return self.wildcard(literal, problems);
            }
        }
        let (query, errors) = self
            .parser
            .build_query_from_user_input_ast_lenient(UserInputAst::Leaf(Box::new(leaf)));
        problems.extend(errors.iter().map(ToString::to_string));
        let nothing = query.downcast_ref::<EmptyQuery>().is_some()
            || query
                .downcast_ref::<BooleanQuery>()
                .is_some_and(|b| b.clauses().is_empty());
        (!nothing).then_some(query)
    }

    /// `appl*`, `a?ple`: Whoosh's `Wildcard` on the field's terms.
    fn wildcard(
        &self,
        literal: &UserInputLiteral,
        problems: &mut Problems,
    ) -> Option<Box<dyn Query>> {
        let name = literal.field_name.as_deref().unwrap_or(self.default_field);
        let Ok(field) = self.schema.get_field(name) else {
            problems.push(format!("no field {name:?}"));
            return None;
        };
        let FieldType::Str(options) = self.schema.get_field_entry(field).field_type() else {
            problems.push(format!("wildcards only work on text, not {name:?}"));
            return None;
        };
        // Analyzed fields hold lowercase terms; raw ones hold text as is.
        let analyzed = options
            .get_indexing_options()
            .is_some_and(|i| i.tokenizer() != "raw");
        let mut text = literal.phrase.clone();
        if literal.prefix {
            text.push('*');
        }
        if analyzed {
            text = text.to_lowercase();
        }
        let pattern: String = text
            .chars()
            .map(|c| match c {
                '*' => ".*".to_string(),
                '?' => ".".to_string(),
                c => regex::escape(&c.to_string()),
            })
            .collect();
        match RegexQuery::from_pattern(&pattern, field) {
            Ok(query) => Some(Box::new(query)),
            Err(err) => {
                problems.push(format!("wildcard {text:?}: {err}"));
                None
            }
        }
    }
}
