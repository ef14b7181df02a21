//! `staged-harness`: migrates a store the way an app would, printing each
//! migration event on its own line, and can stop at a chosen point so that a
//! test can kill it there (SIGKILL) or let it go on.
//!
//! ```text
//! staged-harness migrate <store> [--pause <point>] [--busy-timeout-ms <n>] [--journal <mode>] [--adopt] [--encrypted]
//! staged-harness group <items-store> <tags-store> [--pause items:<point> | tags:<point>] [--journal <mode>]
//! ```
//!
//! `--journal delete` or `--journal wal` opens the stores in that journal
//! mode (`ModelContainerBuilder::journal_mode`); without it they are opened
//! with staged's default, which switches a store to WAL once it is open.
//! `--adopt` adopts a database the app made by hand at 1.0.0
//! (`ModelContainerBuilder::adopt`). `--encrypted` opens a store encrypted
//! with `staged_harness::KEY` (feature `sqlcipher`).
//!
//! `group` opens both stores as one `StoreGroup` (the items plan and the
//! tags plan); its event lines start with the store's label.
//!
//! `<point>` is `start`, `step:<k>`, `row:<n>` (inside a transform, after
//! `n` rows), `row:<k>:<n>` (the same in step `k`) or `committed`. The last line
//! is `done <version>` (exit 0) or `error <kind> <message>` (exit 1).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use staged::{ModelContainer, StoreGroup};
use staged_harness::{JournalMode, Pause, Printer, error_kind, plan, tags_plan};

struct Args {
    command: String,
    stores: Vec<PathBuf>,
    pause: Option<Pause>,
    pause_label: Option<String>,
    busy_timeout: Option<Duration>,
    journal: Option<JournalMode>,
    adopt: bool,
    encrypted: bool,
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
        pause_label: None,
        busy_timeout: None,
        journal: None,
        adopt: false,
        encrypted: false,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--pause" => {
                let point = value()?;
                let point = match point.split_once(':') {
                    Some((label @ ("items" | "tags"), rest)) => {
                        parsed.pause_label = Some(label.to_owned());
                        rest.to_owned()
                    }
                    _ => point,
                };
                parsed.pause = Some(point.parse()?);
            }
            "--busy-timeout-ms" => {
                let ms = value()?.parse().map_err(|_| "bad --busy-timeout-ms")?;
                parsed.busy_timeout = Some(Duration::from_millis(ms));
            }
            "--journal" => parsed.journal = Some(value()?.parse()?),
            "--adopt" => parsed.adopt = true,
            "--encrypted" if cfg!(feature = "sqlcipher") => parsed.encrypted = true,
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
        "group" => group(&args),
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
    let mut builder = staged_harness::builder(plan(), args.encrypted).observer(printer);
    if let Some(timeout) = args.busy_timeout {
        builder = builder.busy_timeout(timeout);
    }
    if let Some(mode) = args.journal {
        builder = builder.journal_mode(mode.staged());
    }
    if args.adopt {
        builder = builder.adopt::<staged_harness::v1::Schema>();
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

fn group(args: &Args) -> ExitCode {
    let [items, tags] = args.stores.as_slice() else {
        eprintln!("group takes two stores");
        return ExitCode::from(2);
    };
    let pause = |label: &str| {
        if args.pause_label.as_deref() == Some(label) {
            args.pause.clone()
        } else {
            None
        }
    };
    let said = Printer::new("group", None);
    said.say("opening");
    let mode = args.journal.map(JournalMode::staged).unwrap_or_default();
    let mut group = StoreGroup::builder();
    group.store_with(
        items,
        ModelContainer::builder(plan())
            .observer(Printer::new("items", pause("items")))
            .journal_mode(mode),
    );
    group.store_with(
        tags,
        ModelContainer::builder(tags_plan())
            .observer(Printer::new("tags", pause("tags")))
            .journal_mode(mode),
    );
    match group.open() {
        Ok(_) => {
            said.say("done");
            ExitCode::SUCCESS
        }
        Err(error) => {
            said.say(&format!("error {} {error}", error_kind(&error)));
            ExitCode::FAILURE
        }
    }
}
