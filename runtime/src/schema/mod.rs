//! Schemas: versions, descriptors, checksums, and the traits generated code implements.

mod attribute;
mod checksum;
mod descriptor;
mod entity;
pub mod json_shape;
mod relationships;
pub mod snapshot;
mod user_type;
mod version;

pub use attribute::{AttributeDescriptor, AttributeType, DefaultValue};
// The text a checksum hashes and the join table naming rule: for the
// workspace's own tests, not part of the documented API.
#[doc(hidden)]
pub use checksum::canonical_form;
pub use checksum::{Checksum, ParseChecksumError};
pub use descriptor::{ID_COLUMN, SchemaDescriptor};
pub use entity::{Constraint, EntityDescriptor};
pub(crate) use relationships::JOIN_TABLE_PREFIX;
#[doc(hidden)]
pub use relationships::join_table_name;
pub use relationships::{DeleteRule, JoinTable, Reference, RelationshipDescriptor, ToManyKind};
pub use user_type::UserType;
pub use version::{ParseVersionError, Version};

/// One version of an app's data model; `#[versioned_schema]` implements it
/// for the `Schema` struct it generates in each schema module.
pub trait VersionedSchema: Sized + Send + Sync + 'static {
    /// The schema's version.
    const VERSION: Version;

    /// The schema's entities and attributes.
    fn descriptor() -> &'static SchemaDescriptor;

    /// The checksum of the schema's shape (see [`Checksum`]).
    fn checksum() -> Checksum;

    /// The stage of a schema module that declares migration hooks (its
    /// `stage()`, a `MigrationStage`), which a plan always runs; `None` for
    /// other schemas. Implemented by `#[versioned_schema]`.
    #[doc(hidden)]
    fn __module_stage() -> Option<Box<dyn std::any::Any>> {
        None
    }
}
