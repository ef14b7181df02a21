use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Note {
        pub created_at: i64,
        #[attribute(name = "Created_At")]
        pub created: i64,
    }
}

fn main() {}
