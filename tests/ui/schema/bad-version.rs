use staged::prelude::*;

#[versioned_schema(version = "1.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
    }
}

// Uses of the schema add no errors of their own: only the version is wrong.
fn main() {
    let _ = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build();
}
