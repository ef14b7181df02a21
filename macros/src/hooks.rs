//! Migration hooks declared inside a schema module (`#[will_migrate]`,
//! `#[transform]`, `#[migrate]`, `#[did_migrate]`): their syntax tree.

use syn::{FnArg, GenericArgument, Item, ItemFn, PathArguments, ReturnType, Type};

/// The kinds of hook, by attribute name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    WillMigrate,
    Transform,
    Migrate,
    DidMigrate,
}

impl HookKind {
    /// The attribute's name.
    pub fn name(self) -> &'static str {
        match self {
            HookKind::WillMigrate => "will_migrate",
            HookKind::Transform => "transform",
            HookKind::Migrate => "migrate",
            HookKind::DidMigrate => "did_migrate",
        }
    }

    /// How many arguments a hook of this kind takes (a transform: 1, or 2
    /// when it reads other old records).
    pub fn arity(self) -> usize {
        match self {
            HookKind::Migrate => 2,
            _ => 1,
        }
    }

    /// Whether a hook of this kind can take `n` arguments.
    pub fn accepts(self, n: usize) -> bool {
        n == self.arity() || (self == HookKind::Transform && n == 2)
    }

    /// The signature a hook of this kind must have, for messages.
    pub fn signature(self) -> &'static str {
        match self {
            HookKind::WillMigrate => {
                "fn(ctx: &mut ModelContext<previous::Schema>) -> staged::Result<()>"
            }
            HookKind::Transform => {
                "fn(old: previous::Model) -> staged::Result<Model>, or -> staged::Result<Option<Model>> to drop rows, \
                 or fn(old: Record<previous::Model>, old_records: &OldRecords<'_, previous::Schema>) -> the same"
            }
            HookKind::Migrate => {
                "fn(old: &mut ModelContext<previous::Schema>, new: &mut ModelContext<Schema>) -> staged::Result<()>"
            }
            HookKind::DidMigrate => "fn(ctx: &mut ModelContext<Schema>) -> staged::Result<()>",
        }
    }

    fn of(attr: &syn::Attribute) -> Option<HookKind> {
        let path = attr.path();
        [
            HookKind::WillMigrate,
            HookKind::Transform,
            HookKind::Migrate,
            HookKind::DidMigrate,
        ]
        .into_iter()
        .find(|kind| path.is_ident(kind.name()))
    }
}

/// A function marked as a hook.
pub struct Hook<'a> {
    pub kind: HookKind,
    pub attr: &'a syn::Attribute,
    pub func: &'a ItemFn,
}

impl Hook<'_> {
    /// For a transform: the old model, the type of its first argument
    /// (inside `Record<…>` when it takes the record).
    pub fn input(&self) -> Option<&Type> {
        let ty = match self.func.sig.inputs.first()? {
            FnArg::Typed(arg) => &*arg.ty,
            FnArg::Receiver(_) => return None,
        };
        match first_generic(ty) {
            Some(model) if is_named(ty, "Record") => Some(model),
            _ => Some(ty),
        }
    }

    /// For a transform: whether it takes the old record and the old
    /// records (two arguments).
    pub fn reads_old_records(&self) -> bool {
        self.kind == HookKind::Transform && self.func.sig.inputs.len() == 2
    }

    /// For a transform: whether it returns `Result<Option<_>>` (drops rows).
    pub fn drops_rows(&self) -> bool {
        let ReturnType::Type(_, ty) = &self.func.sig.output else {
            return false;
        };
        first_generic(ty).is_some_and(|inner| is_named(inner, "Option"))
    }
}

fn is_named(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == name))
}

fn first_generic(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

/// Whether an attribute marks a hook.
pub fn is_hook_attr(attr: &syn::Attribute) -> bool {
    HookKind::of(attr).is_some()
}

/// Every hook function of a module, in declaration order; a function with
/// several hook attributes is listed once per attribute (and rejected later).
pub fn parse(items: &[Item]) -> Vec<Hook<'_>> {
    let mut hooks = Vec::new();
    for item in items {
        if let Item::Fn(func) = item {
            for attr in &func.attrs {
                if let Some(kind) = HookKind::of(attr) {
                    hooks.push(Hook { kind, attr, func });
                }
            }
        }
    }
    hooks
}
