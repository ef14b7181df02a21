//! `#[derive(StoredEnum)]`: a unit-only enum stored as TEXT holding the
//! variant's name. Parse (the variants and their `#[stored(name = "…")]`),
//! validate (unit variants, no generics, at least one variant, distinct
//! names), expand (the `StoredValue` and `StoredEnum` impls).

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt as _;
use syn::{Data, DeriveInput, Ident, LitStr};

use crate::ctxt::Ctxt;

/// A variant and its stored name.
struct Variant<'a> {
    ident: &'a Ident,
    name: String,
    /// What errors about the name point at.
    span: proc_macro2::Span,
}

/// `#[derive(StoredEnum)]` on `input`.
pub fn expand(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<DeriveInput>(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let cx = Ctxt::new();
    let variants = parse(&cx, &input);
    check(&cx, &input, &variants);
    match cx.check() {
        Ok(()) => impls(&input, &variants),
        // Stub impls keep uses of the enum in models from adding errors of
        // their own; a generic enum gets none (its error says why).
        Err(error) if input.generics.params.is_empty() => {
            let error = error.to_compile_error();
            let stubs = impls(&input, &[]);
            quote!(#error #stubs)
        }
        Err(error) => error.to_compile_error(),
    }
}

fn parse<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Vec<Variant<'a>> {
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("stored")) {
        cx.error_spanned_by(
            attr,
            "`#[stored(…)]` goes on a variant: `#[stored(name = \"…\")]` sets the text a variant is stored as",
        );
    }
    let Data::Enum(data) = &input.data else {
        cx.error_spanned_by(
            &input.ident,
            "`StoredEnum` is derived for a unit-only enum; store a struct of your own by implementing \
             `StoredValue`, or as JSON text with `#[attribute(json)]`",
        );
        return Vec::new();
    };
    data.variants
        .iter()
        .map(|variant| {
            let mut name: Option<LitStr> = None;
            for attr in variant.attrs.iter().filter(|a| a.path().is_ident("stored")) {
                let result = attr.parse_nested_meta(|meta| {
                    if !meta.path.is_ident("name") {
                        return Err(meta.error("unknown `stored` option, expected `name = \"…\"`"));
                    }
                    if name.is_some() {
                        return Err(meta.error("duplicate `name`; a variant has one stored name"));
                    }
                    name = Some(meta.value()?.parse()?);
                    Ok(())
                });
                if let Err(error) = result {
                    cx.syn_error(error);
                }
            }
            Variant {
                ident: &variant.ident,
                span: name.as_ref().map_or(variant.ident.span(), LitStr::span),
                name: name.map_or_else(|| variant.ident.unraw().to_string(), |n| n.value()),
            }
        })
        .collect()
}

fn check(cx: &Ctxt, input: &DeriveInput, variants: &[Variant<'_>]) {
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "a `StoredEnum` cannot be generic: its variants are stored by name; remove the generic parameters",
        );
    }
    let Data::Enum(data) = &input.data else {
        return;
    };
    if data.variants.is_empty() {
        cx.error_spanned_by(
            &input.ident,
            "a `StoredEnum` needs at least one variant: a column of it could hold no value",
        );
    }
    for variant in &data.variants {
        if !matches!(variant.fields, syn::Fields::Unit) {
            cx.error_spanned_by(
                &variant.fields,
                format_args!(
                    "`StoredEnum` stores unit variants only, and `{}` has fields; store this enum as JSON text \
                     with `#[attribute(json)]`, or implement `StoredValue` for it",
                    variant.ident
                ),
            );
        }
    }
    for (i, variant) in variants.iter().enumerate() {
        if variant.name.is_empty() {
            cx.error_at(variant.span, "a variant's stored name cannot be empty");
        } else if let Some(first) = variants[..i].iter().find(|v| v.name == variant.name) {
            cx.error_at(
                variant.span,
                format_args!(
                    "`{}` and `{}` are both stored as \"{}\": each variant needs its own stored name; change \
                     one `#[stored(name = \"…\")]`",
                    first.ident, variant.ident, variant.name
                ),
            );
        }
    }
}

/// The `StoredValue` and `StoredEnum` impls of `input` with these variants.
fn impls(input: &DeriveInput, variants: &[Variant<'_>]) -> TokenStream {
    let p = quote!(::staged::__private);
    let ident = &input.ident;
    let name = ident.unraw().to_string();
    let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
    let idents = variants.iter().map(|v| v.ident);
    let idents2 = idents.clone();
    let to_name = if variants.is_empty() {
        quote!(::core::unreachable!(
            "a `StoredEnum` without variants has no value"
        ))
    } else {
        quote!(match self { #(Self::#idents => #names,)* })
    };
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #p::StoredValue for #ident {
                type Stored = ::std::string::String;
                const NAME: &'static str = #name;
                const __VARIANTS: ::core::option::Option<&'static [&'static str]> =
                    ::core::option::Option::Some(<Self as #p::StoredEnum>::VARIANTS);

                fn to_stored(&self) -> ::std::string::String {
                    ::std::string::String::from(#p::StoredEnum::variant_name(self))
                }

                fn from_stored(__stored: ::std::string::String) -> ::core::result::Result<Self, #p::BoxError> {
                    match <Self as #p::StoredEnum>::from_variant_name(&__stored) {
                        ::core::option::Option::Some(__value) => ::core::result::Result::Ok(__value),
                        ::core::option::Option::None => ::core::result::Result::Err(::std::boxed::Box::new(
                            #p::UnknownVariant::new::<Self>(__stored),
                        )),
                    }
                }
            }

            #[automatically_derived]
            impl #p::StoredEnum for #ident {
                const VARIANTS: &'static [&'static str] = &[#(#names),*];

                #[allow(unreachable_code)]
                fn variant_name(&self) -> &'static str {
                    #to_name
                }

                fn from_variant_name(__name: &str) -> ::core::option::Option<Self> {
                    match __name {
                        #(#names => ::core::option::Option::Some(Self::#idents2),)*
                        _ => ::core::option::Option::None,
                    }
                }
            }
        };
    }
}
