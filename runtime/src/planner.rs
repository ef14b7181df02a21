//! The planner: the shortest valid path from a store's version to the latest.
//!
//! Versions are the nodes of a graph (petgraph). Edges are:
//! - every custom stage, as declared (it may jump over versions, even over
//!   other custom stages);
//! - a *lightweight run* `i -> j` for every `i < j` such that no version in
//!   `i..j` (the start included, the end excluded) has an outgoing custom
//!   stage: a run may end at a version with custom logic but never start at
//!   or pass one, so inference never skips custom logic. A run is one
//!   physical step applying the composed diff of the versions it spans.
//!
//! The chosen path has the fewest physical steps. **Tie-break:** among
//! shortest paths, the one whose sequence of visited versions is
//! lexicographically greatest, i.e. at every step the edge that reaches the
//! newest version while staying on a shortest path. The rule depends only on
//! the versions and stages, never on the order stages were declared.

use std::fmt;

use petgraph::algo::dijkstra;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{EdgeRef, Reversed};

use crate::schema::Version;
use crate::stage::MigrationStage;

/// The steps a migration takes, from a store's version to the latest.
///
/// Displays as `1.0.0 -[custom]-> 2.0.0 -[inferred]-> 5.0.0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationPath {
    start: Version,
    steps: Vec<MigrationStep>,
}

impl MigrationPath {
    /// The version the path starts at.
    pub fn start(&self) -> Version {
        self.start
    }

    /// The version the path ends at.
    pub fn end(&self) -> Version {
        self.steps.last().map_or(self.start, |s| s.to)
    }

    /// The physical steps, in order (empty when the store is up to date).
    pub fn steps(&self) -> &[MigrationStep] {
        &self.steps
    }
}

impl fmt::Display for MigrationPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.start)?;
        for step in &self.steps {
            write!(
                f,
                " -[{}]-> {}",
                if step.custom { "custom" } else { "inferred" },
                step.to
            )?;
        }
        Ok(())
    }
}

/// One physical step of a [`MigrationPath`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationStep {
    from: Version,
    to: Version,
    custom: bool,
}

impl MigrationStep {
    /// The version the step starts at.
    pub fn from(&self) -> Version {
        self.from
    }

    /// The version the step ends at.
    pub fn to(&self) -> Version {
        self.to
    }

    /// Whether the step runs a custom stage (otherwise it is inferred SQL).
    pub fn is_custom(&self) -> bool {
        self.custom
    }
}

/// A step in terms of plan indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlannedStep {
    /// Index of the source schema.
    pub from: usize,
    /// Index of the target schema.
    pub to: usize,
    /// Index of the custom stage, `None` for a lightweight run.
    pub stage: Option<usize>,
}

/// The shortest valid path from schema `start` to the last schema, or `None`.
pub(crate) fn shortest_path(
    versions: &[Version],
    stages: &[MigrationStage],
    start: usize,
) -> Option<Vec<PlannedStep>> {
    let n = versions.len();
    let index_of = |v: Version| versions.iter().position(|x| *x == v);
    let mut graph: DiGraph<usize, Option<usize>> = DiGraph::with_capacity(n, n * 2);
    let nodes: Vec<NodeIndex> = (0..n).map(|i| graph.add_node(i)).collect();
    let mut has_custom = vec![false; n];
    for (k, stage) in stages.iter().enumerate() {
        if let (true, Some(from), Some(to)) = (
            stage.is_custom(),
            index_of(stage.from()),
            index_of(stage.to()),
        ) {
            graph.add_edge(nodes[from], nodes[to], Some(k));
            has_custom[from] = true;
        }
    }
    for i in (0..n).filter(|&i| !has_custom[i]) {
        for j in i + 1..n {
            graph.add_edge(nodes[i], nodes[j], None);
            if has_custom[j] {
                break;
            }
        }
    }
    let target = nodes[n - 1];
    let distance = dijkstra(Reversed(&graph), target, None, |_| 1usize);
    let mut current = nodes[start];
    let mut steps = Vec::new();
    let mut remaining = *distance.get(&current)?;
    while remaining > 0 {
        let next = graph
            .edges(current)
            .filter(|e| distance.get(&e.target()) == Some(&(remaining - 1)))
            .max_by_key(|e| graph[e.target()])?;
        steps.push(PlannedStep {
            from: graph[current],
            to: graph[next.target()],
            stage: *next.weight(),
        });
        current = next.target();
        remaining -= 1;
    }
    Some(steps)
}

/// The public view of planned steps.
pub(crate) fn to_path(versions: &[Version], start: usize, steps: &[PlannedStep]) -> MigrationPath {
    MigrationPath {
        start: versions[start],
        steps: steps
            .iter()
            .map(|s| MigrationStep {
                from: versions[s.from],
                to: versions[s.to],
                custom: s.stage.is_some(),
            })
            .collect(),
    }
}
