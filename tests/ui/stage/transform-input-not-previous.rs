use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
    }
}

#[versioned_schema(version = "2.0.0", previous = v1)]
pub mod v2 {
    #[model]
    pub struct Reminder {
        pub title: String,
    }

    #[transform]
    fn reminder(old: Reminder) -> staged::Result<Reminder> {
        Ok(old)
    }
}

fn main() {
    let _ = v2::stage();
}
