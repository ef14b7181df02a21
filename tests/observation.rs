//! `ModelContainer::observe`: a fetch delivered once, then again after every
//! commit that changed its entity, from any context, on the observation
//! thread; dropping the `Observation` stops it.

use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use staged::Observation;
use staged::prelude::*;

/// Books, their tags (many-to-many) and an unrelated entity.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    /// A book.
    #[model]
    pub struct Book {
        /// Its title.
        pub title: String,
        /// Its tags.
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    /// A tag on books.
    #[model]
    pub struct Tag {
        /// Its label.
        pub label: String,
        /// The books it is on.
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }

    /// Something no observation here looks at.
    #[model]
    pub struct Setting {
        /// Its value.
        pub value: String,
    }
}

use v1::{Book, Setting, Tag};

const WAIT: Duration = Duration::from_secs(10);

fn open(dir: &tempfile::TempDir) -> ModelContainer<v1::Schema> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap();
    ModelContainer::open(dir.path().join("store.sqlite"), plan).unwrap()
}

fn book(title: &str) -> Book {
    Book {
        title: title.into(),
        tags: ToMany::new(),
    }
}

/// Observes every book's title; the receiver gets each delivery.
fn observe_titles(container: &ModelContainer<v1::Schema>) -> (Observation, Receiver<Vec<String>>) {
    let (sender, deliveries) = mpsc::channel();
    let observation = container.observe(
        FetchDescriptor::new().sort(Book::fields().title.asc()),
        move |books: &[Record<Book>]| {
            let _ = sender.send(books.iter().map(|b| b.title.clone()).collect());
        },
    );
    (observation, deliveries)
}

fn next(deliveries: &Receiver<Vec<String>>) -> Vec<String> {
    deliveries
        .recv_timeout(WAIT)
        .expect("a delivery within 10 s")
}

#[test]
fn delivers_the_current_result_then_every_commit_from_any_context() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    container.context().insert(book("Dune")).unwrap();
    let (_observation, deliveries) = observe_titles(&container);
    assert_eq!(next(&deliveries), ["Dune"]);

    // A commit from another thread's context.
    let writer = container.clone();
    thread::spawn(move || writer.context().insert(book("Emma")).unwrap())
        .join()
        .unwrap();
    assert_eq!(next(&deliveries), ["Dune", "Emma"]);

    // A transaction is delivered once, when it commits.
    container
        .context()
        .transaction(|ctx| {
            ctx.insert(book("Beloved"))?;
            ctx.insert(book("Carrie"))?;
            Ok(())
        })
        .unwrap();
    assert_eq!(next(&deliveries), ["Beloved", "Carrie", "Dune", "Emma"]);
}

#[test]
fn commits_to_other_entities_and_rolled_back_transactions_are_not_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let (_observation, deliveries) = observe_titles(&container);
    assert_eq!(next(&deliveries), Vec::<String>::new());

    let mut ctx = container.context();
    ctx.insert(Setting {
        value: "dark".into(),
    })
    .unwrap();
    let rolled_back = ctx.transaction(|ctx| -> staged::Result<()> {
        ctx.insert(book("Never"))?;
        Err(staged::Error::hook("changed my mind"))
    });
    assert!(rolled_back.is_err());
    // The next delivery is this commit's: nothing came for the two above.
    ctx.insert(book("Dune")).unwrap();
    assert_eq!(next(&deliveries), ["Dune"]);
}

#[test]
fn links_in_a_join_table_are_changes_of_both_entities() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let mut ctx = container.context();
    let dune = ctx.insert(book("Dune")).unwrap();
    let sf = ctx
        .insert(Tag {
            label: "sf".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let (sender, deliveries) = mpsc::channel();
    let _observation = container.observe(FetchDescriptor::<Tag>::new(), move |tags| {
        let _ = sender.send(tags.len());
    });
    assert_eq!(deliveries.recv_timeout(WAIT).unwrap(), 1);

    let dune = ctx.get::<Book>(dune).unwrap().unwrap();
    ctx.add_related(&dune.tags, sf).unwrap();
    assert_eq!(deliveries.recv_timeout(WAIT).unwrap(), 1);
    ctx.remove_related(&dune.tags, sf).unwrap();
    assert_eq!(deliveries.recv_timeout(WAIT).unwrap(), 1);
}

#[test]
fn commits_during_a_callback_are_coalesced_into_one_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let (started, callback_started) = mpsc::channel();
    let (go, wait_for_go) = mpsc::channel::<()>();
    let (sender, deliveries) = mpsc::channel();
    let mut first = true;
    let _observation = container.observe(FetchDescriptor::<Book>::new(), move |books| {
        if std::mem::take(&mut first) {
            // Hold the observation thread while 50 commits happen.
            started.send(()).unwrap();
            wait_for_go.recv_timeout(WAIT).unwrap();
        }
        let _ = sender.send(books.len());
    });
    callback_started.recv_timeout(WAIT).unwrap();
    let mut ctx = container.context();
    for k in 0..50 {
        ctx.insert(book(&format!("b{k}"))).unwrap();
    }
    go.send(()).unwrap();
    assert_eq!(deliveries.recv_timeout(WAIT).unwrap(), 0);
    assert_eq!(
        deliveries.recv_timeout(WAIT).unwrap(),
        50,
        "one delivery for 50 commits"
    );
    ctx.insert(book("last")).unwrap();
    assert_eq!(deliveries.recv_timeout(WAIT).unwrap(), 51);
}

#[test]
fn dropping_the_observation_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let (first, first_deliveries) = observe_titles(&container);
    let (_second, second_deliveries) = observe_titles(&container);
    assert_eq!(next(&first_deliveries), Vec::<String>::new());
    assert_eq!(next(&second_deliveries), Vec::<String>::new());
    drop(first);
    container.context().insert(book("Dune")).unwrap();
    // The second observation's delivery shows the pass is done: the first
    // got nothing in it.
    assert_eq!(next(&second_deliveries), ["Dune"]);
    assert!(first_deliveries.try_recv().is_err());
}

#[test]
fn callbacks_run_on_the_observation_thread() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let (sender, names) = mpsc::channel();
    let _observation = container.observe(FetchDescriptor::<Book>::new(), move |_| {
        let _ = sender.send(thread::current().name().map(str::to_owned));
    });
    assert_eq!(
        names.recv_timeout(WAIT).unwrap().as_deref(),
        Some("staged-observation")
    );
}

#[test]
fn an_in_memory_store_is_observed_too() {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap();
    let container = ModelContainer::in_memory(plan).unwrap();
    let (_observation, deliveries) = observe_titles(&container);
    assert_eq!(next(&deliveries), Vec::<String>::new());
    container.context().insert(book("Dune")).unwrap();
    assert_eq!(next(&deliveries), ["Dune"]);
}

#[test]
fn a_closed_store_stops_delivering_and_its_thread_ends() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let (observation, deliveries) = observe_titles(&container);
    assert_eq!(next(&deliveries), Vec::<String>::new());
    drop(container);
    // The store closes with its last container (once the observation thread
    // has finished a delivery in flight): no WAL files are left, although
    // the observation is still alive.
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let started = std::time::Instant::now();
    while listing() != ["store.sqlite"] && started.elapsed() < WAIT {
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(listing(), ["store.sqlite"]);
    drop(observation);
}
