//! Who may see an entry: Publ's `Auth:` header rule (spec N6, section 4
//! item 7), with the intended meaning of `*` ("any logged-in user").

/// The current visitor; `None` is the anonymous visitor.
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    pub identity: String,
    pub groups: Vec<String>,
    pub is_admin: bool,
}

/// Last matching token wins; no match denies; admins always pass.
pub fn is_authorized(auth: &str, visitor: Option<&Visitor>) -> bool {
    if auth.trim().is_empty() {
        return true;
    }
    if visitor.is_some_and(|v| v.is_admin) {
        return true;
    }
    let mut result = false;
    for token in auth.split_whitespace() {
        let (allowed, name) = match token.strip_prefix('!') {
            Some(rest) => (false, rest),
            None => (true, token),
        };
        if name == "*" {
            result = allowed == visitor.is_some();
        } else if visitor.is_some_and(|v| v.groups.iter().any(|g| g == name) || v.identity == name)
        {
            result = allowed;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_rules() {
        // spec N6, section 4 item 7
        assert!(is_authorized("", None));
        assert!(!is_authorized("*", None));
        assert!(is_authorized("!*", None));
        assert!(!is_authorized("friends", None));
    }

    #[test]
    fn last_match_wins() {
        let v = Visitor {
            identity: "https://me.example/".into(),
            groups: vec!["friends".into(), "enemies".into()],
            is_admin: false,
        };
        assert!(is_authorized("* !enemies friends", Some(&v)));
        assert!(!is_authorized("friends !enemies", Some(&v)));
        assert!(is_authorized(
            "admin",
            Some(&Visitor {
                is_admin: true,
                ..Visitor::default()
            })
        ));
    }
}
