//! Where the served files of pictures are kept, and the memory cache they are served from.
//!
//! Two stores, chosen at start (docs/images.md):
//! - **the database** (`image_files`): PostgreSQL, where every instance reads what any of them
//!   wrote and `pg_dump` backs it up with the rest; and an in-memory SQLite database;
//! - **a folder** next to the SQLite file (`silkstream.db` → `silkstream.images/`), so the
//!   database file stays small; `silkstream backup` copies it beside the backup.
//!
//! Files are named `{key}-{size}.{ext}`, the key being the hash of the picture's pixels, so a
//! name always serves the same bytes and is cached as immutable.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use tokio::sync::{Mutex, MutexGuard, Semaphore};

use super::process::{ImageLimits, Processed, SIZES};
use crate::db::Db;
use crate::error::{Error, Result};

/// The served files an instance keeps in memory by default (`images_cache_bytes`).
pub const DEFAULT_CACHE_BYTES: u64 = 64 << 20;
/// The largest upload by default (`images_max_bytes`).
pub const DEFAULT_MAX_BYTES: usize = 10 << 20;

/// The name a size of a picture is stored and served under.
pub fn file_name(key: &str, size: &str, ext: &str) -> String {
    format!("{key}-{size}.{ext}")
}

/// A served file's name taken apart, or None when it names no file this server could have
/// made (so a request for anything else is a 404 without a read).
pub fn parse_name(name: &str) -> Option<(&str, &'static str, &'static str)> {
    let (stem, ext) = name.rsplit_once('.')?;
    let ext = ["jpg", "png"].into_iter().find(|e| *e == ext)?;
    let (key, size) = stem.split_once('-')?;
    let size = SIZES.iter().map(|(s, _)| *s).find(|s| *s == size)?;
    let hex = key.len() == 32 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    hex.then_some((key, size, ext))
}

/// Every file the pictures of `db` name: each size of each stored picture (a backup checks its
/// folder against its copy of the database with it).
pub async fn named_files(db: &Db) -> Result<Vec<String>> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, ext FROM image_blobs")
        .fetch_all(db.reader())
        .await?;
    Ok(rows
        .iter()
        .flat_map(|(key, ext)| SIZES.iter().map(move |(size, _)| file_name(key, size, ext)))
        .collect())
}

/// Where the files are kept.
#[derive(Debug, Clone)]
pub enum Files {
    /// `image_files`, in the transaction that counts the picture.
    Database,
    /// A folder of this instance's (SQLite only: one instance writes the database).
    Folder(PathBuf),
}

impl Files {
    /// The folder of a SQLite database file: `data/silkstream.db` → `data/silkstream.images`.
    pub fn folder_beside(database_file: &Path) -> PathBuf {
        database_file.with_extension("images")
    }

    /// In the folder store, writes the picture's files that are not there yet (each to a
    /// temporary name, synced, then renamed: a reader sees a whole file or none). Call it
    /// under [`ImageStore::lock_folder`]. Nothing to do in the database store.
    pub async fn write_folder(&self, picture: &Processed) -> Result<()> {
        let Files::Folder(dir) = self else {
            return Ok(());
        };
        let dir = dir.clone();
        let files: Vec<(String, Vec<u8>)> = picture
            .files
            .iter()
            .map(|f| (file_name(&picture.key, f.size, f.ext), f.bytes.clone()))
            .collect();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            for (name, bytes) in files {
                let path = dir.join(&name);
                if path.exists() {
                    continue;
                }
                let tmp = dir.join(format!(".tmp-{name}"));
                let mut file = std::fs::File::create(&tmp)?;
                file.write_all(&bytes)?;
                file.sync_all()?;
                std::fs::rename(&tmp, &path)?;
            }
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)
    }

    /// In the database store, the picture's files as rows of `image_files`, in the
    /// transaction that created its blob row.
    pub async fn insert_rows(&self, tx: &mut crate::db::Conn, picture: &Processed) -> Result<()> {
        if !matches!(self, Files::Database) {
            return Ok(());
        }
        for f in &picture.files {
            sqlx::query("INSERT INTO image_files (name, key, bytes) VALUES ($1, $2, $3)")
                .bind(file_name(&picture.key, f.size, f.ext))
                .bind(&picture.key)
                .bind(f.bytes.clone())
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }

    /// In the database store, removes a picture's files in the transaction that removed its
    /// blob row.
    pub async fn delete_rows(&self, tx: &mut crate::db::Conn, key: &str) -> Result<()> {
        if matches!(self, Files::Database) {
            sqlx::query("DELETE FROM image_files WHERE key = $1")
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }

    /// In the folder store, removes the files of a picture whose blob row is gone (a missing
    /// file is no error). Call it under [`ImageStore::lock_folder`].
    pub async fn remove(&self, key: &str, ext: &str) -> Result<()> {
        let Files::Folder(dir) = self else {
            return Ok(());
        };
        let paths: Vec<PathBuf> = SIZES
            .iter()
            .map(|(size, _)| dir.join(file_name(key, size, ext)))
            .collect();
        tokio::task::spawn_blocking(move || {
            for path in paths {
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)
    }

    /// In the folder store, removes the files of `key` unless its blob row exists (a committed
    /// picture shows it): what a failed upload wrote. Call it under
    /// [`ImageStore::lock_folder`].
    pub async fn remove_unreferenced(&self, db: &Db, key: &str, ext: &str) -> Result<()> {
        if !matches!(self, Files::Folder(_)) {
            return Ok(());
        }
        let kept: Option<(String,)> = sqlx::query_as("SELECT key FROM image_blobs WHERE key = $1")
            .bind(key)
            .fetch_optional(db.writer())
            .await?;
        match kept {
            Some(_) => Ok(()),
            None => self.remove(key, ext).await,
        }
    }

    /// Reads a file by name, or None when there is none.
    pub async fn read(&self, db: &Db, name: &str) -> Result<Option<Bytes>> {
        match self {
            Files::Database => {
                let row: Option<(Vec<u8>,)> =
                    sqlx::query_as("SELECT bytes FROM image_files WHERE name = $1")
                        .bind(name)
                        .fetch_optional(db.reader())
                        .await?;
                Ok(row.map(|(b,)| Bytes::from(b)))
            }
            Files::Folder(dir) => match tokio::fs::read(dir.join(name)).await {
                Ok(b) => Ok(Some(Bytes::from(b))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::internal(e)),
            },
        }
    }

    /// Every file name in the folder store (empty for the database store), for tests and the
    /// sweep.
    pub fn folder_names(&self) -> std::io::Result<Vec<String>> {
        let Files::Folder(dir) = self else {
            return Ok(Vec::new());
        };
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }
}

fn remove_matching(dir: &Path, remove: impl Fn(&str) -> bool) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if remove(&name) {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(removed)
}

/// The pictures of one instance: where their files are, the memory cache they are served from,
/// the limits of an upload, and the lock of the folder store.
#[derive(Debug)]
pub struct ImageStore {
    files: Files,
    /// Served files by name, up to a byte budget; a name's bytes never change, so an entry is
    /// only dropped when its picture is deleted (or the budget needs the room).
    cache: moka::sync::Cache<String, Bytes>,
    pub limits: ImageLimits,
    /// Most bytes of an upload.
    pub max_bytes: usize,
    /// Uploads being decoded at once (each takes a core for up to a second or two).
    decoding: Semaphore,
    /// Held while files are written or removed and their transaction runs (folder store).
    folder: Mutex<()>,
}

impl Default for ImageStore {
    fn default() -> Self {
        ImageStore::new(Files::Database, DEFAULT_CACHE_BYTES, DEFAULT_MAX_BYTES)
    }
}

impl ImageStore {
    pub fn new(files: Files, cache_bytes: u64, max_bytes: usize) -> Self {
        ImageStore {
            files,
            cache: moka::sync::Cache::builder()
                .weigher(|name: &String, bytes: &Bytes| {
                    u32::try_from(name.len() + bytes.len()).unwrap_or(u32::MAX)
                })
                .max_capacity(cache_bytes)
                .build(),
            limits: ImageLimits::default(),
            max_bytes,
            decoding: Semaphore::new(2),
            folder: Mutex::new(()),
        }
    }

    /// Where a server on `db` keeps its pictures: `folder` when one is set, else a folder next
    /// to the SQLite file, else the database (PostgreSQL, an in-memory SQLite). The one rule, for
    /// the server and for what opens the database beside it (the demo's loader).
    pub fn for_db(
        db: &Db,
        folder: Option<&Path>,
        cache_bytes: u64,
        max_bytes: usize,
    ) -> std::io::Result<Self> {
        let folder = match folder {
            Some(dir) => Some(dir.to_owned()),
            None => db.sqlite_file().map(Files::folder_beside),
        };
        match folder {
            Some(dir) => ImageStore::in_folder(dir.clone(), cache_bytes, max_bytes)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", dir.display()))),
            None => Ok(ImageStore::new(Files::Database, cache_bytes, max_bytes)),
        }
    }

    /// A store with files in a folder, created if missing.
    pub fn in_folder(dir: PathBuf, cache_bytes: u64, max_bytes: usize) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(ImageStore::new(Files::Folder(dir), cache_bytes, max_bytes))
    }

    pub fn files(&self) -> &Files {
        &self.files
    }

    /// Serializes the folder store's file operations with their transactions.
    pub async fn lock_folder(&self) -> Option<MutexGuard<'_, ()>> {
        match self.files {
            Files::Folder(_) => Some(self.folder.lock().await),
            Files::Database => None,
        }
    }

    /// Decodes and re-encodes an upload off the async runtime, a few at a time.
    pub async fn process(self: &Arc<Self>, bytes: Vec<u8>) -> Result<Processed> {
        let _permit = self.decoding.acquire().await.map_err(Error::internal)?;
        let limits = self.limits;
        tokio::task::spawn_blocking(move || super::process::process(&bytes, limits))
            .await
            .map_err(Error::internal)?
    }

    /// A served file, from the cache or the store.
    pub async fn serve(&self, db: &Db, name: &str) -> Result<Option<Bytes>> {
        if let Some(hit) = self.cache.get(name) {
            return Ok(Some(hit));
        }
        let Some(bytes) = self.files.read(db, name).await? else {
            return Ok(None);
        };
        self.cache.insert(name.to_owned(), bytes.clone());
        Ok(Some(bytes))
    }

    /// Drops a deleted picture's files from this instance's cache.
    pub fn forget(&self, key: &str, ext: &str) {
        for (size, _) in SIZES {
            self.cache.invalidate(&file_name(key, size, ext));
        }
    }

    /// Drops every cached file: another instance changed the catalog and may have deleted a
    /// picture (its files are gone from the shared store; a cached copy must not outlive them).
    pub fn forget_all(&self) {
        self.cache.invalidate_all();
    }

    /// At start (folder store): removes the files no blob row names, which a crash between a
    /// file operation and its transaction can leave, and unfinished temporary files. Returns
    /// how many it removed.
    pub async fn sweep(&self, db: &Db) -> Result<usize> {
        let Files::Folder(dir) = &self.files else {
            return Ok(0);
        };
        let _folder = self.folder.lock().await;
        let keys: Vec<(String,)> = sqlx::query_as("SELECT key FROM image_blobs")
            .fetch_all(db.writer())
            .await?;
        let keys: std::collections::HashSet<String> = keys.into_iter().map(|(k,)| k).collect();
        let dir = dir.clone();
        let removed = tokio::task::spawn_blocking(move || {
            remove_matching(&dir, |name| match parse_name(name) {
                Some((key, _, _)) => !keys.contains(key),
                None => name.starts_with(".tmp-"),
            })
        })
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)?;
        Ok(removed)
    }

    /// Copies the folder store's files into `target` (the backup's folder) unless they are there
    /// already; nothing to do in the database store, whose files are in the database. Returns
    /// how many of the folder's files `target` now holds.
    pub fn copy_folder_to(&self, target: &Path) -> std::io::Result<usize> {
        let Files::Folder(dir) = &self.files else {
            return Ok(0);
        };
        std::fs::create_dir_all(target)?;
        let mut copied = 0;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if parse_name(&name).is_some() {
                // A name's bytes never change: one copied already is kept.
                let to = target.join(&name);
                if !to.exists() {
                    std::fs::copy(entry.path(), &to)?;
                }
                copied += 1;
            }
        }
        Ok(copied)
    }
}
