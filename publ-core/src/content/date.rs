// TEMP STUB (integrator)
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
pub fn parse_date(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%:z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d);
        }
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Some(d.and_utc().fixed_offset());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().fixed_offset())
}
pub fn format_date(d: &DateTime<FixedOffset>) -> String {
    d.format("%Y-%m-%d %H:%M:%S%:z").to_string()
}
pub fn local_now_in(tz: chrono_tz::Tz, ts: std::time::SystemTime) -> DateTime<FixedOffset> {
    let utc: DateTime<chrono::Utc> = ts.into();
    tz.from_utc_datetime(&utc.naive_utc()).fixed_offset()
}
