use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model(unique(folder, title), index(folder, title), unique(title, folder))]
    pub struct Note {
        pub folder: String,
        pub title: String,
        pub body: String,
    }
}

fn main() {}
