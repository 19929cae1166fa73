//! Entry dates (spec A7, A8, A24, section 4 item 2).
//!
//! Publ parses `Date`/`Last-Modified` with `arrow.get(text)` (arrow 1.x),
//! so [`parse_date`] re-implements arrow's `DateTimeParser.parse_iso`: the
//! same candidate formats tried in the same order, each searched for with
//! arrow's custom word boundaries, the first matching format deciding the
//! result. Naive times are UTC. One known difference: only ASCII digits
//! count as digits, where Python's `\d` and `int()` also take other Unicode
//! decimal digits (`٢٠١٨-٠٤-٠٣` parses in Publ, not here).

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc,
};

use super::entry_file::is_py_space;

/// `arrow.get(text)`, or `None` wherever arrow raises.
pub fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let chars: Vec<char> = text.chars().collect();
    for format in candidate_formats(text)? {
        let pattern = compile(&format);
        if let Some(captures) = search(&pattern, &chars) {
            // The first format that matches decides; invalid field values
            // make arrow raise rather than try the next format.
            return build(&captures, &chars);
        }
    }
    None
}

/// arrow's default `.format()`: `YYYY-MM-DD HH:mm:ssZZ`.
pub fn format_date(date: &DateTime<FixedOffset>) -> String {
    // int(seconds / 60): truncation toward zero, sign taken afterwards.
    let minutes = date.offset().local_minus_utc() / 60;
    let sign = if minutes >= 0 { '+' } else { '-' };
    let minutes = minutes.abs();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}{:02}:{:02}",
        date.year(),
        date.month(),
        date.day(),
        date.hour(),
        date.minute(),
        date.second(),
        sign,
        minutes / 60,
        minutes % 60
    )
}

/// `arrow.get(st_ctime).to(tz)`: the timestamp goes through a Python float
/// and `datetime.fromtimestamp`'s round-half-even to microseconds.
pub fn local_now_in(tz: chrono_tz::Tz, ts: SystemTime) -> DateTime<FixedOffset> {
    let seconds = match ts.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as f64 + 1e-9 * f64::from(d.subsec_nanos()),
        Err(e) => -(e.duration().as_secs() as f64 + 1e-9 * f64::from(e.duration().subsec_nanos())),
    };
    let mut whole = seconds.trunc();
    let mut micros = ((seconds - whole) * 1e6).round_ties_even();
    if micros >= 1e6 {
        micros -= 1e6;
        whole += 1.0;
    } else if micros < 0.0 {
        micros += 1e6;
        whole -= 1.0;
    }
    let utc = DateTime::<Utc>::from_timestamp(whole as i64, micros as u32 * 1000)
        .unwrap_or(DateTime::UNIX_EPOCH);
    utc.with_timezone(&tz).fixed_offset()
}

const DATE_FORMATS: [&str; 17] = [
    "YYYY-MM-DD",
    "YYYY-M-DD",
    "YYYY-M-D",
    "YYYY/MM/DD",
    "YYYY/M/DD",
    "YYYY/M/D",
    "YYYY.MM.DD",
    "YYYY.M.DD",
    "YYYY.M.D",
    "YYYYMMDD",
    "YYYY-DDDD",
    "YYYYDDDD",
    "YYYY-MM",
    "YYYY/MM",
    "YYYY.MM",
    "YYYY",
    "W",
];

/// The format list `parse_iso` builds from the shape of the string, or
/// `None` where it raises before trying any format.
fn candidate_formats(text: &str) -> Option<Vec<String>> {
    let spaces = text.matches(' ').count();
    let has_t = text.contains('T');
    if spaces > 1 || (has_t && spaces > 0) {
        return None;
    }
    if spaces == 0 && !has_t {
        return Some(DATE_FORMATS.iter().map(|f| f.to_string()).collect());
    }
    let divider = if spaces == 1 { ' ' } else { 'T' };
    let (_, time) = text.split_once(divider)?;
    let (clock, zone) = match time.find(['+', '-', 'Z', 'z']) {
        Some(i) => (&time[..i], Some(&time[i + 1..])),
        None => (time, None),
    };
    let shape = time_shape(clock)?;
    let sep = if clock.contains(':') { ":" } else { "" };
    let mut time_format = match shape {
        TimeShape::Hours => "HH".to_string(),
        TimeShape::Minutes => format!("HH{sep}mm"),
        TimeShape::Seconds => format!("HH{sep}mm{sep}ss"),
        TimeShape::Subseconds(dot) => format!("HH{sep}mm{sep}ss{dot}S"),
    };
    if let Some(zone) = zone {
        time_format.push_str(if zone.contains(':') { "ZZ" } else { "Z" });
    }
    Some(
        DATE_FORMATS
            .iter()
            .map(|f| format!("{f}{divider}{time_format}"))
            .collect(),
    )
}

enum TimeShape {
    Hours,
    Minutes,
    Seconds,
    Subseconds(char),
}

/// arrow's `_TIME_RE`:
/// `^(\d{2})(?:\:?(\d{2}))?(?:\:?(\d{2}))?(?:([\.\,])(\d+))?$`, tried in the
/// regex engine's priority order.
fn time_shape(clock: &str) -> Option<TimeShape> {
    let b = clock.as_bytes();
    // `$` also matches just before a final newline.
    let at_end = |pos: usize| pos == b.len() || (pos + 1 == b.len() && b[pos] == b'\n');
    let digits2 = |pos: usize| b.len() >= pos + 2 && b[pos..pos + 2].iter().all(u8::is_ascii_digit);
    let optional_pair = |pos: usize| {
        let mut options = Vec::with_capacity(3);
        if b.get(pos) == Some(&b':') && digits2(pos + 1) {
            options.push((pos + 3, true));
        }
        if digits2(pos) {
            options.push((pos + 2, true));
        }
        options.push((pos, false));
        options
    };
    if !digits2(0) {
        return None;
    }
    for (after_minutes, minutes) in optional_pair(2) {
        for (after_seconds, seconds) in optional_pair(after_minutes) {
            if let Some(&dot @ (b'.' | b',')) = b.get(after_seconds) {
                let run = b[after_seconds + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                if run > 0 && at_end(after_seconds + 1 + run) {
                    return Some(TimeShape::Subseconds(char::from(dot)));
                }
            }
            if at_end(after_seconds) {
                return Some(match (minutes, seconds) {
                    (_, true) => TimeShape::Seconds,
                    (true, false) => TimeShape::Minutes,
                    (false, false) => TimeShape::Hours,
                });
            }
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Year,
    Month,
    DayOfYear,
    Day,
    Hour,
    Minute,
    Second,
    Subsecond,
}

#[derive(Debug, Clone, Copy)]
enum Element {
    Literal(char),
    Digits {
        field: Field,
        min: usize,
        max: usize,
    },
    Offset {
        colon: bool,
    },
    WeekDate,
}

/// Tokenises an arrow format string (only the tokens `parse_iso` emits).
fn compile(format: &str) -> Vec<Element> {
    use Element::Digits;
    use Field::*;
    const TOKENS: [(&str, Element); 14] = [
        (
            "YYYY",
            Digits {
                field: Year,
                min: 4,
                max: 4,
            },
        ),
        (
            "MM",
            Digits {
                field: Month,
                min: 2,
                max: 2,
            },
        ),
        (
            "M",
            Digits {
                field: Month,
                min: 1,
                max: 2,
            },
        ),
        (
            "DDDD",
            Digits {
                field: DayOfYear,
                min: 3,
                max: 3,
            },
        ),
        (
            "DD",
            Digits {
                field: Day,
                min: 2,
                max: 2,
            },
        ),
        (
            "D",
            Digits {
                field: Day,
                min: 1,
                max: 2,
            },
        ),
        (
            "HH",
            Digits {
                field: Hour,
                min: 2,
                max: 2,
            },
        ),
        (
            "mm",
            Digits {
                field: Minute,
                min: 2,
                max: 2,
            },
        ),
        (
            "ss",
            Digits {
                field: Second,
                min: 2,
                max: 2,
            },
        ),
        (
            "S",
            Digits {
                field: Subsecond,
                min: 1,
                max: usize::MAX,
            },
        ),
        ("ZZ", Element::Offset { colon: true }),
        ("Z", Element::Offset { colon: false }),
        ("W", Element::WeekDate),
        ("T", Element::Literal('T')),
    ];
    let mut out = Vec::new();
    let mut rest = format;
    while let Some(c) = rest.chars().next() {
        match TOKENS.iter().find(|(token, _)| rest.starts_with(token)) {
            Some((token, element)) => {
                out.push(*element);
                rest = &rest[token.len()..];
            }
            None => {
                out.push(Element::Literal(c));
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Capture {
    /// A range of the input rather than a copy: `S` may be arbitrarily long
    /// and is re-captured at every backtracking step.
    Number(Field, std::ops::Range<usize>),
    Offset(String),
    Week(String, String, Option<char>),
}

/// Punctuation arrow tolerates right before and right after a date.
const EDGE_PUNCTUATION: &str = ",.;:?!\"'`[]{}()<>";

/// `re.search` of the bounded pattern: the first start position (left to
/// right) where the pattern matches, with arrow's lookbehind/lookahead
/// boundaries.
fn search(pattern: &[Element], s: &[char]) -> Option<Vec<Capture>> {
    let mut captures = Vec::new();
    (0..=s.len()).find_map(|start| {
        captures.clear();
        (starts_cleanly(s, start) && match_here(pattern, s, start, &mut captures))
            .then(|| captures.clone())
    })
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `(?<!\S\S)(?<![^<punctuation>\s])(\b|^)`
fn starts_cleanly(s: &[char], pos: usize) -> bool {
    if pos >= 2 && !is_py_space(s[pos - 1]) && !is_py_space(s[pos - 2]) {
        return false;
    }
    if pos == 0 {
        return true;
    }
    let before = s[pos - 1];
    (EDGE_PUNCTUATION.contains(before) || is_py_space(before))
        && is_word(before) != s.get(pos).copied().is_some_and(is_word)
}

/// `(?=[<punctuation>]?(?!\S))`
fn ends_cleanly(s: &[char], pos: usize) -> bool {
    let blank_at = |i: usize| s.get(i).is_none_or(|&c| is_py_space(c));
    (s.get(pos).is_some_and(|&c| EDGE_PUNCTUATION.contains(c)) && blank_at(pos + 1))
        || blank_at(pos)
}

fn digit_run(s: &[char], pos: usize, max: usize) -> usize {
    s.iter()
        .skip(pos)
        .take(max)
        .take_while(|c| c.is_ascii_digit())
        .count()
}

fn text(s: &[char], from: usize, to: usize) -> String {
    s[from..to].iter().collect()
}

/// Backtracking match of `pattern` at `pos`, alternatives in the order
/// Python's regex engine tries them (greedy quantifiers first).
fn match_here(pattern: &[Element], s: &[char], pos: usize, caps: &mut Vec<Capture>) -> bool {
    let Some((element, rest)) = pattern.split_first() else {
        return ends_cleanly(s, pos);
    };
    let attempt = |end: usize, capture: Option<Capture>, caps: &mut Vec<Capture>| {
        let pushed = capture.map(|c| caps.push(c)).is_some();
        if match_here(rest, s, end, caps) {
            return true;
        }
        if pushed {
            caps.pop();
        }
        false
    };
    match *element {
        // IGNORECASE: a literal `T` also matches `t`.
        Element::Literal(c) => {
            s.get(pos).is_some_and(|x| x.eq_ignore_ascii_case(&c)) && attempt(pos + 1, None, caps)
        }
        Element::Digits { field, min, max } => {
            let run = digit_run(s, pos, max);
            (min..=run).rev().any(|len| {
                attempt(
                    pos + len,
                    Some(Capture::Number(field, pos..pos + len)),
                    caps,
                )
            })
        }
        Element::Offset { colon } => offset_candidates(s, pos, colon)
            .into_iter()
            .any(|end| attempt(end, Some(Capture::Offset(text(s, pos, end))), caps)),
        Element::WeekDate => week_candidates(s, pos)
            .into_iter()
            .any(|(end, capture)| attempt(end, Some(capture), caps)),
    }
}

/// `([\+\-])(\d{2})(?:(\d{2}))?|Z`, or with `\:` before the minutes for `ZZ`.
fn offset_candidates(s: &[char], pos: usize, colon: bool) -> Vec<usize> {
    let mut ends = Vec::new();
    if matches!(s.get(pos), Some('+' | '-')) && digit_run(s, pos + 1, 2) == 2 {
        let minutes_at = pos + 3 + usize::from(colon);
        let colon_ok = !colon || s.get(pos + 3) == Some(&':');
        if colon_ok && digit_run(s, minutes_at, 2) == 2 {
            ends.push(minutes_at + 2);
        }
        ends.push(pos + 3);
    }
    if matches!(s.get(pos), Some('Z' | 'z')) {
        ends.push(pos + 1);
    }
    ends
}

/// `(?P<year>\d{4})[\-]?W(?P<week>\d{2})[\-]?(?P<day>\d)?`
fn week_candidates(s: &[char], pos: usize) -> Vec<(usize, Capture)> {
    let mut out = Vec::new();
    if digit_run(s, pos, 4) < 4 {
        return out;
    }
    let optional_dash = |at: usize| {
        let mut v = Vec::with_capacity(2);
        if s.get(at) == Some(&'-') {
            v.push(at + 1);
        }
        v.push(at);
        v
    };
    for w in optional_dash(pos + 4) {
        if !s.get(w).is_some_and(|c| c.eq_ignore_ascii_case(&'W')) || digit_run(s, w + 1, 2) < 2 {
            continue;
        }
        for d in optional_dash(w + 3) {
            let year = text(s, pos, pos + 4);
            let week = text(s, w + 1, w + 3);
            if let Some(&day) = s.get(d).filter(|c| c.is_ascii_digit()) {
                out.push((d + 1, Capture::Week(year.clone(), week.clone(), Some(day))));
            }
            out.push((d, Capture::Week(year, week, None)));
        }
    }
    out
}

/// arrow's `_parse_token` + `_build_datetime` + `fromdatetime` (naive → UTC).
fn build(captures: &[Capture], s: &[char]) -> Option<DateTime<FixedOffset>> {
    let mut year = None;
    let (mut month, mut day, mut day_of_year) = (None, None, None);
    let (mut hour, mut minute, mut second, mut micro) = (0, 0, 0, 0);
    let mut offset = FixedOffset::east_opt(0)?;
    let mut week = None;
    for capture in captures {
        match capture {
            Capture::Number(Field::Subsecond, digits) => micro = round_micros(&s[digits.clone()]),
            Capture::Number(field, digits) => {
                let value: u32 = text(s, digits.start, digits.end).parse().ok()?;
                match field {
                    Field::Year => year = Some(value as i32),
                    Field::Month => month = Some(value),
                    Field::DayOfYear => day_of_year = Some(value),
                    Field::Day => day = Some(value),
                    Field::Hour => hour = value,
                    Field::Minute => minute = value,
                    Field::Second => second = value,
                    Field::Subsecond => {}
                }
            }
            Capture::Offset(text) => offset = parse_offset(text)?,
            Capture::Week(y, w, d) => week = Some((y.parse().ok()?, w.parse().ok()?, *d)),
        }
    }

    if let Some((iso_year, iso_week, weekday)) = week {
        let date = iso_week_date(iso_year, iso_week, weekday)?;
        (year, month, day) = (Some(date.year()), Some(date.month()), Some(date.day()));
    }
    if let Some(ordinal) = day_of_year {
        let date = strptime_day_of_year(year?, ordinal)?;
        (year, month, day) = (Some(date.year()), Some(date.month()), Some(date.day()));
    }

    let mut increment = Duration::zero();
    if hour == 24 {
        if minute != 0 || second != 0 || micro != 0 {
            return None;
        }
        hour = 0;
        increment = Duration::days(1);
    }
    if micro == 1_000_000 {
        micro = 0;
        increment += Duration::seconds(1);
    }
    let year = year.unwrap_or(1);
    if !(1..=9999).contains(&year) {
        return None;
    }
    let naive = NaiveDate::from_ymd_opt(year, month.unwrap_or(1), day.unwrap_or(1))?
        .and_hms_micro_opt(hour, minute, second, micro)?;
    let naive: NaiveDateTime = naive.checked_add_signed(increment)?;
    if naive.year() > 9999 {
        return None;
    }
    offset.from_local_datetime(&naive).single()
}

/// The `S` token: the six most significant digits, rounded half-to-even on
/// the seventh (later digits are ignored, as in arrow).
fn round_micros(digits: &[char]) -> u32 {
    let mut padded: Vec<u32> = digits
        .iter()
        .take(7)
        .filter_map(|c| c.to_digit(10))
        .collect();
    padded.resize(7, 0);
    let six = padded[..6].iter().fold(0, |acc, d| acc * 10 + d);
    let rounding = match padded[6] {
        5 => padded[5] % 2,
        d if d > 5 => 1,
        _ => 0,
    };
    six + rounding
}

/// arrow's `TzinfoParser.parse` for what the `Z`/`ZZ` tokens can capture.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    if text == "Z" {
        return FixedOffset::east_opt(0);
    }
    let sign = match text.chars().next()? {
        '+' => 1,
        '-' => -1,
        // `z` would be looked up as a zone name, which does not exist.
        _ => return None,
    };
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Some(0), |m| m.parse().ok())?;
    // Python's timezone() demands strictly less than a day either way.
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// `strptime(f"{year}-{week}-{day}", "%G-%V-%u")`: `%G` needs four digits,
/// `%V` takes 0..=53 without checking the year has that many weeks, `%u`
/// is 1..=7.
fn iso_week_date(year: i32, week: u32, weekday: Option<char>) -> Option<NaiveDate> {
    let weekday = weekday.map_or(Some(1), |d| d.to_digit(10))?;
    if !(1000..=9999).contains(&year) || week > 53 || !(1..=7).contains(&weekday) {
        return None;
    }
    let jan4 = NaiveDate::from_ymd_opt(year, 1, 4)?;
    let week1_monday = jan4 - Duration::days(i64::from(jan4.weekday().num_days_from_monday()));
    let date = week1_monday.checked_add_signed(Duration::days(
        i64::from(week) * 7 - 7 + i64::from(weekday) - 1,
    ))?;
    (1..=9999).contains(&date.year()).then_some(date)
}

/// `strptime(f"{year}-{day}", "%Y-%j")`: day 366 of a common year is the
/// next January 1st.
fn strptime_day_of_year(year: i32, ordinal: u32) -> Option<NaiveDate> {
    if !(1000..=9999).contains(&year) || !(1..=366).contains(&ordinal) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, 1, 1)?
        .checked_add_signed(Duration::days(i64::from(ordinal) - 1))?;
    (date.year() <= 9999).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> Option<String> {
        parse_date(text).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
    }

    // spec A7, section 4 item 2: expectations from arrow 1.4.0's
    // `arrow.get(text).isoformat()` (None where arrow raises).
    #[test]
    fn arrow_oracle() {
        let cases: &[(&str, Option<&str>)] = &[
            ("2018-04-03", Some("2018-04-03T00:00:00+00:00")),
            ("2018-04-03 12:34", Some("2018-04-03T12:34:00+00:00")),
            ("2018-04-03 12:34:56", Some("2018-04-03T12:34:56+00:00")),
            ("2018-04-03T12:34:56", Some("2018-04-03T12:34:56+00:00")),
            (
                "2018-04-03T12:34:56.123456789",
                Some("2018-04-03T12:34:56.123457+00:00"),
            ),
            (
                "2018-04-03T12:34:56,5",
                Some("2018-04-03T12:34:56.500+00:00"),
            ),
            (
                "2018-04-03T12:34:56.9999996",
                Some("2018-04-03T12:34:57+00:00"),
            ),
            ("2018-04-03T12:34:56Z", Some("2018-04-03T12:34:56+00:00")),
            ("2018-04-03T12:34:56z", None),
            (
                "2018-04-03 12:34:56+0000",
                Some("2018-04-03T12:34:56+00:00"),
            ),
            (
                "2018-04-03 12:34:56-07:00",
                Some("2018-04-03T12:34:56-07:00"),
            ),
            ("2018-04-03 12:34:56-07", Some("2018-04-03T12:34:56-07:00")),
            ("2018-04-03 12:34:56 -07:00", None),
            ("2018-04", Some("2018-04-01T00:00:00+00:00")),
            ("2018", Some("2018-01-01T00:00:00+00:00")),
            ("2018-04-03 ", None),
            (" 2018-04-03", None),
            ("(2018-04-03)", Some("2018-04-03T00:00:00+00:00")),
            ("2018-04-03.", Some("2018-04-03T00:00:00+00:00")),
            ("2018-04-03,", Some("2018-04-03T00:00:00+00:00")),
            ("x2018-04-03", None),
            ("2018-04-03x", None),
            ("2018-13-01", None),
            ("2018-02-30", None),
            ("2018-04-03 24:00", Some("2018-04-04T00:00:00+00:00")),
            ("2018-04-03 24:01", None),
            ("2018-04-03 25:00", None),
            ("2018-04-03 12:60", None),
            ("2018-04-03 12:34:60", None),
            ("2018/04/03", Some("2018-04-03T00:00:00+00:00")),
            ("2018.4.3", Some("2018-04-03T00:00:00+00:00")),
            ("20180403", Some("2018-04-03T00:00:00+00:00")),
            ("2018-093", Some("2018-04-03T00:00:00+00:00")),
            ("2018093", Some("2018-04-03T00:00:00+00:00")),
            ("2018-366", Some("2019-01-01T00:00:00+00:00")),
            ("2016-366", Some("2016-12-31T00:00:00+00:00")),
            ("2018-000", None),
            ("2018-W14", Some("2018-04-02T00:00:00+00:00")),
            ("2018-W14-2", Some("2018-04-03T00:00:00+00:00")),
            ("2018W142", Some("2018-04-03T00:00:00+00:00")),
            ("2018-W53", Some("2018-12-31T00:00:00+00:00")),
            ("2018-W00", Some("2017-12-25T00:00:00+00:00")),
            ("2018-W14-8", None),
            ("2018-W14-0", None),
            ("0000-01-01", None),
            ("0001-01-01", Some("0001-01-01T00:00:00+00:00")),
            ("9999-12-31 24:00", None),
            ("2018-04-03T12", Some("2018-04-03T12:00:00+00:00")),
            ("2018-04-03T1234", Some("2018-04-03T12:34:00+00:00")),
            ("2018-04-03T123456", Some("2018-04-03T12:34:56+00:00")),
            ("2018-04-03T12:3456", None),
            ("2018-04-03T12:34+05:30", Some("2018-04-03T12:34:00+05:30")),
            ("2018-04-03T12:34+0530", Some("2018-04-03T12:34:00+05:30")),
            ("2018-04-03T12:34+05:3", None),
            ("2018-04-03T12:34+2359", Some("2018-04-03T12:34:00+23:59")),
            ("2018-04-03T12:34+2400", None),
            ("2018-04-03T12:34+0099", Some("2018-04-03T12:34:00+01:39")),
            ("2018-04-03T12:34-00:00", Some("2018-04-03T12:34:00+00:00")),
            ("2018-04-03T12:34Z+05", None),
            ("2018-04-03t12:34", None),
            ("April 3, 2018", None),
            ("Tue, 03 Apr 2018 12:34:56 +0000", None),
            ("2018-4-3", Some("2018-04-03T00:00:00+00:00")),
            ("2018-04-3", Some("2018-04-03T00:00:00+00:00")),
            ("2018-4-03", Some("2018-04-03T00:00:00+00:00")),
            ("2018-04-03T", None),
            ("1234", Some("1234-01-01T00:00:00+00:00")),
            ("12345", None),
            ("2018-04-03 12:34\n", Some("2018-04-03T12:34:00+00:00")),
            ("\n2018-04-03", Some("2018-04-03T00:00:00+00:00")),
            ("2018-04-03\n", Some("2018-04-03T00:00:00+00:00")),
            ("2018-04-03 12:34:56.", None),
            (
                "2018-04-03 12:34:56.5Z",
                Some("2018-04-03T12:34:56.500+00:00"),
            ),
            (
                "2018-04-03 12:34:56.5+01",
                Some("2018-04-03T12:34:56.500+01:00"),
            ),
            (
                "2018-04-03T12:34:56.000000+00:00",
                Some("2018-04-03T12:34:56+00:00"),
            ),
            (
                "2018-04-03 12:34:56.1234565",
                Some("2018-04-03T12:34:56.123456+00:00"),
            ),
            (
                "2018-04-03 12:34:56.1234575",
                Some("2018-04-03T12:34:56.123458+00:00"),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(iso(text).as_deref(), *want, "{text:?}");
        }
    }

    // spec A7: written-back dates use arrow's default format
    #[test]
    fn format_like_arrow() {
        let d = parse_date("2018-04-03 12:34:56.789-07:00").unwrap();
        assert_eq!(format_date(&d), "2018-04-03 12:34:56-07:00");
        let d = parse_date("0999-01-02T03:04+05:30").unwrap();
        assert_eq!(format_date(&d), "0999-01-02 03:04:00+05:30");
        let d = parse_date("2018-04-03").unwrap();
        assert_eq!(format_date(&d), "2018-04-03 00:00:00+00:00");
        // Sub-minute offsets truncate toward zero before the sign is chosen.
        let odd = FixedOffset::west_opt(30).unwrap();
        let d = odd.with_ymd_and_hms(2018, 4, 3, 0, 0, 0).unwrap();
        assert_eq!(format_date(&d), "2018-04-03 00:00:00+00:00");
        let lmt = FixedOffset::west_opt(4 * 3600 + 56 * 60 + 2).unwrap();
        let d = lmt.with_ymd_and_hms(1880, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(format_date(&d), "1880-01-01 00:00:00-04:56");
        assert_eq!(parse_date(&format_date(&d)).map(|p| p == d), Some(false));
    }

    // spec A7, A8: ctime fallback in the site timezone
    #[test]
    fn ctime_in_site_timezone() {
        let ts = UNIX_EPOCH + std::time::Duration::new(1_522_784_096, 999_999_600);
        let d = local_now_in(chrono_tz::America::Los_Angeles, ts);
        assert_eq!(format_date(&d), "2018-04-03 12:34:57-07:00");
        assert_eq!(d.timestamp_subsec_micros(), 0);
        let d = local_now_in(
            chrono_tz::Europe::Berlin,
            UNIX_EPOCH + std::time::Duration::from_secs(1_515_000_000),
        );
        assert_eq!(format_date(&d), "2018-01-03 18:20:00+01:00");
        let before = UNIX_EPOCH - std::time::Duration::from_millis(1500);
        let d = local_now_in(chrono_tz::UTC, before);
        assert_eq!(d.timestamp(), -2);
        assert_eq!(d.timestamp_subsec_micros(), 500_000);
    }

    // spec A24: the parsed offset is kept, so the wall clock is the entry's own
    #[test]
    fn offsets_are_kept() {
        let d = parse_date("2012-01-01 00:30:00+05:00").unwrap();
        assert_eq!(d.naive_local().to_string(), "2012-01-01 00:30:00");
        assert_eq!(d.timestamp(), 1_325_359_800);
    }
}
