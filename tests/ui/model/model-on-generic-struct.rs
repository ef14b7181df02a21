use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder<T> {
        pub title: String,
        pub payload: T,
    }
}

fn main() {}
