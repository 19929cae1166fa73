//! Running a resolved template and turning failures into logged 500s.

use minijinja::Value;

use super::Ctx;
use crate::template::globals::context;
use crate::template::resolve::Found;

/// Renders `found` with the page globals plus `vars`. A failure is logged
/// with the template name and line; the caller answers 500.
pub fn render_found(
    ctx: &Ctx,
    found: &Found,
    endpoint: &'static str,
    vars: Vec<(&'static str, Value)>,
) -> Result<String, ()> {
    let result = ctx
        .snapshot
        .env
        .get_template(&found.filename)
        .and_then(|t| t.render(context(&ctx.page, found, endpoint, vars)));
    result.map_err(|err| {
        let mut detail = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            detail.push_str(&format!("; caused by: {cause}"));
            source = cause.source();
        }
        tracing::error!(
            template = err.name().unwrap_or(&found.filename),
            line = err.line().unwrap_or(0),
            path = %ctx.page.request.path,
            error = %detail,
            "template error"
        );
    })
}
