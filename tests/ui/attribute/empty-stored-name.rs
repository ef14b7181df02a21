use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Note {
        #[attribute(name = "")]
        pub created_at: i64,
    }
}

fn main() {}
