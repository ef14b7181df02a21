//! Pause points and the observer that prints migration events and stops at
//! a pause point until told to go on.

use std::io::{BufRead, Write};
use std::sync::Mutex;

use staged::{Error, MigrationObserver, MigrationPath, MigrationStep, StoreError};

/// A point of a migration where the harness stops and waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pause {
    /// When the migration holds the store's write lock, before its first
    /// step (`will_migrate_store`).
    Start,
    /// Before step `k` (0-based) runs, inside the transaction.
    Step(usize),
    /// Inside a transform (of step `step`, or of any step), once it has
    /// processed at least `rows` rows.
    Row {
        /// The step whose transform pauses; `None` for the first that gets there.
        step: Option<usize>,
        /// Rows processed (progress is reported every
        /// [`PROGRESS_INTERVAL`](staged::PROGRESS_INTERVAL) rows and at the end).
        rows: u64,
    },
    /// After the store committed (`did_migrate_store`).
    Committed,
}

impl std::str::FromStr for Pause {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let number = |n: &str| n.parse().map_err(|_| format!("bad number in `{s}`"));
        match s.split_once(':') {
            None if s == "start" => Ok(Pause::Start),
            None if s == "committed" => Ok(Pause::Committed),
            Some(("step", k)) => Ok(Pause::Step(number(k)? as usize)),
            Some(("row", rest)) => match rest.split_once(':') {
                None => Ok(Pause::Row {
                    step: None,
                    rows: number(rest)?,
                }),
                Some((k, n)) => Ok(Pause::Row {
                    step: Some(number(k)? as usize),
                    rows: number(n)?,
                }),
            },
            _ => Err(format!(
                "unknown pause point `{s}`: expected start, step:<k>, row:[<k>:]<n> or committed"
            )),
        }
    }
}

impl std::fmt::Display for Pause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pause::Start => f.write_str("start"),
            Pause::Step(k) => write!(f, "step:{k}"),
            Pause::Row { step: None, rows } => write!(f, "row:{rows}"),
            Pause::Row {
                step: Some(k),
                rows,
            } => write!(f, "row:{k}:{rows}"),
            Pause::Committed => f.write_str("committed"),
        }
    }
}

/// Prints every migration event on stdout, one line each, and at its
/// pause point prints `paused <point>` and waits for a line on stdin (a
/// test either kills the process there or lets it go on).
pub struct Printer {
    label: String,
    pause: Option<Pause>,
    paused: Mutex<bool>,
    step: Mutex<usize>,
}

impl Printer {
    /// Events are prefixed with `label` (e.g. the store's name).
    pub fn new(label: &str, pause: Option<Pause>) -> Self {
        Printer {
            label: label.to_owned(),
            pause,
            paused: Mutex::new(false),
            step: Mutex::new(0),
        }
    }

    /// Prints a line now.
    pub fn say(&self, line: &str) {
        let mut out = std::io::stdout().lock();
        // The test reads lines as they come: flush each one.
        let _ = writeln!(out, "{} {line}", self.label);
        let _ = out.flush();
    }

    fn reached(&self, point: &Pause) {
        let hit = match (&self.pause, point) {
            (
                Some(Pause::Row { step, rows: want }),
                Pause::Row {
                    step: Some(current),
                    rows: done,
                },
            ) => step.is_none_or(|k| k == *current) && done >= want,
            (Some(want), point) => want == point,
            (None, _) => false,
        };
        let mut paused = self.paused.lock().unwrap_or_else(|e| e.into_inner());
        if hit && !*paused {
            *paused = true;
            self.say(&format!("paused {point}"));
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            self.say("resumed");
        }
    }
}

impl MigrationObserver for Printer {
    fn will_migrate_store(&self, path: &MigrationPath) {
        self.say(&format!("will-migrate {path}"));
        self.reached(&Pause::Start);
    }

    fn will_run_stage(&self, index: usize, _total: usize, _step: &MigrationStep) {
        *self.step.lock().unwrap_or_else(|e| e.into_inner()) = index;
        self.say(&format!("step {index}"));
        self.reached(&Pause::Step(index));
    }

    fn stage_progress(&self, _step: &MigrationStep, _entity: &str, done: u64, _total: u64) {
        let step = *self.step.lock().unwrap_or_else(|e| e.into_inner());
        self.reached(&Pause::Row {
            step: Some(step),
            rows: done,
        });
    }

    fn did_migrate_store(&self, _path: &MigrationPath) {
        self.say("committed");
        self.reached(&Pause::Committed);
    }

    fn migration_failed(&self, _path: &MigrationPath, error: &Error) {
        self.say(&format!("failed {error}"));
    }
}

/// A short name for the kind of `error`, printed by the harness so tests
/// can match on it.
pub fn error_kind(error: &Error) -> &'static str {
    match error {
        Error::Store(StoreError::Busy { .. }) => "busy",
        Error::Store(StoreError::ReadOnly { .. }) => "read-only",
        Error::Store(StoreError::Corrupt { .. }) => "corrupt",
        Error::Store(StoreError::DiskFull { .. }) => "disk-full",
        Error::Store(_) => "store",
        Error::Migration(_) => "migration",
        _ => "other",
    }
}
