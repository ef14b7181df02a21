//! Typed queries: field handles, predicates, sort orders and fetch descriptors.
//!
//! `#[versioned_schema]` generates, for each model `M`, a struct `MFields`
//! with one [`Field`] per stored attribute, returned by `M::fields()`:
//!
//! ```ignore
//! let open = FetchDescriptor::<Reminder>::new()
//!     .filter(Reminder::fields().priority.gt(2).and(Reminder::fields().notes.is_null()))
//!     .sort(Reminder::fields().title.asc())
//!     .limit(10);
//! ```

use std::fmt;
use std::marker::PhantomData;

use rusqlite::types::{ToSql, ToSqlOutput, Value, ValueRef};

use crate::error::BoxError;
use crate::sql::quote_ident;

/// A Rust value that is written to one column and that a filter compares a
/// stored attribute with: `bool`, the integers, the floats, `String`,
/// `Vec<u8>`, the value types of the enabled features (`Uuid`, dates,
/// `Url`, `Decimal`), `Option` of these, and `Ref`. A `json` attribute's type
/// is not one: JSON text is not filtered.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a stored column value, so a filter cannot compare with it",
    note = "filters compare stored attributes: `bool`, integers, floats, `String`, `Vec<u8>`, the value \
            types of staged's features (`uuid`, `chrono`, `time`, `url`, `rust_decimal`), `Option` of \
            these, and `Ref`; a `json` attribute cannot be filtered"
)]
pub trait ColumnValue {
    /// The SQLite value written for this value; an error for a value the
    /// column cannot hold (NaN, a `u64` above `i64::MAX`, a year outside
    /// 0000..=9999).
    fn to_column(&self) -> Result<Value, BoxError>;

    /// The SQLite value a filter compares with: [`to_column`](ColumnValue::to_column),
    /// or for a value no column holds, one that compares with every stored
    /// value as it would.
    fn column_value(&self) -> Value;
}

/// [`ColumnValue`] of the types rusqlite writes (`ToSql`).
macro_rules! column_value_by_to_sql {
    ($($ty:ty),* $(,)?) => {$(
        impl ColumnValue for $ty {
            fn to_column(&self) -> Result<Value, BoxError> {
                Ok(owned(self.to_sql()?))
            }

            fn column_value(&self) -> Value {
                owned_value(self)
            }
        }
    )*};
}

column_value_by_to_sql!(
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    String,
    Vec<u8>
);

impl<T> ColumnValue for crate::relationship::Ref<T> {
    fn to_column(&self) -> Result<Value, BoxError> {
        Ok(owned(self.to_sql()?))
    }

    fn column_value(&self) -> Value {
        owned_value(self)
    }
}

impl<T: ColumnValue> ColumnValue for Option<T> {
    fn to_column(&self) -> Result<Value, BoxError> {
        self.as_ref().map_or(Ok(Value::Null), T::to_column)
    }

    fn column_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::column_value)
    }
}

/// A typed handle on the stored attribute `name` of model `M`, whose Rust type is `T`.
pub struct Field<M, T> {
    name: &'static str,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Field<M, T> {
    /// A handle; generated code calls this.
    #[doc(hidden)]
    pub const fn new(name: &'static str) -> Self {
        Field {
            name,
            _marker: PhantomData,
        }
    }

    /// The attribute's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Ascending order by this attribute (NULLs first).
    pub fn asc(self) -> SortDescriptor<M> {
        SortDescriptor {
            column: self.name,
            descending: false,
            _marker: PhantomData,
        }
    }

    /// Descending order by this attribute (NULLs last).
    pub fn desc(self) -> SortDescriptor<M> {
        SortDescriptor {
            column: self.name,
            descending: true,
            _marker: PhantomData,
        }
    }

    fn compare(&self, op: &str, value: &dyn ColumnValue) -> Predicate<M> {
        let value = value.column_value();
        if value == Value::Null {
            // `x = NULL` is never true in SQL; compare NULL-ness instead.
            let test = if op == "IS NOT" {
                "IS NOT NULL"
            } else {
                "IS NULL"
            };
            return Predicate::raw(format!("{} {test}", quote_ident(self.name)), Vec::new());
        }
        Predicate::raw(format!("{} {op} ?", quote_ident(self.name)), vec![value])
    }
}

impl<M, T> Clone for Field<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T> Copy for Field<M, T> {}

impl<M, T> fmt::Debug for Field<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field({})", self.name)
    }
}

impl<M, T: ColumnValue> Field<M, T> {
    /// The attribute equals `value` (for an optional attribute, `None` means IS NULL).
    pub fn eq(self, value: impl Into<T>) -> Predicate<M> {
        self.compare("=", &value.into())
    }

    /// The attribute differs from `value` (for an optional attribute, `None`
    /// differs from every `Some`, as in Rust).
    pub fn ne(self, value: impl Into<T>) -> Predicate<M> {
        // `IS NOT` rather than `<>`: `NULL <> 'x'` is NULL in SQL, which would
        // leave out the records whose attribute is `None`.
        self.compare("IS NOT", &value.into())
    }

    /// The attribute is less than `value` (never true for a `None` attribute;
    /// the same holds for `le`, `gt` and `ge`).
    pub fn lt(self, value: impl Into<T>) -> Predicate<M> {
        self.compare("<", &value.into())
    }

    /// The attribute is less than or equal to `value`.
    pub fn le(self, value: impl Into<T>) -> Predicate<M> {
        self.compare("<=", &value.into())
    }

    /// The attribute is greater than `value`.
    pub fn gt(self, value: impl Into<T>) -> Predicate<M> {
        self.compare(">", &value.into())
    }

    /// The attribute is greater than or equal to `value`.
    pub fn ge(self, value: impl Into<T>) -> Predicate<M> {
        self.compare(">=", &value.into())
    }
}

impl<M, T> Field<M, Option<T>> {
    /// The optional attribute is NULL.
    pub fn is_null(self) -> Predicate<M> {
        Predicate::raw(format!("{} IS NULL", quote_ident(self.name)), Vec::new())
    }

    /// The optional attribute is not NULL.
    pub fn is_not_null(self) -> Predicate<M> {
        Predicate::raw(
            format!("{} IS NOT NULL", quote_ident(self.name)),
            Vec::new(),
        )
    }
}

impl<M, T> Field<M, crate::relationship::Ref<T>> {
    /// The to-one refers to `target` (a [`Record`](crate::Record), a
    /// [`PersistentId`](crate::PersistentId) or a [`Ref`](crate::Ref)).
    pub fn refers_to(self, target: impl Into<crate::relationship::Ref<T>>) -> Predicate<M> {
        self.compare("=", &target.into())
    }
}

impl<M, T> Field<M, Option<crate::relationship::Ref<T>>> {
    /// The optional to-one refers to `target` (never true while it is `None`).
    pub fn refers_to(self, target: impl Into<crate::relationship::Ref<T>>) -> Predicate<M> {
        self.compare("=", &target.into())
    }
}

impl<M> Field<M, String> {
    /// The text contains `needle` (case-sensitive, no wildcards).
    pub fn contains(self, needle: &str) -> Predicate<M> {
        Predicate::raw(
            format!("instr({}, ?) > 0", quote_ident(self.name)),
            vec![Value::Text(needle.to_owned())],
        )
    }

    /// The text starts with `prefix` (case-sensitive, no wildcards).
    pub fn starts_with(self, prefix: &str) -> Predicate<M> {
        // Compared as bytes: SQLite's `length` and `substr` of text stop at a
        // NUL character, those of a blob do not.
        Predicate::raw(
            format!(
                "substr(CAST({} AS BLOB), 1, length(?)) = ?",
                quote_ident(self.name)
            ),
            vec![
                Value::Blob(prefix.as_bytes().to_vec()),
                Value::Blob(prefix.as_bytes().to_vec()),
            ],
        )
    }
}

fn owned(output: ToSqlOutput<'_>) -> Value {
    match output {
        ToSqlOutput::Borrowed(v) => match v {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(r) => Value::Real(r),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        },
        ToSqlOutput::Owned(v) => v,
        // rusqlite's other outputs (zero blobs, arrays) are not written by
        // the stored types.
        _ => Value::Null,
    }
}

fn owned_value(value: &dyn ToSql) -> Value {
    match value.to_sql() {
        Ok(output) => owned(output),
        // Of the stored types, only a `u64` above `i64::MAX` fails to
        // convert. Every stored value is below it, as it is below infinity,
        // so comparing with infinity gives the same answer.
        Err(_) => Value::Real(f64::INFINITY),
    }
}

/// A condition on records of model `M`; combine with [`and`](Predicate::and),
/// [`or`](Predicate::or) and [`not`](Predicate::not).
pub struct Predicate<M> {
    sql: String,
    params: Vec<Value>,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Predicate<M> {
    pub(crate) fn raw(sql: String, params: Vec<Value>) -> Self {
        Predicate {
            sql,
            params,
            _marker: PhantomData,
        }
    }

    /// Both conditions hold.
    pub fn and(mut self, other: Predicate<M>) -> Self {
        self.sql = format!("({}) AND ({})", self.sql, other.sql);
        self.params.extend(other.params);
        self
    }

    /// At least one condition holds.
    pub fn or(mut self, other: Predicate<M>) -> Self {
        self.sql = format!("({}) OR ({})", self.sql, other.sql);
        self.params.extend(other.params);
        self
    }

    /// The condition does not hold: every record matches exactly one of a
    /// predicate and its `not()`, also when an attribute is `None`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(mut self) -> Self {
        // `NOT (x > 1)` is NULL when `x` is NULL; `IS NOT TRUE` is then true.
        self.sql = format!("({}) IS NOT TRUE", self.sql);
        self
    }

    /// The SQL text of the condition, with `?` placeholders.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The values bound to the placeholders, in order.
    pub fn params(&self) -> &[Value] {
        &self.params
    }
}

impl<M> Clone for Predicate<M> {
    fn clone(&self) -> Self {
        Predicate::raw(self.sql.clone(), self.params.clone())
    }
}

impl<M> fmt::Debug for Predicate<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Predicate")
            .field("sql", &self.sql)
            .field("params", &self.params)
            .finish()
    }
}

/// An order on records of model `M`.
pub struct SortDescriptor<M> {
    column: &'static str,
    descending: bool,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Clone for SortDescriptor<M> {
    fn clone(&self) -> Self {
        SortDescriptor {
            column: self.column,
            descending: self.descending,
            _marker: PhantomData,
        }
    }
}

impl<M> fmt::Debug for SortDescriptor<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.column,
            if self.descending { "DESC" } else { "ASC" }
        )
    }
}

/// What to fetch: a filter, sort orders, a limit and an offset.
///
/// Without sort orders records come in id order.
pub struct FetchDescriptor<M> {
    predicate: Option<Predicate<M>>,
    sort: Vec<SortDescriptor<M>>,
    limit: Option<u64>,
    offset: u64,
}

impl<M> FetchDescriptor<M> {
    /// All records, in id order.
    pub fn new() -> Self {
        FetchDescriptor {
            predicate: None,
            sort: Vec::new(),
            limit: None,
            offset: 0,
        }
    }

    /// Keeps only records matching `predicate` (and any filter set before).
    pub fn filter(mut self, predicate: Predicate<M>) -> Self {
        self.predicate = Some(match self.predicate.take() {
            Some(existing) => existing.and(predicate),
            None => predicate,
        });
        self
    }

    /// Sorts by `order`, after any order set before.
    pub fn sort(mut self, order: SortDescriptor<M>) -> Self {
        self.sort.push(order);
        self
    }

    /// Returns at most `limit` records.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Skips the first `offset` records.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// The `WHERE …` clause (empty when unfiltered) and its parameters.
    pub(crate) fn where_clause(&self) -> (String, &[Value]) {
        match &self.predicate {
            Some(p) => (format!(" WHERE {}", p.sql), &p.params),
            None => (String::new(), &[]),
        }
    }

    /// The `ORDER BY … LIMIT … OFFSET …` tail.
    pub(crate) fn order_clause(&self) -> String {
        let mut out = String::from(" ORDER BY ");
        for order in &self.sort {
            out.push_str(&quote_ident(order.column));
            out.push_str(if order.descending {
                " DESC, "
            } else {
                " ASC, "
            });
        }
        out.push_str(&quote_ident(crate::schema::ID_COLUMN));
        if self.limit.is_some() || self.offset > 0 {
            // SQLite needs a LIMIT to take an OFFSET; -1 means no limit.
            let limit = self
                .limit
                .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
            // SQLite reads a literal above i64::MAX as a REAL, which it rejects.
            let offset = i64::try_from(self.offset).unwrap_or(i64::MAX);
            out.push_str(&format!(" LIMIT {limit} OFFSET {offset}"));
        }
        out
    }
}

impl<M> Default for FetchDescriptor<M> {
    fn default() -> Self {
        FetchDescriptor::new()
    }
}

impl<M> Clone for FetchDescriptor<M> {
    fn clone(&self) -> Self {
        FetchDescriptor {
            predicate: self.predicate.clone(),
            sort: self.sort.clone(),
            limit: self.limit,
            offset: self.offset,
        }
    }
}

impl<M> fmt::Debug for FetchDescriptor<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchDescriptor")
            .field("predicate", &self.predicate)
            .field("sort", &self.sort)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .finish()
    }
}
