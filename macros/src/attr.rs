//! Parsing of the options in `#[versioned_schema(…)]`, `#[model(…)]`,
//! `#[attribute(…)]` and `#[transient]`.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::Parse;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, LitStr, UnOp};

use crate::ctxt::Ctxt;

use staged_vocabulary::DeleteRule;

/// Options of `#[versioned_schema(…)]`.
#[derive(Default)]
pub struct SchemaArgs {
    pub version: Option<LitStr>,
    /// `previous = v1`: the preceding schema module, as seen from the parent of this one.
    pub previous: Option<syn::Path>,
    /// `removed(Entity, …)`: entities of the previous version deleted on purpose.
    pub removed: Vec<syn::Ident>,
    /// `hash_modifier = "…"`: part of the checksum.
    pub hash_modifier: Option<LitStr>,
}

pub fn parse_schema_args(cx: &Ctxt, args: proc_macro2::TokenStream) -> SchemaArgs {
    let mut out = SchemaArgs::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("version") {
            let value: LitStr = meta.value()?.parse()?;
            if out.version.replace(value).is_some() {
                cx.error_spanned_by(&meta.path, "duplicate option `version`");
            }
            Ok(())
        } else if meta.path.is_ident("previous") {
            let value: syn::Path = meta.value()?.parse()?;
            if out.previous.replace(value).is_some() {
                cx.error_spanned_by(&meta.path, "duplicate option `previous`");
            }
            Ok(())
        } else if meta.path.is_ident("removed") {
            parse_removed(cx, &meta, &mut out.removed, "entities")
        } else if meta.path.is_ident("hash_modifier") {
            let value: LitStr = meta.value()?.parse()?;
            if value.value().is_empty() {
                cx.error_spanned_by(
                    &value,
                    "`hash_modifier` cannot be empty: write a word saying what this version changes, e.g. \
                     `hash_modifier = \"recount\"`",
                );
            }
            if out.hash_modifier.replace(value).is_some() {
                cx.error_spanned_by(&meta.path, "duplicate option `hash_modifier`");
            }
            Ok(())
        } else {
            Err(meta.error(format_args!(
                "unknown option `{}`, expected one of `version = \"MAJOR.MINOR.PATCH\"`, `previous = <module>`, \
                 `removed(Entity, …)`, `hash_modifier = \"…\"`",
                path_name(&meta.path)
            )))
        }
    });
    if let Err(error) = syn::parse::Parser::parse2(parser, args) {
        cx.syn_error(error);
    }
    out
}

/// Options of `#[model(…)]`.
#[derive(Default)]
pub struct ModelArgs {
    pub name: Option<LitStr>,
    pub original_name: Option<LitStr>,
    /// `removed(attribute, …)`: attributes and relationships of the previous
    /// version deleted on purpose.
    pub removed: Vec<syn::Ident>,
    /// `unique(a, b, …)` and `index(a, b, …)`, in declaration order.
    pub constraints: Vec<ConstraintArgs>,
}

/// `removed(a, b, …)`: identifiers, each once, added to `out`.
fn parse_removed(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta<'_>,
    out: &mut Vec<syn::Ident>,
    what: &str,
) -> syn::Result<()> {
    let content;
    syn::parenthesized!(content in meta.input);
    let items = content.parse_terminated(Expr::parse, syn::Token![,])?;
    if items.is_empty() {
        cx.error_spanned_by(
            &meta.path,
            format_args!(
                "`removed()` is empty: name the {what} of the previous version this one deletes, or remove it"
            ),
        );
    }
    for item in items {
        let ident = match &item {
            Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
                path.path.get_ident().cloned()
            }
            _ => None,
        };
        let Some(ident) = ident else {
            cx.error_spanned_by(
                &item,
                format_args!(
                    "`removed(…)` takes the names of the {what} of the previous version as identifiers, \
                     e.g. `removed({})`",
                    if what == "entities" { "Tag" } else { "title" }
                ),
            );
            continue;
        };
        if out.iter().any(|seen| seen.unraw() == ident.unraw()) {
            cx.error_spanned_by(
                &ident,
                format_args!(
                    "`{}` is named twice in `removed(…)`; name it once",
                    ident.unraw()
                ),
            );
            continue;
        }
        out.push(ident);
    }
    Ok(())
}

/// One `unique(a, b, …)` or `index(a, b, …)` of `#[model(…)]`.
pub struct ConstraintArgs {
    /// The `unique` or `index` keyword, for errors about the whole list.
    pub keyword: syn::Path,
    pub unique: bool,
    /// The listed fields, in order.
    pub members: Vec<syn::Ident>,
}

impl ConstraintArgs {
    /// `unique` or `index`.
    pub fn kind(&self) -> &'static str {
        if self.unique { "unique" } else { "index" }
    }
}

/// Parses the list of `unique(…)` or `index(…)` (the keyword is `meta.path`).
fn parse_constraint(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<ConstraintArgs> {
    let unique = meta.path.is_ident("unique");
    let kind = if unique { "unique" } else { "index" };
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format_args!(
            "`{kind}` takes the fields it covers together: `{kind}(a, b)`; for one field write \
             `#[attribute({kind})]` on it"
        )));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let members =
        syn::punctuated::Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated(&content)
            .map_err(|error| {
                syn::Error::new(
                    error.span(),
                    format_args!("`{kind}(…)` lists field names: `{kind}(a, b)`"),
                )
            })?
            .into_iter()
            .collect();
    Ok(ConstraintArgs {
        keyword: meta.path.clone(),
        unique,
        members,
    })
}

pub fn parse_model_attr(cx: &Ctxt, attr: &syn::Attribute) -> ModelArgs {
    let mut out = ModelArgs::default();
    if matches!(attr.meta, syn::Meta::Path(_)) {
        return out;
    }
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("unique") || meta.path.is_ident("index") {
            out.constraints.push(parse_constraint(&meta)?);
            return Ok(());
        }
        let slot = if meta.path.is_ident("name") {
            &mut out.name
        } else if meta.path.is_ident("original_name") {
            &mut out.original_name
        } else if meta.path.is_ident("removed") {
            return parse_removed(cx, &meta, &mut out.removed, "attributes and relationships");
        } else {
            return Err(meta.error(format_args!(
                "unknown model option `{}`, expected one of `name`, `original_name`, `removed(…)`, `unique(…)`, `index(…)`",
                path_name(&meta.path)
            )));
        };
        let value: LitStr = meta.value()?.parse()?;
        if slot.replace(value).is_some() {
            cx.error_spanned_by(
                &meta.path,
                format_args!("duplicate model option `{}`", path_name(&meta.path)),
            );
        }
        Ok(())
    });
    if let Err(error) = result {
        cx.syn_error(error);
    }
    out
}

/// A literal given to `default = …`, with its sign folded in.
#[derive(Clone)]
pub enum DefaultLit {
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
}

/// Options of `#[attribute(…)]` and `#[transient]` on one field.
#[derive(Default)]
pub struct FieldArgs {
    pub unique: Option<Span>,
    pub index: Option<Span>,
    pub json: Option<Span>,
    pub original_name: Option<LitStr>,
    /// `name = "…"`: the stored name (the column's, or the relationship's).
    pub name: Option<LitStr>,
    /// The literal and the expression it was written as, for error spans.
    pub default: Option<(DefaultLit, Expr)>,
    /// The first `#[attribute(…)]`, if any.
    pub attribute: Option<syn::Attribute>,
    /// The first `#[transient]`, if any.
    pub transient: Option<syn::Attribute>,
    /// The options of `#[relationship(…)]`, if present.
    pub relationship: Option<RelationshipArgs>,
}

/// Options of `#[relationship(…)]` on one field.
pub struct RelationshipArgs {
    /// The attribute itself, for errors about the whole of it.
    pub attr: syn::Attribute,
    /// `delete_rule = "…"`: the rule and the literal.
    pub delete_rule: Option<(DeleteRule, LitStr)>,
    pub inverse: Option<LitStr>,
    pub original_name: Option<LitStr>,
}

const RELATIONSHIP_OPTIONS: &str = "`delete_rule`, `inverse`, `original_name`";

/// "`cascade`, `nullify`, `deny`, `no_action`".
fn delete_rule_names() -> String {
    let names: Vec<String> = DeleteRule::ALL
        .iter()
        .map(|rule| format!("`{}`", rule.name()))
        .collect();
    names.join(", ")
}

fn parse_relationship(cx: &Ctxt, attr: &syn::Attribute) -> RelationshipArgs {
    let mut out = RelationshipArgs {
        attr: attr.clone(),
        delete_rule: None,
        inverse: None,
        original_name: None,
    };
    if matches!(attr.meta, syn::Meta::Path(_)) {
        return out;
    }
    let result = attr.parse_nested_meta(|meta| {
        let name = path_name(&meta.path);
        let value: LitStr = match name.as_str() {
            "delete_rule" | "inverse" | "original_name" => meta.value()?.parse()?,
            _ => {
                return Err(meta.error(format_args!(
                    "unknown relationship option `{name}`, expected one of {RELATIONSHIP_OPTIONS}"
                )));
            }
        };
        let duplicate = match name.as_str() {
            "delete_rule" => {
                let Some(rule) = DeleteRule::from_name(&value.value()) else {
                    return Err(syn::Error::new_spanned(
                        &value,
                        format_args!(
                            "unknown delete rule `{}`, expected one of {}",
                            value.value(),
                            delete_rule_names()
                        ),
                    ));
                };
                out.delete_rule.replace((rule, value)).is_some()
            }
            "inverse" => out.inverse.replace(value).is_some(),
            _ => out.original_name.replace(value).is_some(),
        };
        if duplicate {
            cx.error_spanned_by(
                &meta.path,
                format_args!("duplicate relationship option `{name}`"),
            );
        }
        Ok(())
    });
    if let Err(error) = result {
        cx.syn_error(error);
    }
    out
}

const FIELD_OPTIONS: &str = "`unique`, `index`, `json`, `name`, `original_name`, `default`";

pub fn parse_field_attrs(cx: &Ctxt, attrs: &[syn::Attribute]) -> FieldArgs {
    let mut out = FieldArgs::default();
    for attr in attrs {
        if attr.path().is_ident("transient") {
            if let Err(error) = attr.meta.require_path_only() {
                cx.syn_error(error);
            }
            if out.transient.is_some() {
                cx.error_spanned_by(attr, "duplicate `#[transient]`");
            } else {
                out.transient = Some(attr.clone());
            }
        } else if attr.path().is_ident("relationship") {
            if out.relationship.is_some() {
                cx.error_spanned_by(
                    attr,
                    "duplicate `#[relationship(…)]`; merge the options into one",
                );
            } else {
                out.relationship = Some(parse_relationship(cx, attr));
            }
        } else if attr.path().is_ident("attribute") {
            out.attribute.get_or_insert_with(|| attr.clone());
            let result = attr.parse_nested_meta(|meta| {
                let name = path_name(&meta.path);
                let duplicate = || {
                    cx.error_spanned_by(
                        &meta.path,
                        format_args!("duplicate attribute option `{name}`"),
                    )
                };
                match name.as_str() {
                    "unique" | "index" | "json" => {
                        let slot = match name.as_str() {
                            "unique" => &mut out.unique,
                            "index" => &mut out.index,
                            _ => &mut out.json,
                        };
                        if slot.replace(meta.path.span()).is_some() {
                            duplicate();
                        }
                    }
                    "original_name" | "name" => {
                        let value: LitStr = meta.value()?.parse()?;
                        let slot = if name == "name" {
                            &mut out.name
                        } else {
                            &mut out.original_name
                        };
                        if slot.replace(value).is_some() {
                            duplicate();
                        }
                    }
                    "default" => {
                        let expr: Expr = meta.value()?.parse()?;
                        let lit = default_lit(&expr)?;
                        if out.default.replace((lit, expr)).is_some() {
                            duplicate();
                        }
                    }
                    _ => {
                        return Err(meta.error(format_args!(
                            "unknown attribute option `{name}`, expected one of {FIELD_OPTIONS}"
                        )));
                    }
                }
                Ok(())
            });
            if let Err(error) = result {
                cx.syn_error(error);
            }
        }
    }
    out
}

fn default_lit(expr: &Expr) -> syn::Result<DefaultLit> {
    let unsupported = || {
        syn::Error::new_spanned(
            expr,
            "`default` takes a literal: a bool, an integer, a float or a string (the JSON text for `json` attributes)",
        )
    };
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => match lit {
            Lit::Bool(b) => Ok(DefaultLit::Bool(b.value)),
            Lit::Int(i) => i.base10_parse().map(DefaultLit::Int),
            Lit::Float(f) => f.base10_parse().map(DefaultLit::Float),
            Lit::Str(s) => Ok(DefaultLit::Str(s.value())),
            _ => Err(unsupported()),
        },
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr: inner,
            ..
        }) => match default_lit(inner)? {
            DefaultLit::Int(i) => Ok(DefaultLit::Int(-i)),
            DefaultLit::Float(f) => Ok(DefaultLit::Float(-f)),
            _ => Err(unsupported()),
        },
        _ => Err(unsupported()),
    }
}

/// Whether an attribute is one of the helper attributes this crate consumes.
pub fn is_helper(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("attribute")
        || attr.path().is_ident("transient")
        || attr.path().is_ident("relationship")
}

/// Whether an attribute is `#[model]` / `#[model(…)]`.
pub fn is_model(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("model")
}

pub fn path_name(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}
