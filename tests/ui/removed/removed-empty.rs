use staged::prelude::*;

#[versioned_schema(version = "2.0.0", removed())]
pub mod v2 {
    #[model(removed())]
    pub struct Note {
        pub body: String,
    }
}

fn main() {}
