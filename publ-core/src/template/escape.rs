// TEMP STUB (integrator)
use minijinja::{AutoEscape, Error, Output, State, Value};
pub fn markupsafe_formatter(
    out: &mut Output,
    state: &mut State,
    value: &Value,
) -> Result<(), Error> {
    minijinja::escape_formatter(out, state, value)
}
pub fn autoescape_for(name: &str) -> AutoEscape {
    if [".html", ".htm", ".xml", ".xhtml"]
        .iter()
        .any(|e| name.ends_with(e))
    {
        AutoEscape::Html
    } else {
        AutoEscape::None
    }
}
