use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
    }
}

#[versioned_schema(version = "1.0.0", previous = v1)]
pub mod v1b {
    #[model]
    pub struct Reminder {
        pub name: String,
    }
}

fn main() {
    let _ = v1b::stage();
}
