//! An Arrow-compatible date value for templates (spec E1, F8): Publ hands
//! templates `arrow.Arrow` objects, so `format()`, `humanize()`,
//! `isoformat()` and friends must print exactly what arrow 1.x prints.

use std::cmp::Ordering;
use std::fmt::{self, Write};
use std::str::FromStr;
use std::sync::Arc;

use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike, Utc,
};
use chrono_tz::{OffsetName, Tz};
use minijinja::value::{from_args, DynObject, Kwargs, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};

use crate::template::escape::py_float_repr;

/// The time zone an [`ArrowDate`] lives in. Fixed offsets are what
/// `arrow.get('...-07:00')` produces (Python's `datetime.timezone`); named
/// zones come from `.to('US/Pacific')` / `arrow.now(tz)` and matter for
/// `ZZZ` (`PDT`) and for DST-aware `shift()`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Zone {
    Fixed,
    Named(Tz),
}

/// What Python object the value stands for; only printing differs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    /// `arrow.Arrow`: `str()` is `isoformat()`.
    Arrow,
    /// `Arrow.datetime`: `str()` uses a space separator.
    Datetime,
    /// `Arrow.naive`: wall-clock time without offset, space separator.
    Naive,
}

/// Arrow's time frames, singular or plural (`'day'`, `'days'`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
}

impl Frame {
    fn parse(name: &str) -> Result<Frame, Error> {
        Ok(match name.trim_end_matches('s') {
            "year" => Frame::Year,
            "quarter" => Frame::Quarter,
            "month" => Frame::Month,
            "week" => Frame::Week,
            "day" => Frame::Day,
            "hour" => Frame::Hour,
            "minute" => Frame::Minute,
            "second" => Frame::Second,
            _ => return Err(invalid(format!("unsupported time frame {name:?}"))),
        })
    }
}

/// `arrow.Arrow`, for its class methods: `range(frame, start, end)`.
#[derive(Debug)]
pub struct ArrowClass;

impl Object for ArrowClass {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        if method != "range" {
            return Err(Error::from(ErrorKind::UnknownMethod));
        }
        let (frame, start, end, kwargs): (&str, Value, Option<Value>, Kwargs) = from_args(args)?;
        let frame = Frame::parse(frame)?;
        let as_date = |v: &Value| {
            v.downcast_object_ref::<ArrowDate>()
                .cloned()
                .ok_or_else(|| invalid("Arrow.range() takes Arrow dates".into()))
        };
        let start = as_date(&start)?;
        let end = end
            .or(kwargs.get::<Option<Value>>("end")?)
            .map(|v| as_date(&v))
            .transpose()?;
        let limit = kwargs.get::<Option<usize>>("limit")?;
        // Arrow.range is inclusive of `end`; a cap keeps a template from
        // asking for an endless list.
        let cap = limit.unwrap_or(100_000).min(100_000);
        let mut out = Vec::new();
        for i in 0..cap as i64 {
            let day = start.step(frame, i)?;
            if end.as_ref().is_some_and(|e| day.dt > e.dt) {
                break;
            }
            out.push(Value::from_object(day));
        }
        Ok(Value::from(out))
    }
}

#[derive(Debug, Clone)]
pub struct ArrowDate {
    dt: DateTime<FixedOffset>,
    zone: Zone,
    style: Style,
}

impl ArrowDate {
    /// A date in a fixed offset, as `arrow.get()` of an ISO string yields.
    pub fn new(dt: DateTime<FixedOffset>) -> ArrowDate {
        ArrowDate {
            dt,
            zone: Zone::Fixed,
            style: Style::Arrow,
        }
    }

    fn in_zone(utc: DateTime<Utc>, tz: Tz) -> ArrowDate {
        ArrowDate {
            dt: utc.with_timezone(&tz).fixed_offset(),
            zone: Zone::Named(tz),
            style: Style::Arrow,
        }
    }

    fn with_style(&self, style: Style) -> Value {
        Value::from_object(ArrowDate {
            style,
            ..self.clone()
        })
    }

    fn isoformat(&self, sep: &str) -> String {
        let mut s = format!(
            "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}",
            self.dt.year(),
            self.dt.month(),
            self.dt.day(),
            self.dt.hour(),
            self.dt.minute(),
            self.dt.second()
        );
        let micros = self.dt.nanosecond() / 1000;
        if micros != 0 {
            let _ = write!(s, ".{micros:06}");
        }
        if self.style != Style::Naive {
            s.push_str(&offset_string(self.dt.offset().local_minus_utc(), ":"));
        }
        s
    }

    /// Python's `tzinfo.tzname()`.
    fn tzname(&self) -> String {
        match self.zone {
            Zone::Named(tz) => self
                .dt
                .with_timezone(&tz)
                .offset()
                .abbreviation()
                .map_or_else(|| fixed_tzname(&self.dt), str::to_string),
            Zone::Fixed => fixed_tzname(&self.dt),
        }
    }

    /// Python's `str(tzinfo)`.
    fn tzinfo(&self) -> String {
        match self.zone {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Fixed => fixed_tzname(&self.dt),
        }
    }

    fn timestamp(&self) -> f64 {
        // Python's `timedelta.total_seconds()`: integer microseconds / 10**6.
        self.dt.timestamp_micros() as f64 / 1e6
    }

    /// Turns a wall-clock time back into an instant in this date's zone the
    /// way Python does after aware-datetime arithmetic: ambiguous times take
    /// the first occurrence (fold=0) and times inside a DST gap are moved
    /// forward by the gap (dateutil's `resolve_imaginary`).
    fn localize(&self, naive: NaiveDateTime, zone: Zone) -> Result<ArrowDate, Error> {
        let dt = match zone {
            Zone::Fixed => self
                .dt
                .offset()
                .from_local_datetime(&naive)
                .single()
                .ok_or_else(|| out_of_range(&naive))?,
            Zone::Named(tz) => match tz.from_local_datetime(&naive) {
                LocalResult::Single(dt) | LocalResult::Ambiguous(dt, _) => dt.fixed_offset(),
                LocalResult::None => {
                    let offset_at = |n: NaiveDateTime| {
                        i64::from(tz.offset_from_utc_datetime(&n).fix().local_minus_utc())
                    };
                    let day = Duration::hours(24);
                    let gap = offset_at(naive + day) - offset_at(naive - day);
                    tz.from_local_datetime(&(naive + Duration::seconds(gap)))
                        .earliest()
                        .ok_or_else(|| out_of_range(&naive))?
                        .fixed_offset()
                }
            },
        };
        Ok(ArrowDate {
            dt,
            zone,
            style: self.style,
        })
    }

    fn shift(&self, kwargs: &Kwargs) -> Result<ArrowDate, Error> {
        let mut months = 0i64;
        let mut micros = 0f64;
        for key in kwargs.args() {
            match key {
                "years" => months += 12 * kwargs.get::<i64>(key)?,
                "quarters" => months += 3 * kwargs.get::<i64>(key)?,
                "months" => months += kwargs.get::<i64>(key)?,
                _ => {
                    let unit = match key {
                        "weeks" => 604_800e6,
                        "days" => 86_400e6,
                        "hours" => 3_600e6,
                        "minutes" => 60e6,
                        "seconds" => 1e6,
                        "microseconds" => 1.0,
                        _ => {
                            return Err(invalid(format!(
                                "shift() got an unsupported time frame {key:?}; use years, \
                                 quarters, months, weeks, days, hours, minutes, seconds or \
                                 microseconds"
                            )))
                        }
                    };
                    micros += kwargs.get::<f64>(key)? * unit;
                }
            }
        }
        let naive = add_months(self.dt.naive_local(), months)
            .and_then(|n| n.checked_add_signed(Duration::microseconds(micros.round() as i64)))
            .ok_or_else(|| invalid("shift() result is out of range".into()))?;
        self.localize(naive, self.zone)
    }

    /// This instant moved by `count` of `frame` (year ... second), counted
    /// from this instant so month ends do not drift.
    fn step(&self, frame: Frame, count: i64) -> Result<ArrowDate, Error> {
        let local = self.dt.naive_local();
        let moved = match frame {
            Frame::Year => add_months(local, 12 * count),
            Frame::Quarter => add_months(local, 3 * count),
            Frame::Month => add_months(local, count),
            Frame::Week => local.checked_add_signed(Duration::weeks(count)),
            Frame::Day => local.checked_add_signed(Duration::days(count)),
            Frame::Hour => local.checked_add_signed(Duration::hours(count)),
            Frame::Minute => local.checked_add_signed(Duration::minutes(count)),
            Frame::Second => local.checked_add_signed(Duration::seconds(count)),
        };
        self.localize(moved.ok_or_else(|| out_of_range(&local))?, self.zone)
    }

    /// Arrow's `span(frame, count=1, week_start=1)`: the first and last
    /// microsecond of the frame holding this instant.
    fn span(
        &self,
        frame: Frame,
        count: i64,
        week_start: u32,
    ) -> Result<(ArrowDate, ArrowDate), Error> {
        let local = self.dt.naive_local();
        let date = local.date();
        let start = match frame {
            Frame::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1),
            Frame::Quarter => NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1),
            Frame::Month => NaiveDate::from_ymd_opt(date.year(), date.month(), 1),
            Frame::Week => {
                let back = (date.weekday().number_from_monday() + 7 - week_start) % 7;
                date.checked_sub_signed(Duration::days(i64::from(back)))
            }
            _ => Some(date),
        }
        .ok_or_else(|| out_of_range(&local))?;
        let time = match frame {
            Frame::Hour => NaiveTime::from_hms_opt(local.hour(), 0, 0),
            Frame::Minute => NaiveTime::from_hms_opt(local.hour(), local.minute(), 0),
            Frame::Second => NaiveTime::from_hms_opt(local.hour(), local.minute(), local.second()),
            _ => NaiveTime::from_hms_opt(0, 0, 0),
        }
        .ok_or_else(|| out_of_range(&local))?;
        let floor = self.localize(start.and_time(time), self.zone)?;
        let next = floor.step(frame, count)?;
        let ceil = self.localize(next.dt.naive_local() - Duration::microseconds(1), self.zone)?;
        Ok((floor, ceil))
    }

    fn replace(&self, kwargs: &Kwargs) -> Result<ArrowDate, Error> {
        let local = self.dt.naive_local();
        let field = |name: &str, current: u32| -> Result<u32, Error> {
            Ok(kwargs.get::<Option<u32>>(name)?.unwrap_or(current))
        };
        let year = kwargs.get::<Option<i32>>("year")?.unwrap_or(local.year());
        let date = NaiveDate::from_ymd_opt(
            year,
            field("month", local.month())?,
            field("day", local.day())?,
        );
        let time = NaiveTime::from_hms_micro_opt(
            field("hour", local.hour())?,
            field("minute", local.minute())?,
            field("second", local.second())?,
            field("microsecond", local.nanosecond() / 1000)?,
        );
        let (Some(date), Some(time)) = (date, time) else {
            return Err(invalid(
                "replace(): a date or time field is out of range".into(),
            ));
        };
        let zone_arg = kwargs.get::<Option<Value>>("tzinfo")?;
        kwargs.assert_all_used()?;
        let mut target = self.clone();
        if let Some(zone) = zone_arg {
            target = target.convert_to(&zone)?;
        }
        target.localize(date.and_time(time), target.zone)
    }

    /// `to(tz)`: the same instant in another zone.
    fn convert_to(&self, tz: &Value) -> Result<ArrowDate, Error> {
        if let Some(other) = tz.downcast_object_ref::<ArrowDate>() {
            return Ok(ArrowDate {
                dt: self.dt.with_timezone(other.dt.offset()),
                zone: other.zone,
                style: self.style,
            });
        }
        let name = tz
            .as_str()
            .ok_or_else(|| invalid(format!("not a time zone expression: {tz}")))?;
        let utc = self.dt.with_timezone(&Utc);
        let converted = match name {
            "local" => ArrowDate::new(utc.with_timezone(&Local).fixed_offset()),
            "utc" | "UTC" | "Z" => ArrowDate::in_zone(utc, chrono_tz::UTC),
            _ => match parse_offset(name) {
                Some(offset) => ArrowDate::new(utc.with_timezone(&offset)),
                None => ArrowDate::in_zone(
                    utc,
                    Tz::from_str(name)
                        .map_err(|_| invalid(format!("unknown time zone {name:?}")))?,
                ),
            },
        };
        Ok(ArrowDate {
            style: self.style,
            ..converted
        })
    }

    /// Arrow's `format()` with its token table.
    pub fn format(&self, fmt: &str) -> String {
        let mut out = String::new();
        let chars: Vec<char> = fmt.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let (len, text) = self.format_token(&chars[i..]);
            match text {
                Some(text) => out.push_str(&text),
                None => out.extend(&chars[i..i + len]),
            }
            i += len;
        }
        out
    }

    /// Matches arrow's `_FORMAT_RE` at the start of `rest`; returns how many
    /// characters were consumed and the replacement (`None` = literal text).
    fn format_token(&self, rest: &[char]) -> (usize, Option<String>) {
        let run = |c: char, max: usize| rest.iter().take(max).take_while(|&&x| x == c).count();
        let dt = &self.dt;
        let first = rest[0];
        if first == '[' {
            if let Some(close) = rest.iter().position(|&c| c == ']') {
                return (close + 1, Some(rest[1..close].iter().collect()));
            }
            return (1, None);
        }
        let hour12 = if (1..13).contains(&dt.hour()) {
            dt.hour()
        } else {
            dt.hour().abs_diff(12)
        };
        let micros = dt.nanosecond() / 1000;
        let token = match first {
            'D' if rest.get(1) == Some(&'o') => return (2, Some(ordinal(dt.day()))),
            'Y' | 'M' | 'D' | 'd' | 'S' => {
                let max = match first {
                    'S' => 6,
                    _ => 4,
                };
                let n = run(first, max);
                if first == 'Y' && n == 1 {
                    return (1, None);
                }
                (first, n)
            }
            'H' | 'h' | 'm' | 's' => (first, run(first, 2)),
            'Z' => (first, run(first, 3)),
            'a' | 'A' | 'X' | 'x' | 'W' => (first, 1),
            _ => return (1, None),
        };
        let text = match token {
            ('Y', 4) => format!("{:04}", dt.year()),
            ('Y', 2) => format!("{:04}", dt.year()).chars().skip(2).collect(),
            // arrow's formatter returns None for `YYY`, which prints nothing.
            ('Y', _) => String::new(),
            ('M', 4) => MONTHS[dt.month0() as usize].to_string(),
            ('M', 3) => MONTHS[dt.month0() as usize][..3].to_string(),
            ('M', 2) => format!("{:02}", dt.month()),
            ('M', _) => dt.month().to_string(),
            ('D', 4) => format!("{:03}", dt.ordinal()),
            ('D', 3) => dt.ordinal().to_string(),
            ('D', 2) => format!("{:02}", dt.day()),
            ('D', _) => dt.day().to_string(),
            ('d', 4) => DAYS[dt.weekday().num_days_from_monday() as usize].to_string(),
            ('d', 3) => DAYS[dt.weekday().num_days_from_monday() as usize][..3].to_string(),
            ('d', 2) => String::new(),
            ('d', _) => dt.weekday().number_from_monday().to_string(),
            ('H', 2) => format!("{:02}", dt.hour()),
            ('H', _) => dt.hour().to_string(),
            ('h', 2) => format!("{hour12:02}"),
            ('h', _) => hour12.to_string(),
            ('m', 2) => format!("{:02}", dt.minute()),
            ('m', _) => dt.minute().to_string(),
            ('s', 2) => format!("{:02}", dt.second()),
            ('s', _) => dt.second().to_string(),
            ('S', n) => {
                let n = n as u32;
                let digits = micros / 10u32.pow(6 - n);
                format!("{digits:0width$}", width = n as usize)
            }
            ('Z', 3) => self.tzname(),
            ('Z', 2) => offset_string(dt.offset().local_minus_utc(), ":"),
            ('Z', _) => offset_string(dt.offset().local_minus_utc(), ""),
            ('a', _) => (if dt.hour() < 12 { "am" } else { "pm" }).to_string(),
            ('A', _) => (if dt.hour() < 12 { "AM" } else { "PM" }).to_string(),
            ('X', _) => py_float_repr(self.timestamp()),
            ('x', _) => format!("{:.0}", self.timestamp() * 1e6),
            _ => {
                let week = dt.iso_week();
                format!(
                    "{}-W{:02}-{}",
                    week.year(),
                    week.week(),
                    dt.weekday().number_from_monday()
                )
            }
        };
        (token.1, Some(text))
    }

    fn humanize(&self, args: &[Value]) -> Result<String, Error> {
        let (other, _locale, kwargs): (Option<Value>, Option<Value>, Kwargs) = from_args(args)?;
        let only_distance = kwargs
            .get::<Option<bool>>("only_distance")?
            .unwrap_or(false);
        // Granularity and locale are accepted but English "auto" is always used.
        let _ = kwargs.get::<Option<Value>>("granularity")?;
        let _ = kwargs.get::<Option<Value>>("locale")?;
        kwargs.assert_all_used()?;
        let other = match other {
            None => Utc::now().with_timezone(self.dt.offset()),
            Some(v) if v.is_none() => Utc::now().with_timezone(self.dt.offset()),
            Some(v) => match v.downcast_object_ref::<ArrowDate>() {
                Some(other) => other.dt,
                None => {
                    return Err(invalid(format!(
                        "humanize() needs another date or nothing, not {}",
                        v.kind()
                    )))
                }
            },
        };
        Ok(humanize(&self.dt, &other, only_distance))
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
}

fn out_of_range(naive: &NaiveDateTime) -> Error {
    invalid(format!("date {naive} is out of range"))
}

/// English ordinal as arrow's EnglishLocale writes it.
fn ordinal(n: u32) -> String {
    let suffix = match (n % 100, n % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `+HH:MM` / `+HHMM`, with the sign of the offset.
fn offset_string(seconds: i32, sep: &str) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}{sep}{:02}", minutes / 60, minutes % 60)
}

/// `tzname()` of Python's `datetime.timezone`: `UTC` or `UTC-07:00`.
fn fixed_tzname(dt: &DateTime<FixedOffset>) -> String {
    match dt.offset().local_minus_utc() {
        0 => "UTC".to_string(),
        secs => format!("UTC{}", offset_string(secs, ":")),
    }
}

/// relativedelta-style month arithmetic: the day is clamped to the length
/// of the target month.
fn add_months(naive: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    let total = i64::from(naive.year()) * 12 + i64::from(naive.month0()) + months;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    let last_day = (28..=31)
        .rev()
        .find(|&d| NaiveDate::from_ymd_opt(year, month, d).is_some())?;
    NaiveDate::from_ymd_opt(year, month, naive.day().min(last_day))
        .map(|date| date.and_time(naive.time()))
}

/// Whole calendar months and leftover days from `earlier` to `later`, as
/// `dateutil.relativedelta(later, earlier)` counts them.
fn calendar_diff(later: &DateTime<FixedOffset>, earlier: &DateTime<FixedOffset>) -> (i64, i64) {
    let shifted = |months: i64| {
        add_months(earlier.naive_local(), months)
            .and_then(|n| earlier.offset().from_local_datetime(&n).single())
    };
    let mut months = i64::from(later.year() - earlier.year()) * 12 + i64::from(later.month())
        - i64::from(earlier.month());
    let mut anchor = shifted(months);
    while let Some(a) = anchor {
        if a <= *later {
            break;
        }
        months -= 1;
        anchor = shifted(months);
    }
    let days = anchor.map_or(0, |a| (*later - a).num_seconds().div_euclid(86_400));
    (months, days)
}

const SECS_PER_MINUTE: i64 = 60;
const SECS_PER_HOUR: i64 = 3_600;
const SECS_PER_DAY: i64 = 86_400;
const SECS_PER_WEEK: i64 = 604_800;
const SECS_PER_MONTH: f64 = 86_400.0 * 30.5;
const SECS_PER_YEAR: i64 = 31_536_000;

/// arrow's `humanize(other)` with `granularity="auto"` and the English locale.
fn humanize(
    this: &DateTime<FixedOffset>,
    other: &DateTime<FixedOffset>,
    only_distance: bool,
) -> String {
    let micros = (*this - *other).num_microseconds().unwrap_or(i64::MAX);
    // Python: int(round(total_seconds())) — round half to even.
    let delta = (micros as f64 / 1e6).round_ties_even() as i64;
    let sign = if delta < 0 { -1 } else { 1 };
    let diff = delta.abs();

    let (later, earlier) = if this < other {
        (other, this)
    } else {
        (this, other)
    };
    let (months, days) = calendar_diff(later, earlier);
    let calendar_months = (months + i64::from(days > 14)).min(12);

    let (unit, count) = if diff < 10 {
        let text = if only_distance {
            "instantly"
        } else {
            "just now"
        };
        return text.to_string();
    } else if diff < SECS_PER_MINUTE {
        ("seconds", diff)
    } else if diff < SECS_PER_MINUTE * 2 {
        ("minute", 1)
    } else if diff < SECS_PER_HOUR {
        ("minutes", (diff / SECS_PER_MINUTE).max(2))
    } else if diff < SECS_PER_HOUR * 2 {
        ("hour", 1)
    } else if diff < SECS_PER_DAY {
        ("hours", (diff / SECS_PER_HOUR).max(2))
    } else if diff < SECS_PER_DAY * 2 {
        ("day", 1)
    } else if diff < SECS_PER_WEEK {
        ("days", (diff / SECS_PER_DAY).max(2))
    } else if calendar_months >= 1 && diff < SECS_PER_YEAR {
        if calendar_months == 1 {
            ("month", 1)
        } else {
            ("months", calendar_months)
        }
    } else if diff < SECS_PER_WEEK * 2 {
        ("week", 1)
    } else if (diff as f64) < SECS_PER_MONTH {
        ("weeks", (diff / SECS_PER_WEEK).max(2))
    } else if diff < SECS_PER_YEAR * 2 {
        ("year", 1)
    } else {
        ("years", (diff / SECS_PER_YEAR).max(2))
    };
    let amount = match unit {
        "minute" => "a minute".to_string(),
        "hour" => "an hour".to_string(),
        "day" | "week" | "month" | "year" => format!("a {unit}"),
        _ => format!("{count} {unit}"),
    };
    if only_distance {
        amount
    } else if sign < 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// `+HH:MM`, `+HHMM` or `+HH` (and `Z`), as arrow's tz parser accepts.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    if s == "Z" || s == "z" {
        return FixedOffset::east_opt(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|&c| c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = match &digits[2..] {
        "" => 0,
        m => m.parse().ok()?,
    };
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// Parses the ISO 8601 forms arrow's `parse_iso` accepts; a missing offset
/// means UTC.
fn parse_iso(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    let (date_part, time_part) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let date = parse_iso_date(date_part)?;
    let (time, offset) = match time_part {
        None => (
            (NaiveTime::MIN, Duration::zero()),
            FixedOffset::east_opt(0)?,
        ),
        Some(t) => {
            let split = t.find(['Z', 'z', '+', '-']).unwrap_or(t.len());
            let offset = match &t[split..] {
                "" => FixedOffset::east_opt(0)?,
                tz => parse_offset(tz)?,
            };
            (parse_iso_time(&t[..split])?, offset)
        }
    };
    let (time, fraction) = time;
    offset
        .from_local_datetime(&date.and_time(time).checked_add_signed(fraction)?)
        .single()
}

fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let num = |t: &str, lens: &[usize]| -> Option<u32> {
        (lens.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    if s.len() == 8 && !s.contains(['-', '/', '.']) {
        let year = num(&s[..4], &[4])? as i32;
        return NaiveDate::from_ymd_opt(year, num(&s[4..6], &[2])?, num(&s[6..], &[2])?);
    }
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let year = num(parts.first()?, &[4])? as i32;
    match parts.as_slice() {
        [_] => NaiveDate::from_ymd_opt(year, 1, 1),
        [_, ord] if ord.len() == 3 => NaiveDate::from_yo_opt(year, num(ord, &[3])?),
        [_, month] => NaiveDate::from_ymd_opt(year, num(month, &[1, 2])?, 1),
        [_, month, day] => NaiveDate::from_ymd_opt(year, num(month, &[1, 2])?, num(day, &[1, 2])?),
        _ => None,
    }
}

/// The whole-second clock time and the fraction, kept apart because rounding
/// the fraction can carry into the next day.
fn parse_iso_time(s: &str) -> Option<(NaiveTime, Duration)> {
    let (clock, fraction) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits: String = clock.chars().filter(|&c| c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4 | 6) {
        return None;
    }
    let field = |i: usize| digits.get(i..i + 2).map_or(Some(0), |d| d.parse().ok());
    let mut micros = 0u32;
    if let Some(frac) = fraction {
        if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // arrow keeps six digits, rounding on the seventh.
        let padded = format!("{frac:0<7}");
        micros = padded[..6].parse().ok()?;
        if padded.as_bytes()[6] >= b'5' {
            micros += 1;
        }
    }
    Some((
        NaiveTime::from_hms_opt(field(0)?, field(2)?, field(4)?)?,
        Duration::microseconds(micros.into()),
    ))
}

/// The current time in `tz` (`arrow.now(tz)`).
pub fn now_in(tz: Tz) -> ArrowDate {
    ArrowDate::in_zone(Utc::now(), tz)
}

/// `arrow.get(...)`: no argument (now, UTC), an ArrowDate, a Unix timestamp,
/// an ISO 8601 string (offset-less means UTC), or year, month, day[, hour,
/// minute, second, microsecond] in UTC.
pub fn arrow_get(args: &[Value]) -> Result<ArrowDate, Error> {
    match args {
        [] => Ok(now_in(chrono_tz::UTC)),
        [value] => {
            if let Some(date) = value.downcast_object_ref::<ArrowDate>() {
                return Ok(ArrowDate {
                    style: Style::Arrow,
                    ..date.clone()
                });
            }
            if let Some(s) = value.as_str() {
                return parse_iso(s)
                    .map(ArrowDate::new)
                    .ok_or_else(|| invalid(format!("arrow.get(): could not parse date {s:?}")));
            }
            let ts = f64::try_from(value.clone()).map_err(|_| {
                invalid(format!(
                    "arrow.get() needs a date string, a timestamp or a date, not {}",
                    value.kind()
                ))
            })?;
            let micros = (ts * 1e6).round() as i64;
            DateTime::from_timestamp_micros(micros)
                .map(|utc| ArrowDate::in_zone(utc, chrono_tz::UTC))
                .ok_or_else(|| invalid(format!("arrow.get(): timestamp {ts} is out of range")))
        }
        [first, ..] if first.as_str().is_some() => Err(invalid(
            "arrow.get(string, format) is not supported; use an ISO 8601 string".into(),
        )),
        parts => {
            let mut fields = [1i64, 1, 1, 0, 0, 0, 0];
            if parts.len() > fields.len() {
                return Err(invalid("arrow.get() takes at most 7 date fields".into()));
            }
            for (slot, value) in fields.iter_mut().zip(parts) {
                *slot = i64::try_from(value.clone())?;
            }
            let [_, mo, d, h, mi, s, us] = fields.map(|f| u32::try_from(f).ok());
            let naive = (|| {
                NaiveDate::from_ymd_opt(i32::try_from(fields[0]).ok()?, mo?, d?)?
                    .and_hms_micro_opt(h?, mi?, s?, us?)
            })();
            naive
                .map(|n| ArrowDate::in_zone(n.and_utc(), chrono_tz::UTC))
                .ok_or_else(|| invalid("arrow.get(): date fields out of range".into()))
        }
    }
}

impl fmt::Display for ArrowDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if self.style == Style::Arrow { "T" } else { " " };
        f.write_str(&self.isoformat(sep))
    }
}

impl Object for ArrowDate {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let dt = &self.dt;
        Some(match key.as_str()? {
            "year" => Value::from(dt.year()),
            "month" => Value::from(dt.month()),
            "day" => Value::from(dt.day()),
            "hour" => Value::from(dt.hour()),
            "minute" => Value::from(dt.minute()),
            "second" => Value::from(dt.second()),
            "microsecond" => Value::from(dt.nanosecond() / 1000),
            "tzinfo" => Value::from(self.tzinfo()),
            "int_timestamp" => Value::from(dt.timestamp()),
            "float_timestamp" => Value::from(self.timestamp()),
            "naive" => self.with_style(Style::Naive),
            "datetime" => self.with_style(Style::Datetime),
            _ => return None,
        })
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "format" => {
                let (fmt, _locale, kwargs): (Option<&str>, Option<&str>, Kwargs) = from_args(args)?;
                let fmt = fmt
                    .or(kwargs.get::<Option<&str>>("fmt")?)
                    .unwrap_or("YYYY-MM-DD HH:mm:ssZZ");
                let _ = kwargs.get::<Option<&str>>("locale")?;
                kwargs.assert_all_used()?;
                Ok(Value::from(self.format(fmt)))
            }
            "isoformat" => {
                let (sep, kwargs): (Option<&str>, Kwargs) = from_args(args)?;
                let sep = sep.or(kwargs.get::<Option<&str>>("sep")?).unwrap_or("T");
                kwargs.assert_all_used()?;
                Ok(Value::from(self.isoformat(sep)))
            }
            "humanize" => self.humanize(args).map(Value::from),
            "timestamp" => {
                from_args::<()>(args)?;
                Ok(Value::from(self.timestamp()))
            }
            "weekday" | "isoweekday" => {
                from_args::<()>(args)?;
                let day = self.dt.weekday();
                Ok(Value::from(if method == "weekday" {
                    day.num_days_from_monday()
                } else {
                    day.number_from_monday()
                }))
            }
            "shift" => {
                let (kwargs,): (Kwargs,) = from_args(args)?;
                Ok(Value::from_object(self.shift(&kwargs)?))
            }
            "span" | "floor" | "ceil" => {
                let (frame, kwargs): (&str, Kwargs) = from_args(args)?;
                let count = kwargs.get::<Option<i64>>("count")?.unwrap_or(1);
                let week_start = kwargs.get::<Option<u32>>("week_start")?.unwrap_or(1);
                if !(1..=7).contains(&week_start) {
                    return Err(invalid(
                        "week_start must be 1 (Monday) to 7 (Sunday)".into(),
                    ));
                }
                let (floor, ceil) = self.span(Frame::parse(frame)?, count, week_start)?;
                Ok(match method {
                    "floor" => Value::from_object(floor),
                    "ceil" => Value::from_object(ceil),
                    _ => Value::from(vec![Value::from_object(floor), Value::from_object(ceil)]),
                })
            }
            // A Python date prints and compares as its ISO form.
            "date" => Ok(Value::from(
                self.dt.date_naive().format("%Y-%m-%d").to_string(),
            )),
            "replace" => {
                let (kwargs,): (Kwargs,) = from_args(args)?;
                Ok(Value::from_object(self.replace(&kwargs)?))
            }
            "to" => {
                let (tz,): (Value,) = from_args(args)?;
                Ok(Value::from_object(self.convert_to(&tz)?))
            }
            "strftime" => {
                let (fmt,): (&str,) = from_args(args)?;
                let mut out = String::new();
                // chrono reports a bad format string as a fmt::Error here
                // instead of panicking as `to_string()` would.
                write!(out, "{}", self.dt.format(fmt))
                    .map_err(|_| invalid(format!("strftime(): invalid format {fmt:?}")))?;
                Ok(Value::from(out))
            }
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        let other = other.downcast_ref::<Self>()?;
        match (self.style == Style::Naive, other.style == Style::Naive) {
            (true, true) => Some(self.dt.naive_local().cmp(&other.dt.naive_local())),
            (false, false) => Some(self.dt.cmp(&other.dt)),
            // Python refuses to compare naive and aware datetimes.
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::{context, Environment};

    fn date(s: &str) -> Value {
        Value::from_object(arrow_get(&[Value::from(s)]).unwrap())
    }

    fn render(src: &str, d: Value) -> String {
        let mut env = Environment::new();
        env.add_function("get", |s: String| date(&s));
        env.render_str(src, context! { d }).unwrap()
    }

    const SAMPLE: &str = "2018-04-03T12:34:56.789012-07:00";

    // The calendar recipe's calls (publ-site manual, recipes/Calendar
    // display). Expected values from arrow 1.4.0:
    //   a = arrow.get('2024-02-14T10:30:00-08:00'); a.floor('month'), ...
    #[test]
    fn spans_and_ranges_match_arrow() {
        let d = date("2024-02-14T10:30:00-08:00");
        let cases = [
            ("{{ d.floor('month') }}", "2024-02-01T00:00:00-08:00"),
            ("{{ d.ceil('month') }}", "2024-02-29T23:59:59.999999-08:00"),
            (
                "{% set a, b = d.span('week', week_start=7) %}{{ a }} {{ b }}",
                "2024-02-11T00:00:00-08:00 2024-02-17T23:59:59.999999-08:00",
            ),
            (
                "{{ d.floor('quarter') }} {{ d.span('day', count=2)[1] }}",
                "2024-01-01T00:00:00-08:00 2024-02-15T23:59:59.999999-08:00",
            ),
            (
                "{{ d.date() }} {{ d.date() > get('2024-02-13').date() }}",
                "2024-02-14 True",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(render(src, d.clone()), want, "{src}");
        }
        let mut env = Environment::new();
        env.add_global("Arrow", Value::from_object(ArrowClass));
        let out = env
            .render_str(
                "{% for x in Arrow.range('day', d, d.shift(days=2)) %}{{ x }};{% endfor %}",
                context! { d },
            )
            .unwrap();
        assert_eq!(
            out,
            "2024-02-14T10:30:00-08:00;2024-02-15T10:30:00-08:00;2024-02-16T10:30:00-08:00;"
        );
    }

    // spec E1/F8. Expected values from arrow 1.4.0:
    //   d = arrow.get('2018-04-03T12:34:56.789012-07:00')
    //   for t in TOKENS: print(t, repr(d.format(t)))
    #[test]
    fn format_tokens_match_arrow() {
        let cases = [
            ("YYYY", "2018"),
            ("YY", "18"),
            ("MM", "04"),
            ("M", "4"),
            ("MMMM", "April"),
            ("MMM", "Apr"),
            ("DDDD", "093"),
            ("DDD", "93"),
            ("DD", "03"),
            ("D", "3"),
            ("Do", "3rd"),
            ("dddd", "Tuesday"),
            ("ddd", "Tue"),
            ("d", "2"),
            ("HH", "12"),
            ("H", "12"),
            ("hh", "12"),
            ("h", "12"),
            ("A", "PM"),
            ("a", "pm"),
            ("mm", "34"),
            ("m", "34"),
            ("ss", "56"),
            ("s", "56"),
            ("S", "7"),
            ("SS", "78"),
            ("SSS", "789"),
            ("SSSS", "7890"),
            ("SSSSS", "78901"),
            ("SSSSSS", "789012"),
            ("ZZ", "-07:00"),
            ("Z", "-0700"),
            ("ZZZ", "UTC-07:00"),
            ("X", "1522784096.789012"),
            ("x", "1522784096789012"),
            ("W", "2018-W14-2"),
            // d.format('[at] h [o\'clock] YYYY-[W]W'), plus odd token runs
            (
                "[at] h [o'clock] YYYY-[W]W",
                "at 12 o'clock 2018-W2018-W14-2",
            ),
            (
                "dd|YYYYY|Dx|ddddd|SSSSSSS|ZZZZ",
                "|2018Y|31522784096789012|Tuesday2|7890127|UTC-07:00-0700",
            ),
            ("YYY", ""),
            ("Y", "Y"),
            ("[unclosed", "[unclo56e2"),
        ];
        let d = arrow_get(&[Value::from(SAMPLE)]).unwrap();
        for (fmt, want) in cases {
            assert_eq!(d.format(fmt), want, "token {fmt}");
        }
    }

    // arrow: [d.replace(hour=h).format('hh h A a HH H') for h in ...]
    #[test]
    fn twelve_hour_clock_matches_arrow() {
        let cases = [
            (0, "12 12 AM am 00 0"),
            (1, "01 1 AM am 01 1"),
            (11, "11 11 AM am 11 11"),
            (12, "12 12 PM pm 12 12"),
            (13, "01 1 PM pm 13 13"),
            (23, "11 11 PM pm 23 23"),
        ];
        for (hour, want) in cases {
            let src = format!("{{{{ d.replace(hour={hour}).format('hh h A a HH H') }}}}");
            assert_eq!(render(&src, date(SAMPLE)), want);
        }
    }

    // arrow: arrow.get(2018, 1, day).format('Do')
    #[test]
    fn ordinals_match_arrow() {
        let cases = [
            (1, "1st"),
            (2, "2nd"),
            (3, "3rd"),
            (4, "4th"),
            (11, "11th"),
            (12, "12th"),
            (13, "13th"),
            (21, "21st"),
            (22, "22nd"),
            (23, "23rd"),
            (31, "31st"),
        ];
        for (day, want) in cases {
            assert_eq!(ordinal(day), want);
        }
    }

    // arrow: str(d), d.isoformat(' '), d.format(), d.naive, d.datetime, tzinfo
    #[test]
    fn printing_matches_arrow() {
        let d = date(SAMPLE);
        assert_eq!(
            render(
                "{{ d }}|{{ d.isoformat() }}|{{ d.isoformat(' ') }}|{{ d.format() }}",
                d.clone()
            ),
            "2018-04-03T12:34:56.789012-07:00|2018-04-03T12:34:56.789012-07:00|\
             2018-04-03 12:34:56.789012-07:00|2018-04-03 12:34:56-07:00"
        );
        assert_eq!(
            render("{{ d.naive }}|{{ d.datetime }}|{{ d.tzinfo }}", d.clone()),
            "2018-04-03 12:34:56.789012|2018-04-03 12:34:56.789012-07:00|UTC-07:00"
        );
        assert_eq!(
            render(
                "{{ d.timestamp() }}|{{ d.float_timestamp }}|{{ d.int_timestamp }}|{{ d.year }}|\
                 {{ d.microsecond }}|{{ d.weekday() }}|{{ d.isoweekday() }}",
                d
            ),
            "1522784096.789012|1522784096.789012|1522784096|2018|789012|1|2"
        );
        // a whole-second timestamp still prints as a Python float
        assert_eq!(
            render("{{ d.replace(microsecond=0).format('X x') }}", date(SAMPLE)),
            "1522784096.0 1522784096000000"
        );
    }

    // arrow: u = arrow.get('2018-04-03 12:34:56'); u.format('ZZZ ZZ'), u.to('US/Pacific')...
    #[test]
    fn zones_match_arrow() {
        let u = date("2018-04-03 12:34:56");
        assert_eq!(
            render("{{ d }}|{{ d.format('ZZZ ZZ') }}|{{ d.tzinfo }}", u.clone()),
            "2018-04-03T12:34:56+00:00|UTC +00:00|UTC"
        );
        assert_eq!(
            render(
                "{% set p = d.to('US/Pacific') %}{{ p }}|{{ p.format('ZZZ ZZ') }}|{{ p.tzinfo }}",
                u
            ),
            "2018-04-03T05:34:56-07:00|PDT -07:00|US/Pacific"
        );
        let d = date(SAMPLE);
        assert_eq!(
            render("{{ d.to('utc') }}|{{ d.to('Europe/London') }}|{{ d.to('+01:00') }}|{{ d.to('utc').tzinfo }}", d.clone()),
            "2018-04-03T19:34:56.789012+00:00|2018-04-03T20:34:56.789012+01:00|\
             2018-04-03T20:34:56.789012+01:00|UTC"
        );
        assert_eq!(
            render(
                "{{ d.to('US/Pacific').shift(months=8).format('YYYY-MM-DD HH:mm ZZZ') }}",
                d.clone()
            ),
            "2018-12-03 12:34 PST"
        );
        assert_eq!(
            render("{{ get('2018-04-03T12:34:56+05:30').format('Z ZZ ZZZ') }}|{{ get('2018-04-03T12:34:56-00:30').format('Z ZZ') }}", d),
            "+0530 +05:30 UTC+05:30|-0030 -00:30"
        );
    }

    // arrow: str(d.shift(...)), str(d.replace(...)), DST cases with US/Pacific
    #[test]
    fn shift_and_replace_match_arrow() {
        let d = date(SAMPLE);
        assert_eq!(
            render(
                "{{ d.shift(months=1, days=-3, hours=2) }}|{{ get('2018-01-31').shift(months=1) }}|\
                 {{ d.shift(years=-2, weeks=1, minutes=5, seconds=-7) }}|{{ d.shift(weeks=-1.5) }}|\
                 {{ d.shift(days=0.5) }}",
                d.clone()
            ),
            "2018-04-30T14:34:56.789012-07:00|2018-02-28T00:00:00+00:00|\
             2016-04-10T12:39:49.789012-07:00|2018-03-24T00:34:56.789012-07:00|\
             2018-04-04T00:34:56.789012-07:00"
        );
        assert_eq!(
            render(
                "{{ d.replace(year=2020, month=2, day=29, hour=1, minute=2, second=3, microsecond=0) }}|\
                 {{ d.replace(tzinfo='+05:30') }}",
                d.clone()
            ),
            "2020-02-29T01:02:03-07:00|2018-04-03T12:34:56.789012+05:30"
        );
        assert_eq!(
            render(
                "{{ get('2018-03-11T01:30:00').replace(tzinfo='US/Pacific').shift(hours=1) }}|\
                 {{ get('2018-03-10T02:30:00').replace(tzinfo='US/Pacific').shift(days=1) }}|\
                 {{ get('2018-11-03T01:30:00').replace(tzinfo='US/Pacific').shift(days=1) }}",
                d
            ),
            "2018-03-11T03:30:00-07:00|2018-03-11T03:30:00-07:00|2018-11-04T01:30:00-07:00"
        );
    }

    #[test]
    fn bad_arguments_are_errors() {
        let env = Environment::new();
        for src in [
            "{{ d.shift(fortnights=1) }}",
            "{{ d.replace(month=13) }}",
            "{{ d.to('Mars/Olympus') }}",
            "{{ d.strftime('%Q') }}",
            "{{ d.humanize(3) }}",
        ] {
            assert!(
                env.render_str(src, context! { d => date(SAMPLE) }).is_err(),
                "{src}"
            );
        }
        assert!(arrow_get(&[Value::from("yesterday")]).is_err());
        assert!(arrow_get(&[Value::from("2018"), Value::from("YYYY")]).is_err());
        assert!(arrow_get(&[2018, 13, 1].map(Value::from)).is_err());
    }

    // arrow: [d.strftime('%Y-%m-%d %H:%M:%S %z %a %b')]
    #[test]
    fn strftime_uses_chrono() {
        assert_eq!(
            render(
                "{{ d.strftime('%Y-%m-%d %H:%M:%S %z %a %b') }}",
                date(SAMPLE)
            ),
            "2018-04-03 12:34:56 -0700 Tue Apr"
        );
    }

    // arrow: d > d.shift(seconds=-1), d == same instant in UTC, d < d.to('US/Pacific')
    #[test]
    fn comparisons_use_the_instant() {
        // publ-site blog/entry.html: `entry.last_modified > entry.date`
        let src =
            "{{ d > d.shift(seconds=-1) }} {{ d == get('2018-04-03T19:34:56.789012+00:00') }} \
                   {{ d < d.to('US/Pacific') }} {{ d != d.shift(seconds=1) }}";
        assert_eq!(render(src, date(SAMPLE)), "True True False True");
    }

    // arrow: str(arrow.get(x)) for each input
    #[test]
    fn arrow_get_matches_arrow() {
        let cases = [
            (
                "2018-04-03T12:34:56.7891236Z",
                "2018-04-03T12:34:56.789124+00:00",
            ),
            ("2018-4-3", "2018-04-03T00:00:00+00:00"),
            ("2018/04/03 12:34", "2018-04-03T12:34:00+00:00"),
            ("20180403T123456+0530", "2018-04-03T12:34:56+05:30"),
            ("2018-093", "2018-04-03T00:00:00+00:00"),
            ("2018-04", "2018-04-01T00:00:00+00:00"),
            ("2018", "2018-01-01T00:00:00+00:00"),
            ("2018-04-03T12+02", "2018-04-03T12:00:00+02:00"),
            (
                "2018-04-03 12:34:56.5-00:30",
                "2018-04-03T12:34:56.500000-00:30",
            ),
            ("2018-04-03T12:34:56,5Z", "2018-04-03T12:34:56.500000+00:00"),
            ("2018-04-03T23:59:59.9999996Z", "2018-04-04T00:00:00+00:00"),
        ];
        for (input, want) in cases {
            assert_eq!(
                arrow_get(&[Value::from(input)]).unwrap().to_string(),
                want,
                "{input}"
            );
        }
        let get = |args: &[Value]| arrow_get(args).unwrap().to_string();
        assert_eq!(get(&[Value::from(1522784096)]), "2018-04-03T19:34:56+00:00");
        assert_eq!(
            get(&[Value::from(1522784096.5)]),
            "2018-04-03T19:34:56.500000+00:00"
        );
        assert_eq!(
            get(&[2018, 4, 3].map(Value::from)),
            "2018-04-03T00:00:00+00:00"
        );
        assert_eq!(
            get(&[2018, 4, 3, 12, 34, 56, 7].map(Value::from)),
            "2018-04-03T12:34:56.000007+00:00"
        );
        assert_eq!(get(&[date(SAMPLE)]), SAMPLE);
        let now = get(&[]);
        assert!(now.ends_with("+00:00"), "{now}");
    }

    // spec E1. arrow 1.4.0:
    //   base = arrow.get('2018-04-03T12:00:00+00:00')
    //   base.shift(seconds=d).humanize(base)
    #[test]
    fn humanize_thresholds_match_arrow() {
        let cases: &[(i64, &str, &str)] = &[
            (0, "just now", "just now"),
            (9, "just now", "just now"),
            (10, "in 10 seconds", "10 seconds ago"),
            (44, "in 44 seconds", "44 seconds ago"),
            (45, "in 45 seconds", "45 seconds ago"),
            (59, "in 59 seconds", "59 seconds ago"),
            (60, "in a minute", "a minute ago"),
            (119, "in a minute", "a minute ago"),
            (120, "in 2 minutes", "2 minutes ago"),
            (179, "in 2 minutes", "2 minutes ago"),
            (180, "in 3 minutes", "3 minutes ago"),
            (3599, "in 59 minutes", "59 minutes ago"),
            (3600, "in an hour", "an hour ago"),
            (7199, "in an hour", "an hour ago"),
            (7200, "in 2 hours", "2 hours ago"),
            (10799, "in 2 hours", "2 hours ago"),
            (86399, "in 23 hours", "23 hours ago"),
            (86400, "in a day", "a day ago"),
            (172799, "in a day", "a day ago"),
            (172800, "in 2 days", "2 days ago"),
            (604799, "in 6 days", "6 days ago"),
            (604800, "in a week", "a week ago"),
            (1209599, "in a week", "a week ago"),
            (1209600, "in 2 weeks", "2 weeks ago"),
            (1814400, "in a month", "a month ago"),
            (2635200, "in a month", "a month ago"),
            (2635201, "in a month", "a month ago"),
            (5270400, "in 2 months", "2 months ago"),
            (31535999, "in 12 months", "12 months ago"),
            (31536000, "in a year", "a year ago"),
            (63071999, "in a year", "a year ago"),
            (63072000, "in 2 years", "2 years ago"),
            (94608000, "in 3 years", "3 years ago"),
            (200000000, "in 6 years", "6 years ago"),
        ];
        let base = arrow_get(&[Value::from("2018-04-03T12:00:00+00:00")])
            .unwrap()
            .dt;
        for &(secs, future, past) in cases {
            let later = base + Duration::seconds(secs);
            let earlier = base - Duration::seconds(secs);
            assert_eq!(humanize(&later, &base, false), future, "+{secs}");
            assert_eq!(humanize(&earlier, &base, false), past, "-{secs}");
        }
    }

    // arrow: arrow.get(a).humanize(arrow.get(b)) and the reverse
    #[test]
    fn humanize_counts_calendar_months_like_arrow() {
        let cases = [
            (
                "2018-01-31T00:00:00+00:00",
                "2018-03-01T00:00:00+00:00",
                "a month ago",
                "in a month",
            ),
            (
                "2018-01-15T00:00:00+00:00",
                "2018-03-01T00:00:00+00:00",
                "a month ago",
                "in a month",
            ),
            (
                "2018-01-01T00:00:00+00:00",
                "2018-01-16T00:00:00+00:00",
                "a month ago",
                "in a month",
            ),
            (
                "2018-01-01T00:00:00+00:00",
                "2018-12-31T00:00:00+00:00",
                "12 months ago",
                "in 12 months",
            ),
            (
                "2018-02-28T10:00:00+00:00",
                "2018-03-28T09:00:00+00:00",
                "a month ago",
                "in a month",
            ),
            (
                "2018-01-31T00:00:00+00:00",
                "2018-02-28T00:00:00+00:00",
                "a month ago",
                "in a month",
            ),
            (
                "2018-03-01T00:00:00-08:00",
                "2018-01-31T23:00:00+00:00",
                "in a month",
                "a month ago",
            ),
        ];
        for (a, b, a_to_b, b_to_a) in cases {
            let src = "{{ get(a).humanize(get(b)) }}|{{ get(b).humanize(get(a)) }}";
            let mut env = Environment::new();
            env.add_function("get", |s: String| date(&s));
            let out = env.render_str(src, context! { a, b }).unwrap();
            assert_eq!(out, format!("{a_to_b}|{b_to_a}"));
        }
    }

    // arrow rounds the difference half-to-even:
    //   arrow.get('...12:00:00.5+00:00').humanize(arrow.get('...12:00:10+00:00')) == '10 seconds ago'
    #[test]
    fn humanize_rounds_like_python() {
        let at = |s: &str| arrow_get(&[Value::from(s)]).unwrap().dt;
        let ten = at("2018-04-03T12:00:10+00:00");
        assert_eq!(
            humanize(&at("2018-04-03T12:00:00.6+00:00"), &ten, false),
            "just now"
        );
        assert_eq!(
            humanize(&at("2018-04-03T12:00:00.4+00:00"), &ten, false),
            "10 seconds ago"
        );
        assert_eq!(
            humanize(&at("2018-04-03T12:00:00.5+00:00"), &ten, false),
            "10 seconds ago"
        );
        // d.humanize(d.shift(seconds=100), only_distance=True), d.humanize(d, only_distance=True)
        let d = date(SAMPLE);
        assert_eq!(
            render("{{ d.humanize(d.shift(seconds=100), only_distance=True) }}|{{ d.humanize(d, only_distance=True) }}", d),
            "a minute|instantly"
        );
    }

    #[test]
    fn humanize_without_argument_is_relative_to_now() {
        let d = Value::from_object(now_in(chrono_tz::US::Pacific));
        assert_eq!(
            render("{{ d.humanize() }}|{{ d.shift(hours=-3).humanize() }}", d),
            "just now|3 hours ago"
        );
    }
}
