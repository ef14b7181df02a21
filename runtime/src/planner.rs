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
use crate::step::StepKind;

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
            write!(f, " -[{}]-> {}", step.kind, step.to)?;
        }
        Ok(())
    }
}

/// One physical step of a [`MigrationPath`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationStep {
    from: Version,
    to: Version,
    kind: StepKind,
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

    /// How the step runs: a custom stage, or inferred SQL.
    pub fn kind(&self) -> StepKind {
        self.kind
    }

    /// Whether the step runs a custom stage (otherwise it is inferred SQL).
    pub fn is_custom(&self) -> bool {
        self.kind == StepKind::Custom
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

/// A path the planner chose: its public view and the steps the runner runs.
pub(crate) struct Route {
    /// What [`SchemaMigrationPlan::migration_path`](crate::SchemaMigrationPlan::migration_path) shows.
    pub path: MigrationPath,
    /// The physical steps, in order.
    pub steps: Vec<PlannedStep>,
}

/// Why the planner found no path to the latest version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoRoute {
    /// The version is not a schema of the plan.
    UnknownVersion(Version),
    /// No chain of stages leads from the version to the latest.
    NoChain,
}

impl fmt::Display for NoRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoRoute::UnknownVersion(version) => {
                write!(f, "version {version} is not a schema of the plan")
            }
            NoRoute::NoChain => f.write_str("no chain of stages leads there"),
        }
    }
}

/// The route from schema `start` (an index into `versions`) to the last.
pub(crate) fn route(
    versions: &[Version],
    stages: &[MigrationStage],
    start: usize,
) -> Result<Route, NoRoute> {
    let steps = shortest_path(versions, stages, start).ok_or(NoRoute::NoChain)?;
    let path = to_path(versions, start, &steps);
    Ok(Route { path, steps })
}

/// The public view of planned steps.
fn to_path(versions: &[Version], start: usize, steps: &[PlannedStep]) -> MigrationPath {
    MigrationPath {
        start: versions[start],
        steps: steps
            .iter()
            .map(|s| MigrationStep {
                from: versions[s.from],
                to: versions[s.to],
                kind: if s.stage.is_some() {
                    StepKind::Custom
                } else {
                    StepKind::Inferred
                },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Versions `1.0.0` to `n.0.0`.
    fn versions(n: u64) -> Vec<Version> {
        (1..=n).map(|major| Version::new(major, 0, 0)).collect()
    }

    fn custom(from: u64, to: u64) -> MigrationStage {
        MigrationStage::custom_for_test(Version::new(from, 0, 0), Version::new(to, 0, 0))
    }

    /// The path from major version `from` as `(from, to, custom)` majors.
    fn path(n: u64, customs: &[(u64, u64)], from: u64) -> Vec<(u64, u64, bool)> {
        let stages: Vec<MigrationStage> = customs.iter().map(|&(a, b)| custom(a, b)).collect();
        let versions = versions(n);
        let start = usize::try_from(from - 1).unwrap();
        let steps = shortest_path(&versions, &stages, start).expect("a path");
        to_path(&versions, start, &steps)
            .steps()
            .iter()
            .map(|s| (s.from().major(), s.to().major(), s.is_custom()))
            .collect()
    }

    #[test]
    fn a_custom_jump_is_one_step() {
        // Versions 1–4, custom 1->2 and custom 1->4, lightweight elsewhere.
        assert_eq!(path(4, &[(1, 2), (1, 4)], 1), [(1, 4, true)]);
        assert_eq!(path(4, &[(1, 2), (1, 4)], 2), [(2, 4, false)]);
        assert_eq!(path(4, &[(1, 2), (1, 4)], 3), [(3, 4, false)]);
    }

    #[test]
    fn lightweight_runs_stop_at_custom_logic() {
        // Versions 1–5 with only custom 2->3.
        assert_eq!(
            path(5, &[(2, 3)], 1),
            [(1, 2, false), (2, 3, true), (3, 5, false)]
        );
        assert_eq!(path(5, &[(2, 3)], 2), [(2, 3, true), (3, 5, false)]);
        assert_eq!(path(5, &[(2, 3)], 3), [(3, 5, false)]);
        assert_eq!(path(5, &[(2, 3)], 4), [(4, 5, false)]);
    }

    #[test]
    fn only_lightweight_is_one_step() {
        assert_eq!(path(5, &[], 1), [(1, 5, false)]);
        assert_eq!(path(2, &[], 1), [(1, 2, false)]);
    }

    #[test]
    fn from_the_latest_version_the_path_is_empty() {
        assert_eq!(path(5, &[(2, 3)], 5), []);
        assert_eq!(path(1, &[], 1), []);
        let versions = versions(3);
        let steps = shortest_path(&versions, &[], 2).unwrap();
        let empty = to_path(&versions, 2, &steps);
        assert_eq!(empty.start(), Version::new(3, 0, 0));
        assert_eq!(empty.end(), Version::new(3, 0, 0));
        assert_eq!(empty.to_string(), "3.0.0");
    }

    #[test]
    fn twenty_versions_with_several_custom_jumps() {
        // 3->7 jumps over the custom 5->6; 16 is reachable only as a start.
        let customs = [(3, 7), (5, 6), (7, 12), (12, 13), (15, 19), (16, 20)];
        let tail = [
            (12, 13, true),
            (13, 15, false),
            (15, 19, true),
            (19, 20, false),
        ];
        let from_1: Vec<_> = [(1, 3, false), (3, 7, true), (7, 12, true)]
            .into_iter()
            .chain(tail)
            .collect();
        assert_eq!(path(20, &customs, 1), from_1);
        assert_eq!(path(20, &customs, 2), {
            let mut p = from_1.clone();
            p[0] = (2, 3, false);
            p
        });
        let from_4: Vec<_> = [(4, 5, false), (5, 6, true), (6, 7, false), (7, 12, true)]
            .into_iter()
            .chain(tail)
            .collect();
        assert_eq!(path(20, &customs, 4), from_4);
        let from_8: Vec<_> = [(8, 12, false)].into_iter().chain(tail).collect();
        assert_eq!(path(20, &customs, 8), from_8);
        assert_eq!(path(20, &customs, 13), tail[1..]);
        assert_eq!(path(20, &customs, 16), [(16, 20, true)]);
        assert_eq!(path(20, &customs, 17), [(17, 20, false)]);
        assert_eq!(path(20, &customs, 20), []);
    }

    #[test]
    fn ties_go_to_the_newest_version_at_each_step() {
        // From 1: [1->2 custom, 2->5 custom] and [1->3 custom, 3->5 inferred]
        // both take two steps; the second reaches a newer version first.
        assert_eq!(
            path(5, &[(1, 2), (1, 3), (2, 5)], 1),
            [(1, 3, true), (3, 5, false)]
        );
        // Three two-step paths from 1: via 2, 3 or 4.
        assert_eq!(
            path(6, &[(1, 2), (1, 3), (1, 4), (2, 6), (3, 6), (4, 6)], 1),
            [(1, 4, true), (4, 6, true)]
        );
    }

    #[test]
    fn display_names_each_step_kind() {
        let versions = versions(5);
        let steps = [
            PlannedStep {
                from: 0,
                to: 1,
                stage: Some(0),
            },
            PlannedStep {
                from: 1,
                to: 4,
                stage: None,
            },
        ];
        let path = to_path(&versions, 0, &steps);
        assert_eq!(
            path.to_string(),
            "1.0.0 -[custom]-> 2.0.0 -[inferred]-> 5.0.0"
        );
        assert_eq!(path.start(), Version::new(1, 0, 0));
        assert_eq!(path.end(), Version::new(5, 0, 0));
        assert!(path.steps()[0].is_custom());
        assert_eq!(path.steps()[1].from(), Version::new(2, 0, 0));
        assert_eq!(path.steps()[1].to(), Version::new(5, 0, 0));
    }

    /// The rule, by brute force: every valid path, the fewest steps, then the
    /// lexicographically greatest sequence of versions.
    fn reference(n: u64, customs: &[(u64, u64)], from: u64) -> Vec<(u64, u64, bool)> {
        let has_custom = |v: u64| customs.iter().any(|&(a, _)| a == v);
        let edges = |v: u64| -> Vec<(u64, bool)> {
            let mut out: Vec<(u64, bool)> = customs
                .iter()
                .filter(|&&(a, _)| a == v)
                .map(|&(_, b)| (b, true))
                .collect();
            if !has_custom(v) {
                for w in v + 1..=n {
                    out.push((w, false));
                    if has_custom(w) {
                        break;
                    }
                }
            }
            out
        };
        fn walk(
            v: u64,
            n: u64,
            edges: &dyn Fn(u64) -> Vec<(u64, bool)>,
            current: &mut Vec<(u64, u64, bool)>,
            all: &mut Vec<Vec<(u64, u64, bool)>>,
        ) {
            if v == n {
                all.push(current.clone());
                return;
            }
            for (w, is_custom) in edges(v) {
                current.push((v, w, is_custom));
                walk(w, n, edges, current, all);
                current.pop();
            }
        }
        let mut all = Vec::new();
        walk(from, n, &edges, &mut Vec::new(), &mut all);
        let fewest = all.iter().map(Vec::len).min().expect("a path");
        all.into_iter()
            .filter(|p| p.len() == fewest)
            .max_by(|a, b| {
                let visited = |p: &[(u64, u64, bool)]| p.iter().map(|s| s.1).collect::<Vec<_>>();
                visited(a).cmp(&visited(b))
            })
            .unwrap()
    }

    /// A plan: its number of versions and custom stages `(from, to)`, distinct pairs.
    fn plans() -> impl Strategy<Value = (u64, Vec<(u64, u64)>)> {
        (2u64..=9).prop_flat_map(|n| {
            let pair = (1..n).prop_flat_map(move |a| (Just(a), a + 1..=n));
            (
                Just(n),
                proptest::collection::btree_set(pair, 0..8)
                    .prop_map(|set| set.into_iter().collect::<Vec<_>>()),
            )
        })
    }

    proptest! {
        #[test]
        fn declaration_order_does_not_change_the_path(
            (n, customs, shuffled, from) in plans().prop_flat_map(|(n, customs)| {
                let shuffled = Just(customs.clone()).prop_shuffle();
                (Just(n), Just(customs), shuffled, 1..=n)
            })
        ) {
            let expected = path(n, &customs, from);
            prop_assert_eq!(path(n, &shuffled, from), expected.clone());
            let mut reversed = customs.clone();
            reversed.reverse();
            prop_assert_eq!(path(n, &reversed, from), expected.clone());
            prop_assert_eq!(expected, reference(n, &customs, from));
        }
    }
}
