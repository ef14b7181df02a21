use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    #[model]
    pub struct Author {
        pub name: String,
    }

    #[model]
    pub struct Book {
        #[relationship(delete_rule = "restrict")]
        pub author: Ref<Author>,
    }
}

fn main() {}
