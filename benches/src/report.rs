//! The ratio table printed after a benchmark run, from criterion's estimates.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Where criterion wrote its results: `$CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else the `criterion` folder of the target
/// directory the running bench binary was built in.
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Path::new(&target).join("criterion");
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(|t| t.join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// The median time in seconds of `group/function/parameter`, if measured
/// since `since`.
pub fn median(
    dir: &Path,
    since: SystemTime,
    group: &str,
    function: &str,
    parameter: Option<usize>,
) -> Option<f64> {
    let mut path = dir.join(group).join(function);
    if let Some(parameter) = parameter {
        path = path.join(parameter.to_string());
    }
    let path = path.join("new").join("estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(json["median"]["point_estimate"].as_f64()? / 1e9)
}

fn time(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.1} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

/// One line of the table: `ours / baseline` and both times.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// What is compared.
    pub what: String,
    /// Rows in the store (none for row-independent benchmarks).
    pub rows: Option<usize>,
    /// staged's median time, in seconds.
    pub ours: f64,
    /// The baseline's median time, in seconds.
    pub baseline: f64,
    /// The goal, as text.
    pub goal: &'static str,
}

/// The lines of every comparison measured under `dir` since `since`.
pub fn lines(dir: &Path, since: SystemTime) -> Vec<Line> {
    let mut out = Vec::new();
    let m = |g: &str, f: &str, rows: Option<usize>| median(dir, since, g, f, rows);
    let mut push = |what: &str, rows: Option<usize>, ours: Option<f64>, base: Option<f64>, goal| {
        if let (Some(ours), Some(baseline)) = (ours, base) {
            out.push(Line {
                what: what.to_owned(),
                rows,
                ours,
                baseline,
                goal,
            });
        }
    };
    let sizes = [1_000, 10_000, 100_000, 1_000_000];
    for rows in sizes.map(Some) {
        let best_sql = match (
            m("lightweight", "sql_alter", rows),
            m("lightweight", "sql_rebuild", rows),
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        push(
            "lightweight (rename + add + drop) / best hand-written SQL",
            rows,
            m("lightweight", "staged", rows),
            best_sql,
            "<= 1.1",
        );
    }
    for rows in sizes.map(Some) {
        push(
            "add nullable column / hand-written ALTER TABLE ADD COLUMN",
            rows,
            m("add_column", "staged", rows),
            m("add_column", "sql", rows),
            "<= 1.1",
        );
    }
    for rows in sizes.map(Some) {
        push(
            "add nullable column without the pre-migration check / hand-written",
            rows,
            m("add_column", "staged_unchecked", rows),
            m("add_column", "sql", rows),
            "<= 1.1",
        );
    }
    push(
        "add column, staged: 1M rows / 1k rows",
        None,
        m("add_column", "staged", Some(1_000_000)),
        m("add_column", "staged", Some(1_000)),
        "O(1): ~1",
    );
    push(
        "add column, staged without the pre-migration check: 1M rows / 1k rows",
        None,
        m("add_column", "staged_unchecked", Some(1_000_000)),
        m("add_column", "staged_unchecked", Some(1_000)),
        "O(1): ~1",
    );
    push(
        "add column, hand-written: 1M rows / 1k rows",
        None,
        m("add_column", "sql", Some(1_000_000)),
        m("add_column", "sql", Some(1_000)),
        "O(1): ~1",
    );
    for rows in sizes.map(Some) {
        push(
            "5-version skip, one step / staged step by step",
            rows,
            m("skip_5_versions", "staged_one_step", rows),
            m("skip_5_versions", "staged_step_by_step", rows),
            "< 1",
        );
        push(
            "5-version skip, one step / hand-written step by step",
            rows,
            m("skip_5_versions", "staged_one_step", rows),
            m("skip_5_versions", "sql_step_by_step", rows),
            "< 1",
        );
    }
    for rows in sizes.map(Some) {
        push(
            "custom transform / hand-written rusqlite loop",
            rows,
            m("transform", "staged", rows),
            m("transform", "hand_loop", rows),
            "<= 1.5",
        );
        push(
            "custom transform / native_db migrate",
            rows,
            m("transform", "staged", rows),
            m("transform", "native_db", rows),
            "<= 0.2",
        );
    }
    push(
        "open up-to-date store (plan build + open + close) / raw open + one query",
        None,
        m("open", "staged", None),
        m("open", "raw", None),
        "<= 1.2",
    );
    push(
        "open with a prebuilt plan / raw open + one query",
        None,
        m("open", "staged_prebuilt_plan", None),
        m("open", "raw", None),
        "<= 1.2",
    );
    out
}

/// The table as markdown.
pub fn markdown(lines: &[Line]) -> String {
    let mut out = String::from(
        "| comparison | rows | staged | baseline | ratio | goal |\n|---|---:|---:|---:|---:|---|\n",
    );
    for line in lines {
        let rows = line.rows.map_or_else(|| "-".to_owned(), |r| r.to_string());
        out.push_str(&format!(
            "| {} | {rows} | {} | {} | {:.2} | {} |\n",
            line.what,
            time(line.ours),
            time(line.baseline),
            line.ours / line.baseline,
            line.goal
        ));
    }
    out
}

/// Prints the ratio table and the planner's times of the benchmarks run
/// since `since` (the start of the run).
pub fn print(since: SystemTime) {
    let dir = criterion_dir();
    println!(
        "\nratios (median staged / median baseline), from {}:\n",
        dir.display()
    );
    print!("{}", markdown(&lines(&dir, since)));
    for function in ["build", "path_from_1", "build_and_path"] {
        if let Some(t) = median(&dir, since, "plan_200_versions", function, None) {
            println!("200-version plan, {function}: {}", time(t));
        }
    }
}
