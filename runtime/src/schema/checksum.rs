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
    // Built at every plan build, for every version: pieces pushed onto one
    // string, without formatting machinery or a string per name.
    let mut out = String::with_capacity(256);
    out.push_str("staged-schema 1\n");
    if let Some(modifier) = descriptor.hash_modifier() {
        out.push_str("hash-modifier ");
        push_json(&mut out, modifier);
        out.push('\n');
    }
    let mut entities: Vec<_> = descriptor.entities().iter().collect();
    entities.sort_by(|a, b| a.name().cmp(b.name()));
    for entity in entities {
        let name = entity.name();
        out.push_str("entity ");
        push_json(&mut out, name);
        out.push('\n');
        let mut attributes: Vec<_> = entity.attributes().iter().collect();
        attributes.sort_by(|a, b| a.name().cmp(b.name()));
        for attribute in attributes {
            let optional = if attribute.is_optional() {
                "optional"
            } else {
                "required"
            };
            if let Some(reference) = attribute.reference() {
                let to = reference.target();
                push_relationship(&mut out, [name, attribute.name()], "to-one", to);
                out.push(' ');
                out.push_str(optional);
                out.push_str(" delete=");
                out.push_str(reference.delete_rule().name());
                out.push('\n');
                continue;
            }
            out.push_str("attribute ");
            push_json(&mut out, name);
            out.push(' ');
            push_json(&mut out, attribute.name());
            out.push(' ');
            out.push_str(attribute.ty().canonical_name());
            out.push(' ');
            out.push_str(optional);
            out.push_str(if attribute.is_unique() {
                " unique=1"
            } else {
                " unique=0"
            });
            out.push_str(if attribute.is_indexed() {
                " index=1"
            } else {
                " index=0"
            });
            out.push_str(" default=");
            push_default(&mut out, attribute.default_value());
            push_user_type(&mut out, attribute.user_type());
            out.push('\n');
        }
        let mut many: Vec<_> = entity
            .relationships()
            .iter()
            .filter(|r| r.kind() == ToManyKind::ManyToMany)
            .collect();
        many.sort_by(|a, b| a.name().cmp(b.name()));
        for relationship in many {
            let join = descriptor
                .join_table_of(name, relationship.name())
                .map(|(join, _)| join.name)
                .unwrap_or_default();
            let to = relationship.target();
            push_relationship(&mut out, [name, relationship.name()], "many-to-many", to);
            out.push_str(" join=");
            push_json(&mut out, &join);
            out.push('\n');
        }
        let mut constraints: Vec<String> = entity
            .constraints()
            .iter()
            .map(|constraint| {
                let mut text = String::from(if constraint.is_unique() {
                    "unique "
                } else {
                    "index "
                });
                push_json(&mut text, name);
                for member in constraint.attributes() {
                    text.push(' ');
                    push_json(&mut text, member);
                }
                text
            })
            .collect();
        constraints.sort();
        for constraint in constraints {
            out.push_str(&constraint);
            out.push('\n');
        }
    }
    out
}

/// Pushes `relationship "Book" "author" <kind> "Author"`: the start of a
/// relationship's line, for relationship `name` of `entity`.
fn push_relationship(out: &mut String, [entity, name]: [&str; 2], kind: &str, target: &str) {
    out.push_str("relationship ");
    push_json(out, entity);
    out.push(' ');
    push_json(out, name);
    out.push(' ');
    out.push_str(kind);
    out.push(' ');
    push_json(out, target);
}

/// ` enum="Status" variants=["Active","Archived"]` (variants sorted: their
/// order is not stored) or ` value="Email"`; nothing for other attributes.
fn push_user_type(out: &mut String, user_type: Option<&UserType>) {
    let Some(user_type) = user_type else {
        return;
    };
    match user_type.variants() {
        Some(mut variants) => {
            variants.sort_unstable();
            out.push_str(" enum=");
            push_json(out, user_type.name());
            out.push_str(" variants=[");
            for (i, variant) in variants.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json(out, variant);
            }
            out.push(']');
        }
        None => {
            out.push_str(" value=");
            push_json(out, user_type.name());
        }
    }
}

/// Pushes `s` as a JSON string, escaped exactly as `serde_json` writes it
/// (the form's first revision was written by it): `"` and `\` escaped,
/// the short escapes for backspace, form feed, newline, carriage return and
/// tab, `\u00xx` for the other control characters, everything else as is.
fn push_json(out: &mut String, s: &str) {
    out.push('"');
    let mut clean = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[clean..i]);
        clean = i + 1;
        if escape.is_empty() {
            const DIGITS: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(DIGITS[usize::from(byte >> 4)]));
            out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[clean..]);
    out.push('"');
}

fn push_default(out: &mut String, default: Option<&DefaultValue>) {
    // Rare: an attribute with a default formats it.
    let _ = match default {
        None => {
            out.push_str("none");
            Ok(())
        }
        Some(DefaultValue::Bool(b)) => write!(out, "bool:{b}"),
        Some(DefaultValue::Integer(i)) => write!(out, "int:{i}"),
        Some(DefaultValue::Real(r)) => write!(out, "real:{:#018x}", r.to_bits()),
        Some(DefaultValue::Text(t)) => {
            out.push_str("text:");
            push_json(out, t);
            Ok(())
        }
    };
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::push_json;

    fn json(s: &str) -> String {
        let mut out = String::new();
        push_json(&mut out, s);
        out
    }

    #[test]
    fn names_are_escaped_as_serde_json_escapes_them() {
        assert_eq!(json("title"), r#""title""#);
        assert_eq!(json("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(json("\u{8}\u{c}\n\r\t"), r#""\b\f\n\r\t""#);
        assert_eq!(json("\u{0}\u{1f}\u{7f}"), "\"\\u0000\\u001f\u{7f}\"");
        assert_eq!(json("名前/é"), "\"名前/é\"");
    }

    proptest! {
        #[test]
        fn any_name_is_escaped_as_serde_json_escapes_it(s in any::<String>()) {
            prop_assert_eq!(json(&s), serde_json::to_string(&s).unwrap());
        }
    }
}
