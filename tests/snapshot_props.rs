//! Properties of schema snapshots over generated schemas: JSON reads back as
//! the same schema, and `diff` finds a difference exactly when two schemas
//! differ other than in declaration order. With relationships: a single edit
//! changes the checksum exactly when `diff` reports more than rename hints.

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
            let attribute = AttributeDescriptor::named(name, TYPES[ty])
                .with_optional(optional)
                .with_unique(unique)
                .with_index(index)
                .with_default(default);
            match original {
                Some(original) => attribute.with_original_name(original),
                None => attribute,
            }
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
            let b = AttributeDescriptor::named(a.name(), next)
                .with_optional(a.is_optional())
                .with_unique(a.is_unique())
                .with_index(a.is_indexed())
                .with_default(a.default_value().cloned());
            match a.original_name() {
                Some(original) => b.with_original_name(original),
                None => b,
            }
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

/// Schemas with relationships, as a list of the pieces a single edit changes.
mod relationships {
    use proptest::prelude::*;
    use staged::schema::snapshot;
    use staged::{
        AttributeDescriptor, AttributeType, DeleteRule, EntityDescriptor, Reference,
        RelationshipDescriptor, SchemaDescriptor, ToManyKind, Version,
    };

    const ENTITIES: [&str; 3] = ["Author", "Book", "Tag"];
    const RULES: [DeleteRule; 4] = [
        DeleteRule::Cascade,
        DeleteRule::Nullify,
        DeleteRule::Deny,
        DeleteRule::NoAction,
    ];
    const HINTS: [Option<&str>; 3] = [None, Some("old"), Some("older")];
    const INVERSES: [Option<&str>; 4] = [None, Some("author"), Some("books"), Some("tags")];

    /// A column that is a to-one, or a plain `i64` attribute when `plain`.
    #[derive(Debug, Clone)]
    struct Column {
        entity: &'static str,
        name: &'static str,
        target: &'static str,
        optional: bool,
        rule: DeleteRule,
        inverse: Option<&'static str>,
        original: Option<&'static str>,
        plain: bool,
    }

    /// A `ToMany`: a many-to-many (join table) or a one-to-many (not stored).
    #[derive(Debug, Clone)]
    struct Many {
        entity: &'static str,
        name: &'static str,
        target: &'static str,
        kind: ToManyKind,
        inverse: Option<&'static str>,
        original: Option<&'static str>,
    }

    #[derive(Debug, Clone)]
    struct Spec {
        columns: Vec<Column>,
        many: Vec<Many>,
    }

    fn build(spec: &Spec) -> SchemaDescriptor {
        let entities = ENTITIES
            .iter()
            .map(|&entity| {
                let mut attributes = vec![AttributeDescriptor::named("label", AttributeType::Text)];
                for c in spec.columns.iter().filter(|c| c.entity == entity) {
                    let attribute = if c.plain {
                        AttributeDescriptor::named(c.name, AttributeType::I64)
                            .with_optional(c.optional)
                    } else {
                        let reference = Reference::new(c.target, c.rule, c.inverse);
                        AttributeDescriptor::to_one(c.name, c.optional, reference)
                    };
                    attributes.push(match c.original {
                        Some(original) => attribute.with_original_name(original),
                        None => attribute,
                    });
                }
                let many = spec
                    .many
                    .iter()
                    .filter(|m| m.entity == entity)
                    .map(|m| {
                        let r = RelationshipDescriptor::build(
                            m.name,
                            m.target,
                            m.kind,
                            m.inverse.map(str::to_owned),
                        );
                        match m.original {
                            Some(original) => r.with_original_name(original),
                            None => r,
                        }
                    })
                    .collect();
                EntityDescriptor::from_parts(entity, None, attributes).with_to_many(many)
            })
            .collect();
        SchemaDescriptor::from_entities(Version::new(1, 0, 0), entities)
    }

    fn column(
        entity: &'static str,
        name: &'static str,
        target: &'static str,
    ) -> impl Strategy<Value = Column> {
        (
            any::<bool>(),
            0..RULES.len(),
            prop::option::of(prop::sample::select(vec!["books", "tags"])),
            0..HINTS.len(),
            prop::bool::weighted(0.2),
        )
            .prop_map(move |(optional, rule, inverse, original, plain)| Column {
                entity,
                name,
                target,
                optional,
                rule: RULES[rule],
                inverse,
                original: HINTS[original],
                plain,
            })
    }

    fn many(
        entity: &'static str,
        name: &'static str,
        target: &'static str,
        kind: ToManyKind,
        inverse: Option<&'static str>,
    ) -> impl Strategy<Value = Many> {
        (0..HINTS.len()).prop_map(move |original| Many {
            entity,
            name,
            target,
            kind,
            inverse,
            original: HINTS[original],
        })
    }

    fn spec() -> impl Strategy<Value = Spec> {
        let columns = (
            prop::option::of(column("Book", "author", "Author")),
            prop::option::of(column("Book", "editor", "Author")),
            prop::option::of(column("Tag", "parent", "Tag")),
        )
            .prop_map(|(a, b, c)| [a, b, c].into_iter().flatten().collect());
        let many = (
            prop::option::of(many(
                "Book",
                "tags",
                "Tag",
                ToManyKind::ManyToMany,
                Some("books"),
            )),
            prop::option::of(many(
                "Tag",
                "books",
                "Book",
                ToManyKind::ManyToMany,
                Some("tags"),
            )),
            prop::option::of(many(
                "Author",
                "books",
                "Book",
                ToManyKind::OneToMany,
                Some("author"),
            )),
            prop::option::of(many("Tag", "related", "Tag", ToManyKind::ManyToMany, None)),
        )
            .prop_map(|(a, b, c, d)| [a, b, c, d].into_iter().flatten().collect());
        (columns, many).prop_map(|(columns, many)| Spec { columns, many })
    }

    fn next<T: PartialEq + Copy>(all: &[T], value: T) -> T {
        all[(all.iter().position(|v| *v == value).unwrap() + 1) % all.len()]
    }

    /// The number of kinds of edit [`edit`] makes.
    const EDITS: usize = 14;

    /// `spec` with one edit of kind `kind` (`which` picks the column or
    /// relationship), and whether the edit only changed an `original_name`.
    fn edit(spec: &Spec, kind: usize, which: prop::sample::Index) -> (Spec, bool) {
        let mut spec = spec.clone();
        let add_column = |spec: &mut Spec| {
            spec.columns.push(Column {
                entity: "Book",
                name: "reviewer",
                target: "Author",
                optional: true,
                rule: DeleteRule::Nullify,
                inverse: None,
                original: None,
                plain: false,
            })
        };
        let add_many = |spec: &mut Spec| {
            spec.many.push(Many {
                entity: "Book",
                name: "shelves",
                target: "Tag",
                kind: ToManyKind::ManyToMany,
                inverse: None,
                original: None,
            })
        };
        if kind < 7 {
            if spec.columns.is_empty() || kind == 6 {
                add_column(&mut spec);
                return (spec, false);
            }
            let i = which.index(spec.columns.len());
            let c = &mut spec.columns[i];
            match kind {
                0 => c.target = next(&ENTITIES, c.target),
                1 => c.optional = !c.optional,
                2 => c.rule = next(&RULES, c.rule),
                3 => c.plain = !c.plain,
                4 => c.original = next(&HINTS, c.original),
                5 => c.inverse = next(&INVERSES, c.inverse),
                _ => unreachable!(),
            }
            if kind == 5 && c.plain {
                // A plain attribute has no inverse: remove it instead.
                spec.columns.remove(i);
            }
        } else {
            if spec.many.is_empty() || kind == 13 {
                add_many(&mut spec);
                return (spec, false);
            }
            let i = which.index(spec.many.len());
            let m = &mut spec.many[i];
            match kind {
                7 => m.target = next(&ENTITIES, m.target),
                8 => m.kind = next(&[ToManyKind::OneToMany, ToManyKind::ManyToMany], m.kind),
                9 => m.inverse = next(&INVERSES, m.inverse),
                10 => {
                    spec.many.remove(i);
                }
                11 => m.original = next(&HINTS, m.original),
                12 => {
                    m.name = if m.name == "renamed" {
                        "other"
                    } else {
                        "renamed"
                    }
                }
                _ => unreachable!(),
            }
        }
        (spec, kind == 4 || kind == 11)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn a_single_edit_changes_the_checksum_exactly_when_diff_reports_more_than_hints(
            spec in spec(),
            kind in 0..EDITS,
            which in any::<prop::sample::Index>(),
        ) {
            let (edited, hint) = edit(&spec, kind, which);
            let (a, b) = (build(&spec), build(&edited));
            let differences = snapshot::diff(&a, &b);
            let stored = differences.iter().any(|d| !d.is_rename_hint());
            prop_assert_eq!(
                a.checksum() != b.checksum(),
                stored,
                "edit {} gave {:?}\n{}\n{}",
                kind,
                differences,
                staged::schema::canonical_form(&a),
                staged::schema::canonical_form(&b)
            );
            prop_assert_eq!(snapshot::diff(&b, &a).len(), differences.len());
            if hint {
                prop_assert_eq!(a.checksum(), b.checksum());
                prop_assert!(differences.len() <= 1, "{:?}", differences);
                prop_assert!(differences.iter().all(|d| d.is_rename_hint()));
            }
            for difference in &differences {
                let message = difference.to_string();
                prop_assert!(
                    ENTITIES.iter().any(|e| message.contains(&format!("`{e}."))),
                    "{}",
                    message
                );
            }
        }

        #[test]
        fn a_snapshot_with_relationships_reads_back_as_the_same_schema(spec in spec()) {
            let schema = build(&spec);
            let read = snapshot::from_json(&snapshot::to_json(&schema)).unwrap();
            prop_assert_eq!(read.descriptor(), &schema);
            prop_assert_eq!(read.recorded_checksum(), schema.checksum());
            prop_assert_eq!(read.descriptor().checksum(), schema.checksum());
        }
    }
}
