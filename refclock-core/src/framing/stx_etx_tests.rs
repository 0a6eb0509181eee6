use super::*;
use crate::framing::testkit::{check_splits, feed_cut, fuzz, t, Expect};
use FrameStatus::{Complete, Overflow};

/// Meinberg standard strings (the layout of `clk_meinberg.c`).
const MBG1: &[u8] = b"D:25.12.24;T:3;U:23.59.59;    ";
const MBG2: &[u8] = b"D:26.12.24;T:4;U:00.00.00; *  ";

/// `garbage STX MBG1 ETX CR LF STX MBG2 ETX junk`, with its two frames.
fn meinberg_stream() -> (Vec<u8>, Vec<Expect>) {
    let mut s = b"\x03xx\r\n".to_vec();
    let a = s.len();
    s.push(STX);
    s.extend_from_slice(MBG1);
    s.push(ETX);
    let b = s.len();
    s.extend_from_slice(b"\r\n");
    let c = s.len();
    s.push(STX);
    s.extend_from_slice(MBG2);
    s.push(ETX);
    let d = s.len();
    s.extend_from_slice(b"\r\nD:2");
    let exp = vec![
        Expect::new(a..b, MBG1, Complete),
        Expect::new(c..d, MBG2, Complete),
    ];
    (s, exp)
}

/// `b` with even parity in bit 7 (Meinberg's 7E2).
fn even_parity(b: u8) -> u8 {
    if b.count_ones() % 2 == 1 {
        b | 0x80
    } else {
        b
    }
}

fn frames(f: &mut StxEtxFramer, data: &[u8]) -> Vec<(Vec<u8>, FrameStatus)> {
    feed_cut(f, data, &[])
        .into_iter()
        .map(|(d, _, _, s)| (d, s))
        .collect()
}

#[test]
fn meinberg_strings_at_every_split() {
    let (s, exp) = meinberg_stream();
    check_splits(StxEtxFramer::new, &s, &exp);
    let mut f = StxEtxFramer::new();
    feed_cut(&mut f, &s, &[]);
    // "\x03xx\r\n" before, "\r\n" between, "\r\nD:2" after.
    assert_eq!(f.skipped(), 5 + 2 + 5);
    assert_eq!(f.pending(), 0);
}

#[test]
fn wharton_and_hopf_strings() {
    // Wharton 400A format 1: seconds, minutes, … in reversed decimal,
    // then the status byte.
    let wharton = b"\x02950321520142\x36\x03";
    let mut f = StxEtxFramer::new();
    assert_eq!(
        frames(&mut f, wharton),
        vec![(b"950321520142\x36".to_vec(), Complete)]
    );
    // hopf 6021: `STX A B HHMMSS DDMMYY LF CR ETX`, data keeps LF CR.
    let hopf = b"\x02C4110046231195\n\r\x03";
    assert_eq!(
        frames(&mut f, hopf),
        vec![(b"C4110046231195\n\r".to_vec(), Complete)]
    );
}

#[test]
fn parity_is_stripped_only_when_asked() {
    let (s, exp) = meinberg_stream();
    let parity: Vec<u8> = s.iter().map(|&b| even_parity(b)).collect();
    assert_ne!(parity, s);
    check_splits(|| StxEtxFramer::new().strip_parity(), &parity, &exp);
    // Kept 8-bit, a STX with its parity bit set (0x82) is no STX, and
    // data keep their parity bits.
    let mut f = StxEtxFramer::new();
    let got = frames(&mut f, &parity);
    assert!(got.is_empty(), "{got:?}");
    let mut f = StxEtxFramer::new();
    let got = frames(&mut f, &[STX, 0xb1, 0x32, ETX]);
    assert_eq!(got, vec![(vec![0xb1, 0x32], Complete)]);
}

#[test]
fn a_start_byte_restarts_the_frame() {
    let mut f = StxEtxFramer::new();
    let got = feed_cut(&mut f, b"\x02D:25.1\x02abc\x03", &[4]);
    assert_eq!(got, vec![(b"abc".to_vec(), t(1), t(1), Complete)]);
    assert_eq!(f.skipped(), 7);
    // An empty frame is a frame.
    let got = feed_cut(&mut f, b"\x02\x03", &[1]);
    assert_eq!(got, vec![(vec![], t(0), t(1), Complete)]);
}

#[test]
fn overflow_at_the_end_byte() {
    let mut s = vec![STX];
    s.extend(std::iter::repeat_n(b'x', MAX_DELIMITED + 10));
    s.push(ETX);
    let a = s.len();
    s.extend_from_slice(b"\x02ok\x03");
    let exp = vec![
        Expect::new(0..a, &[b'x'; MAX_DELIMITED], Overflow),
        Expect::new(a..s.len(), b"ok", Complete),
    ];
    check_splits(StxEtxFramer::new, &s, &exp);
}

#[test]
fn overflow_cut_by_the_next_start_byte() {
    let mut s = vec![STX];
    s.extend((0..MAX_DELIMITED + 3).map(|i| b'a' + (i % 20) as u8));
    let a = s.len();
    s.extend_from_slice(b"\x02ok\x03");
    let exp = vec![
        Expect::new(0..a, &s[1..1 + MAX_DELIMITED], Overflow),
        Expect::new(a..s.len(), b"ok", Complete),
    ];
    check_splits(StxEtxFramer::new, &s, &exp);
    // Exactly full is no overflow.
    let mut s = vec![STX];
    s.extend(std::iter::repeat_n(b'y', MAX_DELIMITED));
    s.push(ETX);
    let got = frames(&mut StxEtxFramer::new(), &s);
    assert_eq!(got, vec![(vec![b'y'; MAX_DELIMITED], Complete)]);
}

#[test]
fn stopping_after_an_overflow_frame_keeps_the_start_byte() {
    let mut s = vec![STX];
    s.extend(std::iter::repeat_n(b'x', MAX_DELIMITED + 1));
    s.extend_from_slice(b"\x02ok\x03");
    let mut f = StxEtxFramer::new();
    let mut input = &s[..];
    let fr = f.next_frame(&mut input, t(0)).unwrap();
    assert_eq!(fr.status, Overflow);
    assert_eq!(input, b"\x02ok\x03");
    assert_eq!(f.pending(), 0);
    let fr = f.next_frame(&mut input, t(1)).unwrap();
    assert_eq!((fr.data, fr.first, fr.status), (&b"ok"[..], t(1), Complete));
}

#[test]
fn other_delimiters() {
    // Trimble TAIP: `>` … `<`.
    let s = b"\r\n>RTM123456789<\r\n>RTM2<";
    let exp = vec![
        Expect::new(2..16, b"RTM123456789", Complete),
        Expect::new(18..24, b"RTM2", Complete),
    ];
    check_splits(|| StxEtxFramer::with_delimiters(b'>', b'<'), s, &exp);
    let f = StxEtxFramer::with_delimiters(b'>', b'<');
    assert_eq!((f.start_byte(), f.end_byte()), (Some(b'>'), b'<'));
}

#[test]
fn end_only_frames() {
    // Schmid: binary records ended by 0xFD; no empty frames.
    let s = [0x01, 0x02, 0xfd, 0xfd, 0x10, 0x20, 0x30, 0xfd, 0x44];
    let exp = vec![
        Expect::new(0..3, &[0x01, 0x02], Complete),
        Expect::new(4..8, &[0x10, 0x20, 0x30], Complete),
    ];
    check_splits(|| StxEtxFramer::end_only(0xfd), &s, &exp);
    let mut f = StxEtxFramer::end_only(0xfd);
    assert_eq!(f.start_byte(), None);
    feed_cut(&mut f, &s, &[]);
    assert_eq!((f.skipped(), f.pending()), (1, 1));
    // Overflow without a start byte: cut at the end byte.
    let mut s = vec![b'z'; MAX_DELIMITED + 1];
    s.push(b'\r');
    s.extend_from_slice(b"ok\r");
    let got = frames(&mut StxEtxFramer::end_only(b'\r'), &s);
    assert_eq!(
        got,
        vec![
            (vec![b'z'; MAX_DELIMITED], Overflow),
            (b"ok".to_vec(), Complete)
        ]
    );
}

#[test]
fn reset_drops_the_partial_frame() {
    let mut f = StxEtxFramer::new();
    assert!(feed_cut(&mut f, b"\x02D:25.12", &[]).is_empty());
    assert_eq!(f.pending(), 8);
    f.reset();
    assert_eq!(f.pending(), 0);
    // The rest of the old frame is noise now.
    let got = feed_cut(&mut f, b".24\x03\x02ok\x03", &[]);
    assert_eq!(got, vec![(b"ok".to_vec(), t(0), t(0), Complete)]);
    assert_eq!(f.skipped(), 4);
}

#[test]
fn random_input() {
    for (seed, mut f) in [
        (1, StxEtxFramer::new()),
        (2, StxEtxFramer::new().strip_parity()),
        (3, StxEtxFramer::end_only(b'\n')),
    ] {
        let (start, end, mask) = (f.start_byte(), f.end_byte(), f.mask);
        let n = fuzz(&mut f, seed, &[&[STX], &[ETX], b"\n"], |fr| {
            assert!(fr.data.len() <= MAX_DELIMITED);
            assert!(!fr.data.iter().any(|&b| b == end || Some(b) == start));
            assert!(fr.data.iter().all(|&b| b & mask == b));
            if fr.status == Overflow {
                assert_eq!(fr.data.len(), MAX_DELIMITED);
            }
        });
        assert!(n > 100, "{n} frames");
    }
}
