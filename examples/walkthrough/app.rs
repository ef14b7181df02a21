use staged::prelude::*;

/// 1.0.0, the first release.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub done: bool,
    }
}

/// 2.0.0: `title` renamed, `notes` and `priority` added. SQL alone can do
/// that, so the stage is lightweight.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "title")] // a rename: values are kept
        pub name: String,
        pub done: bool,
        pub notes: Option<String>, // new and optional: NULL for existing rows
        #[attribute(default = 0)] // new and required: existing rows get 0
        pub priority: i64,
    }
}

/// 3.0.0: `done: bool` becomes `status: String`. SQL cannot guess that, so
/// a custom stage converts each reminder.
#[versioned_schema(version = "3.0.0")]
pub mod v3 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub name: String,
        pub status: String, // "open" or "done"
        pub notes: Option<String>,
        pub priority: i64,
    }
}

/// Every version the app ever shipped, and how to go from one to the next.
pub fn plan() -> staged::Result<SchemaMigrationPlan<v3::Schema>> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .stage(MigrationStage::lightweight::<v1::Schema, v2::Schema>())
        .stage(
            MigrationStage::custom::<v2::Schema, v3::Schema>().transform(
                |old: v2::Reminder| -> staged::Result<v3::Reminder> {
                    Ok(v3::Reminder {
                        uid: old.uid,
                        name: old.name,
                        status: if old.done { "done" } else { "open" }.to_owned(),
                        notes: old.notes,
                        priority: old.priority,
                    })
                },
            ),
        )
        .build()
}
