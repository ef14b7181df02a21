use staged::prelude::*;

#[derive(StoredEnum)]
pub enum Status {
    Active,
    Snoozed { until: i64 },
}

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use super::*;

    #[model]
    pub struct Note {
        pub status: Status,
    }
}

fn main() {}
