use staged::prelude::*;

#[versioned_schema(version = "2.0.0", removed(Folder))]
pub mod v2 {
    #[model(removed(body))]
    pub struct Note {
        pub body: String,
    }

    #[model]
    pub struct Folder {
        pub name: String,
    }
}

fn main() {}
