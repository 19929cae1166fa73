// TEMP STUB (integrator)
use chrono::{DateTime, FixedOffset, TimeZone};
use minijinja::value::{Object, ObjectRepr};
use minijinja::{Error, State, Value};
use std::sync::Arc;
#[derive(Debug)]
pub struct ArrowDate {
    dt: DateTime<FixedOffset>,
}
impl ArrowDate {
    pub fn new(dt: DateTime<FixedOffset>) -> ArrowDate {
        ArrowDate { dt }
    }
}
pub fn now_in(tz: chrono_tz::Tz) -> ArrowDate {
    ArrowDate::new(
        tz.from_utc_datetime(&chrono::Utc::now().naive_utc())
            .fixed_offset(),
    )
}
pub fn arrow_get(_args: &[Value]) -> Result<ArrowDate, Error> {
    Ok(now_in(chrono_tz::UTC))
}
impl Object for ArrowDate {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn call_method(
        self: &Arc<Self>,
        _s: &mut State<'_, '_>,
        m: &str,
        _a: &[Value],
    ) -> Result<Value, Error> {
        match m {
            "isoformat" => Ok(Value::from(self.dt.to_rfc3339())),
            "format" => Ok(Value::from(
                self.dt.format("%Y-%m-%d %H:%M:%S%:z").to_string(),
            )),
            "humanize" => Ok(Value::from("a while ago")),
            _ => Err(Error::from(minijinja::ErrorKind::UnknownMethod)),
        }
    }
    fn custom_cmp(
        self: &Arc<Self>,
        other: &minijinja::value::DynObject,
    ) -> Option<std::cmp::Ordering> {
        Some(self.dt.cmp(&other.downcast_ref::<Self>()?.dt))
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.dt.to_rfc3339())
    }
}
