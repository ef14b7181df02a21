use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Meeting {
        pub starts: chrono::DateTime<chrono::Local>,
        pub ends: Option<chrono::DateTime<chrono::FixedOffset>>,
    }
}

fn main() {}
