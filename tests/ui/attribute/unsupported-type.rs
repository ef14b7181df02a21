use std::collections::HashSet;

use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use super::*;

    #[model]
    pub struct Reminder {
        pub title: String,
        pub tags: HashSet<String>,
    }
}

// Uses of the model add no errors of their own: only the field type is wrong.
fn add(ctx: &mut ModelContext<v1::Schema>) -> staged::Result<()> {
    ctx.insert(v1::Reminder {
        title: "buy milk".to_owned(),
        tags: HashSet::new(),
    })?;
    let _ = v1::Reminder::fields().tags;
    let _ = ctx.fetch(FetchDescriptor::new().sort(v1::Reminder::fields().title.asc()))?;
    Ok(())
}

fn main() {
    let _ = add;
}
