//! A user's own types stored as one column: [`StoredValue`] (a newtype such
//! as `Email(String)`), [`StoredEnum`] (a unit-only enum, stored as the
//! variant's name) and [`StoredScalar`], the column types a stored value is
//! stored as.

use rusqlite::types::{FromSql, ValueRef};

use crate::error::BoxError;
use crate::query::ColumnValue;
use crate::schema::AttributeType;

mod sealed {
    /// Only staged's stored types are [`StoredScalar`](super::StoredScalar)s.
    pub trait Sealed {}
}

/// A type a column holds, that a [`StoredValue`] is stored as: `bool`,
/// `i8`–`i64`, `u8`–`u64`, `f32`, `f64`, `String`, `Vec<u8>` and the value
/// types of the enabled features (`Uuid`, dates, `Url`, `Decimal`).
///
/// Implemented by staged only.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a stored type, so a `StoredValue` cannot be stored as it",
    note = "`StoredValue::Stored` is one of `bool`, `i8`–`i64`, `u8`–`u64`, `f32`, `f64`, `String`, \
            `Vec<u8>` or a value type of staged's features (`uuid::Uuid`, `chrono::DateTime<Utc>`, …)"
)]
pub trait StoredScalar: ColumnValue + sealed::Sealed + Sized {
    /// The attribute type of a column holding this type.
    #[doc(hidden)]
    const __TYPE: AttributeType;

    /// The value a non-NULL column holds.
    #[doc(hidden)]
    fn __from_column(value: ValueRef<'_>) -> Result<Self, BoxError>;
}

/// [`StoredScalar`] of the types rusqlite reads (`FromSql`).
macro_rules! stored_by_from_sql {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl sealed::Sealed for $ty {}

        impl StoredScalar for $ty {
            const __TYPE: AttributeType = AttributeType::$variant;

            fn __from_column(value: ValueRef<'_>) -> Result<Self, BoxError> {
                Ok(<$ty as FromSql>::column_result(value)?)
            }
        }
    )*};
}

stored_by_from_sql!(
    bool => Bool, i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16,
    u32 => U32, u64 => U64, f32 => F32, f64 => F64, String => Text, Vec<u8> => Bytes,
);

/// [`StoredScalar`] of the value types of the enabled features.
#[allow(unused_macros)]
macro_rules! stored_value_type {
    ($($ty:ty),* $(,)?) => {$(
        impl sealed::Sealed for $ty {}

        impl StoredScalar for $ty {
            const __TYPE: AttributeType = <$ty as crate::value::ValueType>::TYPE;

            fn __from_column(value: ValueRef<'_>) -> Result<Self, BoxError> {
                <$ty as crate::value::ValueType>::decode(value.as_str()?)
            }
        }
    )*};
}

#[cfg(feature = "uuid")]
stored_value_type!(::uuid::Uuid);
#[cfg(feature = "url")]
stored_value_type!(::url::Url);
#[cfg(feature = "rust_decimal")]
stored_value_type!(::rust_decimal::Decimal);
#[cfg(feature = "chrono")]
stored_value_type!(
    ::chrono::DateTime<::chrono::Utc>,
    ::chrono::NaiveDateTime,
    ::chrono::NaiveDate
);
#[cfg(feature = "time")]
stored_value_type!(
    ::time::OffsetDateTime,
    ::time::PrimitiveDateTime,
    ::time::Date
);

/// A type of your own stored as one column of a [`StoredScalar`] type: a
/// newtype such as `Email(String)` or `Cents(i64)`.
///
/// A `#[model]` field whose type is a plain path the schema macro does not
/// know (`Email`, `crate::Cents`: no generic arguments, not one of staged's
/// stored types) is stored through this trait; a field of a type that does
/// not implement it fails to compile with a message naming the type. The
/// column filters, sorts, indexes and makes unique by the stored value.
///
/// The type's identity, [`NAME`](StoredValue::NAME) and the stored type, is
/// part of the schema (and its checksum): changing either, or changing an
/// attribute between a stored value and another type, needs a custom stage
/// with a `transform`.
///
/// ```ignore
/// #[derive(Debug, Clone, PartialEq)]
/// pub struct Email(String);
///
/// impl StoredValue for Email {
///     type Stored = String;
///     const NAME: &'static str = "Email";
///
///     fn to_stored(&self) -> String {
///         self.0.clone()
///     }
///
///     fn from_stored(stored: String) -> Result<Self, staged::BoxError> {
///         if stored.contains('@') { Ok(Email(stored)) } else { Err("no `@` in an email".into()) }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored as a column: it is neither a stored type nor a `StoredValue`",
    note = "derive `StoredEnum` for a unit-only enum, implement `StoredValue` for a type of your own, \
            or store any serde type as JSON text with `#[attribute(json)]`"
)]
pub trait StoredValue: Sized {
    /// The column type the value is stored as.
    type Stored: StoredScalar;

    /// The type's name in the schema (snapshots, `staged diff`, messages);
    /// usually the Rust type's name.
    const NAME: &'static str;

    /// The variants a [`StoredEnum`] stores; `None` for other types. Set by
    /// `#[derive(StoredEnum)]`.
    #[doc(hidden)]
    const __VARIANTS: Option<&'static [&'static str]> = None;

    /// The stored form of this value.
    fn to_stored(&self) -> Self::Stored;

    /// The value a stored form holds, or why it holds none (reading the
    /// record then fails with [`Error::Decode`](crate::Error::Decode)).
    fn from_stored(stored: Self::Stored) -> Result<Self, BoxError>;
}

/// A unit-only enum stored as TEXT holding the variant's name (or the name
/// given by `#[stored(name = "…")]`); implemented by `#[derive(StoredEnum)]`,
/// which also implements [`StoredValue`] with `Stored = String`.
///
/// Its name and variants are part of the schema: adding a variant is
/// inferable, removing or renaming one is data-dependent (the migration
/// fails naming the records that hold it).
pub trait StoredEnum: StoredValue<Stored = String> + 'static {
    /// The stored names of the variants, in declaration order.
    const VARIANTS: &'static [&'static str];

    /// The stored name of this value's variant.
    fn variant_name(&self) -> &'static str;

    /// The variant stored as `name`, if any.
    fn from_variant_name(name: &str) -> Option<Self>;
}

/// A stored text that names no variant of a [`StoredEnum`]: the source of
/// the [`Error::Decode`](crate::Error::Decode) of a record holding it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a variant of `{enum_name}` (its variants are {})", list(.variants))]
pub struct UnknownVariant {
    enum_name: &'static str,
    value: String,
    variants: &'static [&'static str],
}

fn list(variants: &[&str]) -> String {
    let quoted: Vec<String> = variants.iter().map(|v| format!("`{v}`")).collect();
    quoted.join(", ")
}

impl UnknownVariant {
    /// The error for `value` read as a `E`; `#[derive(StoredEnum)]` calls this.
    pub fn new<E: StoredEnum>(value: String) -> Self {
        UnknownVariant {
            enum_name: E::NAME,
            value,
            variants: E::VARIANTS,
        }
    }

    /// The enum's name.
    pub fn enum_name(&self) -> &'static str {
        self.enum_name
    }

    /// The stored text that names no variant.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl<T: StoredValue> ColumnValue for T {
    fn to_column(&self) -> Result<rusqlite::types::Value, BoxError> {
        self.to_stored().to_column()
    }

    fn column_value(&self) -> rusqlite::types::Value {
        self.to_stored().column_value()
    }
}
