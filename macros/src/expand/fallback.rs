//! What stands in for the generated items when there are errors.

use proc_macro2::TokenStream;
use quote::quote;

use super::models::field_handles;
use super::schema::{schema_impl, schema_struct};
use crate::ast::{FieldKind, Model, Schema};
use crate::valid::Version;

/// The errors, and stubs of `Schema`, the `Model` impls, the field handles
/// and `stage()`, so that code using them does not add a second wave of
/// unrelated errors.
pub(super) fn fallback(
    error: syn::Error,
    schema: &Schema<'_>,
    version: Option<Version>,
) -> TokenStream {
    let p = quote!(::staged::__private);
    let error = error.to_compile_error();
    let schema_struct = schema_struct(quote!(#[allow(dead_code)]));
    let schema_impl = schema_impl(
        version.unwrap_or_default(),
        unreachable(),
        unreachable(),
        TokenStream::new(),
    );
    let stubbed = schema.models.iter().filter(|model| {
        model.original.generics.params.is_empty()
            && model.original.generics.where_clause.is_none()
            && matches!(model.original.fields, syn::Fields::Named(_))
    });
    let models = stubbed.clone().map(model_stub);
    // Handles for every field but transient ones, including those whose type
    // is unsupported: the error is about the type, not the field's uses.
    let fields = stubbed.map(|model| {
        let handled = model
            .fields
            .iter()
            .filter(|f| !matches!(f.kind, FieldKind::Transient));
        field_handles(model, handled.collect())
    });
    let stage = match &schema.previous {
        Some(_) => {
            let unreachable = unreachable();
            quote! {
                #[allow(dead_code)]
                pub fn stage() -> #p::MigrationStage {
                    #unreachable
                }
            }
        }
        None => TokenStream::new(),
    };
    quote! {
        #error

        #schema_struct

        const _: () = {
            #schema_impl

            #(#models)*
        };

        #(#fields)*

        #stage
    }
}

/// The body of every stubbed function.
fn unreachable() -> TokenStream {
    quote!(::core::unreachable!(
        "`#[versioned_schema]` reported errors"
    ))
}

/// The `Model` and `BelongsTo` impls of a model, stubbed.
fn model_stub(model: &Model<'_>) -> TokenStream {
    let p = quote!(::staged::__private);
    let ident = &model.original.ident;
    let unreachable = unreachable();
    quote! {
        #[automatically_derived]
        impl #p::Model for #ident {
            type Schema = Schema;

            fn entity() -> &'static #p::EntityDescriptor {
                #unreachable
            }

            fn __bind(&self, _: &mut #p::rusqlite::Statement<'_>) -> #p::Result<()> {
                #unreachable
            }

            fn __read(
                _: &#p::rusqlite::Row<'_>,
                _: ::core::primitive::usize,
                _: ::core::primitive::i64,
            ) -> #p::Result<Self> {
                #unreachable
            }
        }

        #[automatically_derived]
        impl #p::BelongsTo<Schema> for #ident {}
    }
}
