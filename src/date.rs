//! Front-matter dates as Hugo reads them: which forms it accepts, and what it silently drops.
//!
//! Hugo (0.111, the Debian package) hands a string date to `cast`, which tries a fixed
//! list of Go time layouts in order; a YAML integer is read as Unix seconds; anything
//! else leaves the page dated 0001-01-01 without a word. `parse` reimplements exactly
//! that list with Go's layout rules (one- or two-digit hours, a run of spaces matching
//! a run of spaces, fractional seconds after the seconds, named zones read as UTC).
//! `scripts/hugo-dates.sh` records what Hugo does with each candidate value in
//! `tests/data/hugo-dates.tsv`; the tests below check `read` against that table.

use crate::front_matter::{scalar_type, NodeId, NodeKind, ScalarStyle, ScalarType, Yaml};

/// A date Hugo accepts, with what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HugoDate {
    /// Seconds since the Unix epoch (UTC).
    pub unix: i64,
    pub year: i32,
    pub month: u8,
    pub day: u8,
    /// The UTC offset written in the value, in seconds; `None` when none was written
    /// (Hugo reads it as UTC).
    pub offset: Option<i32>,
}

impl HugoDate {
    /// `2024-07-05`, for display and for ordering by day.
    pub fn day_string(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The date Hugo makes of Unix seconds (in UTC).
    pub fn from_unix(unix: i64) -> HugoDate {
        let (year, month, day) = civil_from_days(unix.div_euclid(86_400));
        HugoDate { unix, year: year.clamp(i32::MIN as i64, i32::MAX as i64) as i32, month, day, offset: Some(0) }
    }

    /// Go's zero time, which Hugo shows as an undated page.
    pub fn is_zero(&self) -> bool {
        self.unix == ZERO_UNIX
    }
}

/// 0001-01-01T00:00:00Z, Go's zero time.
pub const ZERO_UNIX: i64 = -62_135_596_800;

/// An example of the form to write, used in messages.
pub const EXAMPLE: &str = "2024-07-05T19:31:56+08:00";

/// What is wrong with a date value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateProblem {
    /// Hugo cannot parse it; the message says what form to use.
    Invalid(String),
    /// A bare integer, read by Hugo as Unix seconds.
    UnixSeconds,
}

/// Reads a date the way Hugo does, from the text of a plain scalar: an integer is
/// Unix seconds (`UnixSeconds`), anything else goes through Hugo's layouts.
pub fn parse(value: &str) -> Result<HugoDate, DateProblem> {
    if scalar_type(value, ScalarStyle::Plain, None) == ScalarType::Int {
        return Err(DateProblem::UnixSeconds);
    }
    parse_string(value)
}

/// Reads a string date (quoted or not) through Hugo's layouts; no integer rule.
pub fn parse_string(value: &str) -> Result<HugoDate, DateProblem> {
    LAYOUTS.iter().find_map(|layout| go_parse(layout, value)).map(Parsed::date).ok_or_else(|| invalid(value))
}

/// Reads the date node `id` of a front matter the way Hugo does: quoting, tags and
/// YAML types count (`date: 1720179116` is Unix seconds, `date: "1720179116"` is a
/// string Hugo cannot read, `date: yes` a boolean).
pub fn read(yaml: &Yaml, id: NodeId) -> Result<HugoDate, DateProblem> {
    let node = yaml.node(yaml.resolve(id));
    let (value, style) = match &node.kind {
        NodeKind::Scalar { value, style } => (value.as_str(), *style),
        NodeKind::Seq { .. } => return Err(not_a_date("a list")),
        NodeKind::Map { .. } => return Err(not_a_date("a mapping")),
        NodeKind::Alias { .. } => return Err(not_a_date("an alias")),
    };
    match scalar_type(value, style, node.tag.as_deref()) {
        ScalarType::Int => Err(DateProblem::UnixSeconds),
        ScalarType::Null => Err(empty()),
        ScalarType::Bool => Err(not_a_date("a boolean")),
        ScalarType::Float => Err(not_a_date("a number")),
        ScalarType::String | ScalarType::Timestamp => parse_string(value),
    }
}

/// Unix seconds of a YAML integer (`1720179116`, `0x10`, `1_000`), as Hugo reads it.
pub fn unix_seconds(value: &str) -> Option<i64> {
    let plain = value.replace('_', "");
    let magnitude = i64::try_from(crate::front_matter::go_int(&plain)?).ok()?;
    Some(if plain.starts_with('-') { -magnitude } else { magnitude })
}

fn empty() -> DateProblem {
    DateProblem::Invalid(format!(
        "The date is empty: Hugo silently dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `{EXAMPLE}`."
    ))
}

fn not_a_date(what: &str) -> DateProblem {
    DateProblem::Invalid(format!(
        "The date is {what}, not a date: Hugo silently dates the page 0001-01-01. \
         Write RFC 3339 with an offset, e.g. `{EXAMPLE}`."
    ))
}

/// Says why `value` is not a date Hugo reads, and what to write instead.
fn invalid(value: &str) -> DateProblem {
    let b = value.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r.clone()).is_some_and(|s| !s.is_empty() && s.iter().all(u8::is_ascii_digit));
    let num = |r: std::ops::Range<usize>| value.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    let mut example = EXAMPLE.to_string();
    if value.is_empty() {
        return empty();
    }
    let reason: String = if value.trim() != value {
        "it has spaces around it inside the quotes".into()
    } else if b.iter().all(u8::is_ascii_digit) {
        "a number in quotes is a string, and not a date format Hugo knows".into()
    } else if value.contains('/') || value.contains('.') && !value.contains(':') {
        "`/` and `.` do not separate year, month and day for Hugo: write `YYYY-MM-DD`".into()
    } else if let Some((y, rest)) = value.split_once('-').filter(|(y, _)| y.len() == 4 && digits(0..4)) {
        let year: i64 = y.parse().unwrap_or(0);
        let mut parts = rest.splitn(2, '-');
        let (m, rest) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let d_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (d, time) = rest.split_at(d_len);
        let (mv, dv) = (m.parse::<u32>().unwrap_or(0), d.parse::<u32>().unwrap_or(0));
        if !(1..=12).contains(&mv) || m.is_empty() {
            format!("there is no month {m}")
        } else if dv < 1 || dv as u8 > days_in_month(year, mv as u8) {
            format!("there is no day {d} in {year}-{m:0>2}")
        } else if m.len() != 2 || d.len() != 2 {
            format!("month and day need two digits: `{year:04}-{mv:02}-{dv:02}`")
        } else {
            let date = &value[..10];
            let t = time.as_bytes();
            let hh_mm = t.len() >= 6 && matches!(t[0], b'T' | b't' | b' ') && {
                let tb = &time[1..];
                let h = tb.bytes().take_while(u8::is_ascii_digit).count();
                (1..=2).contains(&h) && tb.as_bytes().get(h) == Some(&b':') && tb.len() >= h + 3
            };
            if hh_mm {
                let tb = &time[1..];
                let h = tb.bytes().take_while(u8::is_ascii_digit).count();
                let (hour, after_h) = (num(11..11 + h), &tb[h + 1..]);
                let minute = after_h.get(..2).and_then(|s| s.parse::<u32>().ok());
                let after_m = after_h.get(2..).unwrap_or("");
                let zone = after_m.trim_start_matches(' ');
                if t[0] == b't' || zone.starts_with('z') {
                    "`T` and `Z` must be upper case".into()
                } else if !after_m.starts_with(':') && minute.is_some() {
                    let zone = if zone.is_empty() { "+08:00" } else { zone };
                    example = format!("{date}T{hour:02}:{:02}:00{zone}", minute.unwrap_or(0));
                    "the seconds are missing".into()
                } else if hour > 23 {
                    "the hour must be 00 to 23".into()
                } else if minute.is_none_or(|m| m > 59) || num(11 + h + 4..11 + h + 6) > 59 {
                    "minutes and seconds must be 00 to 59".into()
                } else if t[0] == b'T' && after_m.get(3..).is_some_and(|r| skip_fraction_str(r).starts_with(' ')) {
                    "no space before the offset after a `T`: write `+08:00` right after the seconds".into()
                } else {
                    "the time or its offset is not a form Hugo knows; the offset is `Z` or `+hh:mm`".into()
                }
            } else {
                "the time is not a form Hugo knows".into()
            }
        }
    } else {
        "it is not a date format Hugo knows".into()
    };
    DateProblem::Invalid(format!(
        "Hugo cannot read `{value}` as a date ({reason}): it drops it silently and dates the page 0001-01-01. \
         Write RFC 3339 with an offset, e.g. `{example}`."
    ))
}

/// The layouts Hugo 0.111 tries, in its order (`cast`'s list): RFC 3339, ISO 8601
/// without zone, RFC 1123/822/850, Go's `Time.String`, ANSIC, Unix and Ruby dates,
/// and the time-only stamps (which give a date in year 0).
const LAYOUTS: &[&str] = &[
    "2006-01-02",
    "2006-01-02T15:04:05Z07:00",
    "2006-01-02T15:04:05",
    "Mon, 02 Jan 2006 15:04:05 -0700",
    "Mon, 02 Jan 2006 15:04:05 MST",
    "02 Jan 06 15:04 -0700",
    "02 Jan 06 15:04 MST",
    "Monday, 02-Jan-06 15:04:05 MST",
    "2006-01-02 15:04:05.999999999 -0700 MST",
    "2006-01-02T15:04:05-0700",
    "2006-01-02 15:04:05Z0700",
    "2006-01-02 15:04:05",
    "Mon Jan _2 15:04:05 2006",
    "Mon Jan _2 15:04:05 MST 2006",
    "Mon Jan 02 15:04:05 -0700 2006",
    "2006-01-02 15:04:05Z07:00",
    "02 Jan 2006",
    "2006-01-02 15:04:05 -07:00",
    "2006-01-02 15:04:05 -0700",
    "3:04PM",
    "Jan _2 15:04:05",
    "Jan _2 15:04:05.000",
    "Jan _2 15:04:05.000000",
    "Jan _2 15:04:05.000000000",
];

/// The elements of a Go layout that these layouts use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Std {
    LongYear,
    Year,
    ZeroMonth,
    NumMonth,
    Month,
    ZeroDay,
    Day,
    UnderDay,
    WeekDay,
    LongWeekDay,
    Hour,
    Hour12,
    ZeroMinute,
    Minute,
    ZeroSecond,
    Second,
    PM,
    TZ,
    ISO8601TZ,
    ISO8601ColonTZ,
    NumTZ,
    NumColonTZ,
    FracSecond9,
    FracSecond0(usize),
}

/// Go's layout elements by their spelling, longest first where one prefixes another.
const ELEMENTS: &[(&str, Std)] = &[
    ("2006", Std::LongYear),
    ("Monday", Std::LongWeekDay),
    ("Mon", Std::WeekDay),
    ("MST", Std::TZ),
    ("Jan", Std::Month),
    ("01", Std::ZeroMonth),
    ("02", Std::ZeroDay),
    ("_2", Std::UnderDay),
    ("06", Std::Year),
    ("05", Std::ZeroSecond),
    ("04", Std::ZeroMinute),
    ("15", Std::Hour),
    ("PM", Std::PM),
    ("Z07:00", Std::ISO8601ColonTZ),
    ("Z0700", Std::ISO8601TZ),
    ("-07:00", Std::NumColonTZ),
    ("-0700", Std::NumTZ),
    (".999999999", Std::FracSecond9),
    (".000000000", Std::FracSecond0(9)),
    (".000000", Std::FracSecond0(6)),
    (".000", Std::FracSecond0(3)),
    ("1", Std::NumMonth),
    ("2", Std::Day),
    ("3", Std::Hour12),
    ("4", Std::Minute),
    ("5", Std::Second),
];

fn next_element(layout: &[u8]) -> Option<(Std, &[u8])> {
    ELEMENTS.iter().find(|(s, _)| layout.starts_with(s.as_bytes())).map(|&(s, std)| (std, &layout[s.len()..]))
}

/// What a layout read from a value.
#[derive(Debug, Default)]
struct Parsed {
    year: i64,
    month: u8,
    day: u8,
    hour: i64,
    minute: i64,
    second: i64,
    /// A numeric offset; a zone name alone means UTC to Hugo.
    offset: Option<i64>,
    utc_name: bool,
}

impl Parsed {
    fn date(self) -> HugoDate {
        let days = days_from_civil(self.year, self.month, self.day);
        let offset = self.offset.or(if self.utc_name { Some(0) } else { None });
        let unix = days * 86_400 + self.hour * 3600 + self.minute * 60 + self.second - offset.unwrap_or(0);
        HugoDate { unix, year: self.year as i32, month: self.month, day: self.day, offset: offset.map(|o| o as i32) }
    }
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/// Go's `getnum`: one or two digits, or exactly two when `fixed`.
fn getnum(v: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let d0 = *v.first().filter(|c| c.is_ascii_digit())?;
    match v.get(1).filter(|c| c.is_ascii_digit()) {
        Some(&d1) => Some((((d0 - b'0') * 10 + d1 - b'0') as i64, &v[2..])),
        None if fixed => None,
        None => Some(((d0 - b'0') as i64, &v[1..])),
    }
}

fn two_digits(v: &[u8]) -> Option<i64> {
    match v {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => Some(((a - b'0') * 10 + (b - b'0')) as i64),
        _ => None,
    }
}

/// A name from `names` (case-insensitive), as Go's `lookup` does; the name's index.
fn lookup<'v>(v: &'v [u8], names: &[&str], len: Option<usize>) -> Option<(usize, &'v [u8])> {
    names.iter().enumerate().find_map(|(i, name)| {
        let n = len.unwrap_or(name.len());
        let head = v.get(..n)?;
        head.eq_ignore_ascii_case(&name.as_bytes()[..n]).then(|| (i, &v[n..]))
    })
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `v`.
fn zone_name_len(v: &[u8]) -> Option<usize> {
    if v.len() < 3 {
        return None;
    }
    if v.starts_with(b"ChST") || v.starts_with(b"MeST") {
        return Some(4);
    }
    if v.starts_with(b"GMT") {
        // `GMT` with an optional signed hour offset.
        let rest = &v[3..];
        if let [sign @ (b'+' | b'-'), ..] = rest {
            let _ = sign;
            let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            return if n == 0 { Some(3) } else { Some(4 + n) };
        }
        return Some(3);
    }
    let upper = v.iter().take_while(|c| c.is_ascii_uppercase()).count();
    match upper {
        3 => Some(3),
        4 if v[3] == b'T' || v.starts_with(b"WITA") => Some(4),
        5 if v[4] == b'T' => Some(5),
        _ => None,
    }
}

/// Digits of fractional seconds after a `.` or `,`: consumed, not kept (Hugo's Unix
/// seconds drop them).
fn skip_fraction(v: &[u8]) -> &[u8] {
    let n = v.iter().skip(1).take_while(|c| c.is_ascii_digit()).count();
    &v[1 + n..]
}

/// Go's `time.Parse(layout, value)` for the elements above; `None` where Go fails.
fn go_parse(layout: &str, value: &str) -> Option<Parsed> {
    let (mut l, mut v) = (layout.as_bytes(), value.as_bytes());
    let mut p = Parsed { month: 1, day: 1, ..Parsed::default() };
    let mut pm: Option<bool> = None;
    while !l.is_empty() {
        let Some((std, rest)) = next_element(l) else {
            // A run of spaces in the layout matches a run of spaces in the value.
            if l[0] == b' ' {
                if v.first().is_some_and(|&c| c != b' ') {
                    return None;
                }
                l = trim_spaces(l);
                v = trim_spaces(v);
            } else if v.first() == Some(&l[0]) {
                l = &l[1..];
                v = &v[1..];
            } else {
                return None;
            }
            continue;
        };
        l = rest;
        match std {
            Std::LongYear => {
                let y = v.get(..4).filter(|y| y.iter().all(u8::is_ascii_digit))?;
                p.year = y.iter().fold(0, |a, &c| a * 10 + (c - b'0') as i64);
                v = &v[4..];
            }
            Std::Year => {
                let y = two_digits(v.get(..2)?)?;
                p.year = if y >= 69 { 1900 + y } else { 2000 + y };
                v = &v[2..];
            }
            Std::ZeroMonth | Std::NumMonth => {
                let (m, rest) = getnum(v, std == Std::ZeroMonth)?;
                (1..=12).contains(&m).then_some(())?;
                p.month = m as u8;
                v = rest;
            }
            Std::Month => {
                let (i, rest) = lookup(v, &MONTHS, None)?;
                p.month = i as u8 + 1;
                v = rest;
            }
            Std::WeekDay | Std::LongWeekDay => {
                let len = if std == Std::WeekDay { Some(3) } else { None };
                v = lookup(v, &DAYS, len)?.1;
            }
            Std::ZeroDay | Std::Day | Std::UnderDay => {
                if std == Std::UnderDay && v.first() == Some(&b' ') {
                    v = &v[1..];
                }
                let (d, rest) = getnum(v, std == Std::ZeroDay)?;
                (0..=31).contains(&d).then_some(())?;
                p.day = d as u8;
                v = rest;
            }
            Std::Hour | Std::Hour12 => {
                let (h, rest) = getnum(v, false)?;
                (0..if std == Std::Hour { 24 } else { 13 }).contains(&h).then_some(())?;
                p.hour = h;
                v = rest;
            }
            Std::ZeroMinute | Std::Minute => {
                let (m, rest) = getnum(v, std == Std::ZeroMinute)?;
                (0..60).contains(&m).then_some(())?;
                p.minute = m;
                v = rest;
            }
            Std::ZeroSecond | Std::Second => {
                let (s, rest) = getnum(v, std == Std::ZeroSecond)?;
                (0..60).contains(&s).then_some(())?;
                p.second = s;
                v = rest;
                // Go reads fractional seconds here unless the layout has its own.
                let layout_fraction = matches!(next_element(l), Some((Std::FracSecond9 | Std::FracSecond0(_), _)));
                if !layout_fraction && v.len() >= 2 && matches!(v[0], b'.' | b',') && v[1].is_ascii_digit() {
                    v = skip_fraction(v);
                }
            }
            Std::FracSecond9 => {
                if v.len() >= 2 && matches!(v[0], b'.' | b',') && v[1].is_ascii_digit() {
                    v = skip_fraction(v);
                }
            }
            Std::FracSecond0(n) => {
                let frac = v.get(..1 + n)?;
                (matches!(frac[0], b'.' | b',') && frac[1..].iter().all(u8::is_ascii_digit)).then_some(())?;
                v = &v[1 + n..];
            }
            Std::PM => {
                pm = Some(match v.get(..2)? {
                    b"PM" => true,
                    b"AM" => false,
                    _ => return None,
                });
                v = &v[2..];
            }
            Std::ISO8601TZ | Std::ISO8601ColonTZ | Std::NumTZ | Std::NumColonTZ => {
                if matches!(std, Std::ISO8601TZ | Std::ISO8601ColonTZ) && v.first() == Some(&b'Z') {
                    p.offset = Some(0);
                    v = &v[1..];
                    continue;
                }
                let colon = matches!(std, Std::ISO8601ColonTZ | Std::NumColonTZ);
                let len = if colon { 6 } else { 5 };
                let z = v.get(..len)?;
                if colon && z[3] != b':' {
                    return None;
                }
                // Go checks only that these are two digits each, not their range.
                let hh = two_digits(&z[1..3])?;
                let mm = two_digits(&z[len - 2..])?;
                let sign = match z[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                p.offset = Some(sign * (hh * 3600 + mm * 60));
                v = &v[len..];
            }
            Std::TZ => {
                if v.starts_with(b"UTC") {
                    p.utc_name = true;
                    v = &v[3..];
                } else {
                    let n = zone_name_len(v)?;
                    p.utc_name = v.starts_with(b"GMT") && n == 3;
                    v = &v[n..];
                }
            }
        }
    }
    if !v.is_empty() {
        return None;
    }
    match pm {
        Some(true) if p.hour < 12 => p.hour += 12,
        Some(false) if p.hour == 12 => p.hour = 0,
        _ => {}
    }
    if p.day < 1 || p.day > days_in_month(p.year, p.month) {
        return None;
    }
    Some(p)
}

/// `s` without leading fractional seconds (`.5`).
fn skip_fraction_str(s: &str) -> &str {
    match s.as_bytes() {
        [b'.' | b',', d, ..] if d.is_ascii_digit() => s[1..].trim_start_matches(|c: char| c.is_ascii_digit()),
        _ => s,
    }
}

fn trim_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b' ').count();
    &s[n..]
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let (m, d) = (month as i64, day as i64);
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of `days_from_civil`: days since 1970-01-01 to (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front_matter::{parse as parse_front_matter, Limits};

    /// Every row of the table `scripts/hugo-dates.sh` read from Hugo v0.111.3 (the
    /// Debian bookworm package): `read` must agree with what Hugo did.
    #[test]
    fn agrees_with_hugo() {
        let table = include_str!("../tests/data/hugo-dates.tsv");
        assert!(table.starts_with("# hugo v0.111.3"), "the table comes from Hugo 0.111.3");
        let mut rows = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (value, hugo) = line.split_once('\t').expect("value<TAB>result");
            let text = format!("---\ntitle: t\ndate: {value}\n---\nbody\n");
            let fm = parse_front_matter(&text, &Limits::default());
            let yaml = fm.yaml.as_ref().expect("parsed");
            let node = yaml.get("date").expect("a date key");
            let ours = read(yaml, node);
            match hugo.split_once(' ').map_or((hugo, ""), |(a, b)| (a, b)) {
                ("zero", _) => assert!(
                    matches!(ours, Err(DateProblem::Invalid(_))) || ours.as_ref().is_ok_and(HugoDate::is_zero),
                    "{value:?}: Hugo dates the page 0001-01-01, we read {ours:?}"
                ),
                ("error", _) => panic!("{value:?}: Hugo failed the build: {hugo}"),
                (unix, written) => {
                    let unix: i64 = unix.parse().expect("unix seconds");
                    match ours {
                        Ok(date) => {
                            assert_eq!(date.unix, unix, "{value:?}: Hugo read {written}");
                            let day = written.get(..10).unwrap_or_default();
                            assert_eq!(date.day_string(), day, "{value:?}: the day as written");
                        }
                        Err(DateProblem::UnixSeconds) => {
                            let node = yaml.node(node);
                            let NodeKind::Scalar { value: v, .. } = &node.kind else { panic!("{value:?}") };
                            assert_eq!(unix_seconds(v), Some(unix), "{value:?}: Unix seconds");
                        }
                        Err(e) => panic!("{value:?}: Hugo read {written}, we say {e:?}"),
                    }
                }
            }
            rows += 1;
        }
        assert!(rows > 100, "only {rows} rows");
    }

    #[test]
    fn offsets_as_written() {
        let table: &[(&str, Option<i32>)] = &[
            ("2024-07-05T19:31:56+08:00", Some(8 * 3600)),
            ("2024-07-05T19:31:56Z", Some(0)),
            ("2024-07-05T19:31:56-0130", Some(-5400)),
            ("2024-07-05", None),
            ("2024-07-05 19:31:56", None),
            ("2024-07-05T19:31:56", None),
            ("Fri, 05 Jul 2024 19:31:56 CST", None),
            ("Fri, 05 Jul 2024 19:31:56 GMT", Some(0)),
            ("2024-07-05 19:31:56 +0800 CST", Some(8 * 3600)),
        ];
        for &(value, offset) in table {
            assert_eq!(parse(value).map(|d| d.offset), Ok(offset), "{value}");
        }
    }

    #[test]
    fn integers_are_unix_seconds() {
        assert_eq!(parse("1720179116"), Err(DateProblem::UnixSeconds));
        assert_eq!(parse("0x10"), Err(DateProblem::UnixSeconds));
        assert_eq!(unix_seconds("-1"), Some(-1));
        assert_eq!(unix_seconds("1_720_179_116"), Some(1_720_179_116));
        assert_eq!(HugoDate::from_unix(1_720_179_116).day_string(), "2024-07-05");
        assert_eq!(HugoDate::from_unix(-1).day_string(), "1969-12-31");
        assert!(matches!(parse_string("1720179116"), Err(DateProblem::Invalid(_))));
    }

    #[test]
    fn civil_round_trip_and_leap_years() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert!(parse("2000-02-29").is_ok() && parse("1900-02-29").is_err() && parse("2024-02-29").is_ok());
        assert!(parse("2024-04-31").is_err() && parse("2024-00-10").is_err() && parse("2024-01-00").is_err());
        assert_eq!(parse("0001-01-01").map(|d| d.is_zero()), Ok(true));
    }

    #[test]
    fn messages_say_what_is_wrong_and_what_to_write() {
        let msg = |v: &str| match parse(v) {
            Err(DateProblem::Invalid(m)) => m,
            other => panic!("{v}: {other:?}"),
        };
        let table = [
            ("2024-07-05T19:31+08:00", "(the seconds are missing)", "`2024-07-05T19:31:00+08:00`"),
            ("2024-07-05 19:31", "(the seconds are missing)", "`2024-07-05T19:31:00+08:00`"),
            ("2024/07/05", "`/`", EXAMPLE),
            ("07/05/2024", "`/`", EXAMPLE),
            ("2024-13-40", "no month 13", EXAMPLE),
            ("2023-02-29", "no day 29 in 2023-02", EXAMPLE),
            ("2024-7-5", "two digits: `2024-07-05`", EXAMPLE),
            ("yesterday", "not a date format Hugo knows", EXAMPLE),
            ("", "The date is empty", EXAMPLE),
            ("2024-07-05t19:31:56Z", "upper case", EXAMPLE),
            ("2024-07-05T24:00:00Z", "hour", EXAMPLE),
            ("2024-07-05T19:31:56 +08:00", "no space before the offset", EXAMPLE),
        ];
        for (value, reason, example) in table {
            let m = msg(value);
            assert!(m.contains(reason), "{value}: {m}");
            assert!(m.contains(example), "{value}: {m}");
            assert!(m.contains("0001-01-01"), "{value}: {m}");
        }
    }

    #[test]
    fn arbitrary_strings_never_panic() {
        let pieces = [
            "2024", "-", "07", "7", "T", "t", ":", "56", ".", ",", "Z", "+08:00", "+0800", " ", "Jul", "Fri", "Friday",
            "MST", "GMT+8", "PM", "优", "😀", "/", "1", "_", "0x", "\u{0}", "99",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut s = seed;
            let mut value = String::new();
            for _ in 0..(seed % 12) {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                value.push_str(pieces[(s >> 33) as usize % pieces.len()]);
            }
            if let Ok(d) = parse(&value) {
                assert!((1..=12).contains(&d.month) && d.day >= 1, "{value:?} -> {d:?}");
            }
            let _ = unix_seconds(&value);
        }
    }
}
