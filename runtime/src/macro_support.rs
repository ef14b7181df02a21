//! Helpers called by the code `#[versioned_schema]` generates (through
//! `staged::__private`); not part of the public API.

use rusqlite::types::{FromSql, ToSql, ToSqlOutput, Value, ValueRef};
use rusqlite::{Row, Statement};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::schema::{AttributeType, UserType};
pub use crate::value::ValueType;
use crate::value::{StoredScalar, StoredValue};

/// Binds one attribute to parameter `index` (1-based).
///
/// A NaN float is an [`Error::Encode`]: SQLite has no NaN and would store
/// NULL, which fails a required attribute with a misleading NOT NULL error and
/// silently turns `Some(NaN)` into `None`.
pub fn bind<T: ToSql + ?Sized>(
    statement: &mut Statement<'_>,
    index: usize,
    value: &T,
    entity: &'static str,
    attribute: &'static str,
) -> Result<()> {
    let value = value
        .to_sql()
        .map_err(|e| encode_error(entity, attribute, e))?;
    if let ToSqlOutput::Borrowed(ValueRef::Real(real)) | ToSqlOutput::Owned(Value::Real(real)) =
        value
        && real.is_nan()
    {
        return Err(encode_error(entity, attribute, NotANumber));
    }
    statement
        .raw_bind_parameter(index, value)
        .map_err(|e| encode_error(entity, attribute, e))
}

/// Binds a `u64` attribute: as an integer up to `i64::MAX`; a larger value
/// is an [`Error::Encode`] that says so.
pub fn bind_u64(
    statement: &mut Statement<'_>,
    index: usize,
    value: &u64,
    entity: &'static str,
    attribute: &'static str,
) -> Result<()> {
    let value = i64::try_from(*value)
        .map_err(|_| encode_error(entity, attribute, U64OutOfRange(*value)))?;
    bind(statement, index, &value, entity, attribute)
}

/// Binds `value` with `bind_some`, or SQL NULL for `None`: what every
/// optional attribute's binder does.
fn bind_or_null<T: ?Sized>(
    statement: &mut Statement<'_>,
    index: usize,
    value: Option<&T>,
    entity: &'static str,
    attribute: &'static str,
    bind_some: impl FnOnce(&mut Statement<'_>, usize, &T, &'static str, &'static str) -> Result<()>,
) -> Result<()> {
    match value {
        Some(v) => bind_some(statement, index, v, entity, attribute),
        None => bind(statement, index, &rusqlite::types::Null, entity, attribute),
    }
}

/// Binds an optional `u64` attribute: `None` is SQL NULL.
pub fn bind_u64_opt(
    statement: &mut Statement<'_>,
    index: usize,
    value: &Option<u64>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<()> {
    bind_or_null(
        statement,
        index,
        value.as_ref(),
        entity,
        attribute,
        bind_u64,
    )
}

/// Binds an attribute of a value type (`Uuid`, a date, `Url`, `Decimal`) as
/// its stored text.
pub fn bind_value<T: ValueType>(
    statement: &mut Statement<'_>,
    index: usize,
    value: &T,
    entity: &'static str,
    attribute: &'static str,
) -> Result<()> {
    let text = value
        .encode()
        .map_err(|e| encode_error(entity, attribute, e))?;
    bind(statement, index, &text, entity, attribute)
}

/// Binds an optional attribute of a value type: `None` is SQL NULL.
pub fn bind_value_opt<T: ValueType>(
    statement: &mut Statement<'_>,
    index: usize,
    value: &Option<T>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<()> {
    bind_or_null(
        statement,
        index,
        value.as_ref(),
        entity,
        attribute,
        bind_value,
    )
}

/// The stored type of a `StoredValue` attribute, for its descriptor.
pub const fn stored_type<T: StoredValue>() -> AttributeType {
    <T::Stored as StoredScalar>::__TYPE
}

/// The identity of a `StoredValue` (or `StoredEnum`) attribute's type, for
/// its descriptor.
pub const fn user_type<T: StoredValue>() -> UserType {
    UserType::__new(T::NAME, T::__VARIANTS)
}

/// Binds a `StoredValue` attribute as its stored form.
pub fn bind_stored<T: StoredValue>(
    statement: &mut Statement<'_>,
    index: usize,
    value: &T,
    entity: &'static str,
    attribute: &'static str,
) -> Result<()> {
    bind_column(statement, index, &value.to_stored(), entity, attribute)
}

/// Binds an optional `StoredValue` attribute: `None` is SQL NULL.
pub fn bind_stored_opt<T: StoredValue>(
    statement: &mut Statement<'_>,
    index: usize,
    value: &Option<T>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<()> {
    bind_or_null(
        statement,
        index,
        value.as_ref(),
        entity,
        attribute,
        bind_stored,
    )
}

/// Reads a `StoredValue` attribute from its stored form.
pub fn read_stored<T: StoredValue>(
    row: &Row<'_>,
    index: usize,
    entity: &'static str,
    attribute: &'static str,
    id: i64,
) -> Result<T> {
    read_stored_opt(row, index, entity, attribute, id)?.ok_or_else(|| {
        decode_error(
            entity,
            attribute,
            id,
            rusqlite::types::FromSqlError::InvalidType,
        )
    })
}

/// Reads an optional `StoredValue` attribute: SQL NULL is `None`.
pub fn read_stored_opt<T: StoredValue>(
    row: &Row<'_>,
    index: usize,
    entity: &'static str,
    attribute: &'static str,
    id: i64,
) -> Result<Option<T>> {
    let value = row
        .get_ref(index)
        .map_err(|e| decode_error(entity, attribute, id, e))?;
    if value == ValueRef::Null {
        return Ok(None);
    }
    // The source itself, so that callers can downcast it (`UnknownVariant`).
    let boxed = |source| Error::Decode {
        entity: entity.to_owned(),
        attribute: attribute.to_owned(),
        id,
        source,
    };
    let stored = T::Stored::__from_column(value).map_err(boxed)?;
    T::from_stored(stored).map(Some).map_err(boxed)
}

/// Binds any column value (`ModelContext::set`): as [`bind`] does, with the
/// value's own encoding.
pub fn bind_column<T: crate::query::ColumnValue + ?Sized>(
    statement: &mut Statement<'_>,
    index: usize,
    value: &T,
    entity: &'static str,
    attribute: &'static str,
) -> Result<()> {
    let value = value.to_column().map_err(|source| Error::Encode {
        entity: entity.to_owned(),
        attribute: attribute.to_owned(),
        source,
    })?;
    bind(statement, index, &value, entity, attribute)
}

/// A `u64` above `i64::MAX` given for a stored attribute.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0} is above 9223372036854775807 (`i64::MAX`), the largest value a `u64` attribute stores: SQLite \
     integers are 64-bit signed; use a smaller value, or store the number as text"
)]
struct U64OutOfRange(u64);

/// A NaN float given for a stored attribute.
#[derive(Debug, thiserror::Error)]
#[error(
    "NaN cannot be stored: SQLite has no NaN and would store NULL; use another value, \
     or an optional attribute set to `None`"
)]
struct NotANumber;

/// Binds a `json` attribute as its JSON text.
pub fn bind_json<T: Serialize + ?Sized>(
    statement: &mut Statement<'_>,
    index: usize,
    value: &T,
    entity: &'static str,
    attribute: &'static str,
) -> Result<()> {
    let text = serde_json::to_string(value).map_err(|e| encode_error(entity, attribute, e))?;
    bind(statement, index, &text, entity, attribute)
}

/// Binds an optional `json` attribute: `None` is SQL NULL.
pub fn bind_json_opt<T: Serialize>(
    statement: &mut Statement<'_>,
    index: usize,
    value: &Option<T>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<()> {
    bind_or_null(
        statement,
        index,
        value.as_ref(),
        entity,
        attribute,
        bind_json,
    )
}

/// Reads one attribute from column `index` (0-based).
pub fn read<T: FromSql>(
    row: &Row<'_>,
    index: usize,
    entity: &'static str,
    attribute: &'static str,
    id: i64,
) -> Result<T> {
    row.get(index)
        .map_err(|e| decode_error(entity, attribute, id, e))
}

/// Reads an attribute of a value type from its stored text.
pub fn read_value<T: ValueType>(
    row: &Row<'_>,
    index: usize,
    entity: &'static str,
    attribute: &'static str,
    id: i64,
) -> Result<T> {
    if let Some(Some(text)) = borrowed_text(row, index) {
        return decode_value(text, entity, attribute, id);
    }
    // Not text (or not UTF-8): the error reading a `String` gives.
    let text: String = read(row, index, entity, attribute, id)?;
    decode_value(&text, entity, attribute, id)
}

/// Reads an optional attribute of a value type: SQL NULL is `None`.
pub fn read_value_opt<T: ValueType>(
    row: &Row<'_>,
    index: usize,
    entity: &'static str,
    attribute: &'static str,
    id: i64,
) -> Result<Option<T>> {
    if let Some(text) = borrowed_text(row, index) {
        return text
            .map(|t| decode_value(t, entity, attribute, id))
            .transpose();
    }
    let text: Option<String> = read(row, index, entity, attribute, id)?;
    text.map(|t| decode_value(&t, entity, attribute, id))
        .transpose()
}

/// Column `index` as borrowed text (`Some(None)` for NULL), without a copy;
/// `None` when it is neither, or not UTF-8, for the caller to read it as a
/// `String` and report the error that gives.
fn borrowed_text<'r>(row: &'r Row<'_>, index: usize) -> Option<Option<&'r str>> {
    match row.get_ref(index) {
        Ok(ValueRef::Null) => Some(None),
        Ok(ValueRef::Text(bytes)) => std::str::from_utf8(bytes).ok().map(Some),
        _ => None,
    }
}

fn decode_value<T: ValueType>(
    text: &str,
    entity: &'static str,
    attribute: &'static str,
    id: i64,
) -> Result<T> {
    T::decode(text).map_err(|source| decode_error(entity, attribute, id, BoxedError(source)))
}

/// A boxed error as an error type, for [`decode_error`].
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
struct BoxedError(crate::error::BoxError);

/// Traces the serde shape of a `json` attribute's type, for snapshots.
pub fn trace_json<T: DeserializeOwned>()
-> std::result::Result<crate::schema::json_shape::JsonShape, String> {
    crate::schema::json_shape::trace::<T>()
}

/// Reads a `json` attribute.
pub fn read_json<T: DeserializeOwned>(
    row: &Row<'_>,
    index: usize,
    entity: &'static str,
    attribute: &'static str,
    id: i64,
) -> Result<T> {
    let text: String = read(row, index, entity, attribute, id)?;
    serde_json::from_str(&text).map_err(|e| decode_error(entity, attribute, id, e))
}

/// Reads an optional `json` attribute: SQL NULL is `None`.
pub fn read_json_opt<T: DeserializeOwned>(
    row: &Row<'_>,
    index: usize,
    entity: &'static str,
    attribute: &'static str,
    id: i64,
) -> Result<Option<T>> {
    let text: Option<String> = read(row, index, entity, attribute, id)?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| decode_error(entity, attribute, id, e)))
        .transpose()
}

fn encode_error(
    entity: &str,
    attribute: &str,
    source: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::Encode {
        entity: entity.to_owned(),
        attribute: attribute.to_owned(),
        source: Box::new(source),
    }
}

fn decode_error(
    entity: &str,
    attribute: &str,
    id: i64,
    source: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::Decode {
        entity: entity.to_owned(),
        attribute: attribute.to_owned(),
        id,
        source: Box::new(source),
    }
}
