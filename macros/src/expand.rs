//! Code generation for `#[versioned_schema]` and `#[model]`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{Item, ItemMod};

use crate::ast::{self, FieldKind, Schema};
use crate::attr::{self, DefaultLit};
use crate::ctxt::Ctxt;
use crate::hooks::{self, HookKind};
use crate::relationships::{self, Resolution};
use crate::valid::{self, Version};

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

                fn __read(_: &#p::rusqlite::Row<'_>, _: usize, _: i64) -> #p::Result<Self> {
                    #unreachable
                }
            }

            #[automatically_derived]
            impl #p::BelongsTo<Schema> for #ident {}
        }
    });
    // Handles for every field not marked `#[transient]`, including those whose
    // type was rejected: the error is about the type, not the field's uses.
    let fields = stubbed.map(|model| {
        let handled = model.fields.iter().filter(|f| f.args.transient.is_none());
        field_handles(model, handled.collect())
    });
    quote! {
        #error

        #[allow(dead_code)]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
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
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
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

/// The path of the previous schema module as seen from inside this one.
fn previous_path(previous: &syn::Path) -> TokenStream {
    let first = previous.segments.first().map(|s| s.ident.to_string());
    if previous.leading_colon.is_some()
        || matches!(first.as_deref(), Some("crate" | "self" | "super"))
    {
        if first.as_deref() == Some("self") {
            // `self` of the parent is `super` from here.
            let rest = previous.segments.iter().skip(1);
            return quote!(super #(::#rest)*);
        }
        quote!(#previous)
    } else {
        quote!(super::#previous)
    }
}

/// `pub fn stage()`, and the check that `previous` is older, when the module
/// names its previous schema.
fn stage_fn(schema: &Schema<'_>, version_text: &str) -> TokenStream {
    let p = quote!(::staged::__private);
    let Some(previous) = &schema.previous else {
        return TokenStream::new();
    };
    let previous_module = previous_path(previous);
    let previous_text = quote!(#previous).to_string().replace(' ', "");
    let older = format!(
        "`previous = {previous_text}` must name an older schema: its `version` is not older than {version_text}; \
         point `previous` at the schema this one replaces"
    );
    let check = quote_spanned! {previous.span()=>
        const _: () = ::core::assert!(
            <Schema as #p::VersionedSchema>::VERSION
                .is_newer_than(<#previous_module::Schema as #p::VersionedSchema>::VERSION),
            #older
        );
    };
    let body = if schema.hooks.is_empty() {
        quote!(#p::MigrationStage::lightweight::<#previous_module::Schema, Schema>())
    } else {
        let calls = schema.hooks.iter().map(|hook| {
            let ident = &hook.func.sig.ident;
            let method = match hook.kind {
                HookKind::WillMigrate => quote!(will_migrate),
                HookKind::Transform if hook.drops_rows() => quote!(transform_or_drop),
                HookKind::Transform => quote!(transform),
                HookKind::Migrate => quote!(migrate),
                HookKind::DidMigrate => quote!(did_migrate),
            };
            let method = quote_spanned!(ident.span()=> #method);
            quote_spanned!(ident.span()=> .#method(#ident))
        });
        quote! {
            ::core::convert::Into::into(
                #p::MigrationStage::custom::<#previous_module::Schema, Schema>()#(#calls)*
            )
        }
    };
    let doc = format!(
        "The migration stage from `{previous_text}` to this schema ({version_text}), wired with the hooks of this \
         module in declaration order{}.\n\nGenerated by `#[versioned_schema(previous = …)]`.",
        if schema.hooks.is_empty() {
            " (a lightweight stage: the module declares none)"
        } else {
            ""
        }
    );
    quote! {
        #check

        #[doc = #doc]
        pub fn stage() -> #p::MigrationStage {
            #body
        }
    }
}

fn entity_descriptor(model: &ast::Model<'_>, index: usize) -> TokenStream {
    let p = quote!(::staged::__private);
    let name = &model.name;
    let original_name = option_str(model.original_name.as_ref().map(syn::LitStr::value));
    let attributes = format_ident!("__STAGED_ATTRIBUTES_{}", index);
    let has_to_many = model
        .fields
        .iter()
        .any(|f| matches!(f.kind, FieldKind::ToMany { .. }));
    if has_to_many {
        let relationships = format_ident!("__STAGED_RELATIONSHIPS_{}", index);
        quote!(#p::EntityDescriptor::with_relationships(#name, #original_name, &#attributes, &#relationships))
    } else {
        quote!(#p::EntityDescriptor::new(#name, #original_name, &#attributes))
    }
}

/// The `RelationshipDescriptor`s of a model's `ToMany` fields.
fn relationship_descriptors(
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
            let rule = format_ident!("{}", resolved.delete_rule);
            quote! {
                #p::RelationshipDescriptor::new(
                    #name, #original_name, #target, #p::ToManyKind::#kind, #inverse, #p::DeleteRule::#rule,
                )
            }
        })
        .collect()
}

fn attribute_descriptors(
    model: &ast::Model<'_>,
    index: usize,
    resolution: &Resolution,
) -> Vec<TokenStream> {
    let p = quote!(::staged::__private);
    model.fields.iter().enumerate().filter(|(_, f)| f.is_stored()).map(|(fi, field)| {
        let name = &field.name;
        let original_name = option_str(field.args.original_name.as_ref().map(syn::LitStr::value));
        let ty = match &field.kind {
            FieldKind::Scalar { scalar, .. } => format_ident!("{}", scalar.variant()),
            FieldKind::Json { .. } => format_ident!("Json"),
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
                let rule = format_ident!("{}", resolved.delete_rule);
                let inverse = option_str(resolved.inverse.clone());
                return quote! {
                    #p::AttributeDescriptor::__to_one(
                        #name, #original_name, #optional,
                        #p::Reference::new(#target, #p::DeleteRule::#rule, #inverse),
                    )
                };
            }
            FieldKind::Transient | FieldKind::ToMany { .. } => {
                unreachable!("transient and to-many fields are not stored")
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
        quote! {
            #p::AttributeDescriptor::__new(
                #name, #original_name, #p::AttributeType::#ty, #optional, #unique, #indexed, #default,
            )
        }
    }).collect()
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

fn option_str(value: Option<String>) -> TokenStream {
    match value {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

fn model_impls(model: &ast::Model<'_>, index: usize) -> TokenStream {
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
            _ => quote!(bind),
        };
        quote!(#p::#helper(__statement, #position, &self.#member, #entity, #attribute)?;)
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
            FieldKind::Scalar { .. } | FieldKind::ToOne { .. } => quote!(read),
        };
        let offset = column;
        column += 1;
        quote!(#member: #p::#helper(__row, __first + #offset, #entity, #attribute, __id)?)
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

            fn __read(__row: &#p::rusqlite::Row<'_>, __first: usize, __id: i64) -> #p::Result<Self> {
                ::core::result::Result::Ok(#ident { #(#reads),* })
            }
        }

        #[automatically_derived]
        impl #p::BelongsTo<Schema> for #ident {}
    }
}

/// `Model::fields()` and its struct, with a handle for each of `stored`.
fn field_handles(model: &ast::Model<'_>, stored: Vec<&ast::Field<'_>>) -> TokenStream {
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
        #[derive(Debug, Clone, Copy)]
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
