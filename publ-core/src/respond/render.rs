//! Running a resolved template and turning its failures into statuses.

use minijinja::Value;

use super::{Ctx, HttpError};
use crate::template::globals::context;
use crate::template::resolve::Found;
use crate::view::spec::SpecError;

/// Renders `found` with the page globals plus `vars`. A bad view query in
/// the template is a 400 (Publ's `InvalidQueryError`), any other failure a
/// 500 (an unknown view key is Publ's `TypeError`); both are logged with
/// the template name and line.
pub fn render_found(
    ctx: &Ctx,
    found: &Found,
    vars: Vec<(&'static str, Value)>,
) -> Result<String, HttpError> {
    let result = ctx
        .snapshot
        .env
        .get_template(&found.filename)
        .and_then(|t| t.render(context(&ctx.page, found, vars)));
    result.map_err(|err| {
        let mut detail = err.to_string();
        let mut status = HttpError::new(500, "Exception Occurred");
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            detail.push_str(&format!("; caused by: {cause}"));
            match cause.downcast_ref::<SpecError>() {
                Some(SpecError::UnknownKey(_)) | None => {}
                Some(bad_query) => status = HttpError::new(400, bad_query.to_string()),
            }
            source = cause.source();
        }
        tracing::error!(
            template = err.name().unwrap_or(&found.filename),
            line = err.line().unwrap_or(0),
            path = %ctx.page.request.path,
            error = %detail,
            "template error"
        );
        status
    })
}
