//! Front-matter dates as Hugo reads them: which forms it accepts, and what it silently drops.

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
}

/// What is wrong with a date value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateProblem {
    /// Hugo cannot parse it; the message says what form to use.
    Invalid(String),
    /// A bare integer, read by Hugo as Unix seconds.
    UnixSeconds,
}

/// Reads a date the way Hugo does.
pub fn parse(value: &str) -> Result<HugoDate, DateProblem> {
    let _ = value;
    Err(DateProblem::Invalid("not implemented".into()))
}
