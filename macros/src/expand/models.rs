//! The per-model items: the `Model` impl and the typed field handles.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;

use crate::ast::{self, FieldKind};

pub(super) fn model_impls(model: &ast::Model<'_>, index: usize) -> TokenStream {
    let p = quote!(::staged::__private);
    let ident = &model.original.ident;
    let entity = &model.name;
    let binds = model.stored_fields().enumerate().map(|(i, field)| {
        let member = field.ident;
        let attribute = &field.name;
        let position = i + 1;
        let helper = match field.kind {
            FieldKind::Json { optional: true } => quote!(bind_json_opt),
            FieldKind::Json { optional: false } => quote!(bind_json),
            FieldKind::Scalar {
                scalar: ast::Scalar::U64,
                optional: true,
            } => quote!(bind_u64_opt),
            FieldKind::Scalar {
                scalar: ast::Scalar::U64,
                optional: false,
            } => quote!(bind_u64),
            FieldKind::Scalar { scalar, optional } if scalar.is_value_type() => {
                if optional {
                    quote!(bind_value_opt)
                } else {
                    quote!(bind_value)
                }
            }
            FieldKind::Stored { optional: true, .. } => quote!(bind_stored_opt),
            FieldKind::Stored {
                optional: false, ..
            } => quote!(bind_stored),
            _ => quote!(bind),
        };
        // A type that is not a `StoredValue` is reported once, at the field's type.
        match field.kind {
            FieldKind::Stored { ty, .. } => quote_spanned! {ty.span()=>
                ::staged::__private::#helper(__statement, #position, &self.#member, #entity, #attribute)?;
            },
            _ => quote!(#p::#helper(__statement, #position, &self.#member, #entity, #attribute)?;),
        }
    });
    let mut column = 0usize;
    let reads = model.fields.iter().map(|field| {
        let member = field.ident;
        let attribute = &field.name;
        let helper = match field.kind {
            FieldKind::Transient => {
                return quote_spanned!(field.original.ty.span()=> #member: ::core::default::Default::default());
            }
            FieldKind::ToMany { .. } => {
                return quote! {
                    #member: #p::ToMany::__loaded(__id, <Self as #p::Model>::entity(), #attribute)
                };
            }
            FieldKind::Json { optional: true } => quote!(read_json_opt),
            FieldKind::Json { optional: false } => quote!(read_json),
            FieldKind::Scalar {
                scalar,
                optional: true,
            } if scalar.is_value_type() => quote!(read_value_opt),
            FieldKind::Scalar { scalar, .. } if scalar.is_value_type() => quote!(read_value),
            FieldKind::Stored { optional: true, .. } => quote!(read_stored_opt),
            FieldKind::Stored { optional: false, .. } => quote!(read_stored),
            FieldKind::Scalar { .. } | FieldKind::ToOne { .. } => quote!(read),
            FieldKind::Unsupported { .. } | FieldKind::Generic => {
                unreachable!("a schema with unsupported field types is not expanded")
            }
        };
        let offset = column;
        column += 1;
        match field.kind {
            FieldKind::Stored { ty, .. } => quote_spanned! {ty.span()=>
                #member: ::staged::__private::#helper(__row, __first + #offset, #entity, #attribute, __id)?
            },
            _ => quote!(#member: #p::#helper(__row, __first + #offset, #entity, #attribute, __id)?),
        }
    });
    quote! {
        #[automatically_derived]
        impl #p::Model for #ident {
            type Schema = Schema;

            fn entity() -> &'static #p::EntityDescriptor {
                &<Schema as #p::VersionedSchema>::descriptor().entities()[#index]
            }

            fn __bind(&self, __statement: &mut #p::rusqlite::Statement<'_>) -> #p::Result<()> {
                #(#binds)*
                ::core::result::Result::Ok(())
            }

            fn __read(
                __row: &#p::rusqlite::Row<'_>,
                __first: ::core::primitive::usize,
                __id: ::core::primitive::i64,
            ) -> #p::Result<Self> {
                ::core::result::Result::Ok(#ident { #(#reads),* })
            }
        }

        #[automatically_derived]
        impl #p::BelongsTo<Schema> for #ident {}
    }
}

/// `Model::fields()` and its struct, with a handle for each of `stored`.
pub(super) fn field_handles(model: &ast::Model<'_>, stored: Vec<&ast::Field<'_>>) -> TokenStream {
    let p = quote!(::staged::__private);
    let ident = &model.original.ident;
    let vis = &model.original.vis;
    let fields_ident = format_ident!("{}Fields", ident);
    let struct_doc = format!(
        "Typed handles on the stored attributes of [`{ident}`], for filters and sort orders."
    );
    let fn_doc = format!(
        "Typed handles on the stored attributes of `{ident}`, for `FetchDescriptor` filters and sorts."
    );
    let members = stored.iter().map(|field| field.ident);
    let names = stored.iter().map(|field| &field.name);
    let tys = stored.iter().map(|field| &field.original.ty);
    let docs = stored
        .iter()
        .map(|field| format!("`{}.{}`", model.name, field.name));
    let members2 = members.clone();
    quote! {
        #[doc = #struct_doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy)]
        #vis struct #fields_ident {
            #(#[doc = #docs] pub #members: #p::Field<#ident, #tys>,)*
        }

        impl #ident {
            #[doc = #fn_doc]
            #vis const fn fields() -> #fields_ident {
                #fields_ident { #(#members2: #p::Field::new(#names)),* }
            }
        }
    }
}
