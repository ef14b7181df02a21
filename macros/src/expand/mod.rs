//! Code generation for `#[versioned_schema]` and `#[model]`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Item, ItemMod};

use crate::ast::{self, FieldKind, Schema};
use crate::attr;
use crate::ctxt::Ctxt;
use crate::hooks;
use crate::relationships::{self, Resolution};
use crate::valid::{self, Version};

mod descriptors;
mod models;
mod stage;

use descriptors::{attribute_descriptors, entity_descriptor, relationship_descriptors};
use models::{field_handles, model_impls};
use stage::stage_fn;

/// `#[versioned_schema(args)] mod … { … }`.
pub fn versioned_schema(args: TokenStream, input: TokenStream) -> TokenStream {
    let module = match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Mod(module)) => module,
        Ok(item) => {
            let error = syn::Error::new_spanned(
                item_head(&item),
                format_args!(
                    "`#[versioned_schema]` goes on an inline module, not on {}: declare the version's models \
                     in `pub mod v1 {{ … }}`",
                    ast::item_kind(&item)
                ),
            )
            .to_compile_error();
            return quote!(#error #input);
        }
        Err(error) => return error.to_compile_error(),
    };
    let cx = Ctxt::new();
    let schema_args = attr::parse_schema_args(&cx, args);
    let schema = ast::parse(&cx, schema_args.version, schema_args.previous, &module);
    let version = valid::check(&cx, &schema);
    let resolution = relationships::resolve(&cx, &schema);
    let generated = match (cx.check(), version) {
        (Ok(()), Some(version)) => generate(&schema, version, &resolution),
        (Err(error), version) => fallback(error, &schema, version),
        (Ok(()), None) => unreachable!("a missing version is reported as an error"),
    };
    emit(module, generated)
}

/// What errors about an item that should have been a module point at: its
/// keyword and name (`struct Reminder`), or the whole item.
fn item_head(item: &Item) -> TokenStream {
    match item {
        Item::Struct(item) => {
            let (keyword, ident) = (&item.struct_token, &item.ident);
            quote!(#keyword #ident)
        }
        Item::Enum(item) => {
            let (keyword, ident) = (&item.enum_token, &item.ident);
            quote!(#keyword #ident)
        }
        Item::Union(item) => {
            let (keyword, ident) = (&item.union_token, &item.ident);
            quote!(#keyword #ident)
        }
        Item::Trait(item) => {
            let (keyword, ident) = (&item.trait_token, &item.ident);
            quote!(#keyword #ident)
        }
        Item::Fn(item) => {
            let (keyword, ident) = (&item.sig.fn_token, &item.sig.ident);
            quote!(#keyword #ident)
        }
        Item::Impl(item) => {
            let (keyword, ty) = (&item.impl_token, &item.self_ty);
            quote!(#keyword #ty)
        }
        other => quote!(#other),
    }
}

/// A hook attribute on its own: it only has meaning inside a schema module.
pub fn hook_outside_schema(name: &str, _args: TokenStream, input: TokenStream) -> TokenStream {
    let error = syn::Error::new(
        Span::call_site(),
        format_args!(
            "`#[{name}]` must be inside a `#[versioned_schema(version = \"…\", previous = …)]` module: a hook \
             migrates from the previous schema to that module's"
        ),
    )
    .to_compile_error();
    quote!(#error #input)
}

/// `#[model]` on its own: it only has meaning inside a schema module.
pub fn model(_args: TokenStream, input: TokenStream) -> TokenStream {
    let error = syn::Error::new(
        Span::call_site(),
        "`#[model]` must be inside a `#[versioned_schema(version = \"…\")]` module: a model belongs to exactly \
         one schema version",
    )
    .to_compile_error();
    // Keep the struct, without the helper attributes only the schema macro
    // understands, so that its uses and fields add no errors of their own.
    match syn::parse2::<syn::ItemStruct>(input.clone()) {
        Ok(mut item) => {
            strip_field_helpers(&mut item);
            quote!(#error #item)
        }
        Err(_) => quote!(#error #input),
    }
}

/// The module with `#[model]` and the helper attributes removed and the
/// generated items appended.
fn emit(mut module: ItemMod, generated: TokenStream) -> TokenStream {
    if let Some((_, items)) = &mut module.content {
        for item in items.iter_mut() {
            if let Item::Fn(func) = item {
                func.attrs.retain(|a| !hooks::is_hook_attr(a));
            }
            // `#[model]` on an item that is not a struct was reported while
            // parsing; removing it keeps `#[model]` itself from adding an error.
            let Some(attrs) = ast::item_attrs_mut(item) else {
                continue;
            };
            if !attrs.iter().any(attr::is_model) {
                continue;
            }
            attrs.retain(|a| !attr::is_model(a));
            if let Item::Struct(item) = item {
                strip_field_helpers(item);
                // Models of older versions exist for their shape and are only
                // built by migrations: never warn that they are unused.
                item.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
            }
        }
        items.push(Item::Verbatim(generated));
    }
    quote!(#module)
}

fn strip_field_helpers(item: &mut syn::ItemStruct) {
    for field in item.fields.iter_mut() {
        field.attrs.retain(|a| !attr::is_helper(a));
    }
}

/// What stands in for the generated items when there are errors: the errors,
/// and stubs of `Schema`, the `Model` impls and the field handles, so that
/// code using them does not add a second wave of unrelated errors.
fn fallback(error: syn::Error, schema: &Schema<'_>, version: Option<Version>) -> TokenStream {
    let p = quote!(::staged::__private);
    let error = error.to_compile_error();
    let (major, minor, patch) = version.unwrap_or_default();
    let unreachable = quote!(::core::unreachable!(
        "`#[versioned_schema]` reported errors"
    ));
    let stage = match &schema.previous {
        Some(_) => quote! {
            #[allow(dead_code)]
            pub fn stage() -> #p::MigrationStage {
                #unreachable
            }
        },
        None => TokenStream::new(),
    };
    let stubbed = schema.models.iter().filter(|model| {
        model.original.generics.params.is_empty()
            && model.original.generics.where_clause.is_none()
            && matches!(model.original.fields, syn::Fields::Named(_))
    });
    let models = stubbed.clone().map(|model| {
        let ident = &model.original.ident;
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
    });
    // Handles for every field but transient ones, including those whose type
    // is unsupported: the error is about the type, not the field's uses.
    let fields = stubbed.map(|model| {
        let handled = model
            .fields
            .iter()
            .filter(|f| !matches!(f.kind, FieldKind::Transient));
        field_handles(model, handled.collect())
    });
    quote! {
        #error

        #[allow(dead_code)]
        #[derive(
            ::core::fmt::Debug,
            ::core::clone::Clone,
            ::core::marker::Copy,
            ::core::default::Default,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
            ::core::hash::Hash,
        )]
        pub struct Schema;

        const _: () = {
            #[automatically_derived]
            impl #p::VersionedSchema for Schema {
                const VERSION: #p::Version = #p::Version::new(#major, #minor, #patch);

                fn descriptor() -> &'static #p::SchemaDescriptor {
                    #unreachable
                }

                fn checksum() -> #p::Checksum {
                    #unreachable
                }
            }

            #(#models)*
        };

        #(#fields)*

        #stage
    }
}

fn generate(
    schema: &Schema<'_>,
    (major, minor, patch): Version,
    resolution: &Resolution,
) -> TokenStream {
    let p = quote!(::staged::__private);
    let version_text = format!("{major}.{minor}.{patch}");
    let schema_doc = format!(
        "The schema of version `{version_text}`: the `#[model]` structs of this module.\n\n\
         Generated by `#[versioned_schema]`; implements `VersionedSchema`."
    );
    let attribute_statics = schema.models.iter().enumerate().map(|(i, model)| {
        let name = format_ident!("__STAGED_ATTRIBUTES_{}", i);
        let attributes = attribute_descriptors(model, i, resolution);
        let count = attributes.len();
        let relationships = relationship_descriptors(model, i, resolution);
        let relationships = if relationships.is_empty() {
            TokenStream::new()
        } else {
            let name = format_ident!("__STAGED_RELATIONSHIPS_{}", i);
            let count = relationships.len();
            quote!(static #name: [#p::RelationshipDescriptor; #count] = [#(#relationships),*];)
        };
        quote! {
            static #name: [#p::AttributeDescriptor; #count] = [#(#attributes),*];
            #relationships
        }
    });
    let entities = schema
        .models
        .iter()
        .enumerate()
        .map(|(i, model)| entity_descriptor(model, i));
    let entity_count = schema.models.len();
    let models = schema
        .models
        .iter()
        .enumerate()
        .map(|(index, model)| model_impls(model, index));
    let fields = schema
        .models
        .iter()
        .map(|model| field_handles(model, model.stored_fields().collect()));
    let stage = stage_fn(schema, &version_text);
    quote! {
        #[doc = #schema_doc]
        #[derive(
            ::core::fmt::Debug,
            ::core::clone::Clone,
            ::core::marker::Copy,
            ::core::default::Default,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
            ::core::hash::Hash,
        )]
        pub struct Schema;

        const _: () = {
            #(#attribute_statics)*
            static __STAGED_ENTITIES: [#p::EntityDescriptor; #entity_count] = [#(#entities),*];
            static __STAGED_DESCRIPTOR: #p::SchemaDescriptor = #p::SchemaDescriptor::new(
                #p::Version::new(#major, #minor, #patch),
                &__STAGED_ENTITIES,
            );

            #[automatically_derived]
            impl #p::VersionedSchema for Schema {
                const VERSION: #p::Version = #p::Version::new(#major, #minor, #patch);

                fn descriptor() -> &'static #p::SchemaDescriptor {
                    &__STAGED_DESCRIPTOR
                }

                fn checksum() -> #p::Checksum {
                    static __STAGED_CHECKSUM: #p::OnceLock<#p::Checksum> = #p::OnceLock::new();
                    *__STAGED_CHECKSUM.get_or_init(|| __STAGED_DESCRIPTOR.checksum())
                }
            }

            #(#models)*
        };

        #(#fields)*

        #stage
    }
}
