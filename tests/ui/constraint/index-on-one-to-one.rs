use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Stream {
        pub url: String,
    }

    #[model(unique(stream), index(stream))]
    pub struct StreamState {
        pub stream: Ref<Stream>,
        pub position: i64,
    }
}

fn main() {}
