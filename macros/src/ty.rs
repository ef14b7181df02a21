//! The Rust types of model fields: wrappers (`Option`, `Ref`, `ToMany`) and
//! the column a type is stored in.

use syn::{GenericArgument, PathArguments, Type};

use crate::ast::Scalar;

/// A type as the user wrote it, for messages.
pub fn shown(ty: &Type) -> String {
    quote::quote!(#ty).to_string().replace(' ', "")
}

/// `T` when `ty` is `Option<T>` (also `std::option::Option<T>`).
pub fn option_inner(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Option")
}

/// `T` when `ty` is `wrapper<T>`, the wrapper named by its last path segment.
pub fn generic_arg<'t>(ty: &'t Type, wrapper: &str) -> Option<&'t Type> {
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

/// Whether `ty` names one of `idents` anywhere in its tokens.
pub fn mentions_any(ty: &Type, idents: &[String]) -> bool {
    fn walk(tokens: proc_macro2::TokenStream, idents: &[String]) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => idents.iter().any(|i| ident == i),
            proc_macro2::TokenTree::Group(group) => walk(group.stream(), idents),
            _ => false,
        })
    }
    !idents.is_empty() && walk(quote::quote!(#ty), idents)
}

/// What a field's column holds.
pub enum Column<'t> {
    /// One of staged's stored types.
    Scalar(Scalar),
    /// A user's type (the type inside any `Option`), stored through the
    /// `StoredValue` trait: a plain path without generic arguments that is
    /// none of staged's types. The macro cannot see trait impls, so the
    /// generated code's bound on `StoredValue` is what reports a type that
    /// is not one.
    Stored(&'t Type),
}

/// The column a field of type `ty` is stored in, and whether it is an
/// `Option` of it; or why no column can hold it.
pub fn column(ty: &Type) -> Result<(Column<'_>, bool), String> {
    let Some(inner) = option_inner(ty) else {
        return scalar(ty).map(|scalar| (scalar, false));
    };
    if option_inner(inner).is_some() {
        return Err(format!(
            "`{}` cannot be stored: a column has a single NULL, so a nested `Option` has no column \
             representation; use one `Option`, or store it as JSON text with `#[attribute(json)]`",
            shown(ty)
        ));
    }
    scalar(inner).map(|column| (column, true))
}

/// Rust's primitive types that are not stored types: never a `StoredValue`.
const PRIMITIVES: [&str; 6] = ["u128", "i128", "usize", "isize", "char", "str"];

/// "stored types are `bool`, …, `Vec<u8>`, the value types … and `Option` of these".
fn supported() -> String {
    let types: Vec<String> = Scalar::ALL
        .iter()
        .map(|scalar| format!("`{}`", scalar.rust_type()))
        .collect();
    format!(
        "stored types are {}, the value types of staged's features (`uuid::Uuid`, \
         `chrono::DateTime<Utc>`, `time::OffsetDateTime`, …, `url::Url`, `rust_decimal::Decimal`) \
         and `Option` of these; a plain path type of your own is stored through its `StoredValue` impl \
         (`#[derive(StoredEnum)]` for a unit-only enum)",
        types.join(", ")
    )
}

/// The value type `ty` names by its last path segment (`Uuid`,
/// `chrono::DateTime<Utc>`); an error for a `DateTime` in another time zone;
/// `None` for other types.
fn value_type(ty: &Type) -> Option<Result<Scalar, String>> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    let argument = match &last.arguments {
        PathArguments::None => None,
        PathArguments::AngleBracketed(_) => {
            let Some(Type::Path(inner)) = generic_arg(ty, &last.ident.to_string()) else {
                return None;
            };
            Some(inner.path.segments.last()?.ident.to_string())
        }
        PathArguments::Parenthesized(_) => return None,
    };
    let ident = last.ident.to_string();
    if let Some(value) = Scalar::from_value_type(&ident, argument.as_deref()) {
        return Some(Ok(value));
    }
    (ident == "DateTime").then(|| {
        Err(format!(
            "`{}` cannot be stored: an instant is stored in UTC so that it sorts in time order; \
             declare `DateTime<Utc>` and convert with `.with_timezone(&Utc)`, or store a `time::OffsetDateTime` \
             (its offset is not kept)",
            shown(ty)
        ))
    })
}

fn scalar(ty: &Type) -> Result<Column<'_>, String> {
    if generic_arg(ty, "Vec")
        .is_some_and(|inner| matches!(scalar(inner), Ok(Column::Scalar(Scalar::U8))))
    {
        return Ok(Column::Scalar(Scalar::Bytes));
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
    let ident = ident.as_deref();
    if let Some(scalar) = ident.and_then(Scalar::from_rust_type) {
        return Ok(Column::Scalar(scalar));
    }
    if let Some(value) = value_type(ty) {
        return value.map(Column::Scalar);
    }
    if ident.is_some_and(|ident| !PRIMITIVES.contains(&ident)) {
        return Ok(Column::Stored(ty));
    }
    Err(match ident {
        Some(wide @ ("u128" | "i128" | "usize" | "isize")) => format!(
            "`{wide}` cannot be stored exactly: SQLite integers are 64-bit signed; use `i64` (or a smaller type), \
             or store it as JSON text with `#[attribute(json)]`"
        ),
        _ => format!(
            "unsupported attribute type `{}`; {}; store any serde type as JSON text with \
             `#[attribute(json)]`",
            shown(ty),
            supported()
        ),
    })
}
