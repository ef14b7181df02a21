use staged::prelude::*;

#[versioned_schema]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
    }
}

fn main() {}
