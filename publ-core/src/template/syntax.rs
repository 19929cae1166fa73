// TEMP STUB (integrator)
pub fn rewrite_source(src: &str) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Borrowed(src)
}
