use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model(unique(folder, titel))]
    pub struct Note {
        pub folder: String,
        pub title: String,
    }
}

fn main() {}
