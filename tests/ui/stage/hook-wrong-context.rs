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
    use staged::prelude::*;

    #[model]
    pub struct Reminder {
        pub title: String,
    }

    #[will_migrate]
    fn fill(_ctx: &mut ModelContext<Schema>) -> staged::Result<()> {
        Ok(())
    }
}

fn main() {
    let _ = v2::stage();
}
