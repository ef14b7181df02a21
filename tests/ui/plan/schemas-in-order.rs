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

// The counterpart of `schemas-out-of-order.rs`: the plan's const assertion
// accepts schemas added oldest first.
fn main() {
    let _ = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build();
}
