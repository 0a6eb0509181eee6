//! gpsd's receiver captures (`shared/testdata/gpsd`): finding the folder
//! from a crate, and loading a capture with its decoded `.chk` oracle.
//!
//! A capture `NAME.log` is a header of `#` comment lines (receiver,
//! chipset, date) and then the bytes the receiver sent, text or binary.
//! `NAME.log.chk`, when present, is what gpsd decoded from it, one JSON
//! object a line; the `"time"` of each `{"class":"TPV",...}` object is an
//! independent oracle for a timecode decoder ([`Capture::tpv_times`]).

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use refclock_core::calendar::CivilTime;

/// The test data folder, relative to the folder that holds the repository.
pub const TESTDATA: &str = "shared/testdata/gpsd";

/// The folder of gpsd's captures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Testdata {
    dir: PathBuf,
}

impl Testdata {
    /// The folder for a crate whose manifest folder is `manifest_dir`
    /// (pass `env!("CARGO_MANIFEST_DIR")`): [`TESTDATA`] under the first
    /// ancestor of it that has one (`CARGO_MANIFEST_DIR/../../shared/testdata/gpsd`
    /// for a crate at the top of the repository).
    ///
    /// When there is none: under CI (the `CI` environment variable set)
    /// this panics, since the data must be there; elsewhere it prints a
    /// note and returns `None`, and the caller skips its test.
    pub fn locate(manifest_dir: &str) -> Option<Testdata> {
        let found = Testdata::find(Path::new(manifest_dir));
        if found.is_none() {
            let wanted = Path::new(manifest_dir).join("../..").join(TESTDATA);
            assert!(
                std::env::var_os("CI").is_none(),
                "test data folder {} is missing",
                wanted.display()
            );
            println!("note: {} is absent; test skipped", wanted.display());
        }
        found
    }

    /// [`TESTDATA`] under the first ancestor of `start` that has it,
    /// without any note or panic.
    pub fn find(start: &Path) -> Option<Testdata> {
        start
            .ancestors()
            .map(|a| a.join(TESTDATA))
            .find(|d| d.is_dir())
            .map(Testdata::at)
    }

    /// A capture folder at `dir` (not checked).
    pub fn at(dir: impl Into<PathBuf>) -> Testdata {
        Testdata { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every file of the folder (captures, `.chk` files, the licence...),
    /// sorted: the bytes a decoder must survive.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Every capture (`*.log`), sorted by name, each with its `.chk` when
    /// there is one.
    pub fn captures(&self) -> Vec<Capture> {
        self.files()
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "log"))
            .map(|p| Capture::load(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
            .collect()
    }

    /// The capture `name` (`mt3339.log`).
    pub fn capture(&self, name: &str) -> io::Result<Capture> {
        Capture::load(&self.dir.join(name))
    }
}

/// One capture: its bytes, where its header ends, and gpsd's `.chk`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capture {
    /// The file name (`mt3339.log`).
    pub name: String,
    /// The whole file.
    pub bytes: Vec<u8>,
    /// The `.chk` file beside it, when there is one.
    pub chk: Option<String>,
    header_len: usize,
}

impl Capture {
    /// Loads `path` and `path.chk`.
    pub fn load(path: &Path) -> io::Result<Capture> {
        let bytes = std::fs::read(path)?;
        let chk_path = PathBuf::from(format!("{}.chk", path.display()));
        let chk = match std::fs::read(&chk_path) {
            Ok(b) => Some(String::from_utf8_lossy(&b).into_owned()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Capture::from_bytes(name, bytes, chk))
    }

    /// A capture from memory (for tests of the loader and of tools).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>, chk: Option<String>) -> Capture {
        let mut header_len = 0;
        while bytes[header_len..].starts_with(b"#") {
            header_len += bytes[header_len..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len() - header_len, |n| n + 1);
        }
        Capture {
            name: name.into(),
            bytes,
            chk,
            header_len,
        }
    }

    /// The name without `.log`, with every other `.` made `_` (for file
    /// names derived from it: `neo-m8n`, `ublox-8-time`).
    pub fn stem(&self) -> String {
        self.name.trim_end_matches(".log").replace('.', "_")
    }

    /// The `#` comment lines at the start.
    pub fn header(&self) -> &[u8] {
        &self.bytes[..self.header_len]
    }

    /// What the receiver sent: everything after the header.
    pub fn body(&self) -> &[u8] {
        &self.bytes[self.header_len..]
    }

    /// Whether the body is text: printable ASCII, CR and LF only.
    pub fn is_text(&self) -> bool {
        self.body()
            .iter()
            .all(|&b| b == b'\r' || b == b'\n' || (0x20..0x7f).contains(&b))
    }

    /// The body split at LF, each line without its CR, empty lines left
    /// out. (For a binary capture these are arbitrary pieces.)
    pub fn lines(&self) -> Vec<&[u8]> {
        self.body()
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// The body as CR LF terminated lines (what a receiver on a serial
    /// line sends), empty lines left out.
    pub fn crlf_body(&self) -> Vec<u8> {
        self.lines()
            .iter()
            .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
            .collect()
    }

    /// The `"time"` of every TPV record of the `.chk` file, in whole Unix
    /// seconds (empty without a `.chk`).
    pub fn tpv_times(&self) -> BTreeSet<i64> {
        let Some(chk) = &self.chk else {
            return BTreeSet::new();
        };
        chk.lines()
            .filter(|l| l.contains("\"class\":\"TPV\""))
            .filter_map(|l| {
                let start = l.find("\"time\":\"")? + 8;
                let end = start + l[start..].find('"')?;
                iso8601_secs(&l[start..end])
            })
            .collect()
    }
}

/// gpsd's `2013-09-18T19:25:59.000Z` as whole Unix seconds (the fraction
/// is dropped); `None` when it is not of that form.
pub fn iso8601_secs(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let t = CivilTime {
        year: num(0..4)? as i32,
        month: num(5..7)? as u8,
        day: num(8..10)? as u8,
        hour: num(11..13)? as u8,
        minute: num(14..16)? as u8,
        second: num(17..19)? as u8,
        nanos: 0,
    };
    Some(t.to_timestamp().ok()?.secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture() -> Capture {
        Capture::from_bytes(
            "x.y.log",
            b"# Name: test\n#\n$GPZDA,1*00\r\n\r\n$GPGGA,2\n".to_vec(),
            Some(
                "{\"class\":\"TPV\",\"time\":\"2015-04-13T20:26:40.000Z\"}\n\
                 {\"class\":\"SKY\",\"time\":\"2015-04-13T20:26:41.000Z\"}\n\
                 {\"class\":\"TPV\",\"time\":\"bad\"}\n"
                    .to_string(),
            ),
        )
    }

    #[test]
    fn the_header_is_split_off() {
        let c = capture();
        assert_eq!(c.header(), b"# Name: test\n#\n");
        assert_eq!(c.body(), b"$GPZDA,1*00\r\n\r\n$GPGGA,2\n");
        assert_eq!(c.lines(), vec![&b"$GPZDA,1*00"[..], b"$GPGGA,2"]);
        assert_eq!(c.crlf_body(), b"$GPZDA,1*00\r\n$GPGGA,2\r\n");
        assert!(c.is_text());
        assert_eq!(c.stem(), "x_y");
        let bin = Capture::from_bytes("b.log", b"#h\n\x10\x8e\n".to_vec(), None);
        assert!(!bin.is_text());
        assert!(bin.tpv_times().is_empty());
        // A file that is all header.
        assert!(Capture::from_bytes("h", b"# only".to_vec(), None)
            .body()
            .is_empty());
    }

    #[test]
    fn tpv_times_are_read_from_tpv_records_only() {
        let times: Vec<i64> = capture().tpv_times().into_iter().collect();
        assert_eq!(times, vec![1_428_956_800]);
        assert_eq!(iso8601_secs("2016-12-31T23:59Z"), None);
        assert_eq!(iso8601_secs("2016-12-31T23:59:59Z"), Some(1_483_228_799));
        assert_eq!(iso8601_secs("2017-01-01T00:00:00.5Z"), Some(1_483_228_800));
    }

    #[test]
    fn a_missing_folder_is_not_found() {
        assert_eq!(Testdata::find(Path::new("/nonexistent/a/b")), None);
        assert!(Testdata::at("/nonexistent").files().is_empty());
    }
}
