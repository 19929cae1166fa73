// TEMP STUB (integrator)
pub fn slugify(text: &str, max_length: Option<usize>, to_lower: bool) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if " -/~!@#$%^&*()+`[]\\|{}:\";'<>?,".contains(c) {
            if !dash {
                out.push('-');
                dash = true;
            }
        } else {
            out.push(c);
            dash = false;
        }
    }
    let mut s: String = out
        .trim_start_matches('-')
        .chars()
        .take(max_length.unwrap_or(64))
        .collect();
    while s.ends_with('-') || s.ends_with('.') {
        s.pop();
    }
    if to_lower {
        s.to_lowercase()
    } else {
        s
    }
}
