//! Driving the `staged-harness` binary from tests: start it, read its event
//! lines, let it go on from a pause, or kill it (SIGKILL).

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};

use staged_harness::JournalMode;
use tempfile::TempDir;

/// The harness binary, built by Cargo for this package's tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_staged-harness");

/// A running harness process.
pub struct Run {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    lines: Vec<String>,
}

impl Run {
    /// Starts the harness with `args`.
    pub fn start<I, A>(args: I) -> Run
    where
        I: IntoIterator<Item = A>,
        A: AsRef<OsStr>,
    {
        Run::spawn(Command::new(BIN).args(args))
    }

    /// Starts a prepared command of the harness.
    pub fn spawn(command: &mut Command) -> Run {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the harness");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Run {
            child,
            stdin,
            stdout,
            lines: Vec::new(),
        }
    }

    /// Reads lines until one contains `needle`; `None` if the output ends first.
    pub fn wait_for(&mut self, needle: &str) -> Option<String> {
        loop {
            let mut line = String::new();
            match self.stdout.read_line(&mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {
                    let line = line.trim_end().to_owned();
                    self.lines.push(line.clone());
                    if line.contains(needle) {
                        return Some(line);
                    }
                }
            }
        }
    }

    /// Lets a paused harness go on.
    pub fn resume(&mut self) {
        if let Some(stdin) = self.stdin.as_mut() {
            let _ = stdin.write_all(b"\n");
            let _ = stdin.flush();
        }
    }

    /// Whether the process has exited already.
    pub fn exited(&mut self) -> bool {
        self.child.try_wait().expect("poll the harness").is_some()
    }

    /// Sends SIGKILL (if the process is still running) and collects its output.
    pub fn kill(mut self) -> Vec<String> {
        let _ = self.child.kill();
        self.finish().1
    }

    /// Waits for the process to end; its status and every line it printed.
    pub fn finish(mut self) -> (ExitStatus, Vec<String>) {
        self.stdin = None;
        while self.wait_for("\u{0}").is_some() {}
        let status = self.child.wait().expect("wait for the harness");
        (status, self.lines)
    }
}

/// A seeded 1.0.0 store, copied fresh for every run.
pub struct Template {
    _dir: TempDir,
    path: PathBuf,
    /// How many items it holds.
    pub rows: usize,
    /// Its journal mode.
    pub mode: JournalMode,
    /// Whether it is encrypted with `staged_harness::KEY`.
    pub encrypted: bool,
}

impl Template {
    /// Seeds `rows` items in `mode`.
    pub fn new(rows: usize, mode: JournalMode) -> Template {
        Template::with(rows, mode, staged_harness::seed)
    }

    /// Seeds `rows` tags in `mode`.
    pub fn tags(rows: usize, mode: JournalMode) -> Template {
        Template::with(rows, mode, staged_harness::seed_tags)
    }

    /// Seeds `rows` items in `mode`, encrypted with `staged_harness::KEY`.
    pub fn encrypted(rows: usize, mode: JournalMode) -> Template {
        Template {
            encrypted: true,
            ..Template::with(rows, mode, staged_harness::seed_encrypted)
        }
    }

    /// The database an app made by hand, with `rows` items, in `mode`.
    pub fn hand_made(rows: usize, mode: JournalMode) -> Template {
        Template::with(rows, mode, staged_harness::seed_hand_made)
    }

    fn with(
        rows: usize,
        mode: JournalMode,
        seed: fn(&Path, usize, JournalMode) -> staged::Result<()>,
    ) -> Template {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("template.sqlite");
        seed(&path, rows, mode).expect("seed the template");
        Template {
            _dir: dir,
            path,
            rows,
            mode,
            encrypted: false,
        }
    }

    /// Copies the template to `name` in `dir`.
    pub fn copy_to(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::copy(&self.path, &path).expect("copy the template");
        path
    }
}

/// The names of the files in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
