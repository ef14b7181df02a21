//! `uuid::Uuid` and `url::Url`: text that sorts as the Rust values do.

use crate::error::BoxError;
use crate::schema::AttributeType;
use crate::value::{ValueType, YearOutOfRange};

/// Lowercase hyphenated: fixed width, and hexadecimal digits in ASCII order,
/// so the text sorts as the bytes `Uuid`'s `Ord` compares.
#[cfg(feature = "uuid")]
impl ValueType for ::uuid::Uuid {
    const TYPE: AttributeType = AttributeType::Uuid;

    fn encode(&self) -> Result<String, YearOutOfRange> {
        let mut buffer = ::uuid::Uuid::encode_buffer();
        Ok(self.hyphenated().encode_lower(&mut buffer).to_owned())
    }

    fn decode(text: &str) -> Result<Self, BoxError> {
        Ok(::uuid::Uuid::try_parse(text)?)
    }
}

/// Its serialization, which `Url`'s `Ord` compares.
#[cfg(feature = "url")]
impl ValueType for ::url::Url {
    const TYPE: AttributeType = AttributeType::Url;

    fn encode(&self) -> Result<String, YearOutOfRange> {
        Ok(self.as_str().to_owned())
    }

    fn decode(text: &str) -> Result<Self, BoxError> {
        Ok(::url::Url::parse(text)?)
    }
}

#[cfg(feature = "uuid")]
super::column_value!(::uuid::Uuid);
#[cfg(feature = "url")]
super::column_value!(::url::Url);
