//! The attributes of an entity: [`AttributeDescriptor`], the Rust types a
//! column holds ([`AttributeType`]) and column defaults ([`DefaultValue`]).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::relationships::Reference;

/// A stored attribute (a field of a `#[model]` struct), stored as one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeDescriptor {
    name: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    original_name: Option<Cow<'static, str>>,
    #[serde(rename = "type")]
    ty: AttributeType,
    optional: bool,
    unique: bool,
    indexed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default: Option<DefaultValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference: Option<Reference>,
    /// A `StoredEnum` or `StoredValue` the column holds, stored as `ty`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_type: Option<super::UserType>,
    /// The serde shape of a json attribute's type: traced for a schema of the
    /// code, read back for a snapshot. Not part of the checksum.
    #[serde(
        default,
        rename = "json_shape",
        skip_serializing_if = "Option::is_none",
        with = "super::json_shape::source_serde"
    )]
    json_shape: Option<super::json_shape::ShapeSource>,
}

impl AttributeDescriptor {
    /// A required attribute without options; combine with the `with_*` methods.
    pub const fn new(name: &'static str, ty: AttributeType) -> Self {
        AttributeDescriptor {
            name: Cow::Borrowed(name),
            original_name: None,
            ty,
            optional: false,
            unique: false,
            indexed: false,
            default: None,
            reference: None,
            user_type: None,
            json_shape: None,
        }
    }

    /// A to-one relationship (a `Ref<T>` field): an indexed `i64` column
    /// holding ids of `reference`'s target; `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    pub const fn __to_one(
        name: &'static str,
        original_name: Option<&'static str>,
        optional: bool,
        reference: Reference,
    ) -> Self {
        AttributeDescriptor {
            name: Cow::Borrowed(name),
            original_name: match original_name {
                Some(n) => Some(Cow::Borrowed(n)),
                None => None,
            },
            ty: AttributeType::I64,
            optional,
            unique: false,
            indexed: true,
            default: None,
            reference: Some(reference),
            user_type: None,
            json_shape: None,
        }
    }

    /// A to-one relationship built at run time: an indexed, `i64` column referencing `reference`'s target.
    pub fn to_one(name: impl Into<String>, optional: bool, reference: Reference) -> Self {
        AttributeDescriptor {
            name: Cow::Owned(name.into()),
            optional,
            indexed: true,
            reference: Some(reference),
            ..AttributeDescriptor::new("", AttributeType::I64)
        }
    }

    /// The target of the relationship, when the attribute is a to-one.
    pub fn reference(&self) -> Option<&Reference> {
        self.reference.as_ref()
    }

    /// A required attribute without options, with a name built at run time.
    pub fn named(name: impl Into<String>, ty: AttributeType) -> Self {
        AttributeDescriptor {
            name: Cow::Owned(name.into()),
            ..AttributeDescriptor::new("", ty)
        }
    }

    /// Sets whether the attribute may be NULL (`Option<T>` fields).
    pub const fn with_optional(mut self, optional: bool) -> Self {
        self.optional = optional;
        self
    }

    /// Sets whether the attribute's values must be unique.
    pub const fn with_unique(mut self, unique: bool) -> Self {
        self.unique = unique;
        self
    }

    /// Sets whether the attribute has an index.
    pub const fn with_index(mut self, indexed: bool) -> Self {
        self.indexed = indexed;
        self
    }

    /// Marks the attribute as renamed from `original_name` in the previous version.
    pub fn with_original_name(mut self, original_name: impl Into<String>) -> Self {
        self.original_name = Some(Cow::Owned(original_name.into()));
        self
    }

    /// Sets the default value of the column (`None` removes it).
    pub fn with_default(mut self, default: impl Into<Option<DefaultValue>>) -> Self {
        self.default = default.into();
        self
    }

    /// An attribute with every property given; `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        name: &'static str,
        original_name: Option<&'static str>,
        ty: AttributeType,
        optional: bool,
        unique: bool,
        indexed: bool,
        default: Option<DefaultValue>,
    ) -> Self {
        AttributeDescriptor {
            name: Cow::Borrowed(name),
            original_name: match original_name {
                Some(n) => Some(Cow::Borrowed(n)),
                None => None,
            },
            ty,
            optional,
            unique,
            indexed,
            default,
            reference: None,
            user_type: None,
            json_shape: None,
        }
    }

    /// Records how to trace the serde shape of a json attribute's type;
    /// `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    pub const fn __with_json_shape(
        mut self,
        trace: fn() -> Result<super::json_shape::JsonShape, String>,
    ) -> Self {
        let none = self
            .json_shape
            .replace(super::json_shape::ShapeSource::Tracer(
                super::json_shape::JsonTracer(trace),
            ));
        // `None`, which needs no drop (a const fn cannot run one).
        std::mem::forget(none);
        self
    }

    /// Records the `StoredEnum` or `StoredValue` the column holds;
    /// `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    pub const fn __with_user_type(mut self, user_type: super::UserType) -> Self {
        let none = self.user_type.replace(user_type);
        // `None`, which needs no drop (a const fn cannot run one).
        std::mem::forget(none);
        self
    }

    /// Sets the `StoredEnum` or `StoredValue` the column holds (`None`: a
    /// plain stored type).
    pub fn with_user_type(mut self, user_type: impl Into<Option<super::UserType>>) -> Self {
        self.user_type = user_type.into();
        self
    }

    /// The `StoredEnum` or `StoredValue` the column holds, stored as
    /// [`ty`](AttributeDescriptor::ty); `None` for other attributes.
    pub fn user_type(&self) -> Option<&super::UserType> {
        self.user_type.as_ref()
    }

    /// The serde shape of a json attribute's type: traced from the Rust type
    /// for a schema of the code, as recorded for a snapshot; `None` for other
    /// attributes, a type that cannot be traced, and snapshots written before
    /// shapes were recorded.
    pub fn json_shape(&self) -> Option<super::json_shape::JsonShape> {
        self.json_shape
            .as_ref()
            .and_then(super::json_shape::ShapeSource::shape)
    }

    /// The attribute's name, which is also its column name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The attribute's name in the previous schema version, when it was renamed.
    pub fn original_name(&self) -> Option<&str> {
        self.original_name.as_deref()
    }

    /// The attribute's type.
    pub fn ty(&self) -> AttributeType {
        self.ty
    }

    /// Whether the attribute may be NULL.
    pub fn is_optional(&self) -> bool {
        self.optional
    }

    /// Whether the attribute's values are unique.
    pub fn is_unique(&self) -> bool {
        self.unique
    }

    /// Whether the attribute has an index.
    pub fn is_indexed(&self) -> bool {
        self.indexed
    }

    /// The column's default value, if any.
    pub fn default_value(&self) -> Option<&DefaultValue> {
        self.default.as_ref()
    }
}

/// The type of an attribute, as declared in Rust.
///
/// Several types share one SQLite storage class (see [`AttributeType::sql_type`]);
/// the descriptor keeps the precise type so that a narrowing change is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AttributeType {
    /// `bool`, stored as INTEGER 0 or 1.
    Bool,
    /// `i8`, stored as INTEGER.
    I8,
    /// `i16`, stored as INTEGER.
    I16,
    /// `i32`, stored as INTEGER.
    I32,
    /// `i64`, stored as INTEGER.
    I64,
    /// `u8`, stored as INTEGER.
    U8,
    /// `u16`, stored as INTEGER.
    U16,
    /// `u32`, stored as INTEGER.
    U32,
    /// `u64`, stored as INTEGER: from 0 to `i64::MAX` (9223372036854775807),
    /// exactly; writing a larger value fails with
    /// [`Error::Encode`](crate::Error::Encode) and writes nothing.
    U64,
    /// `f32`, stored as REAL.
    F32,
    /// `f64`, stored as REAL.
    F64,
    /// `String`, stored as TEXT.
    Text,
    /// `Vec<u8>`, stored as BLOB.
    Bytes,
    /// Any serde type under `#[attribute(json)]`, stored as JSON TEXT.
    Json,
    /// `uuid::Uuid` (feature `uuid`), stored as TEXT: lowercase hyphenated,
    /// 36 characters.
    Uuid,
    /// An instant, `chrono::DateTime<Utc>` (feature `chrono`) or
    /// `time::OffsetDateTime` (feature `time`), stored as TEXT in UTC with
    /// nanoseconds: `2024-05-01T09:00:00.500000000Z` (an `OffsetDateTime`'s
    /// offset is not kept).
    Timestamp,
    /// A date and time without offset, `chrono::NaiveDateTime` or
    /// `time::PrimitiveDateTime`, stored as TEXT with nanoseconds:
    /// `2024-05-01T09:00:00.500000000`.
    DateTime,
    /// A calendar date, `chrono::NaiveDate` or `time::Date`, stored as TEXT:
    /// `2024-05-01`.
    Date,
    /// `url::Url` (feature `url`), stored as TEXT: its serialization.
    Url,
    /// `rust_decimal::Decimal` (feature `rust_decimal`), stored as TEXT in a
    /// fixed-point form that sorts numerically (see the README).
    Decimal,
}

impl AttributeType {
    /// The declared SQLite type of the attribute's column.
    pub fn sql_type(self) -> &'static str {
        match self {
            AttributeType::Bool
            | AttributeType::I8
            | AttributeType::I16
            | AttributeType::I32
            | AttributeType::I64
            | AttributeType::U8
            | AttributeType::U16
            | AttributeType::U32
            | AttributeType::U64 => "INTEGER",
            AttributeType::F32 | AttributeType::F64 => "REAL",
            AttributeType::Text
            | AttributeType::Json
            | AttributeType::Uuid
            | AttributeType::Timestamp
            | AttributeType::DateTime
            | AttributeType::Date
            | AttributeType::Url
            | AttributeType::Decimal => "TEXT",
            AttributeType::Bytes => "BLOB",
        }
    }

    /// The inclusive range of an integer type, `None` for other types.
    pub fn integer_range(self) -> Option<(i64, i64)> {
        use staged_vocabulary::ScalarType;
        let scalar = match self {
            AttributeType::Bool => ScalarType::Bool,
            AttributeType::I8 => ScalarType::I8,
            AttributeType::I16 => ScalarType::I16,
            AttributeType::I32 => ScalarType::I32,
            AttributeType::I64 => ScalarType::I64,
            AttributeType::U8 => ScalarType::U8,
            AttributeType::U16 => ScalarType::U16,
            AttributeType::U32 => ScalarType::U32,
            AttributeType::U64 => ScalarType::U64,
            AttributeType::F32 => ScalarType::F32,
            AttributeType::F64 => ScalarType::F64,
            AttributeType::Text => ScalarType::Text,
            AttributeType::Bytes => ScalarType::Bytes,
            AttributeType::Json
            | AttributeType::Uuid
            | AttributeType::Timestamp
            | AttributeType::DateTime
            | AttributeType::Date
            | AttributeType::Url
            | AttributeType::Decimal => return None,
        };
        scalar.integer_range()
    }
}

/// The default value of a column, from `#[attribute(default = <literal>)]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "value")]
pub enum DefaultValue {
    /// A `bool` literal.
    Bool(bool),
    /// An integer literal.
    Integer(i64),
    /// A float literal.
    Real(f64),
    /// A string literal (for `json` attributes: the JSON text).
    Text(Cow<'static, str>),
}

impl DefaultValue {
    /// A text default from a `'static` string, usable in a `static`.
    pub const fn text(text: &'static str) -> Self {
        DefaultValue::Text(Cow::Borrowed(text))
    }
}
