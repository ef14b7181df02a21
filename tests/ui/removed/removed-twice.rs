use staged::prelude::*;

#[versioned_schema(version = "2.0.0", removed(Tag, Tag))]
pub mod v2 {
    #[model(removed(title, title))]
    pub struct Note {
        pub body: String,
    }
}

fn main() {}
