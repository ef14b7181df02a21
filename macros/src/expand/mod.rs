//! Code generation for `#[versioned_schema]` and `#[model]`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Item, ItemMod};

use crate::ast;
use crate::attr;
use crate::ctxt::Ctxt;
use crate::hooks;
use crate::relationships;
use crate::valid;

mod descriptors;
mod fallback;
mod models;
mod schema;
mod stage;

use fallback::fallback;
use schema::generate;

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
    let mut schema = ast::parse(&cx, schema_args.version, schema_args.previous, &module);
    schema.removed = schema_args.removed;
    schema.hash_modifier = schema_args.hash_modifier;
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
