use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model(unique(), index(title))]
    pub struct Note {
        pub title: String,
    }
}

fn main() {}
