//! The static descriptors of a schema's entities, attributes and relationships.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;

use crate::ast::{self, FieldKind};
use crate::attr::DefaultLit;
use crate::relationships::Resolution;

pub(super) fn entity_descriptor(model: &ast::Model<'_>, index: usize) -> TokenStream {
    let p = quote!(::staged::__private);
    let name = &model.name;
    let original_name = option_str(model.original_name.as_ref().map(syn::LitStr::value));
    let attributes = format_ident!("__STAGED_ATTRIBUTES_{}", index);
    let has_to_many = model
        .fields
        .iter()
        .any(|f| matches!(f.kind, FieldKind::ToMany { .. }));
    let relationships = if has_to_many {
        let relationships = format_ident!("__STAGED_RELATIONSHIPS_{}", index);
        quote!(&#relationships)
    } else {
        quote!(&[])
    };
    if !model.constraints.is_empty() {
        let constraints = format_ident!("__STAGED_CONSTRAINTS_{}", index);
        let removed = removed_names(&model.removed);
        quote!(#p::EntityDescriptor::__with_constraints(
            #name, #original_name, &#attributes, #relationships, #removed, &#constraints,
        ))
    } else if !model.removed.is_empty() {
        let removed = removed_names(&model.removed);
        quote!(#p::EntityDescriptor::__new(#name, #original_name, &#attributes, #relationships, #removed))
    } else if has_to_many {
        quote!(#p::EntityDescriptor::with_relationships(#name, #original_name, &#attributes, #relationships))
    } else {
        quote!(#p::EntityDescriptor::new(#name, #original_name, &#attributes))
    }
}

/// The `RelationshipDescriptor`s of a model's `ToMany` fields.
pub(super) fn relationship_descriptors(
    model: &ast::Model<'_>,
    index: usize,
    resolution: &Resolution,
) -> Vec<TokenStream> {
    let p = quote!(::staged::__private);
    model
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f.kind, FieldKind::ToMany { .. }))
        .map(|(fi, field)| {
            let resolved = &resolution[&(index, fi)];
            let name = &field.name;
            let original_name = option_str(
                field
                    .args
                    .relationship
                    .as_ref()
                    .and_then(|r| r.original_name.as_ref())
                    .map(syn::LitStr::value),
            );
            let target = &resolved.target_entity;
            let kind = if resolved.many_to_many {
                format_ident!("ManyToMany")
            } else {
                format_ident!("OneToMany")
            };
            let inverse = option_str(resolved.inverse.clone());
            let rule = format_ident!("{}", resolved.delete_rule.variant_name());
            quote! {
                #p::RelationshipDescriptor::new(
                    #name, #original_name, #target, #p::ToManyKind::#kind, #inverse, #p::DeleteRule::#rule,
                )
            }
        })
        .collect()
}

pub(super) fn attribute_descriptors(
    model: &ast::Model<'_>,
    index: usize,
    resolution: &Resolution,
) -> Vec<TokenStream> {
    let p = quote!(::staged::__private);
    model.fields.iter().enumerate().filter(|(_, f)| f.is_stored()).map(|(fi, field)| {
        let name = &field.name;
        let original_name = option_str(field.args.original_name.as_ref().map(syn::LitStr::value));
        let ty = match &field.kind {
            FieldKind::Scalar { scalar, .. } => format_ident!("{}", scalar.variant_name()),
            FieldKind::Json { .. } => format_ident!("Json"),
            FieldKind::Stored { ty, optional } => return stored_descriptor(field, ty, *optional),
            FieldKind::ToOne { optional, .. } => {
                let resolved = &resolution[&(index, fi)];
                let original_name = option_str(
                    field
                        .args
                        .relationship
                        .as_ref()
                        .and_then(|r| r.original_name.as_ref())
                        .map(syn::LitStr::value),
                );
                let target = &resolved.target_entity;
                let rule = format_ident!("{}", resolved.delete_rule.variant_name());
                let inverse = option_str(resolved.inverse.clone());
                return quote! {
                    #p::AttributeDescriptor::__to_one(
                        #name, #original_name, #optional,
                        #p::Reference::new(#target, #p::DeleteRule::#rule, #inverse),
                    )
                };
            }
            FieldKind::Transient
            | FieldKind::ToMany { .. }
            | FieldKind::Unsupported { .. }
            | FieldKind::Generic => {
                unreachable!("only scalar, json and to-one fields are stored")
            }
        };
        let optional = field.is_optional();
        let unique = field.args.unique.is_some();
        let indexed = field.args.index.is_some();
        let default = match field.default() {
            None => quote!(::core::option::Option::None),
            Some(lit) => {
                let value = default_value(lit, &field.kind);
                quote!(::core::option::Option::Some(#value))
            }
        };
        let descriptor = quote! {
            #p::AttributeDescriptor::__new(
                #name, #original_name, #p::AttributeType::#ty, #optional, #unique, #indexed, #default,
            )
        };
        match &field.kind {
            FieldKind::Json { .. } => json_shape(descriptor, field),
            _ => descriptor,
        }
    }).collect()
}

/// The descriptor of an attribute stored through `StoredValue`: its stored
/// type and its type's identity, read from the impl (a type without one
/// fails to compile here, at the field's type).
fn stored_descriptor(field: &ast::Field<'_>, ty: &syn::Type, optional: bool) -> TokenStream {
    let p = quote!(::staged::__private);
    let name = &field.name;
    let original_name = option_str(field.args.original_name.as_ref().map(syn::LitStr::value));
    let unique = field.args.unique.is_some();
    let indexed = field.args.index.is_some();
    let stored = quote_spanned!(ty.span()=> #p::stored_type::<#ty>());
    let identity = quote_spanned!(ty.span()=> #p::user_type::<#ty>());
    quote! {
        #p::AttributeDescriptor::__new(
            #name, #original_name, #stored, #optional, #unique, #indexed, ::core::option::Option::None,
        ).__with_user_type(#identity)
    }
}

/// A json attribute's descriptor with the function that traces the serde
/// shape of its type (the type inside `Option` for an optional one).
fn json_shape(descriptor: TokenStream, field: &ast::Field<'_>) -> TokenStream {
    let p = quote!(::staged::__private);
    let ty = &field.original.ty;
    let traced = crate::ty::option_inner(ty).unwrap_or(ty);
    quote! {
        #descriptor.__with_json_shape(#p::trace_json::<#traced>)
    }
}

/// The `Constraint`s of a model's `#[model(unique(…), index(…))]`; members
/// are named by their stored names.
pub(super) fn constraint_descriptors(model: &ast::Model<'_>) -> Vec<TokenStream> {
    let p = quote!(::staged::__private);
    model
        .constraints
        .iter()
        .map(|constraint| {
            let unique = constraint.unique;
            let members = constraint.members.iter().map(|member| {
                let name = syn::ext::IdentExt::unraw(member).to_string();
                let stored = model
                    .fields
                    .iter()
                    .find(|f| f.rust_name == name)
                    .map_or(name, |f| f.name.clone());
                quote!(#p::Cow::Borrowed(#stored))
            });
            quote!(#p::Constraint::__new(#unique, &[#(#members),*]))
        })
        .collect()
}

fn default_value(lit: &DefaultLit, kind: &FieldKind<'_>) -> TokenStream {
    let p = quote!(::staged::__private);
    let is_real = matches!(
        kind,
        FieldKind::Scalar {
            scalar: ast::Scalar::F32 | ast::Scalar::F64,
            ..
        }
    );
    match lit {
        DefaultLit::Bool(b) => quote!(#p::DefaultValue::Bool(#b)),
        DefaultLit::Int(i) if is_real => {
            #[allow(clippy::cast_precision_loss)]
            let f = *i as f64;
            quote!(#p::DefaultValue::Real(#f))
        }
        DefaultLit::Int(i) => {
            let i = i64::try_from(*i).unwrap_or_default();
            quote!(#p::DefaultValue::Integer(#i))
        }
        DefaultLit::Float(f) => quote!(#p::DefaultValue::Real(#f)),
        DefaultLit::Str(s) => quote!(#p::DefaultValue::text(#s)),
    }
}

/// `&[Cow::Borrowed("a"), …]`: the names of a `removed(…)`, without `r#`.
pub(super) fn removed_names(removed: &[syn::Ident]) -> TokenStream {
    use syn::ext::IdentExt;
    let names = removed.iter().map(|ident| ident.unraw().to_string());
    quote!(&[#(::std::borrow::Cow::Borrowed(#names)),*])
}

pub(super) fn option_str(value: Option<String>) -> TokenStream {
    match value {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}
