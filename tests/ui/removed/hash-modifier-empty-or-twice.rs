use staged::prelude::*;

#[versioned_schema(version = "2.0.0", hash_modifier = "", hash_modifier = "recount")]
pub mod v2 {
    #[model]
    pub struct Note {
        pub body: String,
    }
}

fn main() {}
