//! One daemon per data root: an exclusive lock on `<data-root>/berth.lock`, held for the
//! daemon's life and released by the kernel however the process ends (even kill -9).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

pub struct DataRootLock {
    _file: File,
}

impl DataRootLock {
    pub fn acquire(data_root: &Path) -> Result<DataRootLock, String> {
        let path = data_root.join("berth.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let who = if holder.is_empty() {
                    String::new()
                } else {
                    format!(" (pid {holder})")
                };
                return Err(format!(
                    "another berth daemon{who} is already running with data root {}; stop it first or choose another --data-root",
                    data_root.display()
                ));
            }
            Err(TryLockError::Error(e)) => {
                return Err(format!("cannot lock {}: {e}", path.display()))
            }
        }
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "{}", std::process::id());
        Ok(DataRootLock { _file: file })
    }
}
