//! Relationship fields across the models of a schema module: what each side
//! resolves to (target entity, delete rule, inverse, kind), once the checks of
//! [`check`] pass.

mod check;

use std::collections::HashMap;

use staged_vocabulary::DeleteRule;
use syn::{LitStr, Type};

use crate::ast::{Field, FieldKind, Model, Schema};
use crate::ctxt::Ctxt;

/// What a relationship field resolves to.
pub struct Resolved {
    /// The target's entity name.
    pub target_entity: String,
    /// The delete rule.
    pub delete_rule: DeleteRule,
    /// The other side's field name, declared on either side.
    pub inverse: Option<String>,
    /// For a `ToMany`: whether it is a many-to-many (else the inverse of a to-one).
    pub many_to_many: bool,
}

/// Resolutions by (model index, field index).
pub type Resolution = HashMap<(usize, usize), Resolved>;

/// Checks every relationship field and resolves those that pass.
pub fn resolve(cx: &Ctxt, schema: &Schema<'_>) -> Resolution {
    let mut out = Resolution::new();
    for (mi, model) in schema.models.iter().enumerate() {
        for (fi, field) in model.fields.iter().enumerate() {
            if let Some(resolved) = resolve_field(cx, schema, mi, field) {
                out.insert((mi, fi), resolved);
            }
        }
    }
    out
}

/// A relationship field being resolved: where it is and what it targets.
struct Side<'s, 'a> {
    schema: &'s Schema<'a>,
    /// The index of the model declaring the field.
    mi: usize,
    model: &'s Model<'a>,
    field: &'s Field<'a>,
    /// The model's struct name, for messages.
    this: String,
    /// The model the field targets.
    target: &'s Model<'a>,
}

impl<'s, 'a> Side<'s, 'a> {
    /// Whether a relationship's target type names the model declaring this field.
    fn targets_this(&self, ty: &Type) -> bool {
        target_model(self.schema, ty) == Some(self.mi)
    }

    /// The relationship field of the target whose `inverse` names this field.
    fn naming_back(&self) -> Option<&'s Field<'a>> {
        self.target.fields.iter().find(|f| {
            f.relationship_target()
                .is_some_and(|t| self.targets_this(t))
                && inverse_of(f).is_some_and(|i| i.value() == self.field.rust_name)
        })
    }

    fn resolved(
        &self,
        delete_rule: DeleteRule,
        other: Option<&Field<'_>>,
        many_to_many: bool,
    ) -> Resolved {
        Resolved {
            target_entity: self.target.name.clone(),
            delete_rule,
            inverse: other.map(|o| o.name.clone()),
            many_to_many,
        }
    }
}

fn resolve_field<'s, 'a>(
    cx: &Ctxt,
    schema: &'s Schema<'a>,
    mi: usize,
    field: &'s Field<'a>,
) -> Option<Resolved> {
    let Some(target_ty) = field.relationship_target() else {
        check::relationship_on_relationship_field(cx, field);
        return None;
    };
    check::no_attribute_options(cx, field);
    let target = check::target_in_schema(cx, schema, target_ty)?;
    let model = &schema.models[mi];
    let side = Side {
        schema,
        mi,
        model,
        field,
        this: model.original.ident.to_string(),
        target,
    };
    let inverse = match inverse_of(field) {
        Some(lit) => Some((lit, check::inverse_exists(cx, &side, lit)?)),
        None => None,
    };
    match field.kind {
        FieldKind::ToOne { optional, .. } => resolve_to_one(cx, &side, inverse, optional),
        FieldKind::ToMany { .. } => resolve_to_many(cx, &side, inverse),
        _ => unreachable!("relationship fields are to-one or to-many"),
    }
}

/// A `Ref<T>` or an `Option<Ref<T>>`.
fn resolve_to_one(
    cx: &Ctxt,
    side: &Side<'_, '_>,
    inverse: Option<(&LitStr, &Field<'_>)>,
    optional: bool,
) -> Option<Resolved> {
    let explicit = rule_of(side.field);
    check::nullified_to_one_is_optional(cx, side, explicit, optional);
    // The other side: named here, or naming this field.
    let other = match inverse {
        Some((lit, other)) => {
            check::inverse_of_to_one_is_to_many(cx, side, lit, other)?;
            check::names_back(cx, side, lit, other)?;
            Some(other)
        }
        None => side.naming_back(),
    };
    let other_rule = other.and_then(rule_of);
    check::delete_rules_agree(cx, side, explicit, other, other_rule);
    let delete_rule = explicit
        .or(other_rule)
        .map_or(default_rule(optional), |(rule, _)| *rule);
    Some(side.resolved(delete_rule, other, false))
}

/// A `ToMany<T>`: the other side of a to-one, or a many-to-many.
fn resolve_to_many(
    cx: &Ctxt,
    side: &Side<'_, '_>,
    inverse: Option<(&LitStr, &Field<'_>)>,
) -> Option<Resolved> {
    let explicit = rule_of(side.field);
    let Some((lit, other)) = inverse else {
        check::to_many_needs_no_inverse(cx, side)?;
        let other = side.naming_back();
        check::many_to_many_rule(cx, side, explicit);
        return Some(side.resolved(DeleteRule::Nullify, other, true));
    };
    match other.kind {
        FieldKind::ToOne {
            target: back,
            optional,
        } if side.targets_this(back) => {
            check::nullified_inverse_is_optional(cx, side, other, explicit, optional);
            let delete_rule = rule_of(other)
                .or(explicit)
                .map_or(default_rule(optional), |(rule, _)| *rule);
            Some(side.resolved(delete_rule, Some(other), false))
        }
        FieldKind::ToMany { target: back } if side.targets_this(back) => {
            check::names_back(cx, side, lit, other)?;
            check::many_to_many_rule(cx, side, explicit);
            Some(side.resolved(DeleteRule::Nullify, Some(other), true))
        }
        _ => {
            check::inverse_of_to_many_is_relationship(cx, side, lit, other);
            None
        }
    }
}

/// The rule of a to-one that names none: an optional reference is cleared,
/// a required one refuses the delete.
fn default_rule(optional: bool) -> DeleteRule {
    if optional {
        DeleteRule::Nullify
    } else {
        DeleteRule::Deny
    }
}

/// `delete_rule = "…"` of a field, with its literal.
fn rule_of<'f>(field: &'f Field<'_>) -> Option<&'f (DeleteRule, LitStr)> {
    field
        .args
        .relationship
        .as_ref()
        .and_then(|r| r.delete_rule.as_ref())
}

/// `inverse = "…"` of a field.
fn inverse_of<'f>(field: &'f Field<'_>) -> Option<&'f LitStr> {
    field
        .args
        .relationship
        .as_ref()
        .and_then(|r| r.inverse.as_ref())
}

/// The model a relationship's target type names: `Author` or `self::Author`,
/// a `#[model]` struct of this module.
fn target_model(schema: &Schema<'_>, ty: &Type) -> Option<usize> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() || path.path.leading_colon.is_some() {
        return None;
    }
    let segments: Vec<_> = path.path.segments.iter().collect();
    let last = match segments.as_slice() {
        [only] => only,
        [first, last] if first.ident == "self" && first.arguments.is_empty() => last,
        _ => return None,
    };
    if !last.arguments.is_empty() {
        return None;
    }
    schema
        .models
        .iter()
        .position(|m| m.original.ident == last.ident)
}
