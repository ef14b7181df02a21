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
    let _ = MigrationStage::custom::<v1::Schema, v2::Schema>().will_migrate(|ctx| {
        ctx.insert(v2::Reminder { title: String::new() })?;
        Ok(())
    });
}
