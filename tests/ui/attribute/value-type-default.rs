use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Note {
        #[attribute(default = "00000000-0000-0000-0000-000000000000")]
        pub uid: uuid::Uuid,
        #[attribute(default = "2024-01-01")]
        pub day: chrono::NaiveDate,
    }
}

fn main() {}
