use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Author {
        pub name: String,
    }
}

#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    use staged::prelude::*;

    #[model]
    pub struct Book {
        pub title: String,
        pub author: Ref<super::v1::Author>,
    }
}

fn main() {}
