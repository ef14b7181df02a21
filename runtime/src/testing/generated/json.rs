//! Strategies of JSON values from a traced serde shape: values a
//! `#[attribute(json)]` field's Rust type decodes (serde_json's default
//! representation: externally tagged enums, structs as objects).

use std::collections::BTreeMap;

use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Map, Number, Value};
use serde_reflection::{ContainerFormat, Format, Named, VariantFormat};

use super::draw::{float32, float64, text};
use crate::schema::json_shape::JsonShape;

/// Beyond this depth options are `null` and sequences empty, so recursive
/// types end.
const SHALLOW: usize = 3;
/// Beyond this depth a type is deemed not to end.
const DEEPEST: usize = 24;

/// The strategy of JSON values of `shape`.
pub(super) fn value(shape: &JsonShape) -> Result<BoxedStrategy<Value>, String> {
    Shapes {
        types: &shape.types,
    }
    .format(&shape.root, 0)
}

/// The named types of a shape, looked up while a strategy is built.
struct Shapes<'a> {
    types: &'a BTreeMap<String, ContainerFormat>,
}

fn number(range: (i64, i64)) -> BoxedStrategy<Value> {
    (range.0..=range.1).prop_map(Value::from).boxed()
}

fn real(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

impl Shapes<'_> {
    fn format(&self, format: &Format, depth: usize) -> Result<BoxedStrategy<Value>, String> {
        if depth > DEEPEST {
            return Err("its serde shape nests too deep to generate".to_owned());
        }
        let shallow = depth >= SHALLOW;
        Ok(match format {
            Format::Unit | Format::Variable(_) => Just(Value::Null).boxed(),
            Format::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Format::I8 => number((i8::MIN.into(), i8::MAX.into())),
            Format::I16 => number((i16::MIN.into(), i16::MAX.into())),
            Format::I32 => number((i32::MIN.into(), i32::MAX.into())),
            Format::I64 | Format::I128 => number((i64::MIN, i64::MAX)),
            Format::U8 => number((0, u8::MAX.into())),
            Format::U16 => number((0, u16::MAX.into())),
            Format::U32 => number((0, u32::MAX.into())),
            Format::U64 | Format::U128 => any::<u64>().prop_map(Value::from).boxed(),
            Format::F32 => float32().prop_map(|f| real(f64::from(f))).boxed(),
            Format::F64 => float64(false).prop_map(real).boxed(),
            Format::Char => any::<char>()
                .prop_map(|c| Value::from(c.to_string()))
                .boxed(),
            Format::Str => text().prop_map(Value::from).boxed(),
            Format::Bytes => vec(any::<u8>(), 0..6).prop_map(Value::from).boxed(),
            Format::Option(inner) if shallow => {
                let _ = inner;
                Just(Value::Null).boxed()
            }
            Format::Option(inner) => {
                proptest::option::weighted(0.7, self.format(inner, depth + 1)?)
                    .prop_map(|v| v.unwrap_or(Value::Null))
                    .boxed()
            }
            Format::Seq(inner) => {
                let most = if shallow { 0 } else { 3 };
                vec(self.format(inner, depth + 1)?, 0..=most)
                    .prop_map(Value::Array)
                    .boxed()
            }
            Format::Map { key, value } => {
                let most = if shallow { 0 } else { 3 };
                let key = self.key(key)?;
                vec((key, self.format(value, depth + 1)?), 0..=most)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
                    .boxed()
            }
            Format::Tuple(formats) => self.array(formats.iter(), depth)?,
            Format::TupleArray { content, size } => {
                self.array(std::iter::repeat_n(&**content, *size), depth)?
            }
            Format::TypeName(name) => self.named(name, depth)?,
        })
    }

    /// A map's keys: JSON object keys are strings (numbers are written as
    /// their decimal text).
    fn key(&self, key: &Format) -> Result<BoxedStrategy<String>, String> {
        Ok(match key {
            Format::Str => text(),
            Format::I8 | Format::I16 | Format::I32 | Format::I64 => {
                any::<i32>().prop_map(|i| i.to_string()).boxed()
            }
            Format::U8 | Format::U16 | Format::U32 | Format::U64 => {
                any::<u8>().prop_map(|i| i.to_string()).boxed()
            }
            Format::TypeName(name) => match self.types.get(name) {
                Some(ContainerFormat::NewTypeStruct(inner)) => self.key(inner)?,
                _ => return Err(format!("map keys of type `{name}` are not generated")),
            },
            other => return Err(format!("map keys of shape {other:?} are not generated")),
        })
    }

    fn array<'f>(
        &self,
        formats: impl Iterator<Item = &'f Format>,
        depth: usize,
    ) -> Result<BoxedStrategy<Value>, String> {
        let items = formats
            .map(|f| self.format(f, depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(items.prop_map(Value::Array).boxed())
    }

    fn object(
        &self,
        fields: &[Named<Format>],
        depth: usize,
    ) -> Result<BoxedStrategy<Value>, String> {
        let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
        let values = fields
            .iter()
            .map(|f| self.format(&f.value, depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(values
            .prop_map(move |values| {
                Value::Object(names.iter().cloned().zip(values).collect::<Map<_, _>>())
            })
            .boxed())
    }

    fn named(&self, name: &str, depth: usize) -> Result<BoxedStrategy<Value>, String> {
        let container = self
            .types
            .get(name)
            .ok_or_else(|| format!("its serde shape names `{name}` without describing it"))?;
        Ok(match container {
            ContainerFormat::UnitStruct => Just(Value::Null).boxed(),
            ContainerFormat::NewTypeStruct(inner) => self.format(inner, depth + 1)?,
            ContainerFormat::TupleStruct(formats) => self.array(formats.iter(), depth)?,
            ContainerFormat::Struct(fields) => self.object(fields, depth)?,
            ContainerFormat::Enum(variants) => {
                // Deep down, only the first variant, so recursive enums end.
                let take = if depth >= SHALLOW { 1 } else { variants.len() };
                let choices = variants
                    .values()
                    .take(take)
                    .map(|v| self.variant(v, depth))
                    .collect::<Result<Vec<_>, _>>()?;
                proptest::strategy::Union::new(choices).boxed()
            }
        })
    }

    /// One variant, externally tagged: `"Name"` or `{"Name": …}`.
    fn variant(
        &self,
        variant: &Named<VariantFormat>,
        depth: usize,
    ) -> Result<BoxedStrategy<Value>, String> {
        let name = variant.name.clone();
        let content = match &variant.value {
            VariantFormat::Unit | VariantFormat::Variable(_) => {
                return Ok(Just(Value::from(name)).boxed());
            }
            VariantFormat::NewType(inner) => self.format(inner, depth + 1)?,
            VariantFormat::Tuple(formats) => self.array(formats.iter(), depth)?,
            VariantFormat::Struct(fields) => self.object(fields, depth)?,
        };
        Ok(content
            .prop_map(move |content| {
                let mut tagged = Map::new();
                tagged.insert(name.clone(), content);
                Value::Object(tagged)
            })
            .boxed())
    }
}
