//! Checks across a schema module that parsing alone cannot make.

use std::collections::HashMap;

use proc_macro2::Span;

use crate::ast::{self, FieldKind, Scalar, Schema};
use crate::attr::DefaultLit;
use crate::ctxt::Ctxt;

use staged_vocabulary::{ID_COLUMN, is_reserved_entity_name, parse_version};

/// A parsed `MAJOR.MINOR.PATCH`.
pub type Version = (u64, u64, u64);

const EMPTY_ORIGINAL_NAME: &str =
    "`original_name` cannot be empty: write the name this had in the previous version";

pub fn check(cx: &Ctxt, schema: &Schema<'_>) -> Option<Version> {
    check_field_types(cx, schema);
    let version = check_version(cx, schema);
    check_entity_names(cx, schema);
    for model in &schema.models {
        check_fields(cx, model);
        check_constraints(cx, model);
    }
    check_hooks(cx, schema);
    check_removed(cx, schema);
    version
}

/// `removed(…)` names what the previous version had and this one drops: a
/// name this version still declares is a mistake.
fn check_removed(cx: &Ctxt, schema: &Schema<'_>) {
    use syn::ext::IdentExt;
    for ident in &schema.removed {
        let name = ident.unraw().to_string();
        if schema.models.iter().any(|m| m.name == name) {
            cx.error_spanned_by(
                ident,
                format_args!(
                    "`{name}` is a model of this version; `removed(…)` names entities of the previous version \
                     that this one deletes: remove `{name}` from it, or the model"
                ),
            );
        }
    }
    for model in &schema.models {
        for ident in &model.removed {
            let name = ident.unraw().to_string();
            if model
                .fields
                .iter()
                .any(|f| f.name == name && !matches!(f.kind, FieldKind::Transient))
            {
                cx.error_spanned_by(
                    ident,
                    format_args!(
                        "`{name}` is a field of `{}`; `removed(…)` names attributes and relationships of the \
                         previous version that this one deletes: remove `{name}` from it, or the field",
                        model.name
                    ),
                );
            }
        }
    }
}

fn check_hooks(cx: &Ctxt, schema: &Schema<'_>) {
    let mut transformed: HashMap<String, &syn::Ident> = HashMap::new();
    for hook in &schema.hooks {
        let name = hook.kind.name();
        if schema.previous.is_none() {
            cx.error_spanned_by(
                hook.attr,
                format_args!(
                    "`#[{name}]` needs the previous schema: add `previous = <module>` to `#[versioned_schema(…)]`, \
                     e.g. `#[versioned_schema(version = \"2.0.0\", previous = v1)]`"
                ),
            );
        }
        if !matches!(hook.attr.meta, syn::Meta::Path(_)) {
            cx.error_spanned_by(hook.attr, format_args!("`#[{name}]` takes no arguments"));
        }
        let sig = &hook.func.sig;
        if sig.asyncness.is_some() || !sig.generics.params.is_empty() {
            cx.error_spanned_by(
                &sig.ident,
                format_args!(
                    "a `#[{name}]` hook is a plain, non-generic, non-async `{}`",
                    hook.kind.signature()
                ),
            );
        }
        if !hook.kind.accepts(sig.inputs.len()) {
            cx.error_spanned_by(
                &sig.inputs,
                format_args!(
                    "a `#[{name}]` hook takes {} argument{}: `{}`",
                    hook.kind.arity(),
                    if hook.kind.arity() == 1 { "" } else { "s" },
                    hook.kind.signature()
                ),
            );
        }
        if hook.kind == crate::hooks::HookKind::Transform
            && let Some(input) = hook.input()
        {
            let key = quote::quote!(#input).to_string();
            if let Some(first) = transformed.insert(key.clone(), &sig.ident) {
                cx.error_spanned_by(
                    &sig.ident,
                    format_args!(
                        "`{first}` already transforms `{}`: one `#[transform]` per old model; merge the two",
                        key.replace(' ', "")
                    ),
                );
            }
        }
    }
}

/// Fields whose type no column can hold.
fn check_field_types(cx: &Ctxt, schema: &Schema<'_>) {
    for field in schema.models.iter().flat_map(|model| &model.fields) {
        if let FieldKind::Unsupported { error } = &field.kind {
            cx.syn_error(error.clone());
        }
    }
}

fn check_version(cx: &Ctxt, schema: &Schema<'_>) -> Option<Version> {
    let Some(lit) = &schema.version else {
        cx.error_at(
            Span::call_site(),
            "missing schema version: write `#[versioned_schema(version = \"MAJOR.MINOR.PATCH\")]`",
        );
        return None;
    };
    let version = parse_version(&lit.value());
    if version.is_none() {
        cx.error_spanned_by(
            lit,
            format_args!(
                "invalid version `{}`: expected `MAJOR.MINOR.PATCH`, e.g. `1.0.0`",
                lit.value()
            ),
        );
    }
    version
}

fn check_entity_names(cx: &Ctxt, schema: &Schema<'_>) {
    let mut seen: HashMap<String, &ast::Model<'_>> = HashMap::new();
    for model in &schema.models {
        if model.name.is_empty() {
            cx.error_at(
                model.name_span,
                "an entity name cannot be empty; remove `name = \"\"` to use the struct's name",
            );
            continue;
        }
        let lower = model.name.to_lowercase();
        if is_reserved_entity_name(&model.name) {
            cx.error_at(
                model.name_span,
                format_args!(
                    "entity name `{}` is reserved: names starting with `_staged` or `sqlite_` belong to the store; \
                     choose another name with `#[model(name = \"…\")]`",
                    model.name
                ),
            );
        }
        if let Some(first) = seen.get(&lower) {
            cx.error_at(
                model.name_span,
                format_args!(
                    "duplicate entity name `{}`: struct `{}` is already stored as `{}`; entity names must be \
                     unique in a schema, ignoring case as SQLite does; rename one with `#[model(name = \"…\")]`",
                    model.name, first.original.ident, first.name
                ),
            );
        } else {
            seen.insert(lower, model);
        }
    }
}

fn check_fields(cx: &Ctxt, model: &ast::Model<'_>) {
    let mut stored: HashMap<String, &ast::Field<'_>> = HashMap::new();
    let mut originals: HashMap<String, &str> = HashMap::new();
    for field in &model.fields {
        let args = &field.args;
        if let (Some(_), Some(attribute)) = (&args.transient, &args.attribute) {
            cx.error_spanned_by(
                attribute,
                "a `#[transient]` field is not stored and takes no `#[attribute(…)]` options; remove \
                 `#[attribute(…)]`, or `#[transient]` to store the field",
            );
            continue;
        }
        if !field.is_stored() {
            continue;
        }
        if field.name == ID_COLUMN {
            cx.error_spanned_by(
                field.ident,
                format_args!(
                    "`{ID_COLUMN}` is reserved for the persistent id of every record (see `Record::id`); rename the field"
                ),
            );
        }
        if let Some(first) = stored.insert(field.name.to_lowercase(), field) {
            cx.error_spanned_by(
                field.ident,
                format_args!(
                    "fields {} and {} have the same stored name: SQLite column names ignore case; \
                     rename one of them",
                    shown_field(first),
                    shown_field(field)
                ),
            );
        }
        let original = args.original_name.as_ref().or(args
            .relationship
            .as_ref()
            .and_then(|r| r.original_name.as_ref()));
        if let Some(original) = original {
            let value = original.value();
            if value.is_empty() {
                cx.error_spanned_by(original, EMPTY_ORIGINAL_NAME);
            } else if let Some(first) = originals.insert(value.to_lowercase(), &field.name) {
                cx.error_spanned_by(
                    original,
                    format_args!(
                        "`{first}` and `{}` both claim `original_name = \"{value}\"`: only one attribute can be \
                         renamed from it",
                        field.name
                    ),
                );
            }
        }
        if let Some(name) = &args.name
            && name.value().is_empty()
        {
            cx.error_spanned_by(
                name,
                "`name` cannot be empty: write the name the column is stored under, or remove `name`",
            );
        }
        check_default(cx, field);
    }
    if let Some(original) = &model.original_name
        && original.value().is_empty()
    {
        cx.error_spanned_by(original, EMPTY_ORIGINAL_NAME);
    }
}

/// "`title`", or "`created_at` (stored as `createdAt`)".
fn shown_field(field: &ast::Field<'_>) -> String {
    if field.name == field.rust_name {
        format!("`{}`", field.name)
    } else {
        format!("`{}` (stored as `{}`)", field.rust_name, field.name)
    }
}

/// `#[model(unique(…), index(…))]`: each lists at least two stored fields
/// (or, for `unique`, one to-one relationship: a one-to-one)
/// of the model (attributes or to-ones), each once, and no constraint is
/// declared twice.
fn check_constraints(cx: &Ctxt, model: &ast::Model<'_>) {
    let mut seen: Vec<(bool, Vec<String>)> = Vec::new();
    for constraint in &model.constraints {
        let kind = constraint.kind();
        match constraint.members.as_slice() {
            [] => {
                cx.error_spanned_by(
                    &constraint.keyword,
                    format_args!(
                        "`{kind}()` is empty: list the fields it covers together, `{kind}(a, b)`"
                    ),
                );
                continue;
            }
            [only] => {
                let name = syn::ext::IdentExt::unraw(only).to_string();
                let to_one = model
                    .fields
                    .iter()
                    .any(|f| f.rust_name == name && matches!(f.kind, FieldKind::ToOne { .. }));
                match (constraint.unique, to_one) {
                    // `#[attribute(unique)]` does not apply to a relationship:
                    // a one-to-one is declared here.
                    (true, true) => {}
                    (false, true) => cx.error_spanned_by(
                        only,
                        format_args!(
                            "`index({only})`: a to-one relationship's column is indexed already; remove it"
                        ),
                    ),
                    _ => cx.error_spanned_by(
                        only,
                        format_args!(
                            "`{kind}({only})` covers one field: write `#[attribute({kind})]` on `{only}` instead"
                        ),
                    ),
                }
            }
            _ => {}
        }
        let mut members: Vec<String> = Vec::new();
        let mut valid = true;
        for member in &constraint.members {
            let name = syn::ext::IdentExt::unraw(member).to_string();
            if members.contains(&name) {
                cx.error_spanned_by(
                    member,
                    format_args!("`{name}` is listed twice in `{kind}(…)`; remove one"),
                );
                valid = false;
            }
            members.push(name.clone());
            let Some(field) = model.fields.iter().find(|f| f.rust_name == name) else {
                let stored: Vec<String> = model
                    .fields
                    .iter()
                    .filter(|f| f.is_stored())
                    .map(|f| format!("`{}`", f.rust_name))
                    .collect();
                cx.error_spanned_by(
                    member,
                    format_args!(
                        "`{kind}(…)` names `{name}`, which is not a field of `{}`; expected one of {}",
                        model.name,
                        stored.join(", ")
                    ),
                );
                valid = false;
                continue;
            };
            let problem = match field.kind {
                FieldKind::ToMany { .. } => Some(
                    "a `ToMany` has no column of this entity's table; `{kind}(…)` takes attributes and \
                     to-one relationships (`Ref<…>`)",
                ),
                FieldKind::Transient => Some(
                    "a `#[transient]` field is not stored; `{kind}(…)` takes stored attributes and \
                     to-one relationships (`Ref<…>`)",
                ),
                _ => None,
            };
            if let Some(problem) = problem {
                cx.error_spanned_by(
                    member,
                    format_args!("`{name}`: {}", problem.replace("{kind}", kind)),
                );
                valid = false;
            }
        }
        if !valid || members.is_empty() {
            continue;
        }
        // A unique constraint is a set of fields; an index is ordered.
        let mut key = members.clone();
        if constraint.unique {
            key.sort();
        }
        if seen.contains(&(constraint.unique, key.clone())) {
            cx.error_spanned_by(
                &constraint.keyword,
                format_args!(
                    "duplicate `{kind}({})` on `{}`; remove one",
                    members.join(", "),
                    model.name
                ),
            );
        }
        seen.push((constraint.unique, key));
    }
}

fn check_default(cx: &Ctxt, field: &ast::Field<'_>) {
    let Some(default) = field.default() else {
        return;
    };
    let at = ast::default_tokens(field);
    let mismatch = |expected: &str| {
        cx.error_spanned_by(
            &at,
            format_args!(
                "`default` of `{}: {}` must be {expected}",
                field.name,
                ast::shown(&field.original.ty)
            ),
        );
    };
    match (&field.kind, default) {
        (FieldKind::Json { .. }, DefaultLit::Str(text)) => {
            if let Err(error) = serde_json::from_str::<serde_json::Value>(text) {
                cx.error_spanned_by(
                    &at,
                    format_args!(
                        "`default` of json attribute `{}` is not valid JSON: {error}",
                        field.name
                    ),
                );
            }
        }
        (FieldKind::Json { .. }, _) => {
            mismatch("a string holding JSON text, e.g. `default = \"[]\"`")
        }
        (FieldKind::Stored { .. }, _) => cx.error_spanned_by(
            &at,
            format_args!(
                "`{}: {}` cannot have a `default`: a `StoredValue` or `StoredEnum` has no literal; make the \
                 field an `Option`, or fill it in a custom stage's `transform`",
                field.name,
                ast::shown(&field.original.ty)
            ),
        ),
        (FieldKind::Scalar { scalar, .. }, _) if scalar.is_value_type() => cx.error_spanned_by(
            &at,
            format_args!(
                "`{}: {}` cannot have a `default`: a value type has no literal; make the field an `Option`, \
                 or fill it in a custom stage's `transform`",
                field.name,
                ast::shown(&field.original.ty)
            ),
        ),
        (FieldKind::Scalar { scalar, .. }, lit) => match (scalar, lit) {
            (Scalar::Bool, DefaultLit::Bool(_))
            | (Scalar::Text, DefaultLit::Str(_))
            | (Scalar::F32 | Scalar::F64, DefaultLit::Float(_) | DefaultLit::Int(_)) => {}
            (Scalar::Bool, _) => mismatch("`true` or `false`"),
            (Scalar::Text, _) => mismatch("a string literal"),
            (Scalar::F32 | Scalar::F64, _) => mismatch("a number"),
            (Scalar::Bytes, _) => cx.error_spanned_by(
                &at,
                "`Vec<u8>` attributes cannot have a `default`; remove it, or make the field an `Option`",
            ),
            (integer, DefaultLit::Int(value)) => {
                let (min, max) = integer
                    .integer_range()
                    .expect("the remaining scalars are integers");
                if !(i128::from(min)..=i128::from(max)).contains(value) {
                    cx.error_spanned_by(
                        &at,
                        format_args!(
                            "`default = {value}` is out of range for `{}: {}`: the default must be in \
                             {min}..={max}",
                            field.name,
                            integer.rust_type(),
                        ),
                    );
                }
            }
            _ => mismatch("an integer"),
        },
        (
            FieldKind::Transient
            | FieldKind::ToOne { .. }
            | FieldKind::ToMany { .. }
            | FieldKind::Unsupported { .. }
            | FieldKind::Generic,
            _,
        ) => {}
    }
}
