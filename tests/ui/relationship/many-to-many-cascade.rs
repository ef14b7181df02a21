use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    #[model]
    pub struct Book {
        #[relationship(inverse = "books", delete_rule = "cascade")]
        pub tags: ToMany<Tag>,
    }

    #[model]
    pub struct Tag {
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

fn main() {}
