use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
    }
}

#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    #[model]
    pub struct Reminder {
        pub name: String,
    }
}

fn main() {
    let _ = SchemaMigrationPlan::builder()
        .schema::<v2::Schema>()
        .schema::<v1::Schema>()
        .build();
}
