use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub _id: i64,
        pub title: String,
    }
}

fn main() {}
