//! The decoder's errors. Each owns its context (a [`Snippet`] of the
//! input), so it can outlive the line without allocating.

use core::fmt;

use thiserror::Error;

use super::SentenceKind;

/// Up to [`Snippet::CAPACITY`] bytes of input copied into an error, so the
/// error owns its context without allocating.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Snippet {
    buf: [u8; Snippet::CAPACITY],
    len: u8,
    truncated: bool,
}

impl Snippet {
    /// How many bytes are kept.
    pub const CAPACITY: usize = 24;

    /// Copies (the start of) `bytes`.
    pub fn new(bytes: &[u8]) -> Snippet {
        let n = bytes.len().min(Self::CAPACITY);
        let mut buf = [0u8; Self::CAPACITY];
        buf[..n].copy_from_slice(&bytes[..n]);
        Snippet {
            buf,
            len: n as u8,
            truncated: bytes.len() > n,
        }
    }

    /// The bytes kept.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }

    /// Whether the input was longer than what is kept.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for &b in self.as_bytes() {
            if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        if self.truncated {
            f.write_str("...")?;
        }
        f.write_str("\"")
    }
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A field that did not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("{kind} field {index} ({name}): expected {expected}, found {found}")]
pub struct FieldError {
    /// The sentence.
    pub kind: SentenceKind,
    /// Field number, the sentence name being field 0.
    pub index: u8,
    /// What the field holds (`"time"`, `"date"`, `"week"`, ...).
    pub name: &'static str,
    /// What was expected.
    pub expected: &'static str,
    /// What was found.
    pub found: Snippet,
}

/// Why a line is not a usable sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ParseError {
    /// Nothing at all (ntpd ignores these silently).
    #[error("empty line")]
    Empty,
    /// The first byte is not `$`.
    #[error("sentence starts with byte 0x{found:02x}, expected '$'")]
    BadStart {
        /// The first byte.
        found: u8,
    },
    /// Shorter than [`MIN_LEN`](super::MIN_LEN).
    #[error("sentence is {len} bytes, shorter than the minimum {min}")]
    TooShort {
        /// Its length.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// Longer than allowed: [`MAX_LEN`](super::MAX_LEN) before a checksum, [`MAX_LINE`](super::MAX_LINE) in all.
    #[error("sentence is {len} bytes long, more than the maximum {max}")]
    TooLong {
        /// The length found (before the `*` when there is a checksum).
        len: usize,
        /// The limit that applies.
        max: usize,
    },
    /// The name is not `[A-Z][A-Z0-9]{3,}` followed by a comma.
    #[error("bad sentence name {found}: expected [A-Z][A-Z0-9]{{3,}} and ','")]
    BadName {
        /// The start of the name.
        found: Snippet,
    },
    /// A `*` that is not followed by exactly two upper-case hex digits
    /// ending the line.
    #[error(
        "malformed checksum field {found}: expected '*' and two upper-case hex digits at the end"
    )]
    BadChecksumField {
        /// From the `*` on.
        found: Snippet,
    },
    /// The checksum does not match the data.
    #[error("checksum mismatch: sentence says {given:02X}, data gives {computed:02X}")]
    ChecksumMismatch {
        /// XOR of the bytes between `$` and `*`.
        computed: u8,
        /// The value in the sentence.
        given: u8,
    },
    /// A sentence without a checksum where one is required (RMC always;
    /// the driver also requires one once a sentence type has shown one).
    #[error("{kind} sentence without checksum")]
    MissingChecksum {
        /// The sentence.
        kind: SentenceKind,
    },
    /// A well-formed sentence that carries no time the decoder knows.
    #[error("sentence {name} is not a time sentence")]
    UnknownSentence {
        /// The name (e.g. `GPGSV`).
        name: Snippet,
    },
    /// A field did not decode.
    #[error(transparent)]
    BadField(#[from] FieldError),
}

impl ParseError {
    /// Whether the line is not valid NMEA at all: what ntpd reports as
    /// `CEVNT_BADREPLY` before looking at the sentence (bad start, length,
    /// name or checksum). Empty lines, unknown sentences, missing checksums
    /// and bad fields are not framing errors.
    pub fn is_framing(&self) -> bool {
        matches!(
            self,
            ParseError::BadStart { .. }
                | ParseError::TooShort { .. }
                | ParseError::TooLong { .. }
                | ParseError::BadName { .. }
                | ParseError::BadChecksumField { .. }
                | ParseError::ChecksumMismatch { .. }
        )
    }
}
