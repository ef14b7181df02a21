//! The fixed-width text of dates and times, shared by chrono's and time's
//! types: `YYYY-MM-DD`, then `THH:MM:SS.nnnnnnnnn`.

use crate::error::BoxError;
use crate::value::YearOutOfRange;

/// `YYYY-MM-DD`, or the year when it is outside 0000..=9999.
pub(crate) fn date_text(year: i64, month: u32, day: u32) -> Result<String, YearOutOfRange> {
    let mut text = *b"0000-00-00";
    if !fill_date(&mut text, (year, month, day))? {
        return Ok(format!("{year:04}-{month:02}-{day:02}"));
    }
    Ok(ascii(&text, 10))
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn`; `second` is 60 in a leap second. Room
/// is left for the `Z` of an instant.
pub(crate) fn date_time_text(
    date: (i64, u32, u32),
    time: TimeParts,
) -> Result<String, YearOutOfRange> {
    let (hour, minute, second, nanos) = time;
    let mut text = *b"0000-00-00T00:00:00.000000000";
    let fits = fill_date(&mut text, date)?
        & fill(&mut text[11..13], hour)
        & fill(&mut text[14..16], minute)
        & fill(&mut text[17..19], second)
        & fill(&mut text[20..29], nanos);
    if !fits {
        let (year, month, day) = date;
        return Ok(format!(
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{nanos:09}"
        ));
    }
    Ok(ascii(&text, 30))
}

/// Writes `YYYY-MM-DD` over the start of `text`; false when the month or
/// the day has more digits than their places.
fn fill_date(text: &mut [u8], (year, month, day): (i64, u32, u32)) -> Result<bool, YearOutOfRange> {
    let Ok(digits @ 0..=9999) = u32::try_from(year) else {
        return Err(YearOutOfRange(year));
    };
    Ok(fill(&mut text[0..4], digits) & fill(&mut text[5..7], month) & fill(&mut text[8..10], day))
}

/// Writes `number` over `digits`, zero-padded; false when it has more
/// digits than that.
fn fill(digits: &mut [u8], number: u32) -> bool {
    let mut rest = number;
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    rest == 0
}

/// The ASCII `text` as a `String` with room for `capacity` bytes.
fn ascii(text: &[u8], capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    // Always ASCII: digits and separators.
    out.push_str(std::str::from_utf8(text).unwrap_or_default());
    out
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
