//! Proptest strategies derived from a schema descriptor: one drawn record
//! per call, a value for every stored attribute, a pick among the target's
//! records for every to-one and a few picks for every many-to-many the
//! entity owns.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use rusqlite::types::Value;

use super::json;
use crate::schema::{AttributeDescriptor, AttributeType, DefaultValue, EntityDescriptor};

/// One cell of a drawn record, before ids are known.
#[derive(Debug, Clone)]
pub(super) enum Cell {
    /// SQL NULL (an optional attribute).
    Null,
    /// A stored value, bound as it is.
    Value(Value),
    /// A to-one: which of the target's records it points to.
    Ref(Index),
}

/// A drawn record: one cell per stored attribute (in the entity's order),
/// and per many-to-many the entity owns (in the order of the schema's join
/// tables) the records it links to.
#[derive(Debug, Clone)]
pub(super) struct RecordDraw {
    pub cells: Vec<Cell>,
    pub links: Vec<Vec<Index>>,
}

/// How often an optional attribute holds a value rather than NULL.
const SOME_WEIGHT: f64 = 0.75;

/// The strategy of one record of `entity`, which owns `owned_links`
/// many-to-manys; fails with a readable reason when an attribute's values
/// cannot be generated.
pub(super) fn record(
    entity: &EntityDescriptor,
    owned_links: usize,
) -> Result<BoxedStrategy<RecordDraw>, String> {
    let cells = entity
        .attributes()
        .iter()
        .map(|attribute| {
            cell(attribute).map_err(|reason| {
                format!(
                    "cannot generate values of `{}.{}`: {reason}",
                    entity.name(),
                    attribute.name()
                )
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let links = vec![vec(any::<Index>(), 0..=3); owned_links];
    Ok((cells, links)
        .prop_map(|(cells, links)| RecordDraw { cells, links })
        .boxed())
}

/// The strategy of one attribute's cell: NULL now and then when optional.
fn cell(attribute: &AttributeDescriptor) -> Result<BoxedStrategy<Cell>, String> {
    let some = if attribute.reference().is_some() {
        any::<Index>().prop_map(Cell::Ref).boxed()
    } else {
        value(attribute)?.prop_map(Cell::Value).boxed()
    };
    if !attribute.is_optional() {
        return Ok(some);
    }
    Ok(proptest::option::weighted(SOME_WEIGHT, some)
        .prop_map(|cell| cell.unwrap_or(Cell::Null))
        .boxed())
}

/// The strategy of the stored values of an attribute of its type.
fn value(attribute: &AttributeDescriptor) -> Result<BoxedStrategy<Value>, String> {
    let ty = attribute.ty();
    if let Some((min, max)) = ty.integer_range() {
        return Ok((min..=max).prop_map(Value::Integer).boxed());
    }
    Ok(match ty {
        AttributeType::F32 => float32().prop_map(|f| Value::Real(f64::from(f))).boxed(),
        AttributeType::F64 => float64(true).prop_map(Value::Real).boxed(),
        AttributeType::Text => text().prop_map(Value::Text).boxed(),
        AttributeType::Bytes => vec(any::<u8>(), 0..8).prop_map(Value::Blob).boxed(),
        AttributeType::Json => json_value(attribute)?,
        other => return Err(format!("no generator for type {other:?}")),
    })
}

/// JSON text the attribute's Rust type decodes: drawn from its traced serde
/// shape, or its default when the shape could not be traced.
fn json_value(attribute: &AttributeDescriptor) -> Result<BoxedStrategy<Value>, String> {
    match (attribute.json_shape(), attribute.default_value()) {
        (Some(shape), _) => Ok(json::value(&shape)?
            .prop_map(|value| Value::Text(value.to_string()))
            .boxed()),
        (None, Some(DefaultValue::Text(text))) => Ok(Just(Value::Text(text.to_string())).boxed()),
        (None, _) => Err("its serde shape could not be traced (serde-reflection); \
             seed it with `.seed(…)` instead"
            .to_owned()),
    }
}

/// Short texts of printable characters, any script.
pub(super) fn text() -> BoxedStrategy<String> {
    "\\PC{0,10}".boxed()
}

/// Finite `f32`s of every class but NaN.
pub(super) fn float32() -> BoxedStrategy<f32> {
    use proptest::num::f32::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    (POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO).boxed()
}

/// `f64`s of every class but NaN (infinities only with `infinite`: JSON has
/// none).
pub(super) fn float64(infinite: bool) -> BoxedStrategy<f64> {
    use proptest::num::f64::{INFINITE, NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    let finite = POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO;
    if infinite {
        (finite | INFINITE).boxed()
    } else {
        finite.boxed()
    }
}
