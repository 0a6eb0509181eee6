use super::*;
use crate::framing::testkit::{capture, check_splits, feed_cut, fuzz, hex, t, Expect};
use crate::rng::Rng;
use FrameStatus::{Complete, Overflow};

/// Real packets from gpsd's captures, as sent (stuffed, with delimiters).
/// Lassen iQ (`trimble-lassen_iq.log`): 0x46 health, 0x4B status, 0x82
/// DGPS mode.
const LASSEN_46: &str = "10 46 00 00 10 03";
const LASSEN_4B: &str = "10 4b 5a 00 01 10 03";
const LASSEN_82: &str = "10 82 02 10 03";
/// SMT 360 (`trimble-smt-360.log`): 0x8F-AB primary timing, with a
/// stuffed DLE (seconds = 16).
const SMT_8FAB: &str = "10 8f ab 00 03 a9 54 08 1c 00 12 00 10 10 27 12 16 0a 07 e3 10 03";
/// SMT 360: 0x8F-AC supplemental timing, with a stuffed DLE.
const SMT_8FAC: &str = "10 8f ac 07 00 64 00 00 00 00 00 00 00 00 00 00 00 00 c0 9f 79 10 10
    41 7a 60 9c 00 00 00 00 00 00 00 00 41 f0 65 ae 3f e7 16 9d 33 96 1b b9 bf f5 24 1e 2e 97
    b5 3c 40 6a 53 57 a7 86 c2 46 41 0b 7d af 00 00 00 00 10 03";
/// RES 720 (`trimble-res720.log`): a TSIPv1 0xA1-00 timing packet.
const RES_A100: &str = "10 a1 00 00 20 02 00 02 76 e1 08 96 14 33 2d 02 15 07 e6 00 00 03 00
    12 3f 40 82 9d 3f a9 de d3 3f f2 1d ed a3 10 03";

/// A packet as sent: DLE, the bytes with DLEs doubled, DLE ETX.
fn stuff(packet: &[u8]) -> Vec<u8> {
    let mut v = vec![DLE];
    for &b in packet {
        v.push(b);
        if b == DLE {
            v.push(DLE);
        }
    }
    v.extend_from_slice(&[DLE, ETX]);
    v
}

/// What the framer must make of a stuffed packet.
fn unstuff(sent: &[u8]) -> Vec<u8> {
    let inner = &sent[1..sent.len() - 2];
    let mut v = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        v.push(inner[i]);
        i += if inner[i] == DLE { 2 } else { 1 };
    }
    v
}

/// Concatenates `parts`; those marked `true` are packets to expect.
fn stream(parts: &[(&[u8], bool)]) -> (Vec<u8>, Vec<Expect>) {
    let mut s = Vec::new();
    let mut exp = Vec::new();
    for &(p, is_packet) in parts {
        if is_packet {
            exp.push(Expect::new(
                s.len()..s.len() + p.len(),
                &unstuff(p),
                Complete,
            ));
        }
        s.extend_from_slice(p);
    }
    (s, exp)
}

#[test]
fn stuffing_helpers_agree_with_the_captures() {
    let p = hex(SMT_8FAB);
    assert_eq!(stuff(&unstuff(&p)), p);
    assert_eq!(unstuff(&p).len(), p.len() - 4);
}

#[test]
fn real_packets_at_every_split() {
    let (a, b, c, d) = (
        hex(LASSEN_46),
        hex(LASSEN_4B),
        hex(LASSEN_82),
        hex(SMT_8FAB),
    );
    let (s, exp) = stream(&[
        (b"\x03\x00xy", false),
        (&a, true),
        (&b, true),
        (b"\xff", false),
        (&c, true),
        (&d, true),
        (b"\x10\x8f", false),
    ]);
    check_splits(DleFramer::new, &s, &exp);
    let mut f = DleFramer::new();
    feed_cut(&mut f, &s, &[]);
    assert_eq!((f.skipped(), f.pending()), (5, 2));

    let (e, g) = (hex(SMT_8FAC), hex(RES_A100));
    let (s, exp) = stream(&[(&e, true), (b"\x00", false), (&g, true)]);
    check_splits(DleFramer::new, &s, &exp);
    assert_eq!(exp[0].data[..3], [0x8f, 0xac, 0x07]);
    assert_eq!(exp[0].data.len(), 69);
}

#[test]
fn captures() {
    // Packet counts by an independent reading of each capture.
    for (name, packets) in [
        ("trimble-lassen_iq.log", 168),
        ("trimble-lassen_iq-3dfix.log", 238),
        ("trimble-lasseniq-bin2d.log", 198),
        ("trimble-res720.log", 842),
        ("trimble-ressmt360-dr.log", 193),
        ("trimble-smt-360.log", 118),
        ("trimble-smtx.log", 125),
    ] {
        let Some(data) = capture(name) else { return };
        let whole = feed_cut(&mut DleFramer::new(), &data, &[]);
        assert_eq!(whole.len(), packets, "{name}");
        assert!(whole.iter().all(|p| p.3 == Complete && p.0.len() >= 2));
        let cuts: Vec<usize> = (1..data.len()).collect();
        let bytewise = feed_cut(&mut DleFramer::new(), &data, &cuts);
        assert_eq!(
            whole.iter().map(|p| &p.0).collect::<Vec<_>>(),
            bytewise.iter().map(|p| &p.0).collect::<Vec<_>>(),
            "{name}"
        );
    }
}

#[test]
fn dle_etx_in_data_is_stuffed() {
    // Data holding DLE ETX, and data ending in a DLE.
    let p1 = stuff(&[0x8f, 0x10, 0x03, 0x10]);
    assert_eq!(p1, hex("10 8f 10 10 03 10 10 10 03"));
    let p2 = stuff(&[0x10, 0x10]);
    let (s, exp) = stream(&[(&p1, true), (&p2, false), (&hex(LASSEN_82), true)]);
    // An id of DLE (sent DLE DLE) opens nothing.
    check_splits(DleFramer::new, &s, &exp);
}

#[test]
fn joining_mid_packet() {
    // The tail of a packet: its stuffed pair and DLE ETX open nothing.
    let tail = hex("aa 10 10 bb 10 03");
    let (s, exp) = stream(&[(&tail, false), (&hex(LASSEN_46), true)]);
    check_splits(DleFramer::new, &s, &exp);
    let mut f = DleFramer::new();
    feed_cut(&mut f, &s, &[]);
    assert_eq!(f.skipped(), 6);
    // Joining at the second DLE of a stuffed pair: a bogus packet runs to
    // the real end, then framing is right.
    let tail = hex("10 bb cc 10 03");
    let (s, exp) = stream(&[(&tail, true), (&hex(LASSEN_46), true)]);
    assert_eq!(exp[0].data, [0xbb, 0xcc]);
    check_splits(DleFramer::new, &s, &exp);
}

#[test]
fn resync_after_a_truncated_packet() {
    // 0x8F-AB lost its last bytes: the next packet's DLE, then its id,
    // show it; the cut packet is dropped.
    let ab = hex(SMT_8FAB);
    let cut = &ab[..14];
    assert_eq!(cut[12..], [0x10, 0x10]);
    let (s, exp) = stream(&[
        (cut, false),
        (&hex(LASSEN_46), true),
        (&hex(LASSEN_4B), true),
    ]);
    check_splits(DleFramer::new, &s, &exp);
    let mut f = DleFramer::new();
    feed_cut(&mut f, &s, &[]);
    assert_eq!(f.skipped(), 14);
}

#[test]
fn overflow() {
    let long: Vec<u8> = (0..MAX_DLE_PACKET + 40)
        .map(|i| (i % 251) as u8 + 4)
        .collect();
    assert!(long[..MAX_DLE_PACKET].contains(&DLE));
    let sent = stuff(&long);
    let next = hex(LASSEN_46);
    let mut s = sent.clone();
    s.extend_from_slice(&next);
    let exp = vec![
        Expect::new(0..sent.len(), &long[..MAX_DLE_PACKET], Overflow),
        Expect::new(sent.len()..s.len(), &unstuff(&next), Complete),
    ];
    check_splits(DleFramer::new, &s, &exp);
    // Exactly full.
    let full = vec![0x55; MAX_DLE_PACKET];
    let got = feed_cut(&mut DleFramer::new(), &stuff(&full), &[]);
    assert_eq!(got, vec![(full, t(0), t(0), Complete)]);
}

#[test]
fn overflow_cut_by_the_next_packet() {
    // A long packet loses its end; the DLE opening the next packet ends
    // it, as an overflow, and the next packet keeps that DLE's time.
    let long = vec![0x41; MAX_DLE_PACKET + 5];
    let sent = stuff(&long);
    let cut = &sent[..sent.len() - 2];
    let next = hex(LASSEN_4B);
    let mut s = cut.to_vec();
    s.extend_from_slice(&next);
    let exp = vec![
        Expect::new(0..cut.len(), &long[..MAX_DLE_PACKET], Overflow),
        Expect::new(cut.len()..s.len(), &unstuff(&next), Complete),
    ];
    check_splits(DleFramer::new, &s, &exp);
    // Stopping after the overflow frame: the id stays in the input, the
    // DLE is held.
    let mut f = DleFramer::new();
    let mut input = &s[..];
    assert_eq!(f.next_frame(&mut input, t(0)).unwrap().status, Overflow);
    assert_eq!(input, &next[1..]);
    assert_eq!(f.pending(), 1);
    f.reset();
    assert_eq!(f.pending(), 0);
    assert!(f.next_frame(&mut input, t(1)).is_none());
}

#[test]
fn reset_drops_the_partial_packet() {
    let mut f = DleFramer::new();
    let p = hex(SMT_8FAB);
    assert!(feed_cut(&mut f, &p[..14], &[]).is_empty());
    assert_eq!(f.pending(), 14);
    f.reset();
    assert_eq!(f.pending(), 0);
    // The rest is noise: its DLE ETX opens nothing.
    let mut rest = p[14..].to_vec();
    rest.extend_from_slice(&hex(LASSEN_82));
    let got = feed_cut(&mut f, &rest, &[]);
    assert_eq!(got, vec![(vec![0x82, 0x02], t(0), t(0), Complete)]);
}

#[test]
fn random_packets_and_noise() {
    // Random packets (DLEs and ETXs in their data) with noise free of
    // DLEs between them come out whole.
    let mut rng = Rng::new(7);
    for _ in 0..50 {
        let mut parts: Vec<(Vec<u8>, bool)> = Vec::new();
        for _ in 0..rng.up_to(8) {
            let n = rng.up_to(5) as usize;
            let noise = rng.bytes(n);
            parts.push((noise.into_iter().filter(|&b| b != DLE).collect(), false));
            let mut p = vec![0x13 + rng.up_to(0xec) as u8];
            let len = rng.up_to(90) as usize;
            p.extend((0..len).map(|_| [DLE, ETX, rng.next_u64() as u8][rng.up_to(2) as usize]));
            parts.push((stuff(&p), true));
        }
        let parts: Vec<(&[u8], bool)> = parts.iter().map(|(p, k)| (&p[..], *k)).collect();
        let (s, exp) = stream(&parts);
        for _ in 0..10 {
            let cuts = crate::framing::testkit::random_cuts(&mut rng, s.len());
            let got = feed_cut(&mut DleFramer::new(), &s, &cuts);
            assert_eq!(got, crate::framing::testkit::expected(&exp, &cuts));
        }
    }
}

#[test]
fn random_input() {
    let mut f = DleFramer::new();
    let n = fuzz(&mut f, 11, &[&[DLE], &[DLE, ETX], &[DLE, DLE]], |fr| {
        assert!(!fr.data.is_empty() && fr.data.len() <= MAX_DLE_PACKET);
        assert!(fr.data[0] != DLE && fr.data[0] != ETX);
        if fr.status == Overflow {
            assert_eq!(fr.data.len(), MAX_DLE_PACKET);
        }
    });
    assert!(n > 100, "{n} packets");
}
