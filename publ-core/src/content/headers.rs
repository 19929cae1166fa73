// TEMP STUB (integrator) - replaced by helper's implementation
#[derive(Debug, Clone, Default)]
pub struct Headers {
    entries: Vec<(String, String)>,
}
impl Headers {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn set_replacing(&mut self, name: &str, value: &str) {
        self.entries.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.entries.push((name.into(), value.into()));
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub headers: Headers,
    pub payload: String,
}
pub fn parse_message(text: &str) -> Message {
    let mut headers = Headers::default();
    let mut rest = text;
    loop {
        let (line, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        if line.trim().is_empty() {
            rest = next;
            break;
        }
        match line.split_once(':') {
            Some((k, v)) => headers.entries.push((k.trim().into(), v.trim().into())),
            None => break,
        }
        rest = next;
        if rest.is_empty() {
            break;
        }
    }
    Message {
        headers,
        payload: rest.to_string(),
    }
}
pub fn serialize(headers: &Headers, payload: &str) -> String {
    let mut out = String::new();
    for (k, v) in headers.iter() {
        out.push_str(&format!("{k}: {v}\n"));
    }
    out.push('\n');
    out.push_str(payload);
    out
}
