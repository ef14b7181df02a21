//! The serde shape of the Rust type behind a `#[attribute(json)]`
//! attribute: its fields and their types, enum variants and nested types, as
//! [serde-reflection](serde_reflection) traces it from a plain
//! `#[derive(Serialize, Deserialize)]`.
//!
//! The shape is recorded in schema snapshots, so that editing the type after
//! a version shipped fails `assert_schema_snapshots`, naming the attribute
//! and the field. It is not part of the [`Checksum`](super::Checksum): a
//! store keeps its JSON as text, so a changed shape does not make a store
//! unopenable, only some of its payloads undecodable, and a checksum change
//! would make every store at that version unopenable.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_reflection::{ContainerFormat, Format, Named, Tracer, TracerConfig, VariantFormat};

/// The shape of a type as serde sees it: the root format and the named
/// structs and enums it refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonShape {
    /// The type itself (e.g. `{"TYPENAME": "Style"}`, `{"SEQ": "STR"}`).
    pub root: Format,
    /// Every named struct and enum reachable from the root, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub types: BTreeMap<String, ContainerFormat>,
}

/// Traces the serde shape of `T`; fails for types serde-reflection cannot
/// trace (e.g. `serde_json::Value`, which deserializes "any").
///
/// An enum is traced one variant per pass over `T`; an enum nested in `T`
/// is only known by name once a pass failed to complete it, so tracing
/// starts again knowing its name until every enum is complete.
pub fn trace<T: for<'de> Deserialize<'de>>() -> Result<JsonShape, String> {
    const PASSES: usize = 1_000;
    let mut enums: Vec<String> = Vec::new();
    let mut passes = 0;
    loop {
        let mut tracer = Tracer::new(TracerConfig::default());
        let (root, _) = tracer.trace_simple_type::<T>().map_err(|e| e.to_string())?;
        for name in &enums {
            while tracer.check_incomplete_enum(name).is_some() && passes < PASSES {
                passes += 1;
                tracer.trace_simple_type::<T>().map_err(|e| e.to_string())?;
            }
        }
        match tracer.registry() {
            Ok(types) => return Ok(JsonShape { root, types }),
            Err(serde_reflection::Error::MissingVariants(names)) if passes < PASSES => {
                let before = enums.len();
                enums.extend(
                    names
                        .into_iter()
                        .filter(|n| !enums.contains(n))
                        .collect::<Vec<_>>(),
                );
                if enums.len() == before {
                    passes += 1;
                }
            }
            Err(error) => return Err(error.to_string()),
        }
    }
}

/// A function that traces one attribute's type; the macro stores one in
/// each json attribute's descriptor.
#[derive(Clone, Copy)]
pub struct JsonTracer(pub fn() -> Result<JsonShape, String>);

impl fmt::Debug for JsonTracer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsonTracer")
    }
}

/// One change between two shapes of an attribute's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonShapeChange {
    /// Where: `Style.size`, `Shape::Circle`, `<root>`.
    pub path: String,
    /// What changed, e.g. "removed", "changed from I64 to STR".
    pub what: String,
    /// Whether JSON written with the old shape still decodes with the new
    /// one.
    pub old_payloads_decode: bool,
}

impl fmt::Display for JsonShapeChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.path, self.what)
    }
}

fn format_name(format: &Format) -> String {
    serde_json::to_string(format).unwrap_or_else(|_| format!("{format:?}"))
}

/// The changes from `old` to `new`, in a stable order.
pub fn changes(old: &JsonShape, new: &JsonShape) -> Vec<JsonShapeChange> {
    let mut out = Vec::new();
    if old.root != new.root {
        out.push(JsonShapeChange {
            path: "<root>".to_owned(),
            what: format!(
                "changed from {} to {}",
                format_name(&old.root),
                format_name(&new.root)
            ),
            old_payloads_decode: false,
        });
    }
    for (name, old_type) in &old.types {
        match new.types.get(name) {
            None => {
                // Renamed or no longer used: the root or a field that named it changed too.
            }
            Some(new_type) => container_changes(name, old_type, new_type, &mut out),
        }
    }
    out
}

fn container_changes(
    name: &str,
    old: &ContainerFormat,
    new: &ContainerFormat,
    out: &mut Vec<JsonShapeChange>,
) {
    match (old, new) {
        (ContainerFormat::Struct(old), ContainerFormat::Struct(new)) => {
            fields(name, ".", old, new, out);
        }
        (ContainerFormat::Enum(old), ContainerFormat::Enum(new)) => {
            let find = |all: &BTreeMap<u32, Named<VariantFormat>>, n: &str| {
                all.values().find(|v| v.name == n).map(|v| v.value.clone())
            };
            for variant in old.values() {
                let path = format!("{name}::{}", variant.name);
                match find(new, &variant.name) {
                    None => out.push(JsonShapeChange {
                        path,
                        what: "removed".to_owned(),
                        old_payloads_decode: false,
                    }),
                    Some(VariantFormat::Struct(new_fields)) => {
                        if let VariantFormat::Struct(old_fields) = &variant.value {
                            fields(&path, ".", old_fields, &new_fields, out);
                        } else {
                            out.push(changed(
                                path,
                                &variant.value,
                                &VariantFormat::Struct(new_fields),
                            ));
                        }
                    }
                    Some(value) if value != variant.value => {
                        out.push(changed(path, &variant.value, &value));
                    }
                    Some(_) => {}
                }
            }
            for variant in new.values() {
                if find(old, &variant.name).is_none() {
                    out.push(JsonShapeChange {
                        path: format!("{name}::{}", variant.name),
                        what: "added".to_owned(),
                        old_payloads_decode: true,
                    });
                }
            }
        }
        (old, new) if old != new => out.push(JsonShapeChange {
            path: name.to_owned(),
            what: format!(
                "changed from {} to {}",
                serde_json::to_string(old).unwrap_or_default(),
                serde_json::to_string(new).unwrap_or_default()
            ),
            old_payloads_decode: false,
        }),
        _ => {}
    }
}

fn changed(path: String, old: &VariantFormat, new: &VariantFormat) -> JsonShapeChange {
    JsonShapeChange {
        path,
        what: format!(
            "changed from {} to {}",
            serde_json::to_string(old).unwrap_or_default(),
            serde_json::to_string(new).unwrap_or_default()
        ),
        old_payloads_decode: false,
    }
}

fn fields(
    owner: &str,
    separator: &str,
    old: &[Named<Format>],
    new: &[Named<Format>],
    out: &mut Vec<JsonShapeChange>,
) {
    for field in old {
        let path = format!("{owner}{separator}{}", field.name);
        match new.iter().find(|f| f.name == field.name) {
            // Unknown fields are ignored by default: old payloads decode.
            None => out.push(JsonShapeChange {
                path,
                what: "removed".to_owned(),
                old_payloads_decode: true,
            }),
            Some(new_field) if new_field.value != field.value => out.push(JsonShapeChange {
                path,
                what: format!(
                    "changed from {} to {}",
                    format_name(&field.value),
                    format_name(&new_field.value)
                ),
                old_payloads_decode: false,
            }),
            Some(_) => {}
        }
    }
    for field in new {
        if !old.iter().any(|f| f.name == field.name) {
            // A missing `Option` field decodes as `None`; any other is an error.
            let optional = matches!(field.value, Format::Option(_));
            out.push(JsonShapeChange {
                path: format!("{owner}{separator}{}", field.name),
                what: format!(
                    "added ({})",
                    if optional {
                        "optional: old payloads decode it as `None`"
                    } else {
                        "required: old payloads lack it"
                    }
                ),
                old_payloads_decode: optional,
            });
        }
    }
}

/// Where an attribute descriptor's shape comes from.
#[derive(Debug, Clone)]
pub(crate) enum ShapeSource {
    /// The macro's tracer of the field's type.
    Tracer(JsonTracer),
    /// Read from a snapshot, as JSON (a [`JsonShape`] is not `Sync`:
    /// serde-reflection's formats hold `Rc`s).
    Recorded(serde_json::Value),
}

impl ShapeSource {
    /// The shape; `None` when the type cannot be traced.
    pub(crate) fn shape(&self) -> Option<JsonShape> {
        match self {
            ShapeSource::Tracer(tracer) => (tracer.0)().ok(),
            ShapeSource::Recorded(shape) => serde_json::from_value(shape.clone()).ok(),
        }
    }
}

impl PartialEq for ShapeSource {
    /// Shapes compare equal when both are known and equal, or when one is
    /// unknown (a type that cannot be traced): snapshots compare them on
    /// their own, naming the changed fields.
    fn eq(&self, other: &Self) -> bool {
        match (self.shape(), other.shape()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// Serializes a shape source as the shape (`null` when it cannot be traced)
/// and reads one back as recorded.
pub(crate) mod source_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::ShapeSource;

    pub(crate) fn serialize<S: Serializer>(
        source: &Option<ShapeSource>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        source
            .as_ref()
            .and_then(ShapeSource::shape)
            .serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<ShapeSource>, D::Error> {
        Ok(Option::<serde_json::Value>::deserialize(deserializer)?.map(ShapeSource::Recorded))
    }
}
