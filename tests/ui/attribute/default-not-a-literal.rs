use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
        #[attribute(default = i64::MAX)]
        pub priority: i64,
    }
}

fn main() {}
