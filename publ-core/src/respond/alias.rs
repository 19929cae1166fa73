//! Path aliases: `Path-Alias`/`Path-Mount` from the index, then the site's
//! regex rules (spec C13, C14, section 4 item 9).

use super::category::render_category_path;
use super::entry::render_entry_record;
use super::Ctx;
use crate::exchange::Response;
use crate::index::records::{AliasKind, AliasTarget};
use crate::template::objects::category::CategoryObject;

/// The response an alias gives for `path`, if any.
pub fn lookup(ctx: &Ctx, path: &str) -> Option<Response> {
    let catalog = &ctx.page.catalog;
    let record = catalog.alias(path).filter(|a| match &a.target {
        AliasTarget::Entry(id) => catalog.entry(*id).is_some_and(|e| e.visible()),
        AliasTarget::Category(_) => true,
    });
    let Some(alias) = record else {
        return regex_alias(ctx, path);
    };
    let entry = match &alias.target {
        AliasTarget::Entry(id) => catalog.entry(*id).cloned(),
        AliasTarget::Category(_) => None,
    };
    let category = match (&alias.target, &entry) {
        (AliasTarget::Category(c), _) => c.clone(),
        (_, Some(e)) => e.category.clone(),
        _ => String::new(),
    };
    if let Some(e) = &entry {
        if !crate::access::is_authorized(&e.auth, ctx.page.user.as_deref()) {
            return Some(
                super::login::unauthorized(ctx, e, &category)
                    .unwrap_or_else(|err| super::error_response(ctx, &err)),
            );
        }
        if !e.redirect_url.is_empty() {
            return Some(Response::redirect(301, &e.redirect_url));
        }
    }
    if alias.kind == AliasKind::Mount {
        let result = match &entry {
            Some(e) => render_entry_record(ctx, e, &category, alias.template.as_deref(), true),
            None => render_category_path(ctx, &category, alias.template.as_deref()),
        };
        return Some(result.unwrap_or_else(|err| super::error_response(ctx, &err)));
    }
    let location = match (&entry, &alias.template) {
        (Some(e), None) => crate::urls::entry(&category, e.id, &e.slug_text, &[]),
        (entry, template) => {
            let index = CategoryObject::index_template_of(&ctx.page, &category);
            let template = template.as_deref().filter(|t| *t != index).unwrap_or("");
            let query: Vec<(String, String)> = entry
                .iter()
                .map(|e| ("id".to_string(), e.id.to_string()))
                .collect();
            crate::urls::category(&category, template, &query)
        }
    };
    Some(Response::redirect(301, &ctx.page.link(&location, false)))
}

/// `path_alias_regex` rules from publ.toml, in order (spec C14).
fn regex_alias(ctx: &Ctx, path: &str) -> Option<Response> {
    for (re, rule) in &ctx.snapshot.alias_rules {
        let Some(caps) = re
            .captures(path)
            .filter(|c| c.get(0).is_some_and(|m| m.start() == 0))
        else {
            continue;
        };
        let mut target = String::new();
        let template = backrefs_to_dollars(&rule.target.replace("{path}", path));
        caps.expand(&template, &mut target);
        return Some(Response::redirect(
            if rule.permanent { 301 } else { 302 },
            &target,
        ));
    }
    None
}

/// Python's `\1` group references in regex's `${1}` form.
fn backrefs_to_dollars(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    let mut chars = target.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' if chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                let mut n = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(*d);
                    chars.next();
                }
                out.push_str(&format!("${{{n}}}"));
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::backrefs_to_dollars;

    #[test]
    fn python_backrefs() {
        // spec C14
        assert_eq!(
            backrefs_to_dollars(r"https://x/\1/$y"),
            "https://x/${1}/$$y"
        );
    }
}
