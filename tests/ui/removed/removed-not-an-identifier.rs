use staged::prelude::*;

#[versioned_schema(version = "2.0.0", removed("Tag"))]
pub mod v2 {
    #[model(removed("title", notes::body))]
    pub struct Note {
        pub body: String,
    }
}

fn main() {}
