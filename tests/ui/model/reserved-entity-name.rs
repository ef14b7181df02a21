use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model(name = "_staged_metadata")]
    pub struct Metadata {
        pub key: String,
    }
}

fn main() {}
