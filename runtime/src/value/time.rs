//! `time::OffsetDateTime` (as UTC), `PrimitiveDateTime` and `Date` in the
//! same text as chrono's types.

use ::time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::error::BoxError;
use crate::schema::AttributeType;
use crate::value::calendar as value;
use crate::value::{ValueType, YearOutOfRange};

fn date_parts(date: Date) -> (i64, u32, u32) {
    (
        i64::from(date.year()),
        u32::from(u8::from(date.month())),
        u32::from(date.day()),
    )
}

fn date_time_text(at: &PrimitiveDateTime) -> Result<String, YearOutOfRange> {
    value::date_time_text(
        date_parts(at.date()),
        (
            u32::from(at.hour()),
            u32::from(at.minute()),
            u32::from(at.second()),
            at.nanosecond(),
        ),
    )
}

fn parse_date(text: &str, (year, month, day): (i32, u32, u32)) -> Result<Date, BoxError> {
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok());
    month
        .and_then(|month| Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok())
        .ok_or_else(|| value::invalid(text, "date"))
}

fn parse_date_time(text: &str, suffix: &str) -> Result<PrimitiveDateTime, BoxError> {
    let (date, (hour, minute, second, nanos)) = value::parse_date_time(text, suffix)?;
    let narrow = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
    let time = Time::from_hms_nano(narrow(hour), narrow(minute), narrow(second), nanos)
        .map_err(|_| value::invalid(text, "time of day"))?;
    Ok(PrimitiveDateTime::new(parse_date(text, date)?, time))
}

/// Normalised to UTC: the offset is not stored, and `OffsetDateTime`'s `Ord`
/// and `Eq` compare instants, so two values of one instant store the same.
impl ValueType for OffsetDateTime {
    const TYPE: AttributeType = AttributeType::Timestamp;

    fn encode(&self) -> Result<String, YearOutOfRange> {
        let utc = self.checked_to_offset(UtcOffset::UTC).ok_or_else(|| {
            // Only the years at the ends of `time`'s range leave it in UTC.
            YearOutOfRange(i64::from(self.year()))
        })?;
        Ok(date_time_text(&PrimitiveDateTime::new(utc.date(), utc.time()))? + "Z")
    }

    fn decode(text: &str) -> Result<Self, BoxError> {
        Ok(parse_date_time(text, "Z")?.assume_utc())
    }
}

impl ValueType for PrimitiveDateTime {
    const TYPE: AttributeType = AttributeType::DateTime;

    fn encode(&self) -> Result<String, YearOutOfRange> {
        date_time_text(self)
    }

    fn decode(text: &str) -> Result<Self, BoxError> {
        parse_date_time(text, "")
    }
}

impl ValueType for Date {
    const TYPE: AttributeType = AttributeType::Date;

    fn encode(&self) -> Result<String, YearOutOfRange> {
        let (year, month, day) = date_parts(*self);
        value::date_text(year, month, day)
    }

    fn decode(text: &str) -> Result<Self, BoxError> {
        parse_date(text, value::parse_date(text)?)
    }
}

super::column_value!(OffsetDateTime, PrimitiveDateTime, Date);
