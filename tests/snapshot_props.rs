//! Properties of schema snapshots over generated schemas: JSON reads back as
//! the same schema, and `diff` finds a difference exactly when two schemas
//! differ other than in declaration order.

use std::collections::BTreeMap;

use proptest::prelude::*;
use staged::schema::snapshot;
use staged::{
    AttributeDescriptor, AttributeType, DefaultValue, EntityDescriptor, SchemaDescriptor, Version,
};

const TYPES: [AttributeType; 13] = [
    AttributeType::Bool,
    AttributeType::I8,
    AttributeType::I16,
    AttributeType::I32,
    AttributeType::I64,
    AttributeType::U8,
    AttributeType::U16,
    AttributeType::U32,
    AttributeType::F32,
    AttributeType::F64,
    AttributeType::Text,
    AttributeType::Bytes,
    AttributeType::Json,
];

fn default_value() -> impl Strategy<Value = Option<DefaultValue>> {
    prop_oneof![
        Just(None),
        any::<bool>().prop_map(|b| Some(DefaultValue::Bool(b))),
        any::<i64>().prop_map(|i| Some(DefaultValue::Integer(i))),
        (-1.0e9..1.0e9f64).prop_map(|r| Some(DefaultValue::Real(r))),
        "[a-z \"\\\\é]{0,6}".prop_map(|t| Some(DefaultValue::Text(t.into()))),
    ]
}

fn attribute(name: &'static str) -> impl Strategy<Value = AttributeDescriptor> {
    (
        0..TYPES.len(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        default_value(),
        prop::option::of(prop::sample::select(vec!["old_a", "old_b"])),
    )
        .prop_map(move |(ty, optional, unique, index, default, original)| {
            let mut attribute = AttributeDescriptor::named(name, TYPES[ty])
                .with_optional(optional)
                .with_unique(unique)
                .with_index(index);
            attribute.set_default(default);
            attribute.set_original_name(original.map(str::to_owned));
            attribute
        })
}

fn entity(name: &'static str) -> impl Strategy<Value = EntityDescriptor> {
    let names = prop::sample::subsequence(vec!["a", "b", "c", "d", "e"], 1..=5);
    (
        names.prop_flat_map(|names| names.into_iter().map(attribute).collect::<Vec<_>>()),
        prop::option::of(prop::sample::select(vec!["Old", "Older"])),
    )
        .prop_map(move |(attributes, original)| {
            EntityDescriptor::from_parts(name, original.map(str::to_owned), attributes)
        })
}

fn schema() -> impl Strategy<Value = SchemaDescriptor> {
    prop::sample::subsequence(vec!["Reminder", "Tag", "List"], 1..=3)
        .prop_flat_map(|names| names.into_iter().map(entity).collect::<Vec<_>>())
        .prop_map(|entities| SchemaDescriptor::from_entities(Version::new(1, 0, 0), entities))
}

/// The schema with entities and attributes in reverse declaration order.
fn reversed(schema: &SchemaDescriptor) -> SchemaDescriptor {
    let entities = schema
        .entities()
        .iter()
        .rev()
        .map(|e| {
            let attributes = e.attributes().iter().rev().cloned().collect();
            EntityDescriptor::from_parts(e.name(), e.original_name().map(str::to_owned), attributes)
        })
        .collect();
    SchemaDescriptor::from_entities(schema.version(), entities)
}

/// The schema as maps by name, where declaration order is gone.
fn by_name(
    schema: &SchemaDescriptor,
) -> BTreeMap<String, (Option<String>, BTreeMap<String, AttributeDescriptor>)> {
    schema
        .entities()
        .iter()
        .map(|e| {
            let attributes = e
                .attributes()
                .iter()
                .map(|a| (a.name().to_owned(), a.clone()))
                .collect();
            (
                e.name().to_owned(),
                (e.original_name().map(str::to_owned), attributes),
            )
        })
        .collect()
}

/// `schema` with one property of one attribute changed.
fn edit_one(
    schema: &SchemaDescriptor,
    entity: usize,
    property: usize,
) -> (SchemaDescriptor, String) {
    let mut entities = schema.entities().to_vec();
    let target = &entities[entity];
    let mut attributes = target.attributes().to_vec();
    let a = attributes[0].clone();
    let edited = match property {
        0 => a.clone().with_optional(!a.is_optional()),
        1 => a.clone().with_unique(!a.is_unique()),
        2 => a.clone().with_index(!a.is_indexed()),
        _ => {
            let next = TYPES[(TYPES.iter().position(|t| *t == a.ty()).unwrap() + 1) % TYPES.len()];
            let mut b = AttributeDescriptor::named(a.name(), next)
                .with_optional(a.is_optional())
                .with_unique(a.is_unique())
                .with_index(a.is_indexed());
            b.set_default(a.default_value().cloned());
            b.set_original_name(a.original_name().map(str::to_owned));
            b
        }
    };
    let name = format!("`{}.{}`", target.name(), a.name());
    attributes[0] = edited;
    entities[entity] = EntityDescriptor::from_parts(
        target.name(),
        target.original_name().map(str::to_owned),
        attributes,
    );
    (
        SchemaDescriptor::from_entities(schema.version(), entities),
        name,
    )
}

proptest! {
    #[test]
    fn one_edit_is_exactly_one_difference_naming_the_attribute(
        schema in schema(),
        entity in any::<prop::sample::Index>(),
        property in 0..4usize,
    ) {
        let (edited, name) = edit_one(&schema, entity.index(schema.entities().len()), property);
        let differences = snapshot::diff(&schema, &edited);
        prop_assert_eq!(differences.len(), 1);
        let message = differences[0].to_string();
        prop_assert!(message.starts_with(&format!("attribute {name} ")), "{}", message);
        prop_assert_ne!(schema.checksum(), edited.checksum());
    }

    #[test]
    fn a_snapshot_reads_back_as_the_same_schema(schema in schema()) {
        let read = snapshot::from_json(&snapshot::to_json(&schema)).unwrap();
        prop_assert_eq!(read.descriptor(), &schema);
        prop_assert_eq!(read.recorded_checksum(), schema.checksum());
        prop_assert_eq!(read.descriptor().checksum(), schema.checksum());
    }

    #[test]
    fn declaration_order_is_not_a_difference(schema in schema()) {
        prop_assert_eq!(snapshot::diff(&schema, &reversed(&schema)), vec![]);
    }

    #[test]
    fn diff_is_empty_exactly_when_the_schemas_agree_by_name(a in schema(), b in schema()) {
        let differences = snapshot::diff(&a, &b);
        prop_assert_eq!(differences.is_empty(), by_name(&a) == by_name(&b), "{:?}", differences);
        // Same shape by the checksum's measure implies no difference but hints.
        if a.checksum() != b.checksum() {
            prop_assert!(!differences.is_empty());
        }
        prop_assert_eq!(snapshot::diff(&b, &a).len(), differences.len());
    }
}
