use reminders::{plan, v1, v3};
use staged::OpenOutcome;
use staged::prelude::*;

fn main() -> staged::Result<()> {
    // The app's data folder; here a temporary one, removed when `dir` is
    // dropped, also when a `?` below returns an error.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("reminders.sqlite");

    // What release 1.0.0 did on a user's device: create the store, save a reminder.
    {
        let plan_1_0 = SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()?;
        let mut ctx = ModelContainer::open(&path, plan_1_0)?.context();
        ctx.insert(v1::Reminder {
            uid: "r1".into(),
            title: "Buy milk".into(),
            done: true,
        })?;
    }

    // Release 3.0.0 opens the same file: 1.0.0 -> 2.0.0 by SQL, 2.0.0 -> 3.0.0 by the transform.
    let plan = plan()?;
    let route = plan.migration_path(Version::new(1, 0, 0))?;
    assert_eq!(
        route.to_string(),
        "1.0.0 -[inferred]-> 2.0.0 -[custom]-> 3.0.0"
    );
    let container = ModelContainer::open(&path, plan)?;
    assert_eq!(
        container.open_outcome(),
        OpenOutcome::Migrated {
            from: Version::new(1, 0, 0)
        }
    );
    assert_eq!(container.store_version(), Version::new(3, 0, 0));

    let reminders = container.context().fetch_all::<v3::Reminder>()?;
    let milk = &reminders[0];
    assert_eq!(
        (milk.name.as_str(), milk.status.as_str(), milk.priority),
        ("Buy milk", "done", 0)
    );
    println!("migrated along {route}: {} is {}", milk.name, milk.status);
    Ok(())
}
