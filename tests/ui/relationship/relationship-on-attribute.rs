use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    #[model]
    pub struct Author {
        #[relationship(inverse = "x")]
        pub name: String,
    }

    #[model]
    pub struct Book {
        #[attribute(index)]
        pub author: Ref<Author>,
    }
}

fn main() {}
