//! Stages declared inside schema modules: `previous = …` and hook functions.

mod common;

use common::plans;
use common::schemas::reminders::{self, Style, v1};
use common::store::TempStore;
use staged::prelude::*;

#[versioned_schema(version = "2.0.0", previous = v1)]
mod v2 {
    use super::{Style, v1};
    use staged::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub static ORDER: AtomicUsize = AtomicUsize::new(0);

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub recurrence_rule: Option<String>,
        pub start: i64,
        pub due: Option<i64>,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct List {
        pub name: String,
        pub color: String,
    }

    #[will_migrate]
    fn fill_colors(ctx: &mut ModelContext<v1::Schema>) -> staged::Result<()> {
        assert_eq!(
            ORDER.fetch_add(1, Ordering::SeqCst),
            0,
            "will_migrate hooks run first, in order"
        );
        for mut list in
            ctx.fetch(FetchDescriptor::new().filter(v1::List::fields().color.is_null()))?
        {
            list.color = Some("gray".into());
            ctx.update(&list)?;
        }
        Ok(())
    }

    #[will_migrate]
    fn second(_: &mut ModelContext<v1::Schema>) -> staged::Result<()> {
        assert_eq!(ORDER.fetch_add(1, Ordering::SeqCst), 1);
        Ok(())
    }

    #[transform]
    fn reminder(old: v1::Reminder) -> staged::Result<Reminder> {
        let (recurrence_rule, start, due) = match old.style {
            Style::Manual { start, duration } => (None, start, Some(start + duration)),
            Style::Repeating { rule, start } => (Some(rule), start, None),
        };
        Ok(Reminder {
            uid: old.uid,
            title: old.title,
            recurrence_rule,
            start,
            due,
        })
    }

    #[did_migrate]
    fn welcome(ctx: &mut ModelContext<Schema>) -> staged::Result<()> {
        assert_eq!(ORDER.fetch_add(1, Ordering::SeqCst), 2);
        assert_eq!(ctx.count::<List>()?, 2);
        Ok(())
    }
}

/// No hooks: `stage()` is a lightweight stage.
#[versioned_schema(version = "3.0.0", previous = v2)]
mod v3 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub recurrence_rule: Option<String>,
        pub start: i64,
        pub due: Option<i64>,
        #[attribute(default = false)]
        pub done: bool,
    }

    #[model]
    pub struct List {
        pub name: String,
        pub color: String,
    }
}

fn seed(path: &std::path::Path) {
    let mut ctx = plans::open_single::<v1::Schema>(path).context();
    ctx.insert(reminders::manual("a", "standup", 100, 15))
        .unwrap();
    ctx.insert(reminders::repeating("b", "gym", "FREQ=WEEKLY", 200))
        .unwrap();
    ctx.insert(reminders::list("home", None)).unwrap();
    ctx.insert(reminders::list("work", Some("blue"))).unwrap();
}

#[test]
fn module_hooks_run_in_declaration_order_and_split_the_style() {
    let store = TempStore::named("reminders.sqlite");
    seed(store.path());
    let stage = v2::stage();
    assert!(stage.is_custom());
    assert!(!v3::stage().is_custom());
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .stage(stage)
        .stage(v3::stage())
        .build()
        .unwrap();
    assert_eq!(
        plan.migration_path(Version::new(1, 0, 0))
            .unwrap()
            .to_string(),
        "1.0.0 -[custom]-> 2.0.0 -[inferred]-> 3.0.0"
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    assert_eq!(v2::ORDER.load(std::sync::atomic::Ordering::SeqCst), 3);
    let mut ctx = container.context();
    type Row = (i64, String, Option<String>, i64, Option<i64>, bool);
    let reminders: Vec<Row> = ctx
        .fetch_all::<v3::Reminder>()
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.id().raw(),
                r.uid.clone(),
                r.recurrence_rule.clone(),
                r.start,
                r.due,
                r.done,
            )
        })
        .collect();
    assert_eq!(
        reminders,
        [
            (1, "a".into(), None, 100, Some(115), false),
            (2, "b".into(), Some("FREQ=WEEKLY".into()), 200, None, false)
        ]
    );
    let colors: Vec<String> = ctx
        .fetch_all::<v3::List>()
        .unwrap()
        .into_iter()
        .map(|l| l.color.clone())
        .collect();
    assert_eq!(colors, ["gray", "blue"]);
}
