//! Target `line_framer`: `refclock_core::framing::LineFramer` under every
//! chunking of the same bytes.
//!
//! ## Input format
//!
//! Byte 0: `n` = byte 0 mod 32, the number of chunk lengths that follow;
//! then `n` chunk lengths (one byte each, used in turn, 0 allowed: an
//! empty read); the rest is the payload. Without lengths, or with all of
//! them 0, the payload is one chunk.
//!
//! ## Properties
//!
//! The payload is framed three ways, each chunk `i` delivered with its own
//! timestamp `T(i)`, and compared with a plain model of the documented
//! rules (parity bit masked, printable ASCII kept, CR or LF ends a line,
//! empty lines skipped, at most 127 bytes kept and the cut flagged
//! [`FrameStatus::Overflow`]):
//!
//! 1. the whole payload in one `feed()`: the model's lines (text and
//!    status), all with that read's time as first and last time;
//! 2. chunk by chunk: the same lines, each with `first` the time of the
//!    chunk holding its first printable byte and `last` the time of the
//!    chunk holding its terminator, and after each chunk `pending()` is the
//!    model's partial line;
//! 3. chunk by chunk with `next_frame()`, one frame per call: the same
//!    frames, and each call leaves the input just after that frame's
//!    terminator (or empty, when it returns none); `pending()` is 0 right
//!    after a frame, and `reset()` drops the partial line.

use refclock_core::framing::{Frame, FrameStatus, Framer, LineFramer, MAX_LINE};
use refclock_core::Timestamp;

/// A line of the model: text, overflow flag, index of its first
/// printable byte and of its terminator.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ModelLine {
    text: Vec<u8>,
    overflow: bool,
    start: usize,
    end: usize,
}

/// The model: all lines, and the partial line's length after each of the
/// given chunk ends.
fn model(payload: &[u8], chunk_ends: &[usize]) -> (Vec<ModelLine>, Vec<usize>) {
    let mut lines = Vec::new();
    let mut pending = Vec::new();
    let mut buf = Vec::new();
    let mut overflow = false;
    let mut start = 0;
    let mut ends = chunk_ends.iter().peekable();
    while ends.peek() == Some(&&0) {
        pending.push(0);
        ends.next();
    }
    for (i, &raw) in payload.iter().enumerate() {
        let b = raw & 0x7f;
        if b == b'\n' || b == b'\r' {
            if !buf.is_empty() || overflow {
                lines.push(ModelLine {
                    text: std::mem::take(&mut buf),
                    overflow,
                    start,
                    end: i,
                });
                overflow = false;
            }
        } else if (0x20..0x7f).contains(&b) {
            if buf.is_empty() && !overflow {
                start = i;
            }
            if buf.len() < MAX_LINE {
                buf.push(b);
            } else {
                overflow = true;
            }
        }
        while ends.peek() == Some(&&(i + 1)) {
            pending.push(buf.len());
            ends.next();
        }
    }
    (lines, pending)
}

/// The timestamp of chunk `i`: distinct for every chunk.
pub fn chunk_time(i: usize) -> Timestamp {
    Timestamp::new(
        1_000_000 + i as i64,
        (i as u32).wrapping_mul(7919) % 1_000_000_000,
    )
}

/// The chunks `(start, end)` of a payload of `len` bytes for `lens`.
fn chunks(len: usize, lens: &[u8]) -> Vec<(usize, usize)> {
    if lens.iter().all(|&l| l == 0) {
        return vec![(0, len)];
    }
    let mut out = Vec::new();
    let mut at = 0;
    for &l in lens.iter().cycle() {
        if at >= len {
            break;
        }
        let end = (at + l as usize).min(len);
        out.push((at, end));
        at = end;
    }
    out
}

/// Splits the input into chunk lengths and payload.
pub fn split_input(data: &[u8]) -> (&[u8], &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return (&[], &[]);
    };
    let n = (first % 32) as usize;
    rest.split_at(n.min(rest.len()))
}

/// The input for chunk lengths `lens` (at most 31) and `payload`.
pub fn encode(lens: &[u8], payload: &[u8]) -> Vec<u8> {
    assert!(lens.len() < 32);
    let mut out = vec![lens.len() as u8];
    out.extend_from_slice(lens);
    out.extend_from_slice(payload);
    out
}

/// A frame as compared: text, status, first and last time.
type Got = (Vec<u8>, FrameStatus, Timestamp, Timestamp);

fn got(f: &Frame<'_>) -> Got {
    check_line_shape(f);
    (f.data.to_vec(), f.status, f.first, f.last)
}

fn status(m: &ModelLine) -> FrameStatus {
    if m.overflow {
        FrameStatus::Overflow
    } else {
        FrameStatus::Complete
    }
}

/// Runs the three framings; returns the number of lines.
pub fn line_framer(data: &[u8]) -> usize {
    let (lens, payload) = split_input(data);
    let spans = chunks(payload.len(), lens);
    let ends: Vec<usize> = spans.iter().map(|&(_, e)| e).collect();
    let (expected, pending) = model(payload, &ends);
    // The chunk holding a byte: the first chunk ending after it (chunks
    // are contiguous, so it starts at or before it).
    let chunk_of = |i: usize| spans.partition_point(|&(_, e)| e <= i);

    // 1. One feed.
    let mut one = LineFramer::new();
    let t0 = chunk_time(0);
    let mut lines = Vec::new();
    one.feed(payload, t0, |f| lines.push(got(&f)));
    let want: Vec<Got> = expected
        .iter()
        .map(|m| (m.text.clone(), status(m), t0, t0))
        .collect();
    assert_eq!(lines, want, "one feed");
    assert_eq!(one.pending(), pending.last().copied().unwrap_or(0));
    one.reset();
    assert_eq!(one.pending(), 0);

    // 2. Chunk by chunk.
    let want: Vec<Got> = expected
        .iter()
        .map(|m| {
            let (first, last) = (chunk_of(m.start), chunk_of(m.end));
            let (s, e) = spans[last];
            assert!(s <= m.end && m.end < e, "a terminator inside its chunk");
            (
                m.text.clone(),
                status(m),
                chunk_time(first),
                chunk_time(last),
            )
        })
        .collect();
    let mut framer = LineFramer::new();
    let mut lines = Vec::new();
    for (i, &(s, e)) in spans.iter().enumerate() {
        framer.feed(&payload[s..e], chunk_time(i), |f| lines.push(got(&f)));
        assert_eq!(framer.pending(), pending[i], "pending after chunk {i}");
    }
    assert_eq!(lines, want, "chunked feed");

    // 3. One frame per call.
    let mut framer = LineFramer::new();
    let mut lines = Vec::new();
    let mut ends = expected.iter().map(|m| m.end);
    for (i, &(s, e)) in spans.iter().enumerate() {
        let mut input = &payload[s..e];
        while let Some(f) = framer.next_frame(&mut input, chunk_time(i)) {
            lines.push(got(&f));
            let end = ends.next().expect("no more frames than the model's");
            assert_eq!(e - input.len(), end + 1, "input left after a frame");
            assert_eq!(framer.pending(), 0, "pending right after a frame");
        }
        assert!(input.is_empty(), "input left after the last frame");
        assert_eq!(framer.pending(), pending[i], "pending after chunk {i}");
    }
    assert_eq!(lines, want, "one frame per call");
    framer.reset();
    assert_eq!(framer.pending(), 0);

    expected.len()
}

fn check_line_shape(f: &Frame<'_>) {
    assert!(f.data.len() <= MAX_LINE);
    assert!(f.data.iter().all(|b| (0x20..0x7f).contains(b)));
    assert_eq!(f.text().as_bytes(), f.data);
    assert!(f.first <= f.last);
    match f.status {
        FrameStatus::Overflow => assert_eq!(f.data.len(), MAX_LINE),
        FrameStatus::Complete => assert!(!f.data.is_empty()),
        FrameStatus::BadChecksum => panic!("a line framer knows no checksum"),
        FrameStatus::Short => panic!("a line is never cut short"),
    }
    assert_eq!(f.is_complete(), f.status == FrameStatus::Complete);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_line_takes_the_later_time() {
        // "ab" | "c\nd" | "\n": two lines, times of chunks 1 and 2.
        assert_eq!(line_framer(&encode(&[2, 3, 1], b"abc\nd\n")), 2);
    }

    #[test]
    fn overflow_and_grooming() {
        let mut payload = vec![b'x' | 0x80; 300];
        payload.extend_from_slice(b"\r\n\x01ok\n");
        assert_eq!(line_framer(&encode(&[7, 0, 200], &payload)), 2);
    }

    #[test]
    fn model_pending_per_chunk() {
        let (lines, pending) = model(b"ab\ncd", &[0, 1, 3, 5]);
        assert_eq!(lines.len(), 1);
        assert_eq!((lines[0].start, lines[0].end), (0, 2));
        assert_eq!(pending, vec![0, 1, 0, 2]);
    }
}
