//! Running a custom stage: its hooks, and its transforms through shadow tables.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::context::TableMap;
use crate::delete_rules;
use crate::error::{Error, MigrationError, Result};
use crate::inference::{self, Purpose, SchemaMapping, Statement};
use crate::planner::MigrationStep;
use crate::schema::{EntityDescriptor, SchemaDescriptor, VersionedSchema};
use crate::sql;
use crate::stage::{ErasedCustom, ErasedTransform};

use super::{Runner, lock};

impl<S: VersionedSchema> Runner<'_, S> {
    /// Runs the custom stage `custom` as the step from `from` to `to`: its
    /// `will_migrate` hooks, its transforms, the inferred SQL for the other
    /// entities, the delete rules for the rows a transform dropped, its
    /// `migrate` hooks, and its `did_migrate` hooks once the old tables are
    /// gone. Returns the rows written.
    pub(super) fn run_custom(
        &self,
        step: &MigrationStep,
        from: &SchemaDescriptor,
        to: &SchemaDescriptor,
        mapping: &SchemaMapping,
        custom: &ErasedCustom,
    ) -> Result<u64> {
        let stage = CustomRun {
            runner: self,
            step,
            from,
            to,
        };
        stage.hooks("will_migrate", &custom.will_migrate, |hook| {
            hook(self.shared)
        })?;
        let mut transformed = Vec::with_capacity(custom.transforms.len());
        for (k, transform) in custom.transforms.iter().enumerate() {
            transformed.push(stage.transform(k, transform)?);
        }
        let mut rows: u64 = transformed.iter().map(|t| t.written).sum();
        rows += stage.other_entities(mapping, &transformed)?;
        // Rows a transform dropped may be referred to: apply the delete rules.
        for t in transformed.iter().filter(|t| t.dropped_rows) {
            rows += delete_rules::apply_delete_rules(&lock(self.shared), to, t.target.name())
                .map_err(|e| stage.hook_error(t.label.clone(), e))?;
        }
        let old_tables: TableMap = Arc::new(
            transformed
                .iter()
                .map(|t| (t.source.to_owned(), t.shadow.clone()))
                .collect(),
        );
        stage.hooks("migrate", &custom.migrate, |hook| {
            hook(self.shared, &old_tables)
        })?;
        {
            let conn = lock(self.shared);
            for t in &transformed {
                self.exec(&conn, &sql::drop_table(&t.shadow))?;
            }
        }
        stage.hooks("did_migrate", &custom.did_migrate, |hook| hook(self.shared))?;
        Ok(rows)
    }
}

/// The label of the `number`th hook (from 1) of a kind (`will_migrate`,
/// `migrate`, `did_migrate`), as errors and dry runs name it.
pub(crate) fn hook_label(kind: &str, number: usize) -> String {
    format!("`{kind}` hook #{number}")
}

/// A custom stage being run: the runner, the step and its two schemas.
struct CustomRun<'r, 'a, S> {
    runner: &'r Runner<'a, S>,
    step: &'r MigrationStep,
    from: &'r SchemaDescriptor,
    to: &'r SchemaDescriptor,
}

/// What one transform did.
struct Transformed {
    /// The old entity.
    source: &'static str,
    /// The new entity.
    target: &'static EntityDescriptor,
    /// Where the old rows are until the stage ends ([`sql::old_table`]).
    shadow: String,
    /// The table the transform filled ([`sql::transformed_table`]).
    fresh: String,
    /// The rows it wrote.
    written: u64,
    /// Whether it wrote fewer rows than it read.
    dropped_rows: bool,
    /// The transform, as errors name it.
    label: String,
}

impl<S: VersionedSchema> CustomRun<'_, '_, S> {
    /// A [`MigrationError::HookFailed`] of this stage.
    fn hook_error(&self, hook: String, source: Error) -> Error {
        MigrationError::HookFailed {
            path: self.runner.path.to_owned(),
            from: self.from.version(),
            to: self.to.version(),
            hook,
            source: Box::new(source),
        }
        .into()
    }

    /// Runs the hooks of one `kind`, in order, through `call`.
    fn hooks<H>(&self, kind: &str, hooks: &[H], call: impl Fn(&H) -> Result<()>) -> Result<()> {
        for (k, hook) in hooks.iter().enumerate() {
            let label = hook_label(kind, k + 1);
            self.runner.record(|r| r.hook(&label));
            guarded(|| call(hook)).map_err(|e| self.hook_error(label, e))?;
        }
        Ok(())
    }

    /// Runs the `k`th transform: its old table becomes its shadow, and the
    /// rows streamed through it fill a new table.
    fn transform(&self, k: usize, transform: &ErasedTransform) -> Result<Transformed> {
        let runner = self.runner;
        let (source, target) = ((transform.source)(), (transform.target)());
        let shadow = sql::old_table(k);
        let fresh = sql::transformed_table(k);
        let total = self.set_up_tables(source, target, &shadow, &fresh)?;
        // The rows read, as the transform's last progress call reports them.
        let mut read = 0u64;
        let mut progress = |done: u64| {
            read = done;
            if let Some(observer) = runner.observer {
                observer.stage_progress(self.step, target.name(), done, total);
            }
        };
        let label = format!("transform of `{}`", source.name());
        runner.record(|r| r.transform(source.name()));
        let written = {
            let conn = lock(runner.shared);
            guarded(|| (transform.run)(&conn, &shadow, &fresh, &mut progress))
                .map_err(|e| self.hook_error(label.clone(), e))?
        };
        runner.record(|r| r.rows_written(written));
        Ok(Transformed {
            source: source.name(),
            target,
            shadow,
            fresh,
            written,
            dropped_rows: written < read,
            label,
        })
    }

    /// Renames `source`'s table to `shadow` and creates `fresh` for
    /// `target`; returns the shadow's rows when an observer wants the
    /// total (0 otherwise).
    fn set_up_tables(
        &self,
        source: &EntityDescriptor,
        target: &EntityDescriptor,
        shadow: &str,
        fresh: &str,
    ) -> Result<u64> {
        let runner = self.runner;
        let conn = lock(runner.shared);
        // The foreign keys of other tables (to-ones, join tables) keep
        // naming the entity, not its shadow (`set_migration_mode`):
        // the new table takes the name back with the same ids.
        runner.exec(&conn, &sql::rename_table(source.name(), shadow))?;
        // The shadow's indexes would hold the names the new table's indexes need.
        for (name, _) in inference::index_statements(source) {
            runner.exec(&conn, &sql::drop_index_if_exists(&name))?;
        }
        runner.exec(&conn, &sql::create_table(fresh, target))?;
        // Before any row: the ids of the shadow's deleted and
        // dropped rows stay unused (the shadow took over the
        // entity's `sqlite_sequence` row with its name).
        runner.exec(&conn, &sql::seed_sequence(fresh, shadow))?;
        // Only an observer needs the total, and counting reads the
        // whole table once more.
        if runner.observer.is_none() {
            return Ok(0);
        }
        let total: i64 = conn.query_row(&sql::count(shadow, ""), [], |r| r.get(0))?;
        Ok(total.unsigned_abs())
    }

    /// The inferred SQL for the entities without a transform, then the
    /// transformed tables under their names with their indexes; returns
    /// the rows written.
    fn other_entities(&self, mapping: &SchemaMapping, transformed: &[Transformed]) -> Result<u64> {
        let skip: HashSet<String> = transformed
            .iter()
            .map(|t| t.target.name().to_owned())
            .collect();
        let keep: HashSet<String> = transformed.iter().map(|t| t.source.to_owned()).collect();
        let mut statements = inference::lower_except(self.from, self.to, mapping, &skip, &keep);
        for t in transformed {
            statements.push(Statement {
                sql: sql::rename_table(&t.fresh, t.target.name()),
                purpose: Purpose::Schema,
            });
            statements.extend(
                inference::index_statements(t.target)
                    .into_iter()
                    .map(|(_, statement)| statement),
            );
        }
        self.runner.execute_all(self.from, self.to, &statements)
    }
}

/// Runs user code, turning a panic into an [`Error::Hook`] with its message.
fn guarded<T>(body: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            Err(Error::hook(format!("panicked: {message}")))
        }
    }
}
