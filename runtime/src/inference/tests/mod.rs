//! Golden SQL of every lowering, and the algebra of `compose`.
//!
//! Each test builds two (or more) schemas from runtime descriptors, lowers
//! `map_step` (or a composition) between them, runs the statements on an
//! in-memory store created at the first schema, checks that the store then
//! matches the last one (`verify::drift`), and snapshots the statements, one
//! per line. The snapshots show that in-place `ALTER TABLE` (`ADD COLUMN`,
//! `RENAME COLUMN`, `DROP COLUMN`, `RENAME TO`) is used whenever SQLite allows
//! it, and that a table that needs rewriting is rebuilt exactly once however
//! many of its attributes change.

mod attributes;
mod composed;
mod entities;

use super::mapping::ValueSource;
use super::*;
use crate::schema::{
    AttributeDescriptor, AttributeType, DefaultValue, EntityDescriptor, SchemaDescriptor, Version,
};

fn attr(name: &str, ty: AttributeType) -> AttributeDescriptor {
    AttributeDescriptor::named(name, ty)
}

fn text(name: &str) -> AttributeDescriptor {
    attr(name, AttributeType::Text)
}

fn entity(name: &str, attributes: Vec<AttributeDescriptor>) -> EntityDescriptor {
    EntityDescriptor::from_parts(name, None, attributes)
}

fn renamed_entity(
    name: &str,
    original: &str,
    attributes: Vec<AttributeDescriptor>,
) -> EntityDescriptor {
    EntityDescriptor::from_parts(name, Some(original.to_owned()), attributes)
}

fn schema(major: u64, entities: Vec<EntityDescriptor>) -> SchemaDescriptor {
    SchemaDescriptor::from_entities(Version::new(major, 0, 0), entities)
}

/// The attributes of `Item` in the base schema, which most tests change one at a time.
fn item_attributes() -> Vec<AttributeDescriptor> {
    vec![
        text("name"),
        text("note").with_optional(true),
        attr("count", AttributeType::I32),
        attr("ratio", AttributeType::F32),
        text("code").with_unique(true),
        text("list").with_index(true),
        attr("level", AttributeType::I64).with_default(DefaultValue::Integer(1)),
    ]
}

/// v1: `Item` (see [`item_attributes`]) and `Tag { label }`.
fn base() -> SchemaDescriptor {
    schema(
        1,
        vec![
            entity("Item", item_attributes()),
            entity("Tag", vec![text("label")]),
        ],
    )
}

/// v2: the base schema with `Item`'s attributes passed through `edit`.
fn edit_item(edit: impl FnOnce(&mut Vec<AttributeDescriptor>)) -> SchemaDescriptor {
    let mut attributes = item_attributes();
    edit(&mut attributes);
    schema(
        2,
        vec![
            entity("Item", attributes),
            entity("Tag", vec![text("label")]),
        ],
    )
}

fn position(attributes: &[AttributeDescriptor], name: &str) -> usize {
    attributes
        .iter()
        .position(|a| a.name() == name)
        .unwrap_or_else(|| panic!("no attribute `{name}`"))
}

/// Replaces attribute `name` with `f(old)`.
fn change(
    attributes: &mut [AttributeDescriptor],
    name: &str,
    f: impl FnOnce(AttributeDescriptor) -> AttributeDescriptor,
) {
    let i = position(attributes, name);
    attributes[i] = f(attributes[i].clone());
}

/// An attribute like `old` under a new name, renamed from `old`.
fn rename(old: &AttributeDescriptor, to: &str) -> AttributeDescriptor {
    AttributeDescriptor::named(to, old.ty())
        .with_optional(old.is_optional())
        .with_unique(old.is_unique())
        .with_index(old.is_indexed())
        .with_original_name(old.name())
        .with_default(old.default_value().cloned())
}

/// `lower(from, to, mapping)`, after checking that the statements run on a
/// store created at `from` and leave it exactly at `to`.
fn lowered(
    from: &SchemaDescriptor,
    to: &SchemaDescriptor,
    mapping: &SchemaMapping,
) -> Vec<Statement> {
    let statements = lower(from, to, mapping);
    let sql = lines(&statements);
    let conn = apply(from, &statements).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let drift = crate::store::verify::drift(&conn, to).unwrap();
    assert!(drift.is_empty(), "{drift:#?}\n{sql}");
    statements
}

/// Runs statements on an in-memory store created at `from`.
fn apply(
    from: &SchemaDescriptor,
    statements: &[Statement],
) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_in_memory()?;
    for entity in from.entities() {
        conn.execute(&crate::sql::create_table(entity.name(), entity), [])?;
        for index in crate::sql::create_indexes(entity) {
            conn.execute(&index, [])?;
        }
    }
    for statement in statements {
        conn.execute(&statement.sql, [])?;
    }
    Ok(conn)
}

/// The statements of `lower(from, to, map_step(from, to))`, one per line.
fn sql(from: &SchemaDescriptor, to: &SchemaDescriptor) -> String {
    let mapping = map_step(from, to).expect("the step maps");
    lines(&lowered(from, to, &mapping))
}

fn lines(statements: &[Statement]) -> String {
    statements
        .iter()
        .map(|s| s.sql.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The changes of a step, one per line, with their class.
fn listed(from: &SchemaDescriptor, to: &SchemaDescriptor) -> String {
    let mapping = map_step(from, to).expect("the step maps");
    changes(from, to, &mapping)
        .iter()
        .map(|c| format!("{} ({})", c, c.class().name()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How many times each table is rebuilt by these statements.
fn rebuilds(statements: &[Statement]) -> usize {
    statements
        .iter()
        .filter(|s| s.sql.starts_with("CREATE TABLE \"_staged_new_"))
        .count()
}

fn count(sql: &str, needle: &str) -> usize {
    sql.matches(needle).count()
}
