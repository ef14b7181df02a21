//! The syntax tree of a schema module, borrowing from syn's so that every
//! later error can point at the original tokens.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{GenericArgument, Ident, Item, ItemMod, ItemStruct, LitStr, PathArguments, Type};

use crate::attr::{self, DefaultLit, FieldArgs};
use crate::ctxt::Ctxt;

/// A `#[versioned_schema]` module.
pub struct Schema<'a> {
    pub version: Option<LitStr>,
    pub models: Vec<Model<'a>>,
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
}

/// A field of a model.
pub struct Field<'a> {
    pub original: &'a syn::Field,
    pub ident: &'a Ident,
    /// The stored name: the field's identifier without `r#`.
    pub name: String,
    pub kind: FieldKind,
    pub args: FieldArgs,
}

/// How a field is stored.
pub enum FieldKind {
    /// A column of a scalar type.
    Scalar { scalar: Scalar, optional: bool },
    /// A JSON text column.
    Json { optional: bool },
    /// Not stored.
    Transient,
}

/// The scalar types a column can hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    F32,
    F64,
    Text,
    Bytes,
}

impl Scalar {
    /// The `AttributeType` variant name.
    pub fn variant(self) -> &'static str {
        match self {
            Scalar::Bool => "Bool",
            Scalar::I8 => "I8",
            Scalar::I16 => "I16",
            Scalar::I32 => "I32",
            Scalar::I64 => "I64",
            Scalar::U8 => "U8",
            Scalar::U16 => "U16",
            Scalar::U32 => "U32",
            Scalar::F32 => "F32",
            Scalar::F64 => "F64",
            Scalar::Text => "Text",
            Scalar::Bytes => "Bytes",
        }
    }

    /// The inclusive range of an integer scalar.
    pub fn integer_range(self) -> Option<(i128, i128)> {
        Some(match self {
            Scalar::I8 => (i8::MIN.into(), i8::MAX.into()),
            Scalar::I16 => (i16::MIN.into(), i16::MAX.into()),
            Scalar::I32 => (i32::MIN.into(), i32::MAX.into()),
            Scalar::I64 => (i64::MIN.into(), i64::MAX.into()),
            Scalar::U8 => (0, u8::MAX.into()),
            Scalar::U16 => (0, u16::MAX.into()),
            Scalar::U32 => (0, u32::MAX.into()),
            _ => return None,
        })
    }
}

impl Field<'_> {
    /// Whether the field has a column.
    pub fn is_stored(&self) -> bool {
        !matches!(self.kind, FieldKind::Transient)
    }

    /// Whether the column may be NULL.
    pub fn is_optional(&self) -> bool {
        matches!(
            self.kind,
            FieldKind::Scalar { optional: true, .. } | FieldKind::Json { optional: true }
        )
    }

    /// The default literal, if any.
    pub fn default(&self) -> Option<&DefaultLit> {
        self.args.default.as_ref().map(|(lit, _)| lit)
    }
}

/// Parses the module's `#[model]` structs; other items are left alone.
pub fn parse<'a>(cx: &Ctxt, version: Option<LitStr>, module: &'a ItemMod) -> Schema<'a> {
    let mut models = Vec::new();
    let Some((_, items)) = &module.content else {
        cx.error_spanned_by(
            module,
            "`#[versioned_schema]` goes on an inline module with a body: `mod v1 { … }`",
        );
        return Schema { version, models };
    };
    for item in items {
        match item {
            Item::Struct(item) => {
                if let Some(model_attr) = item.attrs.iter().find(|a| attr::is_model(a)) {
                    models.push(parse_model(cx, model_attr, item));
                }
            }
            Item::Enum(item) => reject_model_on(cx, &item.attrs, "an enum"),
            Item::Union(item) => reject_model_on(cx, &item.attrs, "a union"),
            Item::Type(item) => reject_model_on(cx, &item.attrs, "a type alias"),
            _ => {}
        }
    }
    Schema { version, models }
}

fn reject_model_on(cx: &Ctxt, attrs: &[syn::Attribute], what: &str) {
    if let Some(attr) = attrs.iter().find(|a| attr::is_model(a)) {
        cx.error_spanned_by(
            attr,
            format_args!("`#[model]` goes on a struct with named fields, not on {what}"),
        );
    }
}

fn parse_model<'a>(cx: &Ctxt, model_attr: &syn::Attribute, item: &'a ItemStruct) -> Model<'a> {
    let args = attr::parse_model_attr(cx, model_attr);
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &item.generics,
            "a `#[model]` struct cannot be generic: each model is one stored entity; remove the type parameters",
        );
    }
    let mut fields = Vec::new();
    match &item.fields {
        syn::Fields::Named(named) => {
            for field in &named.named {
                if let Some(parsed) = parse_field(cx, field) {
                    fields.push(parsed);
                }
            }
        }
        syn::Fields::Unnamed(unnamed) => cx.error_spanned_by(
            unnamed,
            "a `#[model]` struct needs named fields: each field is a stored attribute named after it",
        ),
        syn::Fields::Unit => cx.error_spanned_by(
            &item.ident,
            "a `#[model]` struct needs named fields: each field is a stored attribute named after it",
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
    }
}

fn parse_field<'a>(cx: &Ctxt, field: &'a syn::Field) -> Option<Field<'a>> {
    let ident = field.ident.as_ref()?;
    let args = attr::parse_field_attrs(cx, &field.attrs);
    let kind = if args.transient.is_some() {
        FieldKind::Transient
    } else if args.json.is_some() {
        FieldKind::Json {
            optional: option_inner(&field.ty).is_some(),
        }
    } else {
        let (inner, optional) = match option_inner(&field.ty) {
            Some(inner) => (inner, true),
            None => (&field.ty, false),
        };
        match scalar(inner) {
            Ok(scalar) => FieldKind::Scalar { scalar, optional },
            Err(message) => {
                cx.error_spanned_by(&field.ty, message);
                FieldKind::Transient
            }
        }
    };
    Some(Field {
        original: field,
        ident,
        name: ident.unraw().to_string(),
        kind,
        args,
    })
}

/// `T` when `ty` is `Option<T>` (also `std::option::Option<T>`).
pub fn option_inner(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Option")
}

fn generic_arg<'t>(ty: &'t Type, wrapper: &str) -> Option<&'t Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [GenericArgument::Type(inner)] => Some(inner),
        _ => None,
    }
}

const SUPPORTED: &str = "stored types are `bool`, `i8`, `i16`, `i32`, `i64`, `u8`, `u16`, `u32`, `f32`, `f64`, \
                         `String`, `Vec<u8>` and `Option` of these";

fn scalar(ty: &Type) -> Result<Scalar, String> {
    let shown = quote::quote!(#ty).to_string().replace(' ', "");
    if generic_arg(ty, "Vec").is_some_and(|inner| matches!(scalar(inner), Ok(Scalar::U8))) {
        return Ok(Scalar::Bytes);
    }
    if option_inner(ty).is_some() {
        return Err(format!(
            "unsupported attribute type `{shown}`: a nested `Option` has no column representation; {SUPPORTED}, \
             or store the value as JSON with `#[attribute(json)]`"
        ));
    }
    let ident = match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .filter(|s| s.arguments.is_empty())
            .map(|s| s.ident.to_string()),
        _ => None,
    };
    Ok(match ident.as_deref() {
        Some("bool") => Scalar::Bool,
        Some("i8") => Scalar::I8,
        Some("i16") => Scalar::I16,
        Some("i32") => Scalar::I32,
        Some("i64") => Scalar::I64,
        Some("u8") => Scalar::U8,
        Some("u16") => Scalar::U16,
        Some("u32") => Scalar::U32,
        Some("f32") => Scalar::F32,
        Some("f64") => Scalar::F64,
        Some("String") => Scalar::Text,
        Some(wide @ ("u64" | "u128" | "i128" | "usize" | "isize")) => {
            return Err(format!(
                "`{wide}` cannot be stored exactly: SQLite integers are 64-bit signed; use `i64` (or a smaller type), \
                 or store it as JSON text with `#[attribute(json)]`"
            ));
        }
        _ => {
            return Err(format!(
                "unsupported attribute type `{shown}`; {SUPPORTED}; store any serde type as JSON text with \
                 `#[attribute(json)]`"
            ));
        }
    })
}

impl Model<'_> {
    /// The stored fields, in declaration order.
    pub fn stored_fields(&self) -> impl Iterator<Item = &Field<'_>> {
        self.fields.iter().filter(|f| f.is_stored())
    }
}

/// The span of a field's `#[attribute(default)]` or, lacking one, its type.
pub fn default_span(field: &Field<'_>) -> Span {
    field
        .args
        .default
        .as_ref()
        .map_or_else(|| field.original.ty.span(), |(_, span)| *span)
}
