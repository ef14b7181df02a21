//! Checks of relationship fields across the models of a schema module, and
//! what each side resolves to: target entity, delete rule, inverse, kind.

use std::collections::HashMap;

use syn::{LitStr, Type};

use crate::ast::{Field, FieldKind, Model, Schema, shown};
use crate::ctxt::Ctxt;

use staged_vocabulary::DeleteRule;

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

const NULLIFY: DeleteRule = DeleteRule::Nullify;
const DENY: DeleteRule = DeleteRule::Deny;

pub fn resolve(cx: &Ctxt, schema: &Schema<'_>) -> Resolution {
    let mut out = Resolution::new();
    for (mi, model) in schema.models.iter().enumerate() {
        for (fi, field) in model.fields.iter().enumerate() {
            let rel = field.args.relationship.as_ref();
            let Some(target_ty) = field.relationship_target() else {
                if let Some(rel) = rel {
                    cx.error_spanned_by(
                        &rel.attr,
                        if field.args.transient.is_some() {
                            "a `#[transient]` field is not stored and takes no `#[relationship(…)]`; remove one of them"
                                .to_owned()
                        } else {
                            format!(
                                "`#[relationship(…)]` goes on a relationship field: `Ref<Model>`, \
                                 `Option<Ref<Model>>` or `ToMany<Model>`, not `{}`",
                                shown(&field.original.ty)
                            )
                        },
                    );
                }
                continue;
            };
            if let Some(attribute) = &field.args.attribute {
                cx.error_spanned_by(
                    attribute,
                    "a relationship field takes `#[relationship(delete_rule = …, inverse = …, original_name = …)]`, \
                     not `#[attribute(…)]`",
                );
            }
            let Some(ti) = target_model(schema, target_ty) else {
                cx.error_spanned_by(
                    target_ty,
                    format_args!(
                        "`{}` is not a model of this schema: a relationship targets a `#[model]` struct declared \
                         in the same `#[versioned_schema]` module, named without a path",
                        shown(target_ty),
                    ),
                );
                continue;
            };
            let target = &schema.models[ti];
            let explicit = rel.and_then(|r| r.delete_rule.as_ref());
            let inverse_lit = rel.and_then(|r| r.inverse.as_ref());
            let inverse_field = match inverse_lit {
                Some(lit) => match target.fields.iter().find(|f| f.name == lit.value()) {
                    Some(found) => Some(found),
                    None => {
                        cx.error_spanned_by(
                            lit,
                            format_args!(
                                "`{}` has no field `{}`: `inverse` names the field of `{}` that is the other side of \
                                 `{}.{}`",
                                target.original.ident,
                                lit.value(),
                                target.original.ident,
                                model.original.ident,
                                field.name
                            ),
                        );
                        continue;
                    }
                },
                None => None,
            };
            let this = model.original.ident.to_string();
            match field.kind {
                FieldKind::ToOne { optional, .. } => {
                    if let Some((variant, lit)) = explicit
                        && *variant == NULLIFY
                        && !optional
                    {
                        cx.error_spanned_by(
                            lit,
                            format_args!(
                                "`{this}.{}` is a required `Ref<{}>` and cannot be nullified: make it \
                                 `Option<Ref<{}>>`, or use `cascade`, `deny` or `no_action`",
                                field.name,
                                target.original.ident,
                                target.original.ident
                            ),
                        );
                    }
                    // The other side: named here, or naming this field.
                    let other = match (inverse_lit, inverse_field) {
                        (Some(lit), Some(other)) => {
                            let points_back = matches!(other.kind, FieldKind::ToMany { target }
                                if target_model(schema, target) == Some(mi));
                            if !points_back {
                                cx.error_spanned_by(
                                    lit,
                                    format_args!(
                                        "the inverse of `{this}.{}` must be a `ToMany<{this}>` field of `{}`, but \
                                         `{}.{}` is `{}`",
                                        field.name,
                                        target.original.ident,
                                        target.original.ident,
                                        other.name,
                                        shown(&other.original.ty)
                                    ),
                                );
                                continue;
                            }
                            if !names_back(cx, lit, (&this, &field.name), target, other) {
                                continue;
                            }
                            Some(other)
                        }
                        _ => naming_back(schema, target, mi, &field.name),
                    };
                    let other_rule = other.and_then(|o| {
                        o.args
                            .relationship
                            .as_ref()
                            .and_then(|r| r.delete_rule.as_ref())
                    });
                    if let (Some((mine, lit)), Some((theirs, _))) = (explicit, other_rule)
                        && mine != theirs
                    {
                        cx.error_spanned_by(
                            lit,
                            format_args!(
                                "delete rules contradict: `{this}.{}` says `{}` and `{}.{}` says `{}`, but both \
                                 decide what happens to `{this}` records when their `{}` is deleted; keep one of them",
                                field.name,
                                mine.name(),
                                target.original.ident,
                                other.map(|o| o.name.as_str()).unwrap_or_default(),
                                theirs.name(),
                                target.original.ident
                            ),
                        );
                    }
                    let delete_rule = explicit
                        .or(other_rule)
                        .map(|(variant, _)| *variant)
                        .unwrap_or(if optional { NULLIFY } else { DENY });
                    out.insert(
                        (mi, fi),
                        Resolved {
                            target_entity: target.name.clone(),
                            delete_rule,
                            inverse: other.map(|o| o.name.clone()),
                            many_to_many: false,
                        },
                    );
                }
                FieldKind::ToMany { .. } => {
                    let resolved = match (inverse_lit, inverse_field) {
                        (Some(lit), Some(other)) => match other.kind {
                            FieldKind::ToOne {
                                target: back,
                                optional,
                            } if target_model(schema, back) == Some(mi) => {
                                let theirs = other
                                    .args
                                    .relationship
                                    .as_ref()
                                    .and_then(|r| r.delete_rule.as_ref());
                                if let Some((variant, lit)) = explicit
                                    && *variant == NULLIFY
                                    && !optional
                                {
                                    cx.error_spanned_by(
                                        lit,
                                        format_args!(
                                            "`{}.{}` is a required `Ref<{this}>`, so deleting a `{this}` cannot \
                                             nullify it: make it `Option<Ref<{this}>>`, or use `cascade`, `deny` or \
                                             `no_action`",
                                            target.original.ident, other.name
                                        ),
                                    );
                                }
                                Resolved {
                                    target_entity: target.name.clone(),
                                    delete_rule: theirs
                                        .or(explicit)
                                        .map(|(variant, _)| *variant)
                                        .unwrap_or(if optional { NULLIFY } else { DENY }),
                                    inverse: Some(other.name.clone()),
                                    many_to_many: false,
                                }
                            }
                            FieldKind::ToMany { target: back }
                                if target_model(schema, back) == Some(mi) =>
                            {
                                if !names_back(cx, lit, (&this, &field.name), target, other) {
                                    continue;
                                }
                                many_to_many(cx, explicit, &this, &field.name);
                                Resolved {
                                    target_entity: target.name.clone(),
                                    delete_rule: NULLIFY,
                                    inverse: Some(other.name.clone()),
                                    many_to_many: true,
                                }
                            }
                            _ => {
                                cx.error_spanned_by(
                                    lit,
                                    format_args!(
                                        "the inverse of `{this}.{}` must be a `Ref<{this}>`, `Option<Ref<{this}>>` \
                                         or `ToMany<{this}>` field of `{}`, but `{}.{}` is `{}`",
                                        field.name,
                                        target.original.ident,
                                        target.original.ident,
                                        other.name,
                                        shown(&other.original.ty)
                                    ),
                                );
                                continue;
                            }
                        },
                        _ => {
                            // To-ones back to this model that no other `ToMany` claims.
                            let claimed = |name: &str| {
                                model.fields.iter().any(|f| {
                                    f.args
                                        .relationship
                                        .as_ref()
                                        .and_then(|r| r.inverse.as_ref())
                                        .is_some_and(|i| i.value() == name)
                                })
                            };
                            let to_ones: Vec<&str> = target
                                .fields
                                .iter()
                                .filter(|f| {
                                    matches!(f.kind, FieldKind::ToOne { target, .. }
                                    if target_model(schema, target) == Some(mi))
                                })
                                .filter(|f| {
                                    f.args
                                        .relationship
                                        .as_ref()
                                        .and_then(|r| r.inverse.as_ref())
                                        .is_none()
                                        && !claimed(&f.name)
                                })
                                .map(|f| f.name.as_str())
                                .collect();
                            if let Some(first) = to_ones.first() {
                                cx.error_spanned_by(
                                    field.ident,
                                    format_args!(
                                        "`{this}.{}` needs `#[relationship(inverse = \"{first}\")]`: `{}.{first}` \
                                         refers to `{this}`, and a `ToMany` is the other side of a to-one",
                                        field.name, target.original.ident
                                    ),
                                );
                                continue;
                            }
                            let other = naming_back(schema, target, mi, &field.name);
                            many_to_many(cx, explicit, &this, &field.name);
                            Resolved {
                                target_entity: target.name.clone(),
                                delete_rule: NULLIFY,
                                inverse: other.map(|o| o.name.clone()),
                                many_to_many: true,
                            }
                        }
                    };
                    out.insert((mi, fi), resolved);
                }
                _ => unreachable!("relationship fields are to-one or to-many"),
            }
        }
    }
    out
}

/// A many-to-many only unlinks on delete.
/// Whether `other`, the field that `this_model.this_field` names as its
/// inverse with `lit`, names it back or names no inverse; if it names another
/// field, reports that at `lit`.
fn names_back(
    cx: &Ctxt,
    lit: &LitStr,
    (this_model, this_field): (&str, &str),
    target: &Model<'_>,
    other: &Field<'_>,
) -> bool {
    let Some(back) = other
        .args
        .relationship
        .as_ref()
        .and_then(|r| r.inverse.as_ref())
    else {
        return true;
    };
    if back.value() == this_field {
        return true;
    }
    cx.error_spanned_by(
        lit,
        format_args!(
            "`{this_model}.{this_field}` names `{}.{}` as its inverse, but that field names `{}`: \
             the two sides of a relationship must name each other",
            target.original.ident,
            other.name,
            back.value()
        ),
    );
    false
}

fn many_to_many(cx: &Ctxt, explicit: Option<&(DeleteRule, syn::LitStr)>, this: &str, field: &str) {
    if let Some((variant, lit)) = explicit
        && *variant != NULLIFY
    {
        cx.error_spanned_by(
            lit,
            format_args!(
                "`{this}.{field}` is a many-to-many, whose only delete rule is `nullify`: deleting a record \
                 unlinks it; remove `delete_rule`"
            ),
        );
    }
}

/// The relationship field of `target` whose `inverse` names `field` of model `mi`.
fn naming_back<'m, 'a>(
    schema: &Schema<'_>,
    target: &'m Model<'a>,
    mi: usize,
    field: &str,
) -> Option<&'m crate::ast::Field<'a>> {
    target.fields.iter().find(|f| {
        f.relationship_target()
            .is_some_and(|t| target_model(schema, t) == Some(mi))
            && f.args
                .relationship
                .as_ref()
                .and_then(|r| r.inverse.as_ref())
                .is_some_and(|i| i.value() == field)
    })
}

/// The index of the model a relationship's target type names: `Author` or
/// `self::Author`, a `#[model]` struct of this module.
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
