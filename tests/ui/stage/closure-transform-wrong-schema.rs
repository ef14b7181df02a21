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
        pub title: String,
    }
}

fn main() {
    let _ = MigrationStage::custom::<v1::Schema, v2::Schema>()
        .transform(|old: v2::Reminder| -> staged::Result<v2::Reminder> { Ok(old) });
}
