//! `staged-harness`: migrates a store the way an app would, printing each
//! migration event on its own line, and can stop at a chosen point so that a
//! test can kill it there (SIGKILL) or let it go on.
//!
//! ```text
//! staged-harness migrate <store> [--pause <point>] [--busy-timeout-ms <n>]
//! ```
//!
//! `<point>` is `start`, `step:<k>`, `row:<n>` (inside a transform, after
//! `n` rows), `row:<k>:<n>` (the same in step `k`) or `committed`. The last line
//! is `done <version>` (exit 0) or `error <kind> <message>` (exit 1).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use staged::ModelContainer;
use staged_harness::{Pause, Printer, error_kind, plan};

struct Args {
    command: String,
    stores: Vec<PathBuf>,
    pause: Option<Pause>,
    busy_timeout: Option<Duration>,
}

fn parse() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let command = args
        .next()
        .ok_or("usage: staged-harness migrate <store> [options]")?;
    let mut parsed = Args {
        command,
        stores: Vec::new(),
        pause: None,
        busy_timeout: None,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--pause" => parsed.pause = Some(value()?.parse()?),
            "--busy-timeout-ms" => {
                let ms = value()?.parse().map_err(|_| "bad --busy-timeout-ms")?;
                parsed.busy_timeout = Some(Duration::from_millis(ms));
            }
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ => parsed.stores.push(PathBuf::from(arg)),
        }
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match args.command.as_str() {
        "migrate" => migrate(&args),
        other => {
            eprintln!("unknown command {other}");
            ExitCode::from(2)
        }
    }
}

fn migrate(args: &Args) -> ExitCode {
    let [store] = args.stores.as_slice() else {
        eprintln!("migrate takes one store");
        return ExitCode::from(2);
    };
    let printer = Printer::new("store", args.pause.clone());
    printer.say("opening");
    let mut builder = ModelContainer::builder(plan()).observer(printer);
    if let Some(timeout) = args.busy_timeout {
        builder = builder.busy_timeout(timeout);
    }
    let said = Printer::new("store", None);
    match builder.open(store) {
        Ok(container) => {
            said.say(&format!("done {}", container.store_version()));
            ExitCode::SUCCESS
        }
        Err(error) => {
            said.say(&format!("error {} {error}", error_kind(&error)));
            ExitCode::FAILURE
        }
    }
}
