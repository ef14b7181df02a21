//! The fixed-width text of dates and times, shared by chrono's and time's
//! types: `YYYY-MM-DD`, then `THH:MM:SS.nnnnnnnnn`.

use std::fmt::Write as _;

use crate::error::BoxError;
use crate::value::YearOutOfRange;

/// `YYYY-MM-DD`, or the year when it is outside 0000..=9999.
pub(crate) fn date_text(year: i64, month: u32, day: u32) -> Result<String, YearOutOfRange> {
    let mut text = String::with_capacity(10);
    push_date(&mut text, (year, month, day))?;
    Ok(text)
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn`; `second` is 60 in a leap second. Room
/// is left for the `Z` of an instant.
pub(crate) fn date_time_text(
    date: (i64, u32, u32),
    time: TimeParts,
) -> Result<String, YearOutOfRange> {
    let mut text = String::with_capacity(30);
    push_date(&mut text, date)?;
    let (hour, minute, second, nanos) = time;
    text.push('T');
    push_padded(&mut text, hour, 2);
    text.push(':');
    push_padded(&mut text, minute, 2);
    text.push(':');
    push_padded(&mut text, second, 2);
    text.push('.');
    push_padded(&mut text, nanos, 9);
    Ok(text)
}

fn push_date(text: &mut String, (year, month, day): (i64, u32, u32)) -> Result<(), YearOutOfRange> {
    let Ok(digits @ 0..=9999) = u32::try_from(year) else {
        return Err(YearOutOfRange(year));
    };
    push_padded(text, digits, 4);
    text.push('-');
    push_padded(text, month, 2);
    text.push('-');
    push_padded(text, day, 2);
    Ok(())
}

/// `number` in decimal, zero-padded to `width` digits (as `{number:0width$}`
/// writes it: wider when it does not fit), without the formatting machinery.
fn push_padded(text: &mut String, number: u32, width: u32) {
    if u64::from(number) >= 10u64.pow(width) {
        let _ = write!(text, "{number:0width$}", width = width as usize);
        return;
    }
    let mut divisor = 10u32.pow(width - 1);
    while divisor > 0 {
        text.push(char::from(b'0' + (number / divisor % 10) as u8));
        divisor /= 10;
    }
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

/// The number `text[range]` spells in ASCII digits (at most nine, so it
/// fits a `u32`), in one pass.
fn digits(text: &str, range: std::ops::Range<usize>) -> Result<u32, BoxError> {
    let mut number = 0u32;
    for &byte in &text.as_bytes()[range.clone()] {
        if !byte.is_ascii_digit() {
            let part = &text[range];
            return Err(format!("`{text}` has `{part}` where digits belong").into());
        }
        number = number * 10 + u32::from(byte - b'0');
    }
    Ok(number)
}

pub(crate) fn malformed(text: &str, form: &str) -> BoxError {
    format!("`{text}` is not a stored value of the form `{form}`").into()
}

pub(crate) fn invalid(text: &str, what: &str) -> BoxError {
    format!("`{text}` is not a valid {what}").into()
}
