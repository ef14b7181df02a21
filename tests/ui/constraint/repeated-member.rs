use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model(index(title, title), unique(title, cache))]
    pub struct Note {
        pub title: String,
        #[transient]
        pub cache: Vec<String>,
    }
}

fn main() {}
