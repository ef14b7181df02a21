//! Descriptors of store files that staged reads itself (the header before
//! SQLite opens a store, the pages the check before a migration walks),
//! shared by the whole process and closed only when nothing of staged's
//! uses the file any more.
//!
//! On POSIX systems the locks SQLite takes (`fcntl` record locks) belong to
//! the process, not to a descriptor: closing *any* descriptor of a file
//! drops every lock the process holds on it. SQLite keeps its own
//! descriptors open for that reason; a descriptor staged opened and closed
//! beside them would silently release, for instance, the shared lock a
//! WAL-mode connection holds on the database file for as long as it is
//! open, which is what tells another process closing its last connection
//! that it must not checkpoint and delete the WAL. So a container holds its
//! store file's descriptor until its connections have closed, and every
//! other read of the file while it is open goes through that descriptor.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

/// A store file open for reading, shared with every other holder of the
/// same file in this process (a clone is one more holder).
#[derive(Clone)]
pub(crate) struct HeldFile {
    file: Arc<File>,
    #[cfg(unix)]
    key: Key,
}

impl HeldFile {
    /// The file at `path`, open for reading: the descriptor this process
    /// already holds for it, or a new one; `None` when there is no file.
    pub(crate) fn open(path: &Path) -> io::Result<Option<HeldFile>> {
        imp::open(path)
    }

    /// Reads into `buf` from byte `offset` until `buf` is full or the file
    /// ends; how many bytes were read. Positional: holders in other threads
    /// share no file position.
    pub(crate) fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            match imp::read_at(&self.file, &mut buf[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    /// Fills `buf` from byte `offset`; an error if the file ends first.
    pub(crate) fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        if self.read_at(buf, offset)? < buf.len() {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    /// The file's length in bytes.
    pub(crate) fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }
}

#[cfg(unix)]
type Key = (u64, u64);

#[cfg(unix)]
mod imp {
    use std::collections::HashMap;
    use std::fs::File;
    use std::io;
    use std::os::unix::fs::MetadataExt;
    use std::path::Path;
    use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};

    use super::{HeldFile, Key};

    /// Every held descriptor, by device and inode.
    fn registry() -> MutexGuard<'static, HashMap<Key, Weak<File>>> {
        static FILES: OnceLock<Mutex<HashMap<Key, Weak<File>>>> = OnceLock::new();
        FILES
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }

    fn key(metadata: &std::fs::Metadata) -> Key {
        (metadata.dev(), metadata.ino())
    }

    pub(super) fn open(path: &Path) -> io::Result<Option<HeldFile>> {
        let mut files = registry();
        // The path's inode first, without a descriptor: if this process
        // holds the file already, opening and closing another would drop
        // its locks. (Holding nothing, it opens one either way.)
        if !files.is_empty() {
            let wanted = match std::fs::metadata(path) {
                Ok(metadata) => key(&metadata),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            };
            if let Some(file) = files.get(&wanted).and_then(Weak::upgrade) {
                return Ok(Some(HeldFile { file, key: wanted }));
            }
        }
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        // The path may name another file by now: key it by what was opened.
        let opened = key(&file.metadata()?);
        if let Some(held) = files.get(&opened).and_then(Weak::upgrade) {
            // Held already after all: keep this one open, rather than close a
            // descriptor of a file whose locks the process may hold.
            std::mem::forget(file);
            return Ok(Some(HeldFile {
                file: held,
                key: opened,
            }));
        }
        let file = Arc::new(file);
        files.insert(opened, Arc::downgrade(&file));
        Ok(Some(HeldFile { file, key: opened }))
    }

    impl Drop for HeldFile {
        fn drop(&mut self) {
            let mut files = registry();
            // The last holder: the descriptor closes with this value.
            if Arc::strong_count(&self.file) == 1 {
                files.remove(&self.key);
            }
        }
    }
}

#[cfg(not(unix))]
mod imp {
    //! Elsewhere a lock belongs to the handle that took it: a descriptor of
    //! staged's own is opened for each use.

    use std::fs::File;
    use std::io::{self, Read, Seek, SeekFrom};
    use std::path::Path;
    use std::sync::Arc;

    use super::HeldFile;

    pub(super) fn read_at(mut file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        // Each use opens its own handle here: its position is its own.
        file.seek(SeekFrom::Start(offset))?;
        file.read(buf)
    }

    pub(super) fn open(path: &Path) -> io::Result<Option<HeldFile>> {
        match File::open(path) {
            Ok(file) => Ok(Some(HeldFile {
                file: Arc::new(file),
            })),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn one_descriptor_per_file_while_it_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        assert!(HeldFile::open(&path).unwrap().is_none(), "no file yet");
        std::fs::write(&path, b"bytes").unwrap();
        let first = HeldFile::open(&path).unwrap().unwrap();
        let second = HeldFile::open(&path).unwrap().unwrap();
        assert!(Arc::ptr_eq(&first.file, &second.file));
        drop(first);
        let third = HeldFile::open(&path).unwrap().unwrap();
        assert!(Arc::ptr_eq(&second.file, &third.file), "still held");
        let weak = Arc::downgrade(&third.file);
        drop((second, third));
        assert!(weak.upgrade().is_none(), "closed with its last holder");
        // Another file at the same path (a replaced store) is another key.
        let again = HeldFile::open(&path).unwrap().unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, b"other").unwrap();
        let replaced = HeldFile::open(&path).unwrap().unwrap();
        assert!(!Arc::ptr_eq(&again.file, &replaced.file));
    }
}
