use staged::prelude::*;

#[derive(StoredEnum)]
pub enum Status {
    Active,
}

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use super::*;

    #[model]
    pub struct Note {
        #[attribute(default = "Active")]
        pub status: Status,
    }
}

fn main() {}
