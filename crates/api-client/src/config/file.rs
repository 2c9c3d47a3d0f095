//! Reading a small configuration file (profile, regions, token): a regular file, bounded in size.

use std::{io::Read, path::Path};

/// The largest credentials profile or regions file read.
pub(crate) const MAX_CONFIG_FILE: u64 = 1024 * 1024;
/// The largest token file read.
pub(crate) const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// The bytes of `path`, which must be a regular file of at most `limit` bytes: a FIFO or a
/// device would block or never end, so they are refused before they are opened.
pub(crate) fn read_small(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > limit {
        return Err(std::io::Error::other(format!("larger than {limit} bytes")));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!("larger than {limit} bytes")));
    }
    Ok(bytes)
}

/// `read_small` as UTF-8 text, wiped from memory when dropped.
pub(crate) fn read_text(path: &Path, limit: u64) -> std::io::Result<zeroize::Zeroizing<String>> {
    let bytes = zeroize::Zeroizing::new(read_small(path, limit)?);
    std::str::from_utf8(&bytes)
        .map(|text| zeroize::Zeroizing::new(text.to_owned()))
        .map_err(|_| std::io::Error::other("not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_small_regular_files() {
        let dir = std::env::temp_dir().join(format!("small-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("f");
        std::fs::write(&file, "hello").unwrap();
        assert_eq!(read_text(&file, 5).unwrap().as_str(), "hello");
        assert!(read_small(&file, 4).is_err());
        assert!(read_small(&dir, 100).is_err());
        assert!(read_small(Path::new("/dev/zero"), 100).is_err());
        std::fs::write(&file, [0xff, 0xfe]).unwrap();
        assert!(read_text(&file, 100).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
