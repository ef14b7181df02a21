use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
    }

    #[model(name = "Reminder")]
    pub struct Task {
        pub title: String,
    }
}

fn main() {}
