//! The parts of a b-tree page the walk reads: its cells, by the file format.

/// The four kinds of b-tree page, by their first byte.
const INTERIOR_INDEX: u8 = 0x02;
const INTERIOR_TABLE: u8 = 0x05;
const LEAF_INDEX: u8 = 0x0a;
const LEAF_TABLE: u8 = 0x0d;

/// What a b-tree page's header says.
pub(super) struct Header {
    /// A table tree's page (rowids), or an index's (also a `WITHOUT ROWID`
    /// table's).
    pub(super) table: bool,
    pub(super) leaf: bool,
    cells: usize,
    /// Where the header starts: 100 on page 1, after the file header; 0
    /// elsewhere.
    start: usize,
    /// Bytes of header: 8 on a leaf, 12 on an interior page.
    size: usize,
    /// Where the cell content area starts.
    content: usize,
}

impl Header {
    /// The header of page `number`, `page`, whose first `usable` bytes
    /// SQLite uses; what is wrong with it otherwise.
    pub(super) fn read(number: u32, page: &[u8], usable: usize) -> Result<Header, String> {
        let start = if number == 1 { 100 } else { 0 };
        let bytes = &page[start..];
        let (table, leaf) = match bytes[0] {
            INTERIOR_TABLE => (true, false),
            LEAF_TABLE => (true, true),
            INTERIOR_INDEX => (false, false),
            LEAF_INDEX => (false, true),
            other => return Err(format!("not a b-tree page (type {other})")),
        };
        let cells = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        let size = if leaf { 8 } else { 12 };
        let content = match u16::from_be_bytes([bytes[5], bytes[6]]) {
            0 => 65_536,
            n => usize::from(n),
        };
        if start + size + 2 * cells > content.min(usable) {
            return Err(format!("{cells} cells do not fit the page"));
        }
        Ok(Header {
            table,
            leaf,
            cells,
            start,
            size,
            content,
        })
    }
}

/// What the cells of a page point to.
pub(super) struct Cells {
    /// Each cell's child page and key (interior pages; the key in table
    /// trees only).
    pub(super) children: Vec<(u32, Option<i64>)>,
    /// The right-most child (interior pages).
    pub(super) right: u32,
    /// Each cell with an overflow chain: its number, the chain's first page
    /// and the bytes stored there.
    pub(super) overflows: Vec<(usize, u32, u64)>,
    /// Where each cell's payload kept on the page lies in it (leaves, when
    /// asked for).
    pub(super) payloads: Vec<(usize, usize)>,
}

/// Reads and checks the cells of `page`: each starts in the cell area and
/// ends inside the page, none shares a byte with another (`used`, one bit
/// per byte, is scratch space), and a table tree's rowids rise along the
/// page within `bounds` (above the first, at most the second). With
/// `payloads`, a leaf's cells' payloads are located too.
pub(super) fn cells(
    page: &[u8],
    header: &Header,
    usable: usize,
    bounds: (Option<i64>, Option<i64>),
    used: &mut Vec<u64>,
    payloads: bool,
) -> Result<Cells, String> {
    used.clear();
    used.resize(usable / 64 + 1, 0);
    let mut children = Vec::with_capacity(if header.leaf { 0 } else { header.cells });
    let mut overflows = Vec::new();
    let mut located = Vec::with_capacity(if payloads && header.leaf {
        header.cells
    } else {
        0
    });
    let (mut previous, up_to) = bounds;
    for i in 0..header.cells {
        let at = header.start + header.size + 2 * i;
        let start = usize::from(u16::from_be_bytes([page[at], page[at + 1]]));
        if start < header.content || start >= usable {
            return Err(format!("cell {i} starts outside the cell area"));
        }
        let Some(cell) = parse_cell(&page[start..usable], header.table, header.leaf, usable) else {
            return Err(format!("cell {i} runs past the page"));
        };
        if !take_bytes(used, start, start + cell.size) {
            return Err(format!("cell {i} overlaps another cell"));
        }
        if let Some(key) = cell.key {
            let in_order =
                previous.is_none_or(|p| key > p) && up_to.is_none_or(|up_to| key <= up_to);
            if !in_order {
                return Err(format!("cell {i}: rowid {key} out of order"));
            }
            previous = Some(key);
        }
        if let Some((first, payload)) = cell.overflow {
            overflows.push((i, first, payload));
        }
        if let Some(child) = cell.child {
            children.push((child, cell.key));
        }
        if payloads && header.leaf {
            located.push((start + cell.local.0, start + cell.local.1));
        }
    }
    Ok(Cells {
        children,
        right: {
            let at = header.start + 8;
            u32::from_be_bytes([page[at], page[at + 1], page[at + 2], page[at + 3]])
        },
        overflows,
        payloads: located,
    })
}

/// Marks bytes `start..end` as taken in `used` (one bit per byte); false
/// when one of them already was.
#[inline]
pub(super) fn take_bytes(used: &mut [u64], start: usize, end: usize) -> bool {
    let mut at = start;
    while at < end {
        let (word, bit) = (at / 64, at % 64);
        let bits = (end - at).min(64 - bit);
        let mask = if bits == 64 {
            u64::MAX
        } else {
            ((1u64 << bits) - 1) << bit
        };
        if used[word] & mask != 0 {
            return false;
        }
        used[word] |= mask;
        at += bits;
    }
    true
}

/// What a cell says of itself.
struct Cell {
    /// Bytes the cell takes on its page.
    size: usize,
    /// The rowid (table trees).
    key: Option<i64>,
    /// The child page left of the cell (interior pages).
    child: Option<u32>,
    /// The first overflow page and the bytes kept there.
    overflow: Option<(u32, u64)>,
    /// Where the payload kept on the page starts and ends in the cell.
    local: (usize, usize),
}

/// Parses the cell at the start of `bytes` (the rest of its page); `None`
/// when it does not fit there.
#[inline]
fn parse_cell(bytes: &[u8], table: bool, leaf: bool, usable: usize) -> Option<Cell> {
    let mut at = 0;
    let child = if leaf {
        None
    } else {
        at = 4;
        Some(u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?))
    };
    if table && !leaf {
        let (key, length) = varint(bytes.get(at..)?)?;
        return Some(Cell {
            size: at + length,
            key: Some(key as i64),
            child,
            overflow: None,
            local: (0, 0),
        });
    }
    let (payload, length) = varint(bytes.get(at..)?)?;
    at += length;
    let key = if table {
        let (key, length) = varint(bytes.get(at..)?)?;
        at += length;
        Some(key as i64)
    } else {
        None
    };
    let local = local_payload(payload, table, usable);
    let local_start = at;
    let overflow = if local < payload {
        let start = at + usize::try_from(local).ok()?;
        let first = u32::from_be_bytes(bytes.get(start..start + 4)?.try_into().ok()?);
        at = start + 4;
        Some((first, payload - local))
    } else {
        at += usize::try_from(payload).ok()?;
        None
    };
    let local_end = local_start + usize::try_from(local).ok()?;
    (at <= bytes.len()).then_some(Cell {
        size: at,
        key,
        child,
        overflow,
        local: (local_start, local_end),
    })
}

/// The bytes of a `payload`-byte cell kept on its page (the rest overflows),
/// by the file format's rule for table leaves and for index pages.
#[inline]
pub(super) fn local_payload(payload: u64, table: bool, usable: usize) -> u64 {
    let usable = usable as u64;
    let max = if table {
        usable - 35
    } else {
        (usable - 12) * 64 / 255 - 23
    };
    if payload <= max {
        return payload;
    }
    let min = (usable - 12) * 32 / 255 - 23;
    let local = min + (payload - min) % (usable - 4);
    if local <= max { local } else { min }
}

/// A value of a record, as far as the walk reads records: the schema's
/// rows, whose columns are text and integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Value<'p> {
    /// Text, as stored (UTF-8 in a UTF-8 database).
    Text(&'p [u8]),
    Integer(i64),
    /// `NULL`, a real or a blob.
    Other,
}

/// The first `n` values of the record whose bytes start `payload` (its part
/// kept on the page); `None` when they do not all lie there (the rest of
/// the record overflows) or the record has fewer columns. See
/// <https://www.sqlite.org/fileformat2.html#record_format>.
pub(super) fn record(payload: &[u8], n: usize) -> Option<Vec<Value<'_>>> {
    let (header_size, mut at) = varint(payload)?;
    let header = payload.get(..usize::try_from(header_size).ok()?)?;
    let mut body = header.len();
    let mut values = Vec::with_capacity(n);
    while values.len() < n {
        let (serial, length) = varint(header.get(at..)?)?;
        at += length;
        let size = match serial {
            0 | 8 | 9 => 0,
            1..=4 => serial as usize,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return None,
            _ => usize::try_from((serial - 12) / 2).ok()?,
        };
        let bytes = payload.get(body..body.checked_add(size)?)?;
        body += size;
        values.push(match serial {
            1..=6 => {
                // Big-endian two's complement, sign-extended.
                let sign = if bytes[0] & 0x80 != 0 { -1 } else { 0 };
                Value::Integer(bytes.iter().fold(sign, |v, &b| (v << 8) | i64::from(b)))
            }
            8 => Value::Integer(0),
            9 => Value::Integer(1),
            _ if serial >= 13 && serial % 2 == 1 => Value::Text(bytes),
            _ => Value::Other,
        });
    }
    Some(values)
}

/// SQLite's big-endian varint at the start of `bytes`: its value and length.
#[inline]
pub(super) fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    match bytes.first() {
        Some(&byte) if byte < 0x80 => return Some((u64::from(byte), 1)),
        None => return None,
        Some(_) => {}
    }
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().take(9).enumerate() {
        if i == 8 {
            return Some(((value << 8) | u64::from(byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}
