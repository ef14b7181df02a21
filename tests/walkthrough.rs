//! The README's walkthrough: its app (`examples/walkthrough/app.rs`, the
//! README's `src/lib.rs`) tested with `staged::testing` exactly as the README
//! shows, its `src/main.rs` (`examples/walkthrough/app_main.rs`) run, and a
//! check that the README still shows this code verbatim.

#[path = "../examples/walkthrough/app.rs"]
mod app;

use app::{plan, v1, v2, v3};
use staged::prelude::*;
use staged::testing::{MigrationTest, assert_schema_snapshots};

// README: test begins
#[test]
fn every_shipped_version_migrates_to_the_latest() {
    MigrationTest::new(plan().unwrap())
        .seed(|ctx: &mut ModelContext<v1::Schema>| {
            let title = "Buy milk".into();
            ctx.insert(v1::Reminder {
                uid: "r1".into(),
                title,
                done: true,
            })?;
            Ok(())
        })
        .seed(|ctx: &mut ModelContext<v2::Schema>| {
            let name = "Buy milk".into();
            ctx.insert(v2::Reminder {
                uid: "r1".into(),
                name,
                done: true,
                notes: None,
                priority: 2,
            })?;
            Ok(())
        })
        .check(|from, ctx: &mut ModelContext<v3::Schema>| {
            if from < Version::new(3, 0, 0) {
                let all = ctx.fetch_all::<v3::Reminder>()?;
                assert_eq!(
                    (all[0].name.as_str(), all[0].status.as_str()),
                    ("Buy milk", "done")
                );
            }
            Ok(())
        })
        .run()
        .unwrap();
}

#[test]
fn shipped_schemas_are_unchanged() {
    let snapshots = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemas");
    assert_schema_snapshots(&plan().unwrap(), snapshots);
}
// README: test ends

/// The README's `src/main.rs`, in a crate that calls the README's
/// `src/lib.rs` `reminders`.
mod readme_main {
    use super::app as reminders;

    include!("../examples/walkthrough/app_main.rs");

    pub(super) fn run() -> staged::Result<()> {
        main()
    }
}

#[test]
fn the_readme_main_migrates_a_store_of_release_1() {
    readme_main::run().unwrap();
}

/// The text between `// README: <part> begins` and `// README: <part> ends`.
fn between<'a>(source: &'a str, part: &str) -> &'a str {
    let begin = format!("// README: {part} begins\n");
    let end = format!("// README: {part} ends");
    let start = source.find(&begin).expect("begin marker") + begin.len();
    let stop = source.find(&end).expect("end marker");
    &source[start..stop]
}

#[test]
fn the_readme_shows_this_code_verbatim() {
    let readme = include_str!("../README.md");
    let app = include_str!("../examples/walkthrough/app.rs");
    assert!(
        readme.contains(app.trim()),
        "README.md no longer shows examples/walkthrough/app.rs verbatim: update the walkthrough"
    );
    let main = include_str!("../examples/walkthrough/app_main.rs");
    assert!(
        readme.contains(main.trim()),
        "README.md no longer shows examples/walkthrough/app_main.rs verbatim: update the walkthrough"
    );
    let test = between(include_str!("walkthrough.rs"), "test");
    assert!(
        readme.contains(test.trim()),
        "README.md no longer shows the tests of tests/walkthrough.rs verbatim: update the walkthrough"
    );
}
