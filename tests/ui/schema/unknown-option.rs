use staged::prelude::*;

#[versioned_schema(version = "1.0.0", name = "reminders")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
    }
}

fn main() {}
