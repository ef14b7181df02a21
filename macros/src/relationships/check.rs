//! The checks of relationship fields, one mistake each. A check that returns
//! `None` has reported why the field cannot be resolved.

use staged_vocabulary::DeleteRule;
use syn::{LitStr, Type};

use super::{Side, inverse_of, target_model};
use crate::ast::{Field, FieldKind, Model, Schema, shown};
use crate::ctxt::Ctxt;

/// `#[relationship(…)]` on a field that is not a relationship.
pub(super) fn relationship_on_relationship_field(cx: &Ctxt, field: &Field<'_>) {
    let Some(rel) = &field.args.relationship else {
        return;
    };
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

/// `#[attribute(…)]` on a relationship field.
pub(super) fn no_attribute_options(cx: &Ctxt, field: &Field<'_>) {
    let args = &field.args;
    let other_than_name = args.unique.is_some()
        || args.index.is_some()
        || args.json.is_some()
        || args.original_name.is_some()
        || args.default.is_some();
    if let Some(attribute) = &args.attribute
        && other_than_name
    {
        cx.error_spanned_by(
            attribute,
            "a relationship field takes `#[relationship(delete_rule = …, inverse = …, original_name = …)]`, \
             not `#[attribute(…)]` (only `#[attribute(name = \"…\")]`, its stored name)",
        );
    }
}

/// The model of this schema that a relationship targets.
pub(super) fn target_in_schema<'s, 'a>(
    cx: &Ctxt,
    schema: &'s Schema<'a>,
    target_ty: &Type,
) -> Option<&'s Model<'a>> {
    let Some(ti) = target_model(schema, target_ty) else {
        cx.error_spanned_by(
            target_ty,
            format_args!(
                "`{}` is not a model of this schema: a relationship targets a `#[model]` struct declared \
                 in the same `#[versioned_schema]` module, named without a path",
                shown(target_ty),
            ),
        );
        return None;
    };
    Some(&schema.models[ti])
}

/// The field of the target that `inverse = "…"` names.
pub(super) fn inverse_exists<'s, 'a>(
    cx: &Ctxt,
    side: &Side<'s, 'a>,
    lit: &LitStr,
) -> Option<&'s Field<'a>> {
    let target = side.target;
    let found = target.fields.iter().find(|f| f.rust_name == lit.value());
    if found.is_none() {
        cx.error_spanned_by(
            lit,
            format_args!(
                "`{}` has no field `{}`: `inverse` names the field of `{}` that is the other side of \
                 `{}.{}`",
                target.original.ident,
                lit.value(),
                target.original.ident,
                side.model.original.ident,
                side.field.rust_name
            ),
        );
    }
    found
}

/// `delete_rule = "nullify"` on a required `Ref<T>`.
pub(super) fn nullified_to_one_is_optional(
    cx: &Ctxt,
    side: &Side<'_, '_>,
    explicit: Option<&(DeleteRule, LitStr)>,
    optional: bool,
) {
    if let Some((DeleteRule::Nullify, lit)) = explicit
        && !optional
    {
        let (this, target) = (&side.this, &side.target.original.ident);
        cx.error_spanned_by(
            lit,
            format_args!(
                "`{this}.{}` is a required `Ref<{}>` and cannot be nullified: make it \
                 `Option<Ref<{}>>`, or use `cascade`, `deny` or `no_action`",
                side.field.rust_name, target, target
            ),
        );
    }
}

/// The inverse of a to-one is a `ToMany` of the target back to this model.
pub(super) fn inverse_of_to_one_is_to_many(
    cx: &Ctxt,
    side: &Side<'_, '_>,
    lit: &LitStr,
    other: &Field<'_>,
) -> Option<()> {
    if matches!(other.kind, FieldKind::ToMany { target } if side.targets_this(target)) {
        return Some(());
    }
    let (this, target) = (&side.this, &side.target.original.ident);
    cx.error_spanned_by(
        lit,
        format_args!(
            "the inverse of `{this}.{}` must be a `ToMany<{this}>` field of `{}`, but \
             `{}.{}` is `{}`",
            side.field.rust_name,
            target,
            target,
            other.rust_name,
            shown(&other.original.ty)
        ),
    );
    None
}

/// `other`, the field this one names as its inverse with `lit`, names this
/// field back or names no inverse.
pub(super) fn names_back(
    cx: &Ctxt,
    side: &Side<'_, '_>,
    lit: &LitStr,
    other: &Field<'_>,
) -> Option<()> {
    let Some(back) = inverse_of(other) else {
        return Some(());
    };
    if back.value() == side.field.rust_name {
        return Some(());
    }
    cx.error_spanned_by(
        lit,
        format_args!(
            "`{}.{}` names `{}.{}` as its inverse, but that field names `{}`: \
             the two sides of a relationship must name each other",
            side.this,
            side.field.rust_name,
            side.target.original.ident,
            other.rust_name,
            back.value()
        ),
    );
    None
}

/// Both sides of a to-one give the same delete rule, if both give one.
pub(super) fn delete_rules_agree(
    cx: &Ctxt,
    side: &Side<'_, '_>,
    explicit: Option<&(DeleteRule, LitStr)>,
    other: Option<&Field<'_>>,
    other_rule: Option<&(DeleteRule, LitStr)>,
) {
    if let (Some((mine, lit)), Some((theirs, _))) = (explicit, other_rule)
        && mine != theirs
    {
        let (this, target) = (&side.this, &side.target.original.ident);
        cx.error_spanned_by(
            lit,
            format_args!(
                "delete rules contradict: `{this}.{}` says `{}` and `{}.{}` says `{}`, but both \
                 decide what happens to `{this}` records when their `{}` is deleted; keep one of them",
                side.field.rust_name,
                mine.name(),
                target,
                other.map(|o| o.rust_name.as_str()).unwrap_or_default(),
                theirs.name(),
                target
            ),
        );
    }
}

/// `delete_rule = "nullify"` on a `ToMany` whose inverse is a required `Ref<T>`.
pub(super) fn nullified_inverse_is_optional(
    cx: &Ctxt,
    side: &Side<'_, '_>,
    other: &Field<'_>,
    explicit: Option<&(DeleteRule, LitStr)>,
    optional: bool,
) {
    if let Some((DeleteRule::Nullify, lit)) = explicit
        && !optional
    {
        let this = &side.this;
        cx.error_spanned_by(
            lit,
            format_args!(
                "`{}.{}` is a required `Ref<{this}>`, so deleting a `{this}` cannot \
                 nullify it: make it `Option<Ref<{this}>>`, or use `cascade`, `deny` or \
                 `no_action`",
                side.target.original.ident, other.rust_name
            ),
        );
    }
}

/// The inverse of a `ToMany` is a relationship of the target back to this model.
pub(super) fn inverse_of_to_many_is_relationship(
    cx: &Ctxt,
    side: &Side<'_, '_>,
    lit: &LitStr,
    other: &Field<'_>,
) {
    let (this, target) = (&side.this, &side.target.original.ident);
    cx.error_spanned_by(
        lit,
        format_args!(
            "the inverse of `{this}.{}` must be a `Ref<{this}>`, `Option<Ref<{this}>>` \
             or `ToMany<{this}>` field of `{}`, but `{}.{}` is `{}`",
            side.field.rust_name,
            target,
            target,
            other.rust_name,
            shown(&other.original.ty)
        ),
    );
}

/// A `ToMany` without `inverse` is a many-to-many, so no to-one of the target
/// back to this model may be left without its `ToMany`: one that names no
/// inverse and that no other `ToMany` of this model claims.
pub(super) fn to_many_needs_no_inverse(cx: &Ctxt, side: &Side<'_, '_>) -> Option<()> {
    let claimed = |name: &str| {
        side.model
            .fields
            .iter()
            .any(|f| inverse_of(f).is_some_and(|i| i.value() == name))
    };
    let unclaimed = side.target.fields.iter().find(|f| {
        matches!(f.kind, FieldKind::ToOne { target, .. } if side.targets_this(target))
            && inverse_of(f).is_none()
            && !claimed(&f.rust_name)
    });
    let Some(first) = unclaimed.map(|f| &f.rust_name) else {
        return Some(());
    };
    let this = &side.this;
    cx.error_spanned_by(
        side.field.ident,
        format_args!(
            "`{this}.{}` needs `#[relationship(inverse = \"{first}\")]`: `{}.{first}` \
             refers to `{this}`, and a `ToMany` is the other side of a to-one",
            side.field.rust_name, side.target.original.ident
        ),
    );
    None
}

/// A many-to-many only unlinks on delete.
pub(super) fn many_to_many_rule(
    cx: &Ctxt,
    side: &Side<'_, '_>,
    explicit: Option<&(DeleteRule, LitStr)>,
) {
    if let Some((rule, lit)) = explicit
        && *rule != DeleteRule::Nullify
    {
        let (this, field) = (&side.this, &side.field.rust_name);
        cx.error_spanned_by(
            lit,
            format_args!(
                "`{this}.{field}` is a many-to-many, whose only delete rule is `nullify`: deleting a record \
                 unlinks it; remove `delete_rule`"
            ),
        );
    }
}
