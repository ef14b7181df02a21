use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
        pub notes: Option<Option<String>>,
    }
}

fn main() {}
