use staged::prelude::*;

// Named like `url::Url`, but a type of the app's own: not a stored value type.
pub struct Url(pub String);

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use super::*;

    #[model]
    pub struct Bookmark {
        pub link: Url,
    }
}

fn main() {}
