//! The b-trees of the tables a migration rewrites, read from the file and
//! checked for what a rewrite would spread: in time proportional to their
//! pages, not to the store.
//!
//! A rewrite (`DROP COLUMN`, a rebuild's copy, a transform's read) follows a
//! table's tree page by page, writes its cells back or copies them, and
//! frees pages as it goes. A page reached twice, a page that is also on the
//! free-page list, an overflow chain of the wrong length or a cell outside
//! its page would carry the damage into rewritten rows and freed pages,
//! where it reaches other tables. This walk refuses those before the first
//! write, reading each page of the trees once (and four bytes of each
//! overflow page). The rows' values are not decoded: a malformed record
//! stops the rewrite itself, with an error and nothing written. See
//! <https://www.sqlite.org/fileformat2.html#b_tree_pages>.

use std::io;

use self::cell::{Cells, Header, Value, cells, record};
use super::Root;
use super::freelist::Geometry;
use crate::sql::SCHEMA_TABLE;
use crate::store::HeldFile;

mod cell;

/// A page waiting to be read: where it hangs in its tree.
struct Pending {
    page: u32,
    depth: u32,
    /// The page's rowids are above `above` and at most `up_to` (table trees).
    above: Option<i64>,
    up_to: Option<i64>,
}

/// The walk of one tree.
struct Tree {
    /// The schema's tree, rooted at page 1.
    schema: bool,
    /// A table's tree (rowids) or an index's, as its root says.
    table: Option<bool>,
    /// The depth of the first leaf read: every leaf is at that depth.
    leaf_depth: Option<u32>,
    /// Pages to read, the next last.
    pending: Vec<Pending>,
    /// The schema's rows read so far, while they can all be read.
    rows: Option<Vec<Root>>,
}

/// The pages of a file seen so far: the free ones, then each tree's.
pub(super) struct Walk<'f> {
    file: Pages<'f>,
    geometry: &'f Geometry,
    /// The free pages, sorted.
    free: &'f [u32],
    /// One bit per page: taken by the free-page list or a tree walked.
    seen: Vec<u64>,
    /// One bit per byte of the page being read: taken by a cell.
    used: Vec<u64>,
}

impl<'f> Walk<'f> {
    /// A walk of `file` whose free pages are `free` (from its header's
    /// list, sorted), starting from `start`, the file's first bytes as read
    /// with its header, rather than reading them again.
    pub(super) fn new(
        file: &'f HeldFile,
        geometry: &'f Geometry,
        free: &'f [u32],
        start: Vec<u8>,
    ) -> Self {
        let mut walk = Walk {
            file: Pages::new(file, geometry, start),
            geometry,
            free,
            seen: vec![0; usize::try_from(geometry.pages / 64 + 1).unwrap_or(0)],
            used: Vec::new(),
        };
        // Page 1 holds the schema's tree; it is no other tree's page.
        walk.take(1);
        for &page in free {
            walk.take(page);
        }
        walk
    }

    /// Marks `page` as seen; false when it already was.
    fn take(&mut self, page: u32) -> bool {
        let (word, bit) = ((page / 64) as usize, page % 64);
        let Some(word) = self.seen.get_mut(word) else {
            return false;
        };
        let fresh = *word & (1 << bit) == 0;
        *word |= 1 << bit;
        fresh
    }

    /// Checks the tree of `name` rooted at `root`; the damage found,
    /// described, or `None`.
    pub(super) fn tree(&mut self, name: &str, root: u32) -> io::Result<Option<String>> {
        let mut tree = Tree::new(name == SCHEMA_TABLE && root == 1, root, false);
        self.follow(name, &mut tree)
    }

    /// Checks the schema's tree (rooted at page 1), reading its rows: the
    /// root of every table and index (`None` when some row cannot be read
    /// from the page, e.g. a name that overflows, or a database not in
    /// UTF-8), or the damage found, described.
    pub(super) fn schema(&mut self) -> io::Result<Result<Option<Vec<Root>>, String>> {
        let mut tree = Tree::new(true, 1, self.geometry.utf8);
        Ok(match self.follow(SCHEMA_TABLE, &mut tree)? {
            Some(damage) => Err(damage),
            None => Ok(tree.rows),
        })
    }

    fn follow(&mut self, name: &str, tree: &mut Tree) -> io::Result<Option<String>> {
        while let Some(next) = tree.pending.pop() {
            if let Some(problem) = self.page(&next, tree)? {
                return Ok(Some(format!(
                    "tree of `{name}`, page {}: {problem}",
                    next.page
                )));
            }
        }
        Ok(None)
    }

    /// Reads and checks one page of `tree`, queueing its children.
    fn page(&mut self, at: &Pending, tree: &mut Tree) -> io::Result<Option<String>> {
        let schema_root = tree.schema && at.depth == 0;
        if !schema_root && let Some(problem) = self.claim(at.page) {
            return Ok(Some(problem));
        }
        let usable = self.geometry.usable as usize;
        let page = self.file.page(at.page)?;
        let header = match Header::read(at.page, page, usable) {
            Ok(header) => header,
            Err(problem) => return Ok(Some(problem)),
        };
        if *tree.table.get_or_insert(header.table) != header.table {
            return Ok(Some("a table page in an index tree, or the reverse".into()));
        }
        if header.leaf && *tree.leaf_depth.get_or_insert(at.depth) != at.depth {
            return Ok(Some("leaves at different depths".into()));
        }
        let bounds = (at.above, at.up_to);
        let rows = tree.rows.is_some();
        let cells = match cells(page, &header, usable, bounds, &mut self.used, rows) {
            Ok(cells) => cells,
            Err(problem) => return Ok(Some(problem)),
        };
        if let Some(rows) = &mut tree.rows
            && header.leaf
        {
            for &(start, end) in &cells.payloads {
                match schema_row(&page[start..end]) {
                    Ok(Some(root)) => rows.push(root),
                    Ok(None) => {}
                    Err(Row::Damaged(problem)) => return Ok(Some(problem)),
                    Err(Row::Unreadable) => {
                        tree.rows = None;
                        break;
                    }
                }
            }
        }
        for &(i, first, payload) in &cells.overflows {
            if let Some(problem) = self.overflow(first, payload)? {
                return Ok(Some(format!("cell {i}: {problem}")));
            }
        }
        if !header.leaf {
            queue_children(at, header.table, cells, &mut tree.pending);
        }
        Ok(None)
    }

    /// Takes `page` for the tree being walked: what is wrong with it being
    /// there, or `None`.
    fn claim(&mut self, page: u32) -> Option<String> {
        if let Some(problem) = self.geometry.misplaced(page) {
            return Some(format!("page {page} {problem}"));
        }
        if !self.take(page) {
            if self.free.binary_search(&page).is_ok() {
                return Some(format!("page {page} is also on the free-page list"));
            }
            return Some(format!("page {page} is reached twice"));
        }
        None
    }

    /// Follows the overflow chain of a cell from `first`, for `payload`
    /// bytes: as many pages as they need, each claimed once.
    fn overflow(&mut self, first: u32, payload: u64) -> io::Result<Option<String>> {
        let per_page = u64::from(self.geometry.usable) - 4;
        let mut left = payload.div_ceil(per_page);
        let mut page = first;
        while left > 0 {
            if page == 0 {
                return Ok(Some(format!("its overflow chain is {left} pages short")));
            }
            if let Some(problem) = self.claim(page) {
                return Ok(Some(format!("overflow {problem}")));
            }
            let next = &self.file.page(page)?[..4];
            page = u32::from_be_bytes([next[0], next[1], next[2], next[3]]);
            left -= 1;
        }
        if page != 0 {
            return Ok(Some(format!(
                "its overflow chain goes on past its payload (to page {page})"
            )));
        }
        Ok(None)
    }
}

impl Tree {
    /// The walk of the tree rooted at `root`: the schema's (page 1), whose
    /// `rows` are read when asked for, or another.
    fn new(schema: bool, root: u32, rows: bool) -> Self {
        Tree {
            // Page 1, taken from the start, is the schema's root: it is the
            // root of no other tree and the child of none.
            schema,
            table: None,
            leaf_depth: None,
            pending: vec![Pending {
                page: root,
                depth: 0,
                above: None,
                up_to: None,
            }],
            rows: (schema && rows).then(Vec::new),
        }
    }
}

/// Why a row of the schema gives no tree.
enum Row {
    /// It cannot be read from its page (SQLite reads it).
    Unreadable,
    /// It names a root page no file has, as described.
    Damaged(String),
}

/// The table or index whose schema row starts `payload`: `type`, `name`,
/// `tbl_name`, `rootpage` (the first four columns of `sqlite_schema`);
/// `None` for a row without a tree (a view, a trigger).
fn schema_row(payload: &[u8]) -> Result<Option<Root>, Row> {
    let values = record(payload, 4).ok_or(Row::Unreadable)?;
    let text = |value: &Value<'_>| match value {
        Value::Text(bytes) => std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| Row::Unreadable),
        _ => Err(Row::Unreadable),
    };
    let Value::Integer(page) = values[3] else {
        return Err(Row::Unreadable);
    };
    if page <= 0 {
        return Ok(None);
    }
    let name = text(&values[1])?;
    let Ok(page) = u32::try_from(page) else {
        return Err(Row::Damaged(format!("`{name}` has root page {page}")));
    };
    Ok(Some(Root {
        is_table: text(&values[0])? == "table",
        table: text(&values[2])?,
        name,
        page,
    }))
}

/// Queues the children of the interior page at `at`, right to left so that
/// they are read left to right: in the order the pages mostly lie in the
/// file. In a table tree each child's rowids lie between the keys of the
/// cells around it.
fn queue_children(at: &Pending, table: bool, cells: Cells, pending: &mut Vec<Pending>) {
    let mut children = Vec::with_capacity(cells.children.len() + 1);
    let mut above = at.above;
    for (child, key) in cells.children {
        let up_to = if table { key } else { None };
        children.push(Pending {
            page: child,
            depth: at.depth + 1,
            above,
            up_to,
        });
        if table {
            above = key;
        }
    }
    children.push(Pending {
        page: cells.right,
        depth: at.depth + 1,
        above,
        up_to: at.up_to,
    });
    pending.extend(children.into_iter().rev());
}

/// Pages of a file, read a run at a time: a large tree's pages mostly follow
/// each other in the file, so one read serves many, while the few pages of
/// a small tree are read one by one.
struct Pages<'f> {
    file: &'f HeldFile,
    page_size: usize,
    pages: u32,
    /// The run at the start of `bytes`: its first page and how many.
    first: u32,
    count: u32,
    /// Pages the last read took: doubled each time the walk reads on from
    /// where the last run ended, back to one when it jumps.
    run: u32,
    bytes: Vec<u8>,
}

impl<'f> Pages<'f> {
    /// The most pages read at once.
    const MAX_RUN: u32 = 64;
    /// Pages the first read takes: page 1 and what follows it, where a
    /// store's first tables (staged's own among them) have their roots.
    const FIRST_RUN: u32 = 4;

    /// The pages of `file`, starting with the whole pages in `start`, the
    /// file's first bytes.
    fn new(file: &'f HeldFile, geometry: &Geometry, start: Vec<u8>) -> Self {
        let page_size = geometry.page_size as usize;
        let whole = u32::try_from(start.len() / page_size).unwrap_or(u32::MAX);
        let count = whole.min(geometry.pages);
        Pages {
            file,
            page_size,
            pages: geometry.pages,
            first: if count == 0 { 0 } else { 1 },
            count,
            run: count,
            bytes: start,
        }
    }

    /// Page `page` (between 1 and the last page).
    fn page(&mut self, page: u32) -> io::Result<&[u8]> {
        if !(self.first..self.first + self.count).contains(&page) {
            self.run = if self.count == 0 {
                Self::FIRST_RUN
            } else if page == self.first + self.count {
                (self.run * 2).min(Self::MAX_RUN)
            } else {
                1
            };
            let count = self.run.min(self.pages - page + 1);
            let length = count as usize * self.page_size;
            // Grown, never shrunk: zeroing the buffer for every read would
            // cost more than the read.
            if self.bytes.len() < length {
                self.bytes.resize(length, 0);
            }
            let offset = u64::from(page - 1) * self.page_size as u64;
            self.file.read_exact_at(&mut self.bytes[..length], offset)?;
            (self.first, self.count) = (page, count);
        }
        let start = (page - self.first) as usize * self.page_size;
        Ok(&self.bytes[start..start + self.page_size])
    }
}

#[cfg(test)]
mod tests;
