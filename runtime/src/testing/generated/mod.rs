//! [`MigrationTest::generated`](super::MigrationTest::generated): stores
//! filled with generated records, migrated, and checked for lost data.
//!
//! For every version a test starts from, each case draws records for every
//! entity from proptest strategies derived from the schema's descriptors
//! (`draw`, `json`), gives them ids and makes their unique values unique
//! and their relationships point at records that exist (`seeded`), writes
//! them to a new store, migrates it with the plan through the runner, and
//! compares what the migration kept with what it must keep (`invariants`).
//! A failing case is made small: fewer records (halving), then simpler
//! values (proptest shrinking, record by record).

mod draw;
mod invariants;
mod json;
mod seeded;

use std::collections::{BTreeMap, HashSet};

use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use self::draw::RecordDraw;
use self::invariants::Expectations;
use self::seeded::SeededStore;
use super::{Check, TestError, guarded, store};
use crate::plan::SchemaMigrationPlan;
use crate::schema::{SchemaDescriptor, Version, VersionedSchema};

/// What [`MigrationTest::generated`](super::MigrationTest::generated)
/// generates: how many records per entity, how many stores per version, and
/// what the plan changes on purpose beyond what its descriptors say.
///
/// `.generated(20)` is `.generated(Generated::records(20))`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    records: usize,
    cases: usize,
    rewrites: HashSet<(String, String)>,
    deletes: HashSet<String>,
}

/// How many stores per version unless [`Generated::cases`] says otherwise.
const DEFAULT_CASES: usize = 4;
/// How many migrations a failure may run to be made smaller.
const SHRINK_BUDGET: usize = 100;

impl Generated {
    /// `n` records per entity in every generated store (fewer when a unique
    /// constraint has less room, e.g. a unique `bool`, or when a required
    /// to-one's target has no records).
    pub fn records(n: usize) -> Self {
        Generated {
            records: n,
            cases: DEFAULT_CASES,
            rewrites: HashSet::new(),
            deletes: HashSet::new(),
        }
    }

    /// How many stores are generated for each version (4 by default), each
    /// with other values.
    pub fn cases(mut self, cases: usize) -> Self {
        self.cases = cases;
        self
    }

    /// Says that a hook or transform of the plan changes the values of
    /// `attribute` of `entity` (names of the latest schema) on purpose, so
    /// that they are not compared with the old ones.
    pub fn rewrites(mut self, entity: &str, attribute: &str) -> Self {
        self.rewrites
            .insert((entity.to_owned(), attribute.to_owned()));
        self
    }

    /// Says that a hook of the plan deletes records of `entity` (the
    /// latest schema's name) on purpose, so that its records are not
    /// expected to survive the migration.
    pub fn deletes_rows(mut self, entity: &str) -> Self {
        self.deletes.insert(entity.to_owned());
        self
    }
}

impl From<usize> for Generated {
    fn from(records: usize) -> Self {
        Generated::records(records)
    }
}

/// The generated stores of one version: where they started, how many there
/// were, and how many records of each entity the last one held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedRun {
    from: Version,
    cases: usize,
    records: BTreeMap<String, usize>,
}

impl GeneratedRun {
    /// The version the stores were created at.
    pub fn from(&self) -> Version {
        self.from
    }

    /// How many stores were generated, migrated and checked.
    pub fn cases(&self) -> usize {
        self.cases
    }

    /// The records of each entity (by the name at [`from`](Self::from))
    /// written to the last store, before its migration.
    pub fn records(&self) -> &BTreeMap<String, usize> {
        &self.records
    }
}

impl std::fmt::Display for GeneratedRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} generated stores):", self.from, self.cases)?;
        for (entity, records) in &self.records {
            write!(f, " {entity}={records}")?;
        }
        Ok(())
    }
}

/// A boxed proptest value tree of one record.
type Tree = Box<dyn ValueTree<Value = RecordDraw>>;

/// A store that failed, and why.
struct Failure {
    message: String,
    seeded: SeededStore,
}

/// How many problems a failure lists before it counts the rest.
const LISTED_PROBLEMS: usize = 5;

/// Generates, migrates and checks the stores of version `from` of `plan`.
pub(super) fn run_version<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    from: Version,
    generated: &Generated,
    checks: &mut [Check<S>],
) -> Result<GeneratedRun, TestError> {
    let cannot = |reason: String| TestError::Generate {
        version: from,
        reason,
    };
    let descriptor = plan
        .schema(from)
        .map(|s| s.descriptor())
        .ok_or(TestError::NotInPlan { version: from })?;
    let strategies = strategies(descriptor).map_err(cannot)?;
    let expectations = Expectations::new(plan, descriptor, generated);
    let mut run = Run {
        plan,
        descriptor,
        expectations,
        checks,
    };
    let mut runner = TestRunner::deterministic();
    let mut records = BTreeMap::new();
    for _ in 0..generated.cases {
        let mut trees = strategies
            .iter()
            .map(|strategy| {
                (0..generated.records)
                    .map(|_| strategy.new_tree(&mut runner))
                    .collect::<Result<Vec<Tree>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| cannot(reason.to_string()))?;
        let draws = current(&trees);
        let all = vec![(0..generated.records).collect(); trees.len()];
        match run.attempt(&draws, &all) {
            Ok(seeded) => {
                records = seeded
                    .entities
                    .iter()
                    .map(|e| (e.name.clone(), e.records.len()))
                    .collect();
            }
            Err(failure) => {
                let failure = run.shrink(&mut trees, draws, all, failure);
                return Err(TestError::Generated {
                    from,
                    to: S::VERSION,
                    failure: failure.message,
                    records: failure.seeded.to_string(),
                });
            }
        }
    }
    Ok(GeneratedRun {
        from,
        cases: generated.cases,
        records,
    })
}

/// The strategy of one record of each entity of `descriptor`, in its order.
fn strategies(descriptor: &SchemaDescriptor) -> Result<Vec<BoxedStrategy<RecordDraw>>, String> {
    let joins = descriptor.join_tables();
    descriptor
        .entities()
        .iter()
        .map(|entity| {
            let owned = joins.iter().filter(|j| j.owner == entity.name()).count();
            draw::record(entity, owned)
        })
        .collect()
}

/// The current draw of every tree.
fn current(trees: &[Vec<Tree>]) -> Vec<Vec<RecordDraw>> {
    trees
        .iter()
        .map(|entity| entity.iter().map(|tree| tree.current()).collect())
        .collect()
}

/// One version's generated test: the plan, the version's schema, what must
/// hold after a migration, and the checks of the test.
struct Run<'t, S> {
    plan: &'t SchemaMigrationPlan<S>,
    descriptor: &'static SchemaDescriptor,
    expectations: Expectations<'t>,
    checks: &'t mut [Check<S>],
}

impl<S: VersionedSchema> Run<'_, S> {
    /// Writes the `included` draws of each entity to a new store, migrates
    /// it and checks it.
    fn attempt(
        &mut self,
        draws: &[Vec<RecordDraw>],
        included: &[Vec<usize>],
    ) -> Result<SeededStore, Failure> {
        let seeded = seeded::resolve(self.descriptor, draws, included);
        match self.migrate_and_check(&seeded) {
            Ok(()) => Ok(seeded),
            Err(message) => Err(Failure { message, seeded }),
        }
    }

    fn migrate_and_check(&mut self, seeded: &SeededStore) -> Result<(), String> {
        let from = self.descriptor.version();
        let created = store::create_file(self.descriptor).map_err(|e| e.to_string())?;
        seeded
            .write(&created.conn.lock(), self.descriptor)
            .map_err(|e| format!("writing the generated records failed: {e}"))?;
        let migrated = store::migrate_file(created, from, self.plan).map_err(|e| e.to_string())?;
        let problems = migrated
            .with_connection(|conn| self.expectations.problems(seeded, conn))
            .map_err(|e| format!("reading the migrated store failed: {e}"))?;
        if !problems.is_empty() {
            let mut message = problems[..problems.len().min(LISTED_PROBLEMS)].join("\n  - ");
            if problems.len() > LISTED_PROBLEMS {
                message.push_str(&format!(
                    "\n  - and {} more",
                    problems.len() - LISTED_PROBLEMS
                ));
            }
            return Err(format!("the migration lost data:\n  - {message}"));
        }
        let mut ctx = migrated.context();
        for check in self.checks.iter_mut() {
            guarded(from, "check", || check(from, &mut ctx))
                .map_err(|e| format!("a check failed: {e}"))?;
        }
        Ok(())
    }

    /// A smaller store that still fails: fewer records (halving their
    /// number, then leaving out one record at a time, while the store still
    /// fails), then simpler values, record by record.
    fn shrink(
        &mut self,
        trees: &mut [Vec<Tree>],
        mut draws: Vec<Vec<RecordDraw>>,
        mut included: Vec<Vec<usize>>,
        mut failure: Failure,
    ) -> Failure {
        let mut budget = SHRINK_BUDGET;
        while budget > 0 && included.iter().any(|i| i.len() > 1) {
            budget -= 1;
            let halved: Vec<Vec<usize>> = included
                .iter()
                .map(|i| i[..(i.len() / 2).max(i.len().min(1))].to_vec())
                .collect();
            match self.attempt(&draws, &halved) {
                Err(smaller) => (failure, included) = (smaller, halved),
                Ok(_) => break,
            }
        }
        for k in 0..included.len() {
            let mut at = 0;
            while at < included[k].len() && budget > 0 {
                budget -= 1;
                let mut fewer = included.clone();
                fewer[k].remove(at);
                match self.attempt(&draws, &fewer) {
                    Err(smaller) => (failure, included) = (smaller, fewer),
                    Ok(_) => at += 1,
                }
            }
        }
        for (k, entity) in included.iter().enumerate() {
            for &i in entity {
                let at = Shrinking { k, i };
                let tree = &mut trees[k][i];
                self.shrink_record(tree, &mut draws, &included, at, &mut failure, &mut budget);
            }
        }
        failure
    }

    /// Simplifies the draw of one record while the store still fails.
    fn shrink_record(
        &mut self,
        tree: &mut Tree,
        draws: &mut [Vec<RecordDraw>],
        included: &[Vec<usize>],
        at: Shrinking,
        failure: &mut Failure,
        budget: &mut usize,
    ) {
        let Shrinking { k, i } = at;
        let mut failing = draws[k][i].clone();
        'simplify: while *budget > 0 && tree.simplify() {
            while *budget > 0 {
                *budget -= 1;
                draws[k][i] = tree.current();
                match self.attempt(draws, included) {
                    Err(smaller) => {
                        *failure = smaller;
                        failing = draws[k][i].clone();
                        continue 'simplify;
                    }
                    Ok(_) if tree.complicate() => {}
                    Ok(_) => break 'simplify,
                }
            }
        }
        draws[k][i] = failing;
    }
}

/// The record being shrunk: the `i`-th draw of entity `k`.
#[derive(Clone, Copy)]
struct Shrinking {
    k: usize,
    i: usize,
}
