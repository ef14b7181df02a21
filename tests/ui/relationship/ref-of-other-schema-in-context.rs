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
    pub struct Author {
        pub name: String,
    }

    #[model]
    pub struct Book {
        pub author: Ref<Author>,
    }
}

fn follow(ctx: &mut ModelContext<v2::Schema>, old: Ref<v1::Author>) {
    let _ = ctx.follow(old);
}

fn main() {}
