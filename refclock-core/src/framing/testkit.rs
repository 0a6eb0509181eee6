//! Helpers for the framers' tests: feeding a stream cut into reads, the
//! frames (with times) that a given cutting must give, gpsd's captures,
//! and random input.
//!
//! Chunk `k` of a cut stream is read at time `t(k)`, so a frame's expected
//! `first` and `last` are the indices of the chunks that hold its first
//! and last bytes.

use super::{FrameStatus, Framer};
use crate::rng::Rng;
use crate::time::Timestamp;
use std::ops::Range;

/// A frame as the tests compare it: data, first, last, status.
pub(crate) type Got = (Vec<u8>, Timestamp, Timestamp, FrameStatus);

/// One frame a stream must give: the bytes of the stream it spans (from
/// its first byte to its last, delimiters included), its data and status.
#[derive(Clone, Debug)]
pub(crate) struct Expect {
    pub range: Range<usize>,
    pub data: Vec<u8>,
    pub status: FrameStatus,
}

impl Expect {
    pub fn new(range: Range<usize>, data: &[u8], status: FrameStatus) -> Expect {
        Expect {
            range,
            data: data.to_vec(),
            status,
        }
    }
}

/// The time of chunk `k`.
pub(crate) fn t(k: usize) -> Timestamp {
    Timestamp::from_secs(1_000 + k as i64)
}

/// Decodes a hex string (spaces allowed).
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd hex string");
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// Feeds `stream` cut before each position of `cuts` (increasing), chunk
/// `k` at `t(k)`, and collects every frame. Also checks that each call
/// either returns a frame or uses the whole input.
pub(crate) fn feed_cut<F: Framer>(f: &mut F, stream: &[u8], cuts: &[usize]) -> Vec<Got> {
    let mut out = Vec::new();
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().copied().filter(|&c| c > 0 && c < stream.len()));
    bounds.push(stream.len());
    for (k, w) in bounds.windows(2).enumerate() {
        let mut input = &stream[w[0]..w[1]];
        loop {
            let before = input.len();
            match f.next_frame(&mut input, t(k)) {
                Some(fr) => {
                    assert!(input.len() <= before);
                    out.push((fr.data.to_vec(), fr.first, fr.last, fr.status));
                }
                None => {
                    assert!(input.is_empty(), "None before the input was used up");
                    break;
                }
            }
        }
    }
    out
}

/// The index of the chunk holding byte `pos`.
fn chunk_of(pos: usize, cuts: &[usize]) -> usize {
    cuts.iter().filter(|&&c| c > 0 && c <= pos).count()
}

/// What `feed_cut` must give for `exp` with these cuts.
pub(crate) fn expected(exp: &[Expect], cuts: &[usize]) -> Vec<Got> {
    exp.iter()
        .map(|e| {
            (
                e.data.clone(),
                t(chunk_of(e.range.start, cuts)),
                t(chunk_of(e.range.end - 1, cuts)),
                e.status,
            )
        })
        .collect()
}

/// Random cut positions for a stream of `len` bytes (reads of 1 to a
/// random maximum of bytes).
pub(crate) fn random_cuts(rng: &mut Rng, len: usize) -> Vec<usize> {
    let top = if rng.percent(30) { 3 } else { 40 };
    let max = 1 + rng.up_to(top) as usize;
    let mut cuts = Vec::new();
    let mut pos = 0;
    loop {
        pos += 1 + rng.up_to(max as u64 - 1) as usize;
        if pos >= len {
            return cuts;
        }
        cuts.push(pos);
    }
}

/// Checks that `stream` gives `exp` read in one piece, cut once at every
/// position, cut twice at every pair of positions (streams up to 160
/// bytes) and in `random` random chunkings, each with a fresh framer.
pub(crate) fn check_splits<F: Framer>(new: impl Fn() -> F, stream: &[u8], exp: &[Expect]) {
    let check = |cuts: &[usize]| {
        let got = feed_cut(&mut new(), stream, cuts);
        assert_eq!(got, expected(exp, cuts), "cuts {cuts:?}");
    };
    check(&[]);
    for i in 1..stream.len() {
        check(&[i]);
    }
    if stream.len() <= 160 {
        for i in 1..stream.len() {
            for j in i + 1..stream.len() {
                check(&[i, j]);
            }
        }
    }
    let mut rng = Rng::new(stream.len() as u64);
    for _ in 0..200 {
        check(&random_cuts(&mut rng, stream.len()));
    }
}

/// The bytes of gpsd capture `name` after its `#` header lines, or
/// `None` (the test is skipped) when the captures are not beside the
/// repository.
pub(crate) fn capture(name: &str) -> Option<Vec<u8>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/testdata/gpsd")
        .join(name);
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("skipped: no {}", path.display());
        return None;
    };
    let mut i = 0;
    while bytes.get(i) == Some(&b'#') {
        i = bytes[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| i + p + 1);
    }
    Some(bytes[i..].to_vec())
}

/// Random bytes, with the byte strings of `salt` (a framer's sync and
/// delimiters) sprinkled in so that framers get past their hunting state.
pub(crate) fn noise(rng: &mut Rng, len: usize, salt: &[&[u8]]) -> Vec<u8> {
    let mut v = Vec::with_capacity(len + 16);
    while v.len() < len {
        if !salt.is_empty() && rng.percent(10) {
            v.extend_from_slice(salt[rng.up_to(salt.len() as u64 - 1) as usize]);
        } else {
            v.push(rng.next_u64() as u8);
        }
    }
    v
}

/// Feeds random input in random chunks to `f` (with resets now and then)
/// and checks every frame with `each`; returns how many frames came out.
pub(crate) fn fuzz<F: Framer>(
    f: &mut F,
    seed: u64,
    salt: &[&[u8]],
    mut each: impl FnMut(&super::Frame<'_>),
) -> usize {
    let mut rng = Rng::new(seed);
    let mut frames = 0;
    for round in 0..200 {
        let len = rng.up_to(600) as usize;
        let data = noise(&mut rng, len, salt);
        let cuts = random_cuts(&mut rng, data.len());
        let mut start = 0;
        for (k, &end) in cuts.iter().chain([data.len()].iter()).enumerate() {
            let time = t(round * 1000 + k);
            let mut input = &data[start..end];
            while let Some(fr) = f.next_frame(&mut input, time) {
                assert!(fr.first <= fr.last, "{fr:?}");
                assert!(fr.last <= time, "{fr:?} after {time:?}");
                each(&fr);
                frames += 1;
            }
            assert!(input.is_empty());
            start = end;
        }
        if rng.percent(5) {
            f.reset();
            assert_eq!(f.pending(), 0);
        }
    }
    frames
}
