//! An optional attribute made required, the three ways a plan can say what
//! the stored NULLs become:
//!
//! 1. no default and no custom stage: `build()` refuses the plan, naming the
//!    attribute and the fix, before anything reaches a device;
//! 2. `#[attribute(default = …)]`: a lightweight stage turns NULLs into the
//!    default;
//! 3. a custom stage whose `will_migrate` hook computes each missing value
//!    from the rest of the record, on the old schema.
//!
//! Run with `cargo run --example optional_to_required`.

use staged::prelude::*;

/// 1.0.0: a contact's email is optional.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A contact.
    #[model]
    pub struct Contact {
        /// The name.
        pub name: String,
        /// The email address, when known.
        pub email: Option<String>,
    }
}

/// 2.0.0 without a default: email required, nothing says what NULLs become.
#[versioned_schema(version = "2.0.0")]
pub mod v2_bare {
    /// A contact.
    #[model]
    pub struct Contact {
        /// The name.
        pub name: String,
        /// The email address.
        pub email: String,
    }
}

/// 2.0.0 with a default: NULLs become the empty string.
#[versioned_schema(version = "2.0.0")]
pub mod v2_default {
    /// A contact.
    #[model]
    pub struct Contact {
        /// The name.
        pub name: String,
        /// The email address, empty when unknown.
        #[attribute(default = "")]
        pub email: String,
    }
}

/// Creates a store at 1.0.0 with one contact with an email and one without.
fn store_at_1_0(path: &std::path::Path) -> staged::Result<()> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()?;
    let mut ctx = ModelContainer::open(path, plan)?.context();
    ctx.insert(v1::Contact {
        name: "Ada".into(),
        email: Some("ada@example.org".into()),
    })?;
    ctx.insert(v1::Contact {
        name: "Grace".into(),
        email: None,
    })?;
    Ok(())
}

fn main() -> staged::Result<()> {
    // A temporary directory, removed when `dir` is dropped: at the end, or
    // as soon as a `?` below returns an error.
    let dir = tempfile::tempdir()?;

    // 1. Refused when the plan is built.
    let refused = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_bare::Schema>()
        .build();
    match refused {
        Err(error) => println!("1. without a default, build() refuses the plan:\n   {error}\n"),
        Ok(_) => unreachable!("a required attribute without a default is not inferable"),
    }

    // 2. Lightweight, with the default.
    let path = dir.path().join("with-default.sqlite");
    store_at_1_0(&path)?;
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_default::Schema>()
        .build()?;
    println!(
        "2. with `default = \"\"`: {}",
        plan.migration_path(Version::new(1, 0, 0))?
    );
    let container = ModelContainer::open(&path, plan)?;
    for contact in container.context().fetch_all::<v2_default::Contact>()? {
        println!("   {}: {:?}", contact.name, contact.email);
    }

    // 3. Custom: a hook fills the NULLs on the old schema, then SQL makes
    //    the column required.
    let path = dir.path().join("with-hook.sqlite");
    store_at_1_0(&path)?;
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_bare::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2_bare::Schema>().will_migrate(
                |ctx: &mut ModelContext<v1::Schema>| {
                    let missing =
                        FetchDescriptor::new().filter(v1::Contact::fields().email.is_null());
                    for mut contact in ctx.fetch(missing)? {
                        contact.email =
                            Some(format!("{}@unknown.invalid", contact.name.to_lowercase()));
                        ctx.update(&contact)?;
                    }
                    Ok(())
                },
            ),
        )
        .build()?;
    println!(
        "\n3. with a `will_migrate` hook: {}",
        plan.migration_path(Version::new(1, 0, 0))?
    );
    let container = ModelContainer::open(&path, plan)?;
    for contact in container.context().fetch_all::<v2_bare::Contact>()? {
        println!("   {}: {:?}", contact.name, contact.email);
    }

    Ok(())
}
