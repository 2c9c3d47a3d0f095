//! Where task ids come from: arguments, a file or stdin, read line by line and never all at once.

use std::{
    collections::HashMap,
    fmt,
    fs::File,
    hash::{BuildHasher, RandomState},
    io::{self, BufRead, BufReader, Seek},
    path::{Path, PathBuf},
    sync::Arc,
};

/// Where an id came from, for messages: `ids.txt:7`, `stdin:7` or `argument 2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The n-th task id argument (1-based).
    Argument(usize),
    /// The n-th task a `--where` filter matched (1-based).
    Matched(usize),
    /// A line of a file (1-based).
    Line {
        /// The file, or `stdin`.
        source: Arc<str>,
        /// The line number.
        line: usize,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Argument(n) => write!(f, "argument {n}"),
            Location::Matched(n) => write!(f, "match {n}"),
            Location::Line { source, line } => write!(f, "{source}:{line}"),
        }
    }
}

/// One id as written, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Where it came from.
    pub location: Location,
    /// The id, with surrounding whitespace removed.
    pub raw: String,
}

/// The ids of one run. It can be read more than once (stdin is spooled to a temporary file),
/// so a batch can be checked in full before anything is deleted.
#[derive(Debug)]
pub struct IdList {
    args: Vec<String>,
    file: Option<FileSource>,
}

#[derive(Debug)]
enum FileSource {
    Path(PathBuf),
    Stdin(Option<tempfile::NamedTempFile>),
}

impl IdList {
    /// Ids from arguments, then from `file` (`-` for stdin).
    pub fn new(args: Vec<String>, file: Option<&Path>) -> Self {
        let file = file.map(|path| {
            if path == Path::new("-") {
                FileSource::Stdin(None)
            } else {
                FileSource::Path(path.to_owned())
            }
        });
        Self { args, file }
    }

    /// The ids file, unless there is none or it is stdin.
    pub fn file_path(&self) -> Option<&Path> {
        match &self.file {
            Some(FileSource::Path(path)) => Some(path),
            _ => None,
        }
    }

    /// Whether any source was given.
    pub fn is_empty(&self) -> bool {
        self.args.is_empty() && self.file.is_none()
    }

    /// Reads the ids, in order, skipping blank lines and `#` comments.
    pub fn entries(&mut self) -> io::Result<impl Iterator<Item = io::Result<Entry>> + use<>> {
        let args: Vec<Entry> = self
            .args
            .iter()
            .enumerate()
            .map(|(i, raw)| Entry {
                location: Location::Argument(i + 1),
                raw: raw.clone(),
            })
            .collect();
        let lines: Box<dyn Iterator<Item = io::Result<Entry>>> = match &mut self.file {
            None => Box::new(std::iter::empty()),
            Some(FileSource::Path(path)) => {
                let cannot = |e: io::Error| {
                    io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display()))
                };
                let file = File::open(&*path).map_err(cannot)?;
                if file.metadata().map_err(cannot)?.is_dir() {
                    return Err(cannot(io::Error::new(
                        io::ErrorKind::IsADirectory,
                        "it is a directory",
                    )));
                }
                Box::new(lines_of(BufReader::new(file), path.display().to_string()))
            }
            Some(FileSource::Stdin(spool)) => {
                if spool.is_none() {
                    let mut temp = tempfile::NamedTempFile::new()?;
                    io::copy(&mut io::stdin().lock(), temp.as_file_mut())?;
                    *spool = Some(temp);
                }
                let mut file = spool
                    .as_ref()
                    .map(|s| s.reopen())
                    .transpose()?
                    .ok_or_else(|| io::Error::other("stdin spool lost"))?;
                file.rewind()?;
                Box::new(lines_of(BufReader::new(file), "stdin".to_owned()))
            }
        };
        Ok(args.into_iter().map(Ok).chain(lines))
    }
}

/// The ids of a reader: one a line, trimmed; blank lines, `#` comment lines and ` # comments`
/// after an id are skipped, and so is a UTF-8 byte order mark. A line that is not UTF-8 is an
/// error naming it, and a UTF-16 file (what PowerShell's `>` and Notepad often write) is
/// recognised and refused with what to do.
pub fn lines_of(reader: impl BufRead, source: String) -> impl Iterator<Item = io::Result<Entry>> {
    let source: Arc<str> = Arc::from(source);
    reader
        .split(b'\n')
        .enumerate()
        .filter_map(move |(i, line)| {
            let at = || format!("{source}:{}", i + 1);
            let line = match line {
                Ok(line) => line,
                Err(e) => return Some(Err(io::Error::new(e.kind(), format!("{}: {e}", at())))),
            };
            let mut bytes = line.as_slice();
            if i == 0 {
                if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
                    return Some(Err(utf16(&at())));
                }
                bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            }
            if bytes.contains(&0) {
                return Some(Err(utf16(&at())));
            }
            let Ok(text) = std::str::from_utf8(bytes) else {
                return Some(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{}: the line is not UTF-8 text; save the file as UTF-8",
                        at()
                    ),
                )));
            };
            let blank = |c: char| c == ' ' || c == '\t' || c == '\r';
            let text = text.trim_matches(blank);
            // An id holds no whitespace: what follows ` #` is a comment.
            let raw = text
                .find([' ', '\t'])
                .filter(|&cut| text[cut..].trim_start().starts_with('#'))
                .map_or(text, |cut| text[..cut].trim_end_matches(blank));
            if raw.is_empty() || raw.starts_with('#') {
                return None;
            }
            Some(Ok(Entry {
                location: Location::Line {
                    source: Arc::clone(&source),
                    line: i + 1,
                },
                raw: raw.to_owned(),
            }))
        })
}

fn utf16(at: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{at}: the file is UTF-16 (as PowerShell's > and Notepad often write it), not UTF-8: \
             save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 ids.txt > ids-utf8.txt)"
        ),
    )
}

/// A set of task ids, each with where it was first seen, in flat memory: an id is kept as a
/// 128-bit keyed hash (two SipHash keys drawn at random for the run) and its first location
/// packed in 64 bits, 24 bytes an id (plus the table's slack), so 100,000 ids take about 3 MiB. Two different ids
/// collide with a chance of about 2^-128 per pair: never, in practice.
#[derive(Debug, Default)]
pub struct IdSet {
    keys: Option<(RandomState, RandomState)>,
    /// The key as two `u64`s: 8-byte aligned, so an entry takes 24 bytes, not 32.
    first: HashMap<(u64, u64), u64>,
    /// The files (or `stdin`) of the lines seen, so a location packs an index into this.
    sources: Vec<Arc<str>>,
}

/// How a [`Location`] is packed: its kind in the top 2 bits, a source index in the next 14,
/// its number in the low 48.
const NUMBER_BITS: u32 = 48;
const SOURCE_BITS: u32 = 14;

impl IdSet {
    /// A set with room for `n` ids, so that it never grows (growing briefly holds the old
    /// table and the new one).
    pub fn with_capacity(n: usize) -> Self {
        Self {
            first: HashMap::with_capacity(n),
            ..Self::default()
        }
    }

    fn key(&mut self, id: &str) -> (u64, u64) {
        let (a, b) = self
            .keys
            .get_or_insert_with(|| (RandomState::new(), RandomState::new()));
        (a.hash_one(id), b.hash_one(id))
    }

    fn pack(&mut self, location: &Location) -> u64 {
        let number = |n: usize| u64::try_from(n).unwrap_or(u64::MAX) & ((1 << NUMBER_BITS) - 1);
        match location {
            Location::Argument(n) => number(*n),
            Location::Matched(n) => (1 << 62) | number(*n),
            Location::Line { source, line } => {
                let index = match self.sources.iter().position(|s| s == source) {
                    Some(index) => index,
                    None => {
                        self.sources.push(Arc::clone(source));
                        self.sources.len() - 1
                    }
                };
                let index = u64::try_from(index).unwrap_or(0) & ((1 << SOURCE_BITS) - 1);
                (2 << 62) | (index << NUMBER_BITS) | number(*line)
            }
        }
    }

    fn unpack(&self, packed: u64) -> Location {
        let number = usize::try_from(packed & ((1 << NUMBER_BITS) - 1)).unwrap_or(usize::MAX);
        match packed >> 62 {
            0 => Location::Argument(number),
            1 => Location::Matched(number),
            _ => {
                let index = usize::try_from((packed >> NUMBER_BITS) & ((1 << SOURCE_BITS) - 1))
                    .unwrap_or(0);
                Location::Line {
                    source: self
                        .sources
                        .get(index)
                        .cloned()
                        .unwrap_or_else(|| Arc::from("?")),
                    line: number,
                }
            }
        }
    }

    /// Adds `id`, first seen at `location`; if it was already there, leaves it and returns
    /// where it was first seen.
    pub fn insert(&mut self, id: &str, location: &Location) -> Option<Location> {
        let key = self.key(id);
        if let Some(first) = self.first.get(&key) {
            return Some(self.unpack(*first));
        }
        let packed = self.pack(location);
        self.first.insert(key, packed);
        None
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &str) -> bool {
        let Some((a, b)) = &self.keys else {
            return false;
        };
        self.first.contains_key(&(a.hash_one(id), b.hash_one(id)))
    }

    /// How many ids it holds.
    pub fn len(&self) -> usize {
        self.first.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn an_id_set_remembers_where_each_id_came_first() {
        let mut set = IdSet::default();
        assert!(!set.contains("a"));
        assert_eq!(set.insert("a", &Location::Argument(1)), None);
        assert_eq!(set.insert("b", &Location::Argument(2)), None);
        assert_eq!(
            set.insert("a", &Location::Argument(3)),
            Some(Location::Argument(1))
        );
        assert!(set.contains("a") && set.contains("b") && !set.contains("A"));
        assert_eq!(set.len(), 2);
        let line = Location::Line {
            source: Arc::from("ids.txt"),
            line: 123_456,
        };
        assert_eq!(set.insert("c", &line), None);
        assert_eq!(set.insert("c", &Location::Argument(9)), Some(line));
        assert_eq!(set.insert("d", &Location::Matched(7)), None);
        assert_eq!(
            set.insert("d", &Location::Argument(1)),
            Some(Location::Matched(7))
        );
    }

    #[test]
    fn skips_blanks_and_comments_and_keeps_line_numbers() {
        let text = "# header\n\nabc\n  def  \r\n#x\nghi";
        let entries: Vec<Entry> = lines_of(text.as_bytes(), "ids.txt".into())
            .map(Result::unwrap)
            .collect();
        let shown: Vec<String> = entries
            .iter()
            .map(|e| format!("{} {}", e.location, e.raw))
            .collect();
        assert_eq!(shown, ["ids.txt:3 abc", "ids.txt:4 def", "ids.txt:6 ghi"]);
    }

    #[test]
    fn boms_trailing_comments_and_bad_encodings() {
        let read = |bytes: &[u8]| -> Vec<io::Result<Entry>> {
            lines_of(bytes, "ids.txt".into()).collect()
        };
        let ok: Vec<String> = read(
            b"\xEF\xBB\xBFabc\ndef  # the second\n\tghi\t# third\r\n# all\njkl#not-a-comment\n",
        )
        .into_iter()
        .map(|e| e.unwrap().raw)
        .collect();
        assert_eq!(ok, ["abc", "def", "ghi", "jkl#not-a-comment"]);
        // Without a comment, a space stays: the id is then invalid, not silently cut.
        let spaced: Vec<String> = read(b"abc def\n")
            .into_iter()
            .map(|e| e.unwrap().raw)
            .collect();
        assert_eq!(spaced, ["abc def"]);
        for utf16 in [
            &b"\xFF\xFEa\x00b\x00"[..],
            b"\xFE\xFF\x00a",
            b"a\x00b\x00\n",
        ] {
            let err = read(utf16).remove(0).unwrap_err();
            assert!(err.to_string().contains("UTF-16"), "{err}");
        }
        let latin1 = read(b"abc\ncaf\xE9\n");
        let err = latin1.into_iter().nth(1).unwrap().unwrap_err();
        assert!(
            err.to_string().contains("ids.txt:2") && err.to_string().contains("not UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn arguments_then_file_and_readable_twice() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "f1\nf2").unwrap();
        let mut list = IdList::new(vec!["a1".into()], Some(file.path()));
        for _ in 0..2 {
            let raws: Vec<String> = list.entries().unwrap().map(|e| e.unwrap().raw).collect();
            assert_eq!(raws, ["a1", "f1", "f2"]);
        }
    }

    #[test]
    fn a_missing_file_names_itself() {
        let mut list = IdList::new(vec![], Some(Path::new("/nonexistent/ids.txt")));
        let err = list.entries().err().unwrap();
        assert!(err.to_string().contains("/nonexistent/ids.txt"), "{err}");
    }
}
