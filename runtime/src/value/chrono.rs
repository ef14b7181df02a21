//! `chrono::DateTime<Utc>`, `NaiveDateTime` and `NaiveDate` as fixed-width
//! text: the date, then the time with nanoseconds (a leap second is second
//! 60), then `Z` for an instant.

use ::chrono::{DateTime, Datelike as _, NaiveDate, NaiveDateTime, NaiveTime, Timelike as _, Utc};

use crate::error::BoxError;
use crate::schema::AttributeType;
use crate::value::calendar as value;
use crate::value::{ValueType, YearOutOfRange};

fn date_parts(date: NaiveDate) -> (i64, u32, u32) {
    (i64::from(date.year()), date.month(), date.day())
}

fn date_time_text(at: &NaiveDateTime) -> Result<String, YearOutOfRange> {
    let nanos = at.nanosecond();
    // chrono keeps a leap second as second 59 with a nanosecond of 1e9 or more.
    let (second, nanos) = if nanos >= 1_000_000_000 {
        (at.second() + 1, nanos - 1_000_000_000)
    } else {
        (at.second(), nanos)
    };
    value::date_time_text(
        date_parts(at.date()),
        (at.hour(), at.minute(), second, nanos),
    )
}

fn parse_date(text: &str, (year, month, day): (i32, u32, u32)) -> Result<NaiveDate, BoxError> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| value::invalid(text, "date"))
}

fn parse_date_time(text: &str, suffix: &str) -> Result<NaiveDateTime, BoxError> {
    let (date, (hour, minute, second, nanos)) = value::parse_date_time(text, suffix)?;
    let (second, nanos) = if second == 60 {
        (59, nanos + 1_000_000_000)
    } else {
        (second, nanos)
    };
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
        .ok_or_else(|| value::invalid(text, "time of day"))?;
    Ok(parse_date(text, date)?.and_time(time))
}

impl ValueType for DateTime<Utc> {
    const TYPE: AttributeType = AttributeType::Timestamp;

    fn encode(&self) -> Result<String, YearOutOfRange> {
        Ok(date_time_text(&self.naive_utc())? + "Z")
    }

    fn decode(text: &str) -> Result<Self, BoxError> {
        Ok(parse_date_time(text, "Z")?.and_utc())
    }
}

impl ValueType for NaiveDateTime {
    const TYPE: AttributeType = AttributeType::DateTime;

    fn encode(&self) -> Result<String, YearOutOfRange> {
        date_time_text(self)
    }

    fn decode(text: &str) -> Result<Self, BoxError> {
        parse_date_time(text, "")
    }
}

impl ValueType for NaiveDate {
    const TYPE: AttributeType = AttributeType::Date;

    fn encode(&self) -> Result<String, YearOutOfRange> {
        let (year, month, day) = date_parts(*self);
        value::date_text(year, month, day)
    }

    fn decode(text: &str) -> Result<Self, BoxError> {
        parse_date(text, value::parse_date(text)?)
    }
}

super::column_value!(DateTime<Utc>, NaiveDateTime, NaiveDate);
