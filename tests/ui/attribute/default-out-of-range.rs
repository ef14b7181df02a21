use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
        #[attribute(default = 300)]
        pub level: u8,
    }
}

fn main() {}
