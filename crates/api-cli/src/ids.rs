//! Where task ids come from: arguments, a file or stdin, read line by line and never all at once.

use std::{
    collections::HashMap,
    fmt,
    fs::File,
    hash::{BuildHasher, RandomState},
    io::{self, BufRead, BufReader, Read, Seek},
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

/// The ids of one run. It can be read more than once: a file (or stdin) is copied on the
/// first read, so a pipe, `<(…)` or a file edited meanwhile gives both passes the same ids,
/// and a batch can be checked in full before anything is deleted.
#[derive(Debug)]
pub struct IdList {
    args: Vec<String>,
    file: Option<FileSource>,
}

#[derive(Debug)]
struct FileSource {
    /// The path given, or `None` for stdin.
    path: Option<PathBuf>,
    /// What it held at the first read.
    spool: Option<tempfile::NamedTempFile>,
}

/// The most input an ids file may hold (50 million ids of 19 characters take 1 GiB).
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

/// The longest line an ids file may hold: an id is 1 to 64 characters, so a line this long is
/// not one (a binary file, or the wrong file).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

impl IdList {
    /// Ids from arguments, then from `file` (`-` for stdin).
    pub fn new(args: Vec<String>, file: Option<&Path>) -> Self {
        let file = file.map(|path| FileSource {
            path: (path != Path::new("-")).then(|| path.to_owned()),
            spool: None,
        });
        Self { args, file }
    }

    /// The ids file, unless there is none or it is stdin.
    pub fn file_path(&self) -> Option<&Path> {
        self.file.as_ref().and_then(|f| f.path.as_deref())
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
            Some(source) => {
                let name = source
                    .path
                    .as_ref()
                    .map_or_else(|| "stdin".to_owned(), |p| p.display().to_string());
                let file = source.read(&name)?;
                Box::new(lines_of(BufReader::new(file), name))
            }
        };
        Ok(args.into_iter().map(Ok).chain(lines))
    }
}

impl FileSource {
    /// The copy, made on the first call.
    fn read(&mut self, name: &str) -> io::Result<File> {
        if self.spool.is_none() {
            let cannot =
                |e: io::Error| io::Error::new(e.kind(), format!("cannot read {name}: {e}"));
            let mut temp = tempfile::NamedTempFile::new()
                .map_err(|e| io::Error::new(e.kind(), format!("cannot copy {name}: {e}")))?;
            let copied = match &self.path {
                None => io::copy(
                    &mut io::stdin().lock().take(MAX_INPUT_BYTES + 1),
                    temp.as_file_mut(),
                ),
                Some(path) => {
                    let file = File::open(path).map_err(cannot)?;
                    if file.metadata().map_err(cannot)?.is_dir() {
                        return Err(cannot(io::Error::new(
                            io::ErrorKind::IsADirectory,
                            "it is a directory",
                        )));
                    }
                    io::copy(&mut file.take(MAX_INPUT_BYTES + 1), temp.as_file_mut())
                }
            }
            .map_err(cannot)?;
            if copied > MAX_INPUT_BYTES {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{name} holds more than {MAX_INPUT_BYTES} bytes: split it into smaller batches"
                    ),
                ));
            }
            self.spool = Some(temp);
        }
        let mut file = self
            .spool
            .as_ref()
            .map(tempfile::NamedTempFile::reopen)
            .transpose()?
            .ok_or_else(|| io::Error::other("the copy of the ids is lost"))?;
        file.rewind()?;
        Ok(file)
    }
}

/// The ids of a reader: one a line, trimmed; blank lines, `#` comment lines and ` # comments`
/// after an id are skipped, and so is a UTF-8 byte order mark. A line that is not UTF-8 is an
/// error naming it, and a UTF-16 file (what PowerShell's `>` and Notepad often write) is
/// recognised and refused with what to do. After an error, the iterator ends.
pub fn lines_of(
    mut reader: impl BufRead,
    source: String,
) -> impl Iterator<Item = io::Result<Entry>> {
    let source: Arc<str> = Arc::from(source);
    let mut number = 0usize;
    let mut failed = false;
    let mut line = Vec::new();
    std::iter::from_fn(move || {
        while !failed {
            number += 1;
            let at = || format!("{source}:{number}");
            line.clear();
            let read = reader
                .by_ref()
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut line);
            let entry = match read {
                Ok(0) => return None,
                Ok(_) if line.len() > MAX_LINE_BYTES && !line.ends_with(b"\n") => {
                    Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "{}: the line is longer than {MAX_LINE_BYTES} bytes, so this is not a \
                             file of task ids",
                            at()
                        ),
                    ))
                }
                Ok(_) => parse_line(&line, number, &source),
                Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", at()))),
            };
            match entry {
                Ok(None) => continue,
                Ok(Some(entry)) => return Some(Ok(entry)),
                Err(e) => {
                    failed = true;
                    return Some(Err(e));
                }
            }
        }
        None
    })
}

/// One line: `Ok(None)` when it holds no id.
fn parse_line(line: &[u8], number: usize, source: &Arc<str>) -> io::Result<Option<Entry>> {
    let at = || format!("{source}:{number}");
    let mut bytes = line;
    if number == 1 {
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(utf16(&at(), source));
        }
        bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    }
    if bytes.contains(&0) {
        if looks_like_utf16(bytes) {
            return Err(utf16(&at(), source));
        }
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: the line holds a NUL byte, so this is not a text file of task ids",
                at()
            ),
        ));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: the line is not UTF-8 text; save the file as UTF-8",
                at()
            ),
        ));
    };
    let blank = |c: char| c == ' ' || c == '\t' || c == '\r' || c == '\n';
    let text = text.trim_matches(blank);
    // An id holds no whitespace: what follows ` #` is a comment.
    let raw = text
        .find([' ', '\t'])
        .filter(|&cut| text[cut..].trim_start().starts_with('#'))
        .map_or(text, |cut| text[..cut].trim_end_matches(blank));
    if raw.is_empty() || raw.starts_with('#') {
        return Ok(None);
    }
    Ok(Some(Entry {
        location: Location::Line {
            source: Arc::clone(source),
            line: number,
        },
        raw: raw.to_owned(),
    }))
}

/// ASCII text in UTF-16 without a byte order mark: a NUL in every other byte.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let pairs = text.len() / 2;
    if pairs == 0 {
        return false;
    }
    let zeros_at = |parity: usize| {
        text.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    // Little-endian puts the zero second; big-endian first. Most pairs, not all: a line of
    // UTF-16 read up to a 0x0A byte may be cut mid-pair.
    zeros_at(0).max(zeros_at(1)) * 4 >= pairs * 3
}

fn utf16(at: &str, source: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{at}: the file is UTF-16 (as PowerShell's > and Notepad often write it), not UTF-8: \
             save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 {source} > ids-utf8.txt)"
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
    fn a_file_edited_between_the_two_passes_reads_the_same() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "f1\nf2").unwrap();
        let mut list = IdList::new(vec![], Some(file.path()));
        let first: Vec<String> = list.entries().unwrap().map(|e| e.unwrap().raw).collect();
        std::fs::write(file.path(), "other\n").unwrap();
        let second: Vec<String> = list.entries().unwrap().map(|e| e.unwrap().raw).collect();
        assert_eq!(first, second);
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_read_once_and_gives_both_passes_its_ids() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("ids.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, "p1\np2\n").unwrap())
        };
        let mut list = IdList::new(vec![], Some(&fifo));
        for _ in 0..2 {
            let raws: Vec<String> = list.entries().unwrap().map(|e| e.unwrap().raw).collect();
            assert_eq!(raws, ["p1", "p2"]);
        }
        writer.join().unwrap();
    }

    #[test]
    fn nul_bytes_long_lines_and_the_end_after_an_error() {
        let read = |bytes: &[u8]| -> Vec<io::Result<Entry>> {
            lines_of(bytes, "my-ids.txt".into()).collect()
        };
        let nul = read(b"abc\0def\nok\n");
        assert_eq!(nul.len(), 1, "nothing after the error");
        let err = nul.into_iter().next().unwrap().unwrap_err();
        assert!(err.to_string().contains("NUL byte"), "{err}");

        let utf16 = read(b"\xFF\xFEa\x00b\x00");
        let err = utf16.into_iter().next().unwrap().unwrap_err();
        assert!(
            err.to_string()
                .contains("iconv -f UTF-16 -t UTF-8 my-ids.txt"),
            "{err}"
        );

        let mut long = vec![b'a'; MAX_LINE_BYTES + 10];
        long.push(b'\n');
        let err = read(&long).into_iter().next().unwrap().unwrap_err();
        assert!(
            err.to_string().contains("my-ids.txt:1") && err.to_string().contains("longer"),
            "{err}"
        );
        // A line of exactly the limit, newline included, is read.
        let mut edge = vec![b'a'; MAX_LINE_BYTES - 1];
        edge.push(b'\n');
        assert_eq!(
            read(&edge).into_iter().next().unwrap().unwrap().raw.len(),
            MAX_LINE_BYTES - 1
        );
        // Without a final newline, the last line still counts.
        let last: Vec<String> = read(b"x\ny").into_iter().map(|e| e.unwrap().raw).collect();
        assert_eq!(last, ["x", "y"]);
    }

    #[test]
    fn a_missing_file_names_itself() {
        let mut list = IdList::new(vec![], Some(Path::new("/nonexistent/ids.txt")));
        let err = list.entries().err().unwrap();
        assert!(err.to_string().contains("/nonexistent/ids.txt"), "{err}");
    }
}
