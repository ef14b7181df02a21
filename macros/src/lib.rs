//! Procedural macros of [staged](https://docs.rs/staged); use them through the
//! `staged` crate, whose documentation is the guide.
//!
//! Each entry point is a thin shim over a function of `expand` that works on
//! `proc_macro2` tokens: parse (`ast`, `attr`, `ty`, `hooks`) -> validate
//! (`valid`, `relationships`) -> expand (`expand`). The unit tests snapshot
//! pretty-printed expansions.

mod ast;
mod attr;
mod ctxt;
mod expand;
mod hooks;
mod relationships;
mod stored_enum;
#[cfg(test)]
mod tests;
mod ty;
mod valid;

use proc_macro::TokenStream;

/// Declares one version of the data model: every `#[model]` struct in the
/// module becomes an entity of that version.
///
/// ```ignore
/// #[versioned_schema(version = "1.0.0")]
/// pub mod v1 {
///     #[model]
///     pub struct Reminder {
///         #[attribute(unique)]
///         pub uid: String,
///         pub title: String,
///     }
/// }
/// ```
///
/// Generates `pub struct Schema` (implementing `VersionedSchema`), a `Model`
/// impl for each model, and `Model::fields()` handles for typed queries.
///
/// Model options: `#[model(name = "…", original_name = "…")]`. Field options:
/// `#[attribute(unique | index | json | original_name = "…" | default = <literal>)]`
/// and `#[transient]` (not stored; `Default` on load). Relationships are fields
/// of type `Ref<Model>`, `Option<Ref<Model>>` or `ToMany<Model>`, with
/// `#[relationship(delete_rule = "…", inverse = "…", original_name = "…")]`.
#[proc_macro_attribute]
pub fn versioned_schema(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::versioned_schema(args.into(), input.into()).into()
}

/// Marks a struct of a `#[versioned_schema]` module as a stored model; the
/// schema macro consumes it. On its own it is an error.
#[proc_macro_attribute]
pub fn model(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::model(args.into(), input.into()).into()
}

/// Marks a function of a `#[versioned_schema(previous = …)]` module as a hook
/// that runs before the migration from the previous schema, on the old tables:
/// `fn(ctx: &mut ModelContext<previous::Schema>) -> staged::Result<()>`.
/// On its own it is an error.
#[proc_macro_attribute]
pub fn will_migrate(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::hook_outside_schema("will_migrate", args.into(), input.into()).into()
}

/// Marks a function of a `#[versioned_schema(previous = …)]` module as the
/// transform of one old model into a model of this schema:
/// `fn(old: previous::Model) -> staged::Result<Model>` (or
/// `staged::Result<Option<Model>>` to drop rows), or, to read other records
/// of the previous schema,
/// `fn(old: Record<previous::Model>, old_records: &OldRecords<'_, previous::Schema>)`
/// with the same results. On its own it is an error.
#[proc_macro_attribute]
pub fn transform(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::hook_outside_schema("transform", args.into(), input.into()).into()
}

/// Marks a function of a `#[versioned_schema(previous = …)]` module as a hook
/// that sees both shapes: `fn(old: &mut ModelContext<previous::Schema>, new:
/// &mut ModelContext<Schema>) -> staged::Result<()>`. On its own it is an error.
#[proc_macro_attribute]
pub fn migrate(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::hook_outside_schema("migrate", args.into(), input.into()).into()
}

/// Marks a function of a `#[versioned_schema(previous = …)]` module as a hook
/// that runs after the migration, on the new tables:
/// `fn(ctx: &mut ModelContext<Schema>) -> staged::Result<()>`. On its own it is an error.
#[proc_macro_attribute]
pub fn did_migrate(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::hook_outside_schema("did_migrate", args.into(), input.into()).into()
}

/// Stores a unit-only enum as one TEXT column holding the variant's name:
/// implements `StoredEnum` and `StoredValue` (`Stored = String`).
///
/// ```ignore
/// #[derive(StoredEnum, Clone, Copy, Debug, PartialEq, Eq)]
/// pub enum Status {
///     Active,
///     #[stored(name = "archived")] // the stored text, when it differs from the variant's name
///     Archived,
/// }
/// ```
///
/// A variant with fields, a generic enum or an enum without variants does
/// not compile.
#[proc_macro_derive(StoredEnum, attributes(stored))]
pub fn derive_stored_enum(input: TokenStream) -> TokenStream {
    stored_enum::expand(input.into()).into()
}
