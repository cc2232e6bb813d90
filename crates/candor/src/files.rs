//! Files the binary keeps for itself (a watcher's state, a witness's state
//! and key): replaced whole, never half-written.

use std::path::Path;

use anyhow::{Context, Result};

/// Writes `bytes` beside `path` (mode 0600), syncs it, renames it over `path`
/// and syncs the directory: after a crash the file is the old one or the new one.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("writing {}", tmp.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    // A bare file name's parent is "": the current directory.
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}
