//! Who may see an entry: Publ's `Auth:` header rule (spec N6, section 4
//! item 7), with the intended meaning of `*` ("any logged-in user").

use crate::auth::User;

/// Last matching token wins; no match denies; admins always pass.
/// `user` is `None` for anonymous visitors (and bots, as in Publ).
pub fn is_authorized(auth: &str, visitor: Option<&User>) -> bool {
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
        } else if visitor.is_some_and(|v| v.auth_groups.contains(name)) {
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

    fn user(groups: &[&str], is_admin: bool) -> User {
        User {
            identity: "https://me.example/".into(),
            auth_type: crate::auth::AuthType::Session,
            scope: None,
            auth_groups: groups
                .iter()
                .map(|g| g.to_string())
                .chain(["https://me.example/".to_string()])
                .collect(),
            is_admin,
        }
    }

    #[test]
    fn last_match_wins() {
        let v = user(&["friends", "enemies"], false);
        assert!(is_authorized("* !enemies friends", Some(&v)));
        assert!(!is_authorized("friends !enemies", Some(&v)));
        // An identity is a group of its own.
        assert!(is_authorized("https://me.example/", Some(&v)));
        assert!(is_authorized("admin", Some(&user(&[], true))));
        assert!(!is_authorized("admin", Some(&user(&[], false))));
    }
}
