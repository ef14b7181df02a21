use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub struct Reminder {
    pub title: String,
}

fn main() {}
