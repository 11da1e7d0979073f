//! Unpacking a layer stream into the store's tmp/ directory: the tree under `root/`, the
//! uncompressed stream kept as `layer.tar` (so `save` reproduces the exact diff id), and its
//! size in `meta.json`. Nothing is in place until the store renames the directory.

use crate::error::{ImageError, IoContext};
use crate::extract::unpack_layer;
use crate::fsutil::{maybe_gunzip, HashingReader, TeeReader};
use crate::store::{ImageStore, LayerMeta, PendingLayer};
use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};

impl ImageStore {
    /// Unpacks one layer (plain or gzip'd tar) into a pending directory.
    pub(crate) fn unpack_pending(&self, reader: impl Read) -> Result<PendingLayer, ImageError> {
        let dir = self.tmp_dir()?;
        let root = dir.path().join("root");
        fs::create_dir(&root).ctx(|| format!("creating {}", root.display()))?;
        let tar_path = dir.path().join("layer.tar");
        let file = File::create(&tar_path).ctx(|| format!("creating {}", tar_path.display()))?;
        let plain = maybe_gunzip(reader)
            .map_err(|e| ImageError::bad(format!("cannot read the layer: {e}")))?;
        let tee = TeeReader {
            inner: plain,
            copy: BufWriter::new(file),
        };
        let mut hashing = HashingReader::new(tee);
        let stats = unpack_layer(&mut hashing, &root)?;
        let (hex, tee) = hashing
            .finish()
            .map_err(|e| ImageError::bad(format!("invalid tar archive: {e}")))?;
        let file = tee.copy.into_inner().map_err(|e| {
            ImageError::io(format!("writing {}", tar_path.display()), e.into_error())
        })?;
        file.sync_all()
            .ctx(|| format!("syncing {}", tar_path.display()))?;
        let meta = serde_json::to_vec(&LayerMeta { size: stats.size })
            .map_err(|e| ImageError::io("encoding layer metadata", std::io::Error::other(e)))?;
        let mut m =
            File::create(dir.path().join("meta.json")).ctx(|| "writing meta.json".into())?;
        m.write_all(&meta).ctx(|| "writing meta.json".into())?;
        m.sync_all().ctx(|| "syncing meta.json".into())?;
        Ok(PendingLayer {
            diff_id: format!("sha256:{hex}"),
            dir,
        })
    }
}
