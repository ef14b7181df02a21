//! `staged`: inspect stores, diff schema snapshots, check a snapshot folder.
//!
//! ```text
//! staged inspect <STORE> [--schemas <DIR>] [--json]
//! staged diff <FROM.json> <TO.json> [--json]
//! staged check <SCHEMAS_DIR> [--json]
//! staged adopt-check <DATABASE> <SNAPSHOT.json> [--json]
//! ```
//!
//! Exit codes: 0 success; 1 the command found a problem (a change an
//! inferred step cannot apply, a snapshot folder that breaks a plan rule, a
//! store whose checksum does not match its snapshot, a database that does not
//! match the schema that would adopt it); 2 bad usage; 3 an input could not be
//! read (missing file, not a store, not a snapshot).

mod adopt;
mod check;
mod diff;
mod inspect;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::Serialize;

/// Inspect staged stores and check schema snapshots.
#[derive(Debug, Parser)]
#[command(name = "staged", version, about, after_help = EXIT_CODES)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 success; 1 a problem was found (a change an inferred \
step cannot apply, a plan rule broken, a store that does not match its snapshot, a database that \
does not match the schema that would adopt it); 2 bad usage; 3 an input could not be read.";

#[derive(Debug, Subcommand)]
enum Command {
    /// Show a store's version, checksum, migration history, entities with row counts
    /// and many-to-many join tables with link counts.
    Inspect {
        /// The store file (not changed).
        store: PathBuf,
        /// A folder of schema snapshots to compare the store's checksum with.
        #[arg(long, value_name = "DIR")]
        schemas: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show the changes from one schema snapshot to a newer one, their class,
    /// and the SQL an inferred step would run.
    Diff {
        /// The older snapshot (e.g. `schemas/1.0.0.json`).
        from: PathBuf,
        /// The newer snapshot.
        to: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check a folder of schema snapshots against the plan rules that do not
    /// need code: readable files named after their versions, untouched
    /// checksums, distinct checksums, valid renames, and which steps need a
    /// custom stage.
    Check {
        /// The snapshot folder (e.g. `schemas/`).
        dir: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check whether a SQLite database staged did not create matches a
    /// schema snapshot, so that `adopt` would take it over: every missing or
    /// unexpected table or column, wrong type, nullability, key, uniqueness,
    /// trigger and unreadable value (the database is not changed).
    AdoptCheck {
        /// The database file (not changed).
        database: PathBuf,
        /// The snapshot of the schema that would adopt it (e.g. `schemas/1.0.0.json`).
        snapshot: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// What a command found: its report, and whether it passed.
struct Outcome {
    text: String,
    json: serde_json::Value,
    passed: bool,
}

impl Outcome {
    fn new(report: &impl Serialize, text: String, passed: bool) -> Self {
        Outcome {
            text,
            json: serde_json::to_value(report).expect("reports serialize to JSON"),
            passed,
        }
    }
}

/// An input that could not be read; exit code 3.
#[derive(Debug)]
struct InputError(String);

impl<E: std::error::Error> From<E> for InputError {
    fn from(error: E) -> Self {
        InputError(error.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (json, result) = match cli.command {
        Command::Inspect {
            store,
            schemas,
            json,
        } => (json, inspect::run(&store, schemas.as_deref())),
        Command::Diff { from, to, json } => (json, diff::run(&from, &to)),
        Command::Check { dir, json } => (json, check::run(&dir)),
        Command::AdoptCheck {
            database,
            snapshot,
            json,
        } => (json, adopt::run(&database, &snapshot)),
    };
    match result {
        Ok(outcome) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&outcome.json).expect("JSON values print")
                );
            } else {
                print!("{}", outcome.text);
            }
            if outcome.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(InputError(message)) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "error": message }))
                        .expect("JSON values print")
                );
            }
            eprintln!("error: {message}");
            ExitCode::from(3)
        }
    }
}
