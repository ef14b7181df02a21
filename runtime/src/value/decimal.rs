//! `rust_decimal::Decimal` as fixed-point text that sorts numerically.
//!
//! A value is written with 29 integer digits (a `Decimal`'s largest integer
//! part has 29), a point and 28 fraction digits (its largest scale). A
//! negative value is `-` followed by the nines' complement of those digits:
//! `-` sorts before every digit, and among negatives the complement puts the
//! larger magnitude first. Zero, also `-0`, is written without sign, and the
//! scale is not kept: equal values (`1.5`, `1.50`) store the same text.

use ::rust_decimal::Decimal;

use crate::error::BoxError;
use crate::schema::AttributeType;
use crate::value::{ValueType, YearOutOfRange};

const INTEGER_DIGITS: usize = 29;
const FRACTION_DIGITS: usize = 28;
const FORM: &str = "00000000000000000000000000000.0000000000000000000000000000";

fn complement(digits: &str) -> String {
    digits
        .bytes()
        .map(|b| match b {
            b'0'..=b'9' => char::from(b'9' - (b - b'0')),
            other => char::from(other),
        })
        .collect()
}

impl ValueType for Decimal {
    const TYPE: AttributeType = AttributeType::Decimal;

    fn encode(&self) -> Result<String, YearOutOfRange> {
        let scale = self.scale() as usize;
        let magnitude = self.mantissa().unsigned_abs().to_string();
        let padded = format!("{magnitude:0>width$}", width = INTEGER_DIGITS + scale);
        let (integer, fraction) = padded.split_at(padded.len() - scale);
        let text = format!("{integer}.{fraction:0<FRACTION_DIGITS$}");
        Ok(if self.is_zero() || !self.is_sign_negative() {
            text
        } else {
            format!("-{}", complement(&text))
        })
    }

    fn decode(text: &str) -> Result<Self, BoxError> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(body) => (true, complement(body)),
            None => (false, text.to_owned()),
        };
        let well_formed = body.len() == FORM.len()
            && body.bytes().enumerate().all(|(i, b)| {
                if i == INTEGER_DIGITS {
                    b == b'.'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !well_formed {
            return Err(format!("`{text}` is not a stored decimal of the form `{FORM}`").into());
        }
        let fraction = body[INTEGER_DIGITS + 1..].trim_end_matches('0');
        let digits = format!("{}{fraction}", &body[..INTEGER_DIGITS]);
        let mantissa: i128 = digits.parse()?;
        let mantissa = if negative { -mantissa } else { mantissa };
        Decimal::try_from_i128_with_scale(mantissa, fraction.len() as u32)
            .map_err(|e| format!("`{text}` is not a valid decimal: {e}").into())
    }
}

super::column_value!(Decimal);
