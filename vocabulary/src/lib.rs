//! The vocabulary of [staged](https://docs.rs/staged) schemas, shared by its
//! macros (which check a schema at compile time) and its runtime (which
//! stores it), so that both speak of the same versions, types and names:
//!
//! - [`parse_version`]: the spelling of a schema version, `MAJOR.MINOR.PATCH`;
//! - [`ScalarType`]: the scalar types a column holds, their Rust types and
//!   integer ranges;
//! - [`ID_COLUMN`], [`STAGED_PREFIX`], [`SQLITE_PREFIX`] and
//!   [`is_reserved_entity_name`]: the names the store keeps for itself;
//! - [`DeleteRule`]: the names of the delete rules of relationships.
//!
//! Apps use the `staged` crate; this one has no dependencies and no API of
//! its own beyond these definitions.

/// Parses a schema version, `MAJOR.MINOR.PATCH`: three unsigned 64-bit
/// integers written in ASCII digits without sign, whitespace or leading zeros,
/// so that a version has exactly one spelling. `None` for anything else.
///
/// ```
/// assert_eq!(staged_vocabulary::parse_version("1.20.3"), Some((1, 20, 3)));
/// assert_eq!(staged_vocabulary::parse_version("01.0.0"), None);
/// assert_eq!(staged_vocabulary::parse_version("1.0"), None);
/// ```
pub fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.split('.').map(|part| {
        let well_formed = !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_digit())
            && !(part.len() > 1 && part.starts_with('0'));
        if well_formed {
            part.parse::<u64>().ok()
        } else {
            None
        }
    });
    let version = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(version)
}

/// The column of every entity's table that holds the record's persistent id;
/// no attribute may be stored under this name.
pub const ID_COLUMN: &str = "_id";

/// The prefix of the tables and indexes staged owns in a store
/// (`_staged_metadata`, `_staged_history`, `_staged_join_…`, …).
pub const STAGED_PREFIX: &str = "_staged_";

/// The prefix of SQLite's own tables and indexes (`sqlite_sequence`, …).
pub const SQLITE_PREFIX: &str = "sqlite_";

/// Whether an entity name is kept for the store: it starts, ignoring case,
/// with [`STAGED_PREFIX`] without its final underscore (`_staged`, so that no
/// entity's table is one character away from staged's own), or with
/// [`SQLITE_PREFIX`].
///
/// ```
/// use staged_vocabulary::is_reserved_entity_name;
///
/// assert!(is_reserved_entity_name("_Staged_Metadata"));
/// assert!(is_reserved_entity_name("_stagedNotes"));
/// assert!(is_reserved_entity_name("SQLITE_master"));
/// assert!(!is_reserved_entity_name("Staged"));
/// ```
pub fn is_reserved_entity_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    let staged = STAGED_PREFIX.trim_end_matches('_');
    lower.starts_with(staged) || lower.starts_with(SQLITE_PREFIX)
}

/// A scalar type a column can hold: the Rust types a model field may have,
/// besides `Option` of them, relationships and `#[attribute(json)]`.
///
/// The first thirteen ([`ALL`](ScalarType::ALL)) are Rust's own; the value
/// types ([`VALUES`](ScalarType::VALUES)) come from other crates, each behind
/// a cargo feature of `staged` named after its crate (the first segment of
/// each path in [`value_rust_types`](ScalarType::value_rust_types)), and are stored as fixed-width text that
/// sorts in SQLite as the Rust values sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// `bool`.
    Bool,
    /// `i8`.
    I8,
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `u64`: stored as a SQLite integer, so from 0 to `i64::MAX`.
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `String`.
    Text,
    /// `Vec<u8>`.
    Bytes,
    /// `uuid::Uuid`.
    Uuid,
    /// An instant: `chrono::DateTime<Utc>` or `time::OffsetDateTime`.
    Timestamp,
    /// A date and time without offset: `chrono::NaiveDateTime` or
    /// `time::PrimitiveDateTime`.
    DateTime,
    /// A calendar date: `chrono::NaiveDate` or `time::Date`.
    Date,
    /// `url::Url`.
    Url,
    /// `rust_decimal::Decimal`.
    Decimal,
}

impl ScalarType {
    /// Every scalar type, in the order messages list them.
    pub const ALL: [ScalarType; 13] = [
        ScalarType::Bool,
        ScalarType::I8,
        ScalarType::I16,
        ScalarType::I32,
        ScalarType::I64,
        ScalarType::U8,
        ScalarType::U16,
        ScalarType::U32,
        ScalarType::U64,
        ScalarType::F32,
        ScalarType::F64,
        ScalarType::Text,
        ScalarType::Bytes,
    ];

    /// Every value type, in the order messages list them.
    pub const VALUES: [ScalarType; 6] = [
        ScalarType::Uuid,
        ScalarType::Timestamp,
        ScalarType::DateTime,
        ScalarType::Date,
        ScalarType::Url,
        ScalarType::Decimal,
    ];

    /// The value type a Rust type is stored as, from the last segment of its
    /// path (`Uuid`, `OffsetDateTime`) and, for `DateTime<Tz>`, the last
    /// segment of its one type argument (`Utc`); `None` for other types.
    ///
    /// ```
    /// use staged_vocabulary::ScalarType;
    ///
    /// assert_eq!(ScalarType::from_value_type("DateTime", Some("Utc")), Some(ScalarType::Timestamp));
    /// assert_eq!(ScalarType::from_value_type("DateTime", Some("Local")), None);
    /// assert_eq!(ScalarType::from_value_type("Date", None), Some(ScalarType::Date));
    /// ```
    pub fn from_value_type(ident: &str, argument: Option<&str>) -> Option<ScalarType> {
        Some(match (ident, argument) {
            ("Uuid", None) => ScalarType::Uuid,
            ("DateTime", Some("Utc")) | ("OffsetDateTime", None) => ScalarType::Timestamp,
            ("NaiveDateTime" | "PrimitiveDateTime", None) => ScalarType::DateTime,
            ("NaiveDate" | "Date", None) => ScalarType::Date,
            ("Url", None) => ScalarType::Url,
            ("Decimal", None) => ScalarType::Decimal,
            _ => return None,
        })
    }

    /// The Rust types stored as this value type, as messages name them
    /// (`["chrono::NaiveDate", "time::Date"]`); empty for Rust's own types.
    pub const fn value_rust_types(self) -> &'static [&'static str] {
        match self {
            ScalarType::Uuid => &["uuid::Uuid"],
            ScalarType::Timestamp => &["chrono::DateTime<Utc>", "time::OffsetDateTime"],
            ScalarType::DateTime => &["chrono::NaiveDateTime", "time::PrimitiveDateTime"],
            ScalarType::Date => &["chrono::NaiveDate", "time::Date"],
            ScalarType::Url => &["url::Url"],
            ScalarType::Decimal => &["rust_decimal::Decimal"],
            _ => &[],
        }
    }

    /// Whether this is one of the [`VALUES`](ScalarType::VALUES).
    pub const fn is_value_type(self) -> bool {
        !self.value_rust_types().is_empty()
    }

    /// The variant's name (`"I64"`), which is also the name of the runtime's
    /// `AttributeType` variant for this type.
    pub const fn variant_name(self) -> &'static str {
        match self {
            ScalarType::Bool => "Bool",
            ScalarType::I8 => "I8",
            ScalarType::I16 => "I16",
            ScalarType::I32 => "I32",
            ScalarType::I64 => "I64",
            ScalarType::U8 => "U8",
            ScalarType::U16 => "U16",
            ScalarType::U32 => "U32",
            ScalarType::U64 => "U64",
            ScalarType::F32 => "F32",
            ScalarType::F64 => "F64",
            ScalarType::Text => "Text",
            ScalarType::Bytes => "Bytes",
            ScalarType::Uuid => "Uuid",
            ScalarType::Timestamp => "Timestamp",
            ScalarType::DateTime => "DateTime",
            ScalarType::Date => "Date",
            ScalarType::Url => "Url",
            ScalarType::Decimal => "Decimal",
        }
    }

    /// The Rust type, as a model declares it: `"i64"`, `"String"`, `"Vec<u8>"`;
    /// for a value type, the first of its [`value_rust_types`](ScalarType::value_rust_types)
    /// without the crate (`"DateTime<Utc>"`).
    pub const fn rust_type(self) -> &'static str {
        match self {
            ScalarType::Bool => "bool",
            ScalarType::I8 => "i8",
            ScalarType::I16 => "i16",
            ScalarType::I32 => "i32",
            ScalarType::I64 => "i64",
            ScalarType::U8 => "u8",
            ScalarType::U16 => "u16",
            ScalarType::U32 => "u32",
            ScalarType::U64 => "u64",
            ScalarType::F32 => "f32",
            ScalarType::F64 => "f64",
            ScalarType::Text => "String",
            ScalarType::Bytes => "Vec<u8>",
            ScalarType::Uuid => "Uuid",
            ScalarType::Timestamp => "DateTime<Utc>",
            ScalarType::DateTime => "NaiveDateTime",
            ScalarType::Date => "NaiveDate",
            ScalarType::Url => "Url",
            ScalarType::Decimal => "Decimal",
        }
    }

    /// The scalar type whose Rust type is spelled `name` as
    /// [`rust_type`](ScalarType::rust_type) spells it; `None` for other types.
    pub fn from_rust_type(name: &str) -> Option<ScalarType> {
        ScalarType::ALL
            .into_iter()
            .find(|scalar| scalar.rust_type() == name)
    }

    /// The inclusive range of the values a column of this type holds, for the
    /// types stored as SQLite integers (`bool` as 0 and 1); `None` for floats,
    /// text and bytes.
    pub const fn integer_range(self) -> Option<(i64, i64)> {
        Some(match self {
            ScalarType::Bool => (0, 1),
            ScalarType::I8 => (i8::MIN as i64, i8::MAX as i64),
            ScalarType::I16 => (i16::MIN as i64, i16::MAX as i64),
            ScalarType::I32 => (i32::MIN as i64, i32::MAX as i64),
            ScalarType::I64 => (i64::MIN, i64::MAX),
            ScalarType::U8 => (0, u8::MAX as i64),
            ScalarType::U16 => (0, u16::MAX as i64),
            ScalarType::U32 => (0, u32::MAX as i64),
            ScalarType::U64 => (0, i64::MAX),
            _ => return None,
        })
    }
}

/// What happens to the records that refer to a record when it is deleted;
/// the runtime's `DeleteRule` documents each rule, this type names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeleteRule {
    /// `cascade`.
    Cascade,
    /// `nullify`.
    Nullify,
    /// `deny`.
    Deny,
    /// `no_action`.
    NoAction,
}

impl DeleteRule {
    /// Every rule, in the order messages list them.
    pub const ALL: [DeleteRule; 4] = [
        DeleteRule::Cascade,
        DeleteRule::Nullify,
        DeleteRule::Deny,
        DeleteRule::NoAction,
    ];

    /// The name in `#[relationship(delete_rule = "…")]` and in a schema's
    /// canonical form: `"cascade"`, `"nullify"`, `"deny"`, `"no_action"`.
    pub const fn name(self) -> &'static str {
        match self {
            DeleteRule::Cascade => "cascade",
            DeleteRule::Nullify => "nullify",
            DeleteRule::Deny => "deny",
            DeleteRule::NoAction => "no_action",
        }
    }

    /// The variant's name (`"NoAction"`), which is also the name of the
    /// runtime's `DeleteRule` variant.
    pub const fn variant_name(self) -> &'static str {
        match self {
            DeleteRule::Cascade => "Cascade",
            DeleteRule::Nullify => "Nullify",
            DeleteRule::Deny => "Deny",
            DeleteRule::NoAction => "NoAction",
        }
    }

    /// The rule with this [`name`](DeleteRule::name).
    pub fn from_name(name: &str) -> Option<DeleteRule> {
        DeleteRule::ALL.into_iter().find(|rule| rule.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_have_one_spelling() {
        assert_eq!(parse_version("0.0.0"), Some((0, 0, 0)));
        assert_eq!(
            parse_version("18446744073709551615.0.10"),
            Some((u64::MAX, 0, 10))
        );
        for bad in [
            "",
            "1",
            "1.0",
            "1.0.0.0",
            "1.a.0",
            "01.0.0",
            "-1.0.0",
            "+1.0.0",
            "1. 0.0",
            "1.0.0-beta",
            "1..0",
            "18446744073709551616.0.0",
            "１.0.0",
        ] {
            assert_eq!(parse_version(bad), None, "{bad:?} should not parse");
        }
    }

    #[test]
    fn reserved_entity_names() {
        for reserved in [
            "_staged",
            "_STAGED_history",
            "_stagedX",
            "sqlite_",
            "Sqlite_Sequence",
        ] {
            assert!(is_reserved_entity_name(reserved), "{reserved}");
        }
        for free in ["staged", "_stage", "sqlite", "sqlitex", "Note", ""] {
            assert!(!is_reserved_entity_name(free), "{free}");
        }
    }

    #[test]
    fn scalar_types_by_rust_name() {
        for scalar in ScalarType::ALL {
            assert_eq!(ScalarType::from_rust_type(scalar.rust_type()), Some(scalar));
        }
        assert_eq!(ScalarType::from_rust_type("u128"), None);
        assert_eq!(ScalarType::U64.integer_range(), Some((0, i64::MAX)));
        assert_eq!(ScalarType::I8.integer_range(), Some((-128, 127)));
        assert_eq!(ScalarType::U32.integer_range(), Some((0, 4_294_967_295)));
        assert_eq!(ScalarType::F64.integer_range(), None);
    }

    #[test]
    fn value_types_by_rust_name() {
        for value in ScalarType::VALUES {
            assert!(value.is_value_type());
            assert_eq!(value.integer_range(), None);
            for path in value.value_rust_types() {
                let (_, ty) = path.split_once("::").expect("a crate path");
                let (ident, argument) = match ty.split_once('<') {
                    Some((ident, rest)) => (ident, Some(rest.trim_end_matches('>'))),
                    None => (ty, None),
                };
                assert_eq!(ScalarType::from_value_type(ident, argument), Some(value));
            }
        }
        assert!(ScalarType::ALL.iter().all(|scalar| !scalar.is_value_type()));
        assert_eq!(ScalarType::from_value_type("Uuid", Some("Utc")), None);
        assert_eq!(ScalarType::from_value_type("Instant", None), None);
    }

    #[test]
    fn delete_rules_by_name() {
        for rule in DeleteRule::ALL {
            assert_eq!(DeleteRule::from_name(rule.name()), Some(rule));
        }
        assert_eq!(DeleteRule::from_name("NoAction"), None);
    }
}
