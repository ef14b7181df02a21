//! Running a custom stage: its hooks, and its transforms through shadow tables.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::context::TableMap;
use crate::error::{Error, MigrationError, Result};
use crate::inference::{self, Purpose, SchemaMapping, Statement};
use crate::planner::MigrationStep;
use crate::schema::{SchemaDescriptor, VersionedSchema};
use crate::sql;
use crate::stage::ErasedCustom;

use super::{Runner, lock};

impl<S: VersionedSchema> Runner<'_, S> {
    pub(super) fn run_custom(
        &self,
        step: &MigrationStep,
        from: &SchemaDescriptor,
        to: &SchemaDescriptor,
        mapping: &SchemaMapping,
        custom: &ErasedCustom,
    ) -> Result<u64> {
        let (v_from, v_to) = (from.version(), to.version());
        let hook_error = |hook: String, source: Error| -> Error {
            MigrationError::HookFailed {
                path: self.path.to_owned(),
                from: v_from,
                to: v_to,
                hook,
                source: Box::new(source),
            }
            .into()
        };
        for (k, hook) in custom.will_migrate.iter().enumerate() {
            let label = format!("`will_migrate` hook #{}", k + 1);
            self.record(|r| r.hook(&label));
            guarded(|| hook(self.shared)).map_err(|e| hook_error(label, e))?;
        }
        let mut rows = 0u64;
        let mut shadows = Vec::new();
        let mut built = Vec::new();
        let mut dropped = Vec::new();
        for (k, transform) in custom.transforms.iter().enumerate() {
            let (source, target) = ((transform.source)(), (transform.target)());
            let shadow = sql::old_table(k);
            let fresh = sql::transformed_table(k);
            let total: i64 = {
                let conn = lock(self.shared);
                // The foreign keys of other tables (to-ones, join tables) keep
                // naming the entity, not its shadow (`set_migration_mode`):
                // the new table takes the name back with the same ids.
                self.exec(&conn, &sql::rename_table(source.name(), &shadow))?;
                // The shadow's indexes would hold the names the new table's indexes need.
                for (name, _) in inference::index_statements(source) {
                    self.exec(&conn, &sql::drop_index_if_exists(&name))?;
                }
                self.exec(&conn, &sql::create_table(&fresh, target))?;
                // Before any row: the ids of the shadow's deleted and
                // dropped rows stay unused (the shadow took over the
                // entity's `sqlite_sequence` row with its name).
                self.exec(&conn, &sql::seed_sequence(&fresh, &shadow))?;
                // Only an observer needs the total, and counting reads the
                // whole table once more.
                if self.observer.is_some() {
                    conn.query_row(&sql::count(&shadow, ""), [], |r| r.get(0))?
                } else {
                    0
                }
            };
            let total = total.unsigned_abs();
            // The rows read, as the transform's last progress call reports them.
            let mut read = 0u64;
            let mut progress = |done: u64| {
                read = done;
                if let Some(observer) = self.observer {
                    observer.stage_progress(step, target.name(), done, total);
                }
            };
            let label = format!("transform of `{}`", source.name());
            self.record(|r| r.transform(source.name()));
            let written = {
                let conn = lock(self.shared);
                guarded(|| (transform.run)(&conn, &shadow, &fresh, &mut progress))
                    .map_err(|e| hook_error(label.clone(), e))?
            };
            self.record(|r| r.rows_written(written));
            rows += written;
            if written < read {
                dropped.push((target.name().to_owned(), label));
            }
            shadows.push((source.name().to_owned(), shadow));
            built.push((fresh, target));
        }
        let skip: HashSet<String> = built.iter().map(|(_, t)| t.name().to_owned()).collect();
        let keep: HashSet<String> = shadows.iter().map(|(s, _)| s.clone()).collect();
        let mut statements = inference::lower_except(from, to, mapping, &skip, &keep);
        for (fresh, target) in &built {
            statements.push(Statement {
                sql: sql::rename_table(fresh, target.name()),
                purpose: Purpose::Schema,
            });
            statements.extend(
                inference::index_statements(target)
                    .into_iter()
                    .map(|(_, statement)| statement),
            );
        }
        rows += self.execute_all(from, to, &statements)?;
        // Rows a transform dropped may be referred to: apply the delete rules.
        for (entity, label) in dropped {
            rows += crate::delete_rules::apply_delete_rules(&lock(self.shared), to, &entity)
                .map_err(|e| hook_error(label, e))?;
        }
        let old_tables: TableMap = std::sync::Arc::new(shadows.iter().cloned().collect());
        for (k, hook) in custom.migrate.iter().enumerate() {
            let label = format!("`migrate` hook #{}", k + 1);
            self.record(|r| r.hook(&label));
            guarded(|| hook(self.shared, &old_tables)).map_err(|e| hook_error(label, e))?;
        }
        {
            let conn = lock(self.shared);
            for (_, shadow) in &shadows {
                self.exec(&conn, &sql::drop_table(shadow))?;
            }
        }
        for (k, hook) in custom.did_migrate.iter().enumerate() {
            let label = format!("`did_migrate` hook #{}", k + 1);
            self.record(|r| r.hook(&label));
            guarded(|| hook(self.shared)).map_err(|e| hook_error(label, e))?;
        }
        Ok(rows)
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
