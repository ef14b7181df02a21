//! Value types of other crates stored as real columns, each behind a cargo
//! feature named after its crate: `uuid`, `chrono`, `time`, `url`,
//! `rust_decimal`; and a user's own types (`stored`: [`StoredValue`],
//! [`StoredEnum`]).
//!
//! Every value type is stored as text whose byte order (SQLite's `BINARY`
//! collation) is the order of the Rust values, so that a filter, a sort, an
//! index and a unique constraint on the column agree with Rust:
//!
//! | type | stored text |
//! |---|---|
//! | `Uuid` | lowercase hyphenated, 36 characters: `67e55044-10b1-426f-9247-bb680e5fe0c8` |
//! | `DateTime<Utc>`, `OffsetDateTime` | UTC, nanoseconds, `Z`: `2024-05-01T09:00:00.500000000Z` (an `OffsetDateTime`'s offset is not kept: it reads back in UTC) |
//! | `NaiveDateTime`, `PrimitiveDateTime` | nanoseconds, no offset: `2024-05-01T09:00:00.500000000` |
//! | `NaiveDate`, `Date` | `2024-05-01` |
//! | `Url` | its serialization, `Url::as_str` |
//! | `Decimal` | fixed-point, 29 integer and 28 fraction digits; a negative value is `-` then the nines' complement of its digits (the scale is not kept: `1.50` reads back as `1.5`) |
//!
//! Dates and times hold the years 0000 to 9999 (fixed-width text): writing
//! another year fails with [`Error::Encode`](crate::Error::Encode).

use crate::error::BoxError;
use crate::query::ColumnValue;
use crate::schema::AttributeType;

#[cfg(any(feature = "chrono", feature = "time"))]
mod calendar;
#[cfg(feature = "chrono")]
mod chrono;
#[cfg(feature = "rust_decimal")]
mod decimal;
mod stored;
#[cfg(any(feature = "uuid", feature = "url"))]
mod text;
#[cfg(feature = "time")]
mod time;

pub use stored::{StoredEnum, StoredScalar, StoredValue, UnknownVariant};

/// A value type of another crate that `#[model]` stores as one text column;
/// generated code binds and reads it through this trait.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value type stored by this build of staged",
    note = "value types are `uuid::Uuid` (feature `uuid`), `chrono::DateTime<Utc>`, `chrono::NaiveDateTime`, \
            `chrono::NaiveDate` (feature `chrono`), `time::OffsetDateTime`, `time::PrimitiveDateTime`, \
            `time::Date` (feature `time`), `url::Url` (feature `url`) and `rust_decimal::Decimal` \
            (feature `rust_decimal`): enable the feature of `staged` named after the type's crate"
)]
pub trait ValueType: ColumnValue + Sized {
    /// The attribute type of a column holding this type.
    const TYPE: AttributeType;

    /// The stored text, or the year that cannot be stored.
    fn encode(&self) -> Result<String, YearOutOfRange>;

    /// The value a stored text holds.
    fn decode(text: &str) -> Result<Self, BoxError>;
}

/// A date or time whose year is outside 0000..=9999.
#[derive(Debug, thiserror::Error)]
#[error(
    "year {0} cannot be stored: stored dates and times are fixed-width text from year 0000 to 9999, so \
     that they sort in time order; use a date in that range, or store the value as an integer"
)]
pub struct YearOutOfRange(pub i64);

/// What a filter compares a value type with: its stored text; for a year
/// that cannot be stored, a value that compares with every stored text as
/// the date would (SQLite orders numbers before text and text before blobs).
#[cfg(any(
    feature = "uuid",
    feature = "chrono",
    feature = "time",
    feature = "url",
    feature = "rust_decimal"
))]
pub(crate) fn filter_value(encoded: Result<String, YearOutOfRange>) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match encoded {
        Ok(text) => Value::Text(text),
        Err(YearOutOfRange(year)) if year < 0 => Value::Integer(0),
        Err(_) => Value::Blob(Vec::new()),
    }
}

/// Implements [`ColumnValue`] for value types: written and compared as their
/// stored text.
#[cfg(any(
    feature = "uuid",
    feature = "chrono",
    feature = "time",
    feature = "url",
    feature = "rust_decimal"
))]
macro_rules! column_value {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::query::ColumnValue for $ty {
            fn to_column(&self) -> ::std::result::Result<::rusqlite::types::Value, $crate::error::BoxError> {
                Ok(::rusqlite::types::Value::Text($crate::value::ValueType::encode(self)?))
            }

            fn column_value(&self) -> ::rusqlite::types::Value {
                $crate::value::filter_value($crate::value::ValueType::encode(self))
            }
        }
    )*};
}
#[cfg(any(
    feature = "uuid",
    feature = "chrono",
    feature = "time",
    feature = "url",
    feature = "rust_decimal"
))]
pub(crate) use column_value;
