use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    #[model]
    pub struct Author {
        pub name: String,
        #[relationship(inverse = "editor")]
        pub books: ToMany<Book>,
    }

    #[model]
    pub struct Editor {
        pub name: String,
    }

    #[model]
    pub struct Book {
        pub author: Ref<Author>,
        pub editor: Option<Ref<Editor>>,
    }
}

fn main() {}
