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
        }
    }

    /// The Rust type, as a model declares it: `"i64"`, `"String"`, `"Vec<u8>"`.
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
            ScalarType::F32 | ScalarType::F64 | ScalarType::Text | ScalarType::Bytes => {
                return None;
            }
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
    fn delete_rules_by_name() {
        for rule in DeleteRule::ALL {
            assert_eq!(DeleteRule::from_name(rule.name()), Some(rule));
        }
        assert_eq!(DeleteRule::from_name("NoAction"), None);
    }
}
