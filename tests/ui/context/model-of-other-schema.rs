use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
    }
}

#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    #[model]
    pub struct Reminder {
        pub name: String,
    }
}

fn fill(ctx: &mut ModelContext<v2::Schema>) -> staged::Result<()> {
    let old = v1::Reminder {
        title: "buy milk".to_owned(),
    };
    ctx.insert(old)?;
    Ok(())
}

fn main() {
    let _ = fill;
}
