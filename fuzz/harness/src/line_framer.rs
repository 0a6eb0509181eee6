//! Target `line_framer`: `refclock_core::line::LineFramer` under every
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
//! empty lines skipped, at most 127 bytes kept and the cut flagged):
//!
//! 1. the whole payload in one `feed()`: the model's lines (text and
//!    overflow flag), all with that feed's time;
//! 2. chunk by chunk: the same lines, each with the time of the chunk that
//!    holds its terminator, and after each chunk `pending()` is the model's
//!    partial line;
//! 3. chunk by chunk, dropping each chunk's iterator after a few lines: the
//!    lines taken are the first ones of that chunk, and the bytes left in
//!    the dropped iterator are still consumed (later chunks frame as
//!    before).

use refclock_core::line::{LineFramer, MAX_LINE};
use refclock_core::Timestamp;

/// A line of the model: text, overflow flag, index of its terminator.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ModelLine {
    text: Vec<u8>,
    overflow: bool,
    end: usize,
}

/// The model: all lines, and the partial line's length after each of the
/// given chunk ends.
fn model(payload: &[u8], chunk_ends: &[usize]) -> (Vec<ModelLine>, Vec<usize>) {
    let mut lines = Vec::new();
    let mut pending = Vec::new();
    let mut buf = Vec::new();
    let mut overflow = false;
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
                    end: i,
                });
                overflow = false;
            }
        } else if (0x20..0x7f).contains(&b) {
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

/// Runs the three framings; returns the number of lines.
pub fn line_framer(data: &[u8]) -> usize {
    let (lens, payload) = split_input(data);
    let spans = chunks(payload.len(), lens);
    let ends: Vec<usize> = spans.iter().map(|&(_, e)| e).collect();
    let (expected, pending) = model(payload, &ends);
    // The chunk holding each line's terminator: the first chunk ending
    // after it (chunks are contiguous, so it starts at or before it).
    let line_chunk: Vec<usize> = expected
        .iter()
        .map(|m| spans.partition_point(|&(_, e)| e <= m.end))
        .collect();

    // 1. One feed.
    let mut one = LineFramer::new();
    let t0 = chunk_time(0);
    let got: Vec<_> = one
        .feed(payload, t0)
        .map(|l| {
            check_line_shape(l.bytes(), l.overflow);
            assert_eq!(l.as_str().as_bytes(), l.bytes());
            (l.bytes().to_vec(), l.overflow, l.time)
        })
        .collect();
    let want: Vec<_> = expected
        .iter()
        .map(|m| (m.text.clone(), m.overflow, t0))
        .collect();
    assert_eq!(got, want, "one feed");
    assert_eq!(one.pending(), pending.last().copied().unwrap_or(0));
    one.reset();
    assert_eq!(one.pending(), 0);

    // 2. Chunk by chunk.
    let mut framer = LineFramer::new();
    let mut got = Vec::new();
    for (i, &(s, e)) in spans.iter().enumerate() {
        got.extend(
            framer
                .feed(&payload[s..e], chunk_time(i))
                .map(|l| (l.bytes().to_vec(), l.overflow, l.time)),
        );
        assert_eq!(framer.pending(), pending[i], "pending after chunk {i}");
    }
    let want: Vec<_> = expected
        .iter()
        .zip(&line_chunk)
        .map(|(m, &i)| {
            let (s, e) = spans[i];
            assert!(s <= m.end && m.end < e, "a terminator inside its chunk");
            (m.text.clone(), m.overflow, chunk_time(i))
        })
        .collect();
    assert_eq!(got, want, "chunked feed");

    // 3. Chunk by chunk, iterators dropped early.
    let mut framer = LineFramer::new();
    let mut got = Vec::new();
    let mut want = Vec::new();
    for (i, &(s, e)) in spans.iter().enumerate() {
        let take = usize::from(lens.get((i + 1) % lens.len().max(1)).copied().unwrap_or(1) % 4);
        got.extend(
            framer
                .feed(&payload[s..e], chunk_time(i))
                .take(take)
                .map(|l| (l.bytes().to_vec(), l.overflow, l.time)),
        );
        assert_eq!(
            framer.pending(),
            pending[i],
            "pending after dropped chunk {i}"
        );
        let first = line_chunk.partition_point(|&c| c < i);
        want.extend(
            expected[first..]
                .iter()
                .zip(&line_chunk[first..])
                .take_while(|&(_, &c)| c == i)
                .take(take)
                .map(|(m, _)| (m.text.clone(), m.overflow, chunk_time(i))),
        );
    }
    assert_eq!(got, want, "feeds dropped early");

    expected.len()
}

fn check_line_shape(bytes: &[u8], overflow: bool) {
    assert!(bytes.len() <= MAX_LINE);
    assert!(bytes.iter().all(|b| (0x20..0x7f).contains(b)));
    assert!(!overflow || bytes.len() == MAX_LINE);
    assert!(overflow || !bytes.is_empty());
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
        assert_eq!(lines[0].end, 2);
        assert_eq!(pending, vec![0, 1, 0, 2]);
    }
}
