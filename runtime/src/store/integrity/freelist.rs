//! The free-page list of a SQLite file, read from the file and checked in
//! time proportional to its length.
//!
//! The file header (bytes 32–39) gives the first trunk page and the number of
//! free pages. Each trunk page holds the next trunk's number, a count of leaf
//! pages, and that many leaf page numbers; trunks and leaves together are the
//! free pages. See <https://www.sqlite.org/fileformat2.html#the_freelist>.

use std::collections::HashSet;
use std::io;
use std::path::Path;

use crate::store::HeldFile;

/// The byte SQLite locks on: the page holding it is never used.
const PENDING_BYTE: u64 = 0x4000_0000;

/// Why the file's pages are not read from the file.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum NotRead {
    /// The store is in WAL mode and its `-wal` file holds frames: pages there
    /// replace the file's, so the file alone does not show the database.
    InWal,
    /// The file's pages cannot be read without SQLite: an encrypted store
    /// (SQLCipher), opened through its key (a plain file without SQLite's
    /// header never gets this far).
    Opaque,
    /// The header is damaged, as described.
    Damaged(String),
}

/// The bytes [`header`] reads from the start of a file: the header, and
/// with it page 1 and the pages after it, where a store's first tables
/// (staged's own among them) have their roots, for the walk to start from.
const FIRST_READ: usize = 16 * 1024;

/// Reads the header of the SQLite file at `path`, open as `file`: its
/// geometry and the file's first bytes (up to [`FIRST_READ`], the header
/// among them), or why its pages are not read from it. The caller holds a
/// read transaction on the file, so no writer changes it and SQLite has
/// rolled back any hot journal.
pub(super) fn header(
    path: &Path,
    file: &HeldFile,
) -> io::Result<Result<(Geometry, Vec<u8>), NotRead>> {
    let length = file.len()?;
    let mut start = vec![0u8; FIRST_READ];
    let read = file.read_at(&mut start, 0)?;
    let Some(header) = start.first_chunk::<100>().filter(|_| read >= 100) else {
        return Err(io::ErrorKind::UnexpectedEof.into());
    };
    let geometry = geometry(path, header, length)?;
    start.truncate(read);
    Ok(geometry.map(|geometry| (geometry, start)))
}

/// What the header says of the file's pages and its free-page list.
pub(super) struct Geometry {
    pub(super) page_size: u32,
    /// Bytes of each page SQLite uses (the rest is reserved, e.g. by
    /// an encryption extension).
    pub(super) usable: u32,
    /// The database's pages.
    pub(super) pages: u32,
    /// Text is stored as UTF-8 (not UTF-16).
    pub(super) utf8: bool,
    /// The first trunk page of the free-page list (0: none).
    first_trunk: u32,
    /// The free pages the header counts.
    expected: u32,
}

/// The geometry in `header` (of a file of `length` bytes at `path`), or
/// why the file's pages are not read from it.
fn geometry(path: &Path, header: &[u8; 100], length: u64) -> io::Result<Result<Geometry, NotRead>> {
    if &header[..16] != b"SQLite format 3\0" {
        return Ok(Err(NotRead::Opaque));
    }
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u32::from(n),
    };
    if !page_size.is_power_of_two() || !(512..=65_536).contains(&page_size) {
        return Ok(Err(NotRead::Damaged(format!(
            "invalid page size {page_size}"
        ))));
    }
    if header[18] == 2 || header[19] == 2 {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        match std::fs::metadata(&wal) {
            Ok(meta) if meta.len() > 0 => return Ok(Err(NotRead::InWal)),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    let usable = page_size - u32::from(header[20]);
    let in_file = u32::try_from(length / u64::from(page_size)).unwrap_or(u32::MAX);
    // The header's count is valid when "version-valid-for" matches the change counter.
    let pages = if be32(28) != 0 && be32(92) == be32(24) {
        be32(28)
    } else {
        in_file
    };
    if pages > in_file {
        return Ok(Err(NotRead::Damaged(format!(
            "the header gives {pages} pages, the file holds {in_file}"
        ))));
    }
    Ok(Ok(Geometry {
        page_size,
        usable,
        pages,
        utf8: be32(56) == 1,
        first_trunk: be32(32),
        expected: be32(36),
    }))
}

impl Geometry {
    /// The page holding the byte SQLite locks on: never used.
    fn lock_page(&self) -> u32 {
        u32::try_from(PENDING_BYTE / u64::from(self.page_size) + 1).unwrap_or(u32::MAX)
    }

    /// Why `page` can be no page of a list or a tree (out of the file's
    /// range, or the lock-byte page), as the end of a sentence; `None` when
    /// it can.
    pub(super) fn misplaced(&self, page: u32) -> Option<String> {
        let pages = self.pages;
        if page < 2 || page > pages {
            Some(format!("is out of range (2 to {pages})"))
        } else if page == self.lock_page() {
            Some("is the lock-byte page".to_owned())
        } else {
            None
        }
    }
}

/// Reads and checks the free-page list of `file`, whose header gave
/// `geometry`: its pages, sorted, or the damage found, described.
///
/// Checks: the header's page count fits the file; every trunk and leaf page
/// number lies between 2 and the last page and is not the lock-byte page;
/// no trunk lists more leaves than a page holds; no page is listed twice
/// (which is also how a cycle of trunks shows); the pages found are as many
/// as the header says.
pub(super) fn read(file: &HeldFile, geometry: &Geometry) -> io::Result<Result<Vec<u32>, String>> {
    let &Geometry {
        page_size,
        usable,
        pages,
        first_trunk,
        expected,
        ..
    } = geometry;
    let max_leaves = usable / 4 - 2;
    let check = |page: u32, what: &dyn Fn() -> String| {
        geometry
            .misplaced(page)
            .map(|problem| format!("{} {problem}", what()))
    };
    let mut free: Vec<u32> = Vec::with_capacity(usize::try_from(expected.min(pages)).unwrap_or(0));
    let mut trunks = HashSet::new();
    let mut trunk = first_trunk;
    let mut buffer = Vec::new();
    while trunk != 0 {
        let damaged = |detail: String| Ok(Err(format!("free-page list: {detail}")));
        if let Some(problem) = check(trunk, &|| format!("trunk page {trunk}")) {
            return damaged(problem);
        }
        if !trunks.insert(trunk) {
            return damaged(format!("trunk page {trunk} is listed twice (a cycle)"));
        }
        if free.len() >= usize::try_from(expected).unwrap_or(usize::MAX) {
            return damaged(format!(
                "more pages than the {expected} the header gives (trunk page {trunk})"
            ));
        }
        buffer.resize(
            usize::try_from(page_size).expect("a page fits in memory"),
            0,
        );
        file.read_exact_at(&mut buffer, u64::from(trunk - 1) * u64::from(page_size))?;
        let word = |at: usize| {
            u32::from_be_bytes([buffer[at], buffer[at + 1], buffer[at + 2], buffer[at + 3]])
        };
        free.push(trunk);
        let leaves = word(4);
        if leaves > max_leaves {
            return damaged(format!(
                "trunk page {trunk} lists {leaves} leaves, a page holds at most {max_leaves}"
            ));
        }
        if free.len() as u64 + u64::from(leaves) > u64::from(expected) {
            return damaged(format!(
                "more pages than the {expected} the header gives (trunk page {trunk})"
            ));
        }
        for k in 0..leaves as usize {
            let leaf = word(8 + 4 * k);
            if let Some(problem) =
                check(leaf, &|| format!("leaf page {leaf} of trunk page {trunk}"))
            {
                return damaged(problem);
            }
            free.push(leaf);
        }
        trunk = word(0);
    }
    if free.len() as u64 != u64::from(expected) {
        return Ok(Err(format!(
            "free-page list: {} pages, the header gives {expected}",
            free.len()
        )));
    }
    free.sort_unstable();
    if let Some(twice) = free.windows(2).find(|w| w[0] == w[1]) {
        return Ok(Err(format!(
            "free-page list: page {} is listed twice",
            twice[0]
        )));
    }
    Ok(Ok(free))
}
