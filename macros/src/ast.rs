//! The syntax tree of a schema module, borrowing from syn's so that every
//! later error can point at the original tokens.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Ident, Item, ItemMod, ItemStruct, LitStr, Type};

use crate::attr::{self, DefaultLit, FieldArgs};
use crate::ctxt::Ctxt;
use crate::ty;

pub use crate::ty::shown;
pub use staged_vocabulary::ScalarType as Scalar;

/// A `#[versioned_schema]` module.
pub struct Schema<'a> {
    /// The module's name.
    pub ident: &'a Ident,
    pub version: Option<LitStr>,
    /// `previous = …`, the preceding schema module.
    pub previous: Option<syn::Path>,
    pub models: Vec<Model<'a>>,
    /// Migration hooks declared in the module, in declaration order.
    pub hooks: Vec<crate::hooks::Hook<'a>>,
    /// `removed(…)`: entities of the previous version deleted on purpose.
    pub removed: Vec<Ident>,
    /// `hash_modifier = "…"`.
    pub hash_modifier: Option<LitStr>,
}

/// A `#[model]` struct.
pub struct Model<'a> {
    pub original: &'a ItemStruct,
    /// The entity name: `#[model(name)]` or the struct's name.
    pub name: String,
    /// What to point at in errors about the name.
    pub name_span: Span,
    pub original_name: Option<LitStr>,
    pub fields: Vec<Field<'a>>,
    /// `removed(…)`: attributes and relationships of the previous version deleted on purpose.
    pub removed: Vec<Ident>,
    /// `#[model(unique(…), index(…))]`: compound constraints, in declaration order.
    pub constraints: Vec<attr::ConstraintArgs>,
}

/// A field of a model.
pub struct Field<'a> {
    pub original: &'a syn::Field,
    pub ident: &'a Ident,
    /// The stored name: `#[attribute(name = "…")]`, or the field's
    /// identifier without `r#`.
    pub name: String,
    /// The field's identifier without `r#`: what `inverse = "…"` and
    /// `#[model(unique(…), index(…))]` name.
    pub rust_name: String,
    pub kind: FieldKind<'a>,
    pub args: FieldArgs,
}

/// How a field is stored.
pub enum FieldKind<'a> {
    /// A column of a scalar type.
    Scalar { scalar: Scalar, optional: bool },
    /// A column of a user's type, stored through its `StoredValue` impl
    /// (`ty` is the type inside any `Option`).
    Stored { ty: &'a Type, optional: bool },
    /// A JSON text column.
    Json { optional: bool },
    /// A to-one relationship: `Ref<T>` or `Option<Ref<T>>`, stored as an id column.
    ToOne { target: &'a Type, optional: bool },
    /// A to-many relationship: `ToMany<T>`, not a column of this table.
    ToMany { target: &'a Type },
    /// `#[transient]`: not stored.
    Transient,
    /// A type no column can hold; validation reports `error`, later checks
    /// and expansion skip the field.
    Unsupported { error: syn::Error },
    /// A type naming a generic parameter of the struct: the generics are the
    /// error (reported while parsing), so the field is not checked further.
    Generic,
}

impl Field<'_> {
    /// Whether the field has a column.
    pub fn is_stored(&self) -> bool {
        matches!(
            self.kind,
            FieldKind::Scalar { .. }
                | FieldKind::Stored { .. }
                | FieldKind::Json { .. }
                | FieldKind::ToOne { .. }
        )
    }

    /// Whether the column may be NULL.
    pub fn is_optional(&self) -> bool {
        matches!(
            self.kind,
            FieldKind::Scalar { optional: true, .. }
                | FieldKind::Stored { optional: true, .. }
                | FieldKind::Json { optional: true }
                | FieldKind::ToOne { optional: true, .. }
        )
    }

    /// The target type of a relationship field.
    pub fn relationship_target(&self) -> Option<&Type> {
        match self.kind {
            FieldKind::ToOne { target, .. } | FieldKind::ToMany { target } => Some(target),
            _ => None,
        }
    }

    /// The default literal, if any.
    pub fn default(&self) -> Option<&DefaultLit> {
        self.args.default.as_ref().map(|(lit, _)| lit)
    }
}

/// Parses the module's `#[model]` structs; other items are left alone.
pub fn parse<'a>(
    cx: &Ctxt,
    version: Option<LitStr>,
    previous: Option<syn::Path>,
    module: &'a ItemMod,
) -> Schema<'a> {
    let mut models = Vec::new();
    let Some((_, items)) = &module.content else {
        cx.error_spanned_by(
            module,
            "`#[versioned_schema]` goes on an inline module with a body: `mod v1 { … }`",
        );
        return Schema {
            ident: &module.ident,
            version,
            previous,
            models,
            hooks: Vec::new(),
            removed: Vec::new(),
            hash_modifier: None,
        };
    };
    for item in items {
        match item {
            Item::Struct(item) => {
                if let Some(model_attr) = item.attrs.iter().find(|a| attr::is_model(a)) {
                    models.push(parse_model(cx, model_attr, item));
                }
            }
            other => reject_model_on(cx, other),
        }
    }
    Schema {
        ident: &module.ident,
        version,
        previous,
        models,
        hooks: crate::hooks::parse(items),
        removed: Vec::new(),
        hash_modifier: None,
    }
}

/// `#[model]` on an item that is not a struct: one error here, and `emit`
/// strips the attribute so that `#[model]` itself does not add another.
fn reject_model_on(cx: &Ctxt, item: &Item) {
    let Some(attrs) = item_attrs(item) else {
        return;
    };
    if let Some(attr) = attrs.iter().find(|a| attr::is_model(a)) {
        cx.error_spanned_by(
            attr,
            format_args!(
                "`#[model]` goes on a struct with named fields, not on {}",
                item_kind(item)
            ),
        );
    }
}

/// The attributes of an item that can carry them.
pub fn item_attrs(item: &Item) -> Option<&Vec<syn::Attribute>> {
    Some(match item {
        Item::Const(item) => &item.attrs,
        Item::Enum(item) => &item.attrs,
        Item::ExternCrate(item) => &item.attrs,
        Item::Fn(item) => &item.attrs,
        Item::ForeignMod(item) => &item.attrs,
        Item::Impl(item) => &item.attrs,
        Item::Macro(item) => &item.attrs,
        Item::Mod(item) => &item.attrs,
        Item::Static(item) => &item.attrs,
        Item::Struct(item) => &item.attrs,
        Item::Trait(item) => &item.attrs,
        Item::TraitAlias(item) => &item.attrs,
        Item::Type(item) => &item.attrs,
        Item::Union(item) => &item.attrs,
        Item::Use(item) => &item.attrs,
        _ => return None,
    })
}

/// The attributes of an item that can carry them, mutably.
pub fn item_attrs_mut(item: &mut Item) -> Option<&mut Vec<syn::Attribute>> {
    Some(match item {
        Item::Const(item) => &mut item.attrs,
        Item::Enum(item) => &mut item.attrs,
        Item::ExternCrate(item) => &mut item.attrs,
        Item::Fn(item) => &mut item.attrs,
        Item::ForeignMod(item) => &mut item.attrs,
        Item::Impl(item) => &mut item.attrs,
        Item::Macro(item) => &mut item.attrs,
        Item::Mod(item) => &mut item.attrs,
        Item::Static(item) => &mut item.attrs,
        Item::Struct(item) => &mut item.attrs,
        Item::Trait(item) => &mut item.attrs,
        Item::TraitAlias(item) => &mut item.attrs,
        Item::Type(item) => &mut item.attrs,
        Item::Union(item) => &mut item.attrs,
        Item::Use(item) => &mut item.attrs,
        _ => return None,
    })
}

/// "an enum", "a function", …: what an item is, for messages.
pub fn item_kind(item: &Item) -> &'static str {
    match item {
        Item::Const(_) => "a constant",
        Item::Enum(_) => "an enum",
        Item::ExternCrate(_) => "an `extern crate`",
        Item::Fn(_) => "a function",
        Item::ForeignMod(_) => "an `extern` block",
        Item::Impl(_) => "an impl block",
        Item::Macro(_) => "a macro",
        Item::Mod(_) => "a module",
        Item::Static(_) => "a static",
        Item::Struct(_) => "a struct",
        Item::Trait(_) | Item::TraitAlias(_) => "a trait",
        Item::Type(_) => "a type alias",
        Item::Union(_) => "a union",
        Item::Use(_) => "a `use` declaration",
        _ => "this item",
    }
}

fn parse_model<'a>(cx: &Ctxt, model_attr: &syn::Attribute, item: &'a ItemStruct) -> Model<'a> {
    let args = attr::parse_model_attr(cx, model_attr);
    let generics = &item.generics;
    if !generics.params.is_empty() {
        cx.error_spanned_by(
            generics,
            "a `#[model]` struct cannot be generic: each model is one stored entity; remove the generic parameters",
        );
    } else if let Some(where_clause) = &generics.where_clause {
        cx.error_spanned_by(
            where_clause,
            "a `#[model]` struct cannot have a `where` clause: each model is one stored entity; remove it",
        );
    }
    // Fields typed by a generic parameter were reported with the generics.
    let params: Vec<String> = generics
        .params
        .iter()
        .filter_map(|param| match param {
            syn::GenericParam::Type(ty) => Some(ty.ident.to_string()),
            syn::GenericParam::Const(c) => Some(c.ident.to_string()),
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect();
    let mut fields = Vec::new();
    match &item.fields {
        syn::Fields::Named(named) => {
            for field in &named.named {
                if let Some(parsed) = parse_field(cx, field, &params) {
                    fields.push(parsed);
                }
            }
        }
        syn::Fields::Unnamed(unnamed) => cx.error_spanned_by(
            unnamed,
            "a `#[model]` struct needs named fields: each field is a stored attribute named after it; \
             write `struct Name { field: Type, … }`",
        ),
        syn::Fields::Unit => cx.error_spanned_by(
            &item.ident,
            "a `#[model]` struct needs named fields: each field is a stored attribute named after it; \
             write `struct Name { field: Type, … }`",
        ),
    }
    let (name, name_span) = match &args.name {
        Some(lit) => (lit.value(), lit.span()),
        None => (item.ident.unraw().to_string(), item.ident.span()),
    };
    Model {
        original: item,
        name,
        name_span,
        original_name: args.original_name,
        fields,
        removed: args.removed,
        constraints: args.constraints,
    }
}

fn parse_field<'a>(cx: &Ctxt, field: &'a syn::Field, params: &[String]) -> Option<Field<'a>> {
    let ident = field.ident.as_ref()?;
    let args = attr::parse_field_attrs(cx, &field.attrs);
    let rust_name = ident.unraw().to_string();
    Some(Field {
        original: field,
        ident,
        name: args
            .name
            .as_ref()
            .map_or_else(|| rust_name.clone(), LitStr::value),
        rust_name,
        kind: field_kind(&field.ty, &args, params),
        args,
    })
}

/// What a field of type `ty` stores, given its options and the struct's
/// generic parameters.
fn field_kind<'a>(ty: &'a Type, args: &FieldArgs, params: &[String]) -> FieldKind<'a> {
    let to_one = match ty::option_inner(ty) {
        Some(inner) => ty::generic_arg(inner, "Ref").map(|t| (t, true)),
        None => ty::generic_arg(ty, "Ref").map(|t| (t, false)),
    };
    if args.transient.is_some() {
        FieldKind::Transient
    } else if let Some((target, optional)) = to_one {
        FieldKind::ToOne { target, optional }
    } else if let Some(target) = ty::generic_arg(ty, "ToMany") {
        FieldKind::ToMany { target }
    } else if args.json.is_some() {
        FieldKind::Json {
            optional: ty::option_inner(ty).is_some(),
        }
    } else if ty::mentions_any(ty, params) {
        FieldKind::Generic
    } else {
        match ty::column(ty) {
            Ok((ty::Column::Scalar(scalar), optional)) => FieldKind::Scalar { scalar, optional },
            Ok((ty::Column::Stored(ty), optional)) => FieldKind::Stored { ty, optional },
            Err(message) => FieldKind::Unsupported {
                error: syn::Error::new_spanned(ty, message),
            },
        }
    }
}

impl Model<'_> {
    /// The stored fields, in declaration order.
    pub fn stored_fields(&self) -> impl Iterator<Item = &Field<'_>> {
        self.fields.iter().filter(|f| f.is_stored())
    }
}

/// What errors about a field's default point at: the `default` expression or,
/// lacking one, the field's type.
pub fn default_tokens(field: &Field<'_>) -> proc_macro2::TokenStream {
    match &field.args.default {
        Some((_, expr)) => quote::quote!(#expr),
        None => {
            let ty = &field.original.ty;
            quote::quote!(#ty)
        }
    }
}
