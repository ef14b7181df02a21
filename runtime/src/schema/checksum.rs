//! Schema checksums: SHA-256 over a canonical text form of a [`SchemaDescriptor`].

use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use super::{AttributeType, DefaultValue, SchemaDescriptor, ToManyKind, UserType};

/// The SHA-256 checksum of a schema's shape, shown as 64 lowercase hex digits.
///
/// The checksum identifies what a store looks like on disk, so it is computed
/// from the *canonical form* of a [`SchemaDescriptor`] (see [`canonical_form`]):
/// entity and attribute names, attribute types, optionality, `unique`, `index`
/// and defaults. It does not depend on the order of fields or models, on doc
/// comments, on the version number, on `original_name` hints and `removed(…)`
/// consents (they describe the previous version, not this one) or on the
/// compiler version. A `hash_modifier` is part of it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Checksum([u8; 32]);

impl Checksum {
    /// The checksum of a descriptor.
    pub fn of(descriptor: &SchemaDescriptor) -> Self {
        let digest = Sha256::digest(canonical_form(descriptor).as_bytes());
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&digest);
        Checksum(bytes)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The canonical text form that [`Checksum::of`] hashes.
///
/// It is UTF-8 text, one line per item, each line ended by `\n`:
///
/// ```text
/// staged-schema 1
/// entity "Reminder"
/// attribute "Reminder" "notes" text optional unique=0 index=0 default=none
/// attribute "Reminder" "uid" text required unique=1 index=0 default=none
/// ```
///
/// - Entities are sorted by name; each entity line is followed by its
///   attributes sorted by name. Names are written as JSON strings.
/// - The type is one of `bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 text bytes json uuid
///   timestamp datetime date url decimal`.
/// - A default is `none`, `bool:true`, `int:-3`, `real:0x3fe0000000000000`
///   (the IEEE-754 bits, so no float formatting is involved) or `text:"…"`.
///
/// Relationships appear only in schemas that have them, so the form (and
/// the checksum) of a schema without relationships is unchanged by them:
///
/// - a to-one (`Ref<T>` field) is written in place of its attribute line:
///   `relationship "Book" "author" to-one "Author" optional delete=nullify`;
/// - a many-to-many adds, after the entity's attributes and sorted by name,
///   `relationship "Book" "tags" many-to-many "Tag" join="_staged_join_4_Book_tags"`;
/// - a one-to-many (the inverse of a to-one) is not stored and not written,
///   like the `inverse` of a to-one.
///
/// A schema with `#[versioned_schema(hash_modifier = "…")]` has, right after
/// the first line, `hash-modifier "…"`; schemas without one have no such line.
///
/// Compound constraints appear only in schemas that have them: after the
/// entity's relationships, sorted, one line each, with the attributes in
/// their declared order: `unique "Note" "folder" "title"` or
/// `index "Note" "status" "created_at"`.
///
/// A `StoredEnum` or `StoredValue` attribute (and only such an attribute)
/// ends its line with its type's identity: ` enum="Status"
/// variants=["Active","Archived"]` (the stored variant names, sorted) or
/// ` value="Email"`.
///
/// The first line names the revision of this form; a change to the form is a
/// breaking change of every store and needs a new revision.
pub fn canonical_form(descriptor: &SchemaDescriptor) -> String {
    let mut out = String::from("staged-schema 1\n");
    if let Some(modifier) = descriptor.hash_modifier() {
        let _ = writeln!(out, "hash-modifier {}", json_string(modifier));
    }
    let mut entities: Vec<_> = descriptor.entities().iter().collect();
    entities.sort_by(|a, b| a.name().cmp(b.name()));
    for entity in entities {
        let _ = writeln!(out, "entity {}", json_string(entity.name()));
        let mut attributes: Vec<_> = entity.attributes().iter().collect();
        attributes.sort_by(|a, b| a.name().cmp(b.name()));
        for attribute in attributes {
            if let Some(reference) = attribute.reference() {
                let _ = writeln!(
                    out,
                    "relationship {} {} to-one {} {} delete={}",
                    json_string(entity.name()),
                    json_string(attribute.name()),
                    json_string(reference.target()),
                    if attribute.is_optional() {
                        "optional"
                    } else {
                        "required"
                    },
                    reference.delete_rule().name(),
                );
                continue;
            }
            let _ = writeln!(
                out,
                "attribute {} {} {} {} unique={} index={} default={}{}",
                json_string(entity.name()),
                json_string(attribute.name()),
                attribute.ty().canonical_name(),
                if attribute.is_optional() {
                    "optional"
                } else {
                    "required"
                },
                u8::from(attribute.is_unique()),
                u8::from(attribute.is_indexed()),
                canonical_default(attribute.default_value()),
                canonical_user_type(attribute.user_type()),
            );
        }
        let mut many: Vec<_> = entity
            .relationships()
            .iter()
            .filter(|r| r.kind() == ToManyKind::ManyToMany)
            .collect();
        many.sort_by(|a, b| a.name().cmp(b.name()));
        for relationship in many {
            let join = descriptor
                .join_table_of(entity.name(), relationship.name())
                .map(|(join, _)| join.name)
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "relationship {} {} many-to-many {} join={}",
                json_string(entity.name()),
                json_string(relationship.name()),
                json_string(relationship.target()),
                json_string(&join),
            );
        }
        let mut constraints: Vec<String> = entity
            .constraints()
            .iter()
            .map(|constraint| {
                let members: Vec<String> = constraint.attributes().map(json_string).collect();
                format!(
                    "{} {} {}",
                    if constraint.is_unique() {
                        "unique"
                    } else {
                        "index"
                    },
                    json_string(entity.name()),
                    members.join(" ")
                )
            })
            .collect();
        constraints.sort();
        for constraint in constraints {
            let _ = writeln!(out, "{constraint}");
        }
    }
    out
}

/// ` enum="Status" variants=["Active","Archived"]` (variants sorted: their
/// order is not stored) or ` value="Email"`; empty for other attributes.
fn canonical_user_type(user_type: Option<&UserType>) -> String {
    let Some(user_type) = user_type else {
        return String::new();
    };
    match user_type.variants() {
        Some(mut variants) => {
            variants.sort_unstable();
            let names: Vec<String> = variants.into_iter().map(json_string).collect();
            format!(
                " enum={} variants=[{}]",
                json_string(user_type.name()),
                names.join(",")
            )
        }
        None => format!(" value={}", json_string(user_type.name())),
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serializes")
}

fn canonical_default(default: Option<&DefaultValue>) -> String {
    match default {
        None => "none".to_owned(),
        Some(DefaultValue::Bool(b)) => format!("bool:{b}"),
        Some(DefaultValue::Integer(i)) => format!("int:{i}"),
        Some(DefaultValue::Real(r)) => format!("real:{:#018x}", r.to_bits()),
        Some(DefaultValue::Text(t)) => format!("text:{}", json_string(t)),
    }
}

impl AttributeType {
    /// The name of this type in the canonical form.
    pub fn canonical_name(self) -> &'static str {
        match self {
            AttributeType::Bool => "bool",
            AttributeType::I8 => "i8",
            AttributeType::I16 => "i16",
            AttributeType::I32 => "i32",
            AttributeType::I64 => "i64",
            AttributeType::U8 => "u8",
            AttributeType::U16 => "u16",
            AttributeType::U32 => "u32",
            AttributeType::U64 => "u64",
            AttributeType::F32 => "f32",
            AttributeType::F64 => "f64",
            AttributeType::Text => "text",
            AttributeType::Bytes => "bytes",
            AttributeType::Json => "json",
            AttributeType::Uuid => "uuid",
            AttributeType::Timestamp => "timestamp",
            AttributeType::DateTime => "datetime",
            AttributeType::Date => "date",
            AttributeType::Url => "url",
            AttributeType::Decimal => "decimal",
        }
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written at every migration: one `write_str`, not 32 formatted bytes.
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 64];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(self.0) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0x0f)];
        }
        f.write_str(std::str::from_utf8(&hex).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Checksum({self})")
    }
}

/// A string that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid checksum `{input}`: expected 64 lowercase hex digits")]
pub struct ParseChecksumError {
    input: String,
}

impl FromStr for Checksum {
    type Err = ParseChecksumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseChecksumError {
            input: s.to_owned(),
        };
        let digit = |b: u8| match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            _ => None,
        };
        if s.len() != 64 {
            return Err(err());
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
            *byte = (digit(pair[0]).ok_or_else(err)? << 4) | digit(pair[1]).ok_or_else(err)?;
        }
        Ok(Checksum(bytes))
    }
}

impl Serialize for Checksum {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Checksum {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
