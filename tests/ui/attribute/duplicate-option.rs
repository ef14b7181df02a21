use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        #[attribute(unique, unique)]
        pub uid: String,
    }
}

fn main() {}
