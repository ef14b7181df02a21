use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model(index(title, "body"))]
    pub struct Note {
        pub title: String,
        pub body: String,
    }
}

fn main() {}
