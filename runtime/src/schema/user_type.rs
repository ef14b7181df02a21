//! [`UserType`]: the identity of a user's own type stored in a column (a
//! `StoredEnum` or a `StoredValue`), recorded in the attribute's descriptor.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The user's type an attribute holds: a `StoredValue` (its `NAME`) or a
/// `StoredEnum` (its name and stored variant names). The column's type is
/// the attribute's [`AttributeType`](super::AttributeType), the type it is
/// stored as. Part of the schema's checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserType {
    name: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    variants: Option<Variants>,
}

impl UserType {
    /// A `StoredValue` named `name`; `variants` for a `StoredEnum`.
    /// `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    pub const fn __new(name: &'static str, variants: Option<&'static [&'static str]>) -> Self {
        UserType {
            name: Cow::Borrowed(name),
            variants: match variants {
                Some(v) => Some(Variants::Static(v)),
                None => None,
            },
        }
    }

    /// A `StoredValue` named `name`, built at run time.
    pub fn value(name: impl Into<String>) -> Self {
        UserType {
            name: Cow::Owned(name.into()),
            variants: None,
        }
    }

    /// A `StoredEnum` named `name` with these stored variant names, built at run time.
    pub fn enumeration(
        name: impl Into<String>,
        variants: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        UserType {
            name: Cow::Owned(name.into()),
            variants: Some(Variants::Owned(
                variants.into_iter().map(Into::into).collect(),
            )),
        }
    }

    /// The type's name (`StoredValue::NAME`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stored variant names of an enum, in declaration order; `None`
    /// for a `StoredValue` that is not an enum.
    pub fn variants(&self) -> Option<Vec<&str>> {
        self.variants.as_ref().map(Variants::names)
    }

    /// Whether this is a `StoredEnum`.
    pub fn is_enum(&self) -> bool {
        self.variants.is_some()
    }
}

impl fmt::Display for UserType {
    /// `enum Status { Active, Archived }` or `value Email`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.variants() {
            Some(variants) => write!(f, "enum {} {{ {} }}", self.name, variants.join(", ")),
            None => write!(f, "value {}", self.name),
        }
    }
}

/// Variant names: from a `static` descriptor, or read from a snapshot.
#[derive(Debug, Clone)]
enum Variants {
    Static(&'static [&'static str]),
    Owned(Vec<String>),
}

impl Variants {
    fn names(&self) -> Vec<&str> {
        match self {
            Variants::Static(names) => names.to_vec(),
            Variants::Owned(names) => names.iter().map(String::as_str).collect(),
        }
    }
}

impl PartialEq for Variants {
    fn eq(&self, other: &Self) -> bool {
        self.names() == other.names()
    }
}

impl Eq for Variants {}

impl Serialize for Variants {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.names().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Variants {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<String>::deserialize(deserializer).map(Variants::Owned)
    }
}
