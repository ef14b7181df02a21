//! The fixed-width text of dates and times, shared by chrono's and time's
//! types: `YYYY-MM-DD`, then `THH:MM:SS.nnnnnnnnn`.

use std::fmt::Write as _;

use crate::error::BoxError;
use crate::value::YearOutOfRange;

/// `YYYY-MM-DD`, or the year when it is outside 0000..=9999.
pub(crate) fn date_text(year: i64, month: u32, day: u32) -> Result<String, YearOutOfRange> {
    if !(0..=9999).contains(&year) {
        return Err(YearOutOfRange(year));
    }
    Ok(format!("{year:04}-{month:02}-{day:02}"))
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn`; `second` is 60 in a leap second.
pub(crate) fn date_time_text(
    date: (i64, u32, u32),
    time: TimeParts,
) -> Result<String, YearOutOfRange> {
    let mut text = date_text(date.0, date.1, date.2)?;
    let (hour, minute, second, nanos) = time;
    let _ = write!(text, "T{hour:02}:{minute:02}:{second:02}.{nanos:09}");
    Ok(text)
}

/// The parts of `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> Result<DateParts, BoxError> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(malformed(text, "YYYY-MM-DD"));
    }
    let year = digits(text, 0..4)?;
    Ok((year as i32, digits(text, 5..7)?, digits(text, 8..10)?))
}

/// Year, month and day.
pub(crate) type DateParts = (i32, u32, u32);

/// Hour, minute, second (60 in a leap second) and nanoseconds.
pub(crate) type TimeParts = (u32, u32, u32, u32);

/// The parts of `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn` (followed by `suffix`).
pub(crate) fn parse_date_time(
    text: &str,
    suffix: &str,
) -> Result<(DateParts, TimeParts), BoxError> {
    let form = "YYYY-MM-DDTHH:MM:SS.nnnnnnnnn";
    let Some(body) = text.strip_suffix(suffix) else {
        return Err(malformed(text, form));
    };
    let bytes = body.as_bytes();
    if bytes.len() != 29
        || bytes[10] != b'T'
        || bytes[13] != b':'
        || bytes[16] != b':'
        || bytes[19] != b'.'
    {
        return Err(malformed(text, form));
    }
    let date = parse_date(&body[..10])?;
    let time = (
        digits(body, 11..13)?,
        digits(body, 14..16)?,
        digits(body, 17..19)?,
        digits(body, 20..29)?,
    );
    Ok((date, time))
}

fn digits(text: &str, range: std::ops::Range<usize>) -> Result<u32, BoxError> {
    let part = &text[range];
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` has `{part}` where digits belong").into());
    }
    Ok(part.parse()?)
}

pub(crate) fn malformed(text: &str, form: &str) -> BoxError {
    format!("`{text}` is not a stored value of the form `{form}`").into()
}

pub(crate) fn invalid(text: &str, what: &str) -> BoxError {
    format!("`{text}` is not a valid {what}").into()
}
