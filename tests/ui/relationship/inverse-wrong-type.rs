use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    #[model]
    pub struct Author {
        pub name: String,
        pub books: Vec<u8>,
    }

    #[model]
    pub struct Book {
        #[relationship(inverse = "books")]
        pub author: Ref<Author>,
    }
}

fn main() {}
