//! Descriptions of relationships: the target of a to-one, to-many
//! relationships, and the join tables of many-to-many relationships.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The table of a many-to-many relationship: `source` holds ids of `owner`,
/// `target` ids of `target`; both cascade on delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinTable {
    /// The table name (see [`join_table_name`]).
    pub name: String,
    /// The entity whose relationship names the table (the `source` column).
    pub owner: String,
    /// The owner's relationship.
    pub relationship: String,
    /// The related entity (the `target` column).
    pub target: String,
    /// The target's relationship that is the other side, if declared.
    pub inverse: Option<String>,
}

/// The name of the join table owned by relationship `relationship` of
/// `entity`: `_staged_join_<len>_<entity>_<relationship>` (length-prefixed so
/// that no two pairs share one).
pub fn join_table_name(entity: &str, relationship: &str) -> String {
    format!(
        "{JOIN_TABLE_PREFIX}{}_{entity}_{relationship}",
        entity.len()
    )
}

/// The prefix of every join table's name (see [`join_table_name`]).
pub(crate) const JOIN_TABLE_PREFIX: &str = "_staged_join_";

/// The target of a to-one relationship (a `Ref<T>` field): the attribute's
/// column holds the [`PersistentId`](crate::PersistentId) of a record of `target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    target: Cow<'static, str>,
    delete_rule: DeleteRule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inverse: Option<Cow<'static, str>>,
}

impl Reference {
    /// A reference to `target`; `#[versioned_schema]` calls this in a
    /// `static` (at run time, use [`Reference::to`]).
    #[doc(hidden)]
    pub const fn new(
        target: &'static str,
        delete_rule: DeleteRule,
        inverse: Option<&'static str>,
    ) -> Self {
        Reference {
            target: Cow::Borrowed(target),
            delete_rule,
            inverse: match inverse {
                Some(n) => Some(Cow::Borrowed(n)),
                None => None,
            },
        }
    }

    /// A reference built at run time.
    pub fn to(target: impl Into<String>, delete_rule: DeleteRule) -> Self {
        Reference {
            target: Cow::Owned(target.into()),
            delete_rule,
            inverse: None,
        }
    }

    /// The referenced entity.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// What happens to the referring record when the referenced one is deleted.
    pub fn delete_rule(&self) -> DeleteRule {
        self.delete_rule
    }

    /// The to-many relationship of the target that is the other side, if declared.
    pub fn inverse(&self) -> Option<&str> {
        self.inverse.as_deref()
    }
}

/// What a to-many relationship is the other side of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToManyKind {
    /// The inverse of a to-one of the target (its `inverse` names that
    /// attribute); not stored.
    OneToMany,
    /// A many-to-many, stored in a join table.
    ManyToMany,
}

/// A to-many relationship (a `ToMany<T>` field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationshipDescriptor {
    name: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    original_name: Option<Cow<'static, str>>,
    target: Cow<'static, str>,
    kind: ToManyKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inverse: Option<Cow<'static, str>>,
    delete_rule: DeleteRule,
}

impl RelationshipDescriptor {
    /// A to-many relationship; `#[versioned_schema]` calls this in a
    /// `static` (at run time, use [`RelationshipDescriptor::build`]).
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        original_name: Option<&'static str>,
        target: &'static str,
        kind: ToManyKind,
        inverse: Option<&'static str>,
        delete_rule: DeleteRule,
    ) -> Self {
        RelationshipDescriptor {
            name: Cow::Borrowed(name),
            original_name: match original_name {
                Some(n) => Some(Cow::Borrowed(n)),
                None => None,
            },
            target: Cow::Borrowed(target),
            kind,
            inverse: match inverse {
                Some(n) => Some(Cow::Borrowed(n)),
                None => None,
            },
            delete_rule,
        }
    }

    /// A to-many relationship built at run time.
    pub fn build(
        name: impl Into<String>,
        target: impl Into<String>,
        kind: ToManyKind,
        inverse: Option<String>,
    ) -> Self {
        RelationshipDescriptor {
            name: Cow::Owned(name.into()),
            original_name: None,
            target: Cow::Owned(target.into()),
            kind,
            inverse: inverse.map(Cow::Owned),
            delete_rule: DeleteRule::Nullify,
        }
    }

    /// Marks the relationship as renamed from `original_name` in the previous version.
    pub fn with_original_name(mut self, original_name: impl Into<String>) -> Self {
        self.original_name = Some(Cow::Owned(original_name.into()));
        self
    }

    /// The relationship's (field's) name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The relationship's name in the previous schema version, when it was renamed.
    pub fn original_name(&self) -> Option<&str> {
        self.original_name.as_deref()
    }

    /// The related entity.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// One-to-many or many-to-many.
    pub fn kind(&self) -> ToManyKind {
        self.kind
    }

    /// The other side: the target's to-one attribute (one-to-many) or
    /// to-many relationship (many-to-many), if declared.
    pub fn inverse(&self) -> Option<&str> {
        self.inverse.as_deref()
    }

    /// For a many-to-many of `entity`: the name of its join table, and
    /// whether `entity` is the owner side (its ids are in the `source`
    /// column). Of the two sides, the one whose `(entity, relationship)`
    /// names sort first owns the table and names it.
    pub fn join_table(&self, entity: &str) -> (String, bool) {
        let this = (entity, self.name());
        match self.inverse().map(|inverse| (self.target(), inverse)) {
            Some(other) if other < this => (join_table_name(other.0, other.1), false),
            _ => (join_table_name(this.0, this.1), true),
        }
    }

    /// What happens to the related records when the owner is deleted (for a
    /// one-to-many, the same rule as the inverse to-one's).
    pub fn delete_rule(&self) -> DeleteRule {
        self.delete_rule
    }
}

/// What happens to the records that refer to a record when it is deleted.
///
/// On a to-one (`Ref`) it says what happens to *this* record when the
/// referenced one is deleted; on a to-many it says what happens to the
/// related records when *this* one is deleted. Both describe the same
/// foreign key, so when both sides give a rule they must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeleteRule {
    /// The referring records are deleted too (SQLite `ON DELETE CASCADE`).
    Cascade,
    /// The reference is cleared (SQLite `ON DELETE SET NULL`); only for an
    /// optional to-one.
    Nullify,
    /// The delete is refused with [`Error::DeleteDenied`](crate::Error::DeleteDenied)
    /// while any record refers to it (checked by the context, with SQLite
    /// `ON DELETE RESTRICT` behind it for raw SQL).
    Deny,
    /// Nothing happens: the reference is kept and may dangle
    /// ([`ModelContext::follow`](crate::ModelContext::follow) then returns
    /// `None`). The column has no foreign key.
    NoAction,
}

impl DeleteRule {
    /// The name used in `#[relationship(delete_rule = "…")]` and in the canonical form.
    pub fn name(self) -> &'static str {
        use staged_vocabulary::DeleteRule as Rule;
        match self {
            DeleteRule::Cascade => Rule::Cascade,
            DeleteRule::Nullify => Rule::Nullify,
            DeleteRule::Deny => Rule::Deny,
            DeleteRule::NoAction => Rule::NoAction,
        }
        .name()
    }

    /// The SQLite `ON DELETE` action, `None` when the column has no foreign key.
    pub fn on_delete(self) -> Option<&'static str> {
        match self {
            DeleteRule::Cascade => Some("CASCADE"),
            DeleteRule::Nullify => Some("SET NULL"),
            DeleteRule::Deny => Some("RESTRICT"),
            DeleteRule::NoAction => None,
        }
    }
}
