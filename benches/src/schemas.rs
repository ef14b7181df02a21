//! The schemas the benchmarks migrate, and their plans.

use staged::prelude::*;

/// An `Item` store for the lightweight benchmarks.
pub mod items {
    use super::*;

    /// The schema before the migration.
    #[versioned_schema(version = "1.0.0")]
    pub mod v1 {
        /// A to-do item.
        #[model]
        pub struct Item {
            /// A unique key (a unique index).
            #[attribute(unique)]
            pub uid: String,
            /// The title.
            pub title: String,
            /// Optional notes.
            pub notes: Option<String>,
            /// A priority.
            pub priority: i64,
            /// An attribute the next version removes.
            pub legacy: i64,
        }
    }

    /// Rename `title` to `name`, add `score` with a default, remove `legacy`.
    #[versioned_schema(version = "2.0.0")]
    pub mod v2 {
        /// A to-do item.
        #[model(removed(legacy))]
        pub struct Item {
            /// A unique key (a unique index).
            #[attribute(unique)]
            pub uid: String,
            /// The title, renamed.
            #[attribute(original_name = "title")]
            pub name: String,
            /// Optional notes.
            pub notes: Option<String>,
            /// A priority.
            pub priority: i64,
            /// A new required attribute with a default.
            #[attribute(default = 0)]
            pub score: i64,
        }
    }

    /// `v1` plus a nullable attribute: an `ALTER TABLE … ADD COLUMN`.
    #[versioned_schema(version = "2.0.0")]
    pub mod v2_add {
        /// A to-do item.
        #[model]
        pub struct Item {
            /// A unique key (a unique index).
            #[attribute(unique)]
            pub uid: String,
            /// The title.
            pub title: String,
            /// Optional notes.
            pub notes: Option<String>,
            /// A priority.
            pub priority: i64,
            /// An attribute the next version removes.
            pub legacy: i64,
            /// The new nullable attribute.
            pub due: Option<i64>,
        }
    }

    /// `v1` -> `v2`: rename + add with default + drop.
    pub fn lightweight_plan() -> staged::Result<SchemaMigrationPlan<v2::Schema>> {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .schema::<v2::Schema>()
            .build()
    }

    /// `v1` -> `v2_add`: one nullable column added.
    pub fn add_column_plan() -> staged::Result<SchemaMigrationPlan<v2_add::Schema>> {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .schema::<v2_add::Schema>()
            .build()
    }
}

/// Five versions of a `Doc` entity, each a lightweight change of the previous.
pub mod skip {
    use super::*;

    /// The first version.
    #[versioned_schema(version = "1.0.0")]
    pub mod v1 {
        /// A document.
        #[model]
        pub struct Doc {
            /// A unique key.
            #[attribute(unique)]
            pub uid: String,
            /// The title.
            pub title: String,
            /// An optional body.
            pub body: Option<String>,
            /// A counter.
            pub a: i64,
            /// A counter.
            pub b: i64,
            /// A counter.
            pub c: i64,
        }
    }

    /// Renames `title`, adds `priority`, removes `c`.
    #[versioned_schema(version = "2.0.0")]
    pub mod v2 {
        /// A document.
        #[model(removed(c))]
        pub struct Doc {
            /// A unique key.
            #[attribute(unique)]
            pub uid: String,
            /// Renamed from `title`.
            #[attribute(original_name = "title")]
            pub name: String,
            /// An optional body.
            pub body: Option<String>,
            /// A counter.
            pub a: i64,
            /// A counter.
            pub b: i64,
            /// New, with a default.
            #[attribute(default = 0)]
            pub priority: i64,
        }
    }

    /// Renames `name`, removes `b`.
    #[versioned_schema(version = "3.0.0")]
    pub mod v3 {
        /// A document.
        #[model(removed(b))]
        pub struct Doc {
            /// A unique key.
            #[attribute(unique)]
            pub uid: String,
            /// Renamed from `name`.
            #[attribute(original_name = "name")]
            pub label: String,
            /// An optional body.
            pub body: Option<String>,
            /// A counter.
            pub a: i64,
            /// A priority.
            pub priority: i64,
        }
    }

    /// Renames `body` to `text` and makes it required with a default.
    #[versioned_schema(version = "4.0.0")]
    pub mod v4 {
        /// A document.
        #[model]
        pub struct Doc {
            /// A unique key.
            #[attribute(unique)]
            pub uid: String,
            /// The label.
            pub label: String,
            /// Renamed from `body`, now required.
            #[attribute(original_name = "body", default = "")]
            pub text: String,
            /// A counter.
            pub a: i64,
            /// A priority.
            pub priority: i64,
        }
    }

    /// Renames `label`, removes `a`, adds `pinned`.
    #[versioned_schema(version = "5.0.0")]
    pub mod v5 {
        /// A document.
        #[model(removed(a))]
        pub struct Doc {
            /// A unique key.
            #[attribute(unique)]
            pub uid: String,
            /// Renamed from `label`.
            #[attribute(original_name = "label")]
            pub heading: String,
            /// The text.
            pub text: String,
            /// A priority.
            pub priority: i64,
            /// New, with a default.
            #[attribute(default = false)]
            pub pinned: bool,
        }
    }

    /// The whole plan: a store at 1.0.0 takes one composed step to 5.0.0.
    pub fn plan_to_5() -> staged::Result<SchemaMigrationPlan<v5::Schema>> {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .schema::<v2::Schema>()
            .schema::<v3::Schema>()
            .schema::<v4::Schema>()
            .schema::<v5::Schema>()
            .build()
    }

    /// The plan as shipped with 2.0.0.
    pub fn plan_to_2() -> staged::Result<SchemaMigrationPlan<v2::Schema>> {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .schema::<v2::Schema>()
            .build()
    }

    /// The plan as shipped with 3.0.0.
    pub fn plan_to_3() -> staged::Result<SchemaMigrationPlan<v3::Schema>> {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .schema::<v2::Schema>()
            .schema::<v3::Schema>()
            .build()
    }

    /// The plan as shipped with 4.0.0.
    pub fn plan_to_4() -> staged::Result<SchemaMigrationPlan<v4::Schema>> {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .schema::<v2::Schema>()
            .schema::<v3::Schema>()
            .schema::<v4::Schema>()
            .build()
    }
}

/// An `Event` store for the transform benchmarks (the same change as the
/// native_db models in [`crate::native`]).
pub mod events {
    use super::*;

    /// The schema before the migration.
    #[versioned_schema(version = "1.0.0")]
    pub mod v1 {
        /// An event.
        #[model]
        pub struct Event {
            /// The event's name.
            pub name: String,
            /// Minutes since midnight.
            pub minute: i64,
            /// A payload that makes rows a realistic size.
            pub payload: String,
        }
    }

    /// `minute` becomes `hour` and `minute_of_hour`: Rust code, not SQL.
    #[versioned_schema(version = "2.0.0")]
    pub mod v2 {
        /// An event.
        #[model]
        pub struct Event {
            /// The event's name.
            pub name: String,
            /// The hour.
            pub hour: i64,
            /// The minute within the hour.
            pub minute_of_hour: i64,
            /// The payload.
            pub payload: String,
        }
    }

    /// The transform of every event.
    pub fn split_minute(old: v1::Event) -> v2::Event {
        v2::Event {
            name: old.name,
            hour: old.minute / 60,
            minute_of_hour: old.minute % 60,
            payload: old.payload,
        }
    }

    /// `v1` -> `v2` through a custom stage with a `transform`.
    pub fn transform_plan() -> staged::Result<SchemaMigrationPlan<v2::Schema>> {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .schema::<v2::Schema>()
            .stage(
                MigrationStage::custom::<v1::Schema, v2::Schema>()
                    .transform(|old: v1::Event| Ok(split_minute(old))),
            )
            .build()
    }

    /// The up-to-date plan for the open benchmark: the store is at 2.0.0.
    pub fn current_plan() -> staged::Result<SchemaMigrationPlan<v2::Schema>> {
        transform_plan()
    }
}
