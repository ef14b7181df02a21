use staged::prelude::*;

/// Neither a `StoredEnum` nor a `StoredValue`.
pub struct Email(pub String);

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use super::*;

    #[model]
    pub struct Contact {
        pub name: String,
        pub email: Email,
    }
}

fn main() {}
