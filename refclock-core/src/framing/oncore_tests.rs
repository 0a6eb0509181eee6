use super::*;
use crate::framing::testkit::{capture, check_splits, feed_cut, fuzz, hex, t, Expect};
use crate::framing::{FrameStatus, Framer};
use FrameStatus::{BadChecksum, Complete, Overflow};

/// Real messages from `oncore-binary.log` (a UT+): UTC offset, position
/// hold position and mode, time mode, 1PPS offset, position/status/data,
/// T-RAIM status; and from `oncore-m12.log`: position hold mode.
const BO: &str = "4040426f123f0d0a";
const AS: &str = "4040417300000000000000000000000000320d0a";
const AT: &str = "4040417400350d0a";
const AW: &str = "4040417701370d0a";
const AY: &str = "4040417900000000380d0a";
const EA: &str = "40404561081907d0043200000563dc0c6242ae02946bad000021c400000000001001400023000d04
    090824a2070838a20d00000015082aa205000020120000201b0830a21e00002020200d0a";
const EN: &str = "4040456e0101ffff0100000100000000000000010000010036f90900047ca80700047cab0d000b6c
    1d1500047ca40500047cee12000f3d551b00047cae1e00047cbea40d0a";
const GD: &str = "4040476401220d0a";

/// Concatenates `parts`; those marked `true` are messages to expect.
fn stream(parts: &[(&[u8], bool)]) -> (Vec<u8>, Vec<Expect>) {
    let mut s = Vec::new();
    let mut exp = Vec::new();
    for &(p, is_message) in parts {
        if is_message {
            exp.push(Expect::new(s.len()..s.len() + p.len(), p, Complete));
        }
        s.extend_from_slice(p);
    }
    (s, exp)
}

#[test]
fn the_table() {
    for (i, (id, len)) in ONCORE_LENGTHS.iter().enumerate() {
        assert!(*len >= 7 && usize::from(*len) <= MAX_ONCORE, "{id:?}");
        assert!(
            !ONCORE_LENGTHS[i + 1..].iter().any(|(j, _)| j == id),
            "{id:?}"
        );
    }
    assert_eq!(Oncore::new().length_of(*b"Ea"), Some(76));
    assert_eq!(Oncore::new().length_of(*b"Zz"), None);
    for m in [BO, AS, AT, AW, AY, EA, EN, GD] {
        let m = hex(m);
        let om = OncoreMessage::new(&m).unwrap();
        assert_eq!(Oncore::new().length_of(om.id()), Some(m.len()));
        assert_eq!(oncore_checksum(&m[2..m.len() - 3]), om.checksum());
        assert_eq!(om.bytes(), &m[..]);
    }
}

#[test]
fn real_messages_at_every_split() {
    let (bo, at, aw, ay, r#as) = (hex(BO), hex(AT), hex(AW), hex(AY), hex(AS));
    let (s, exp) = stream(&[
        (b"@", false),
        (&bo, true),
        (&at, true),
        (b"\r\n@x@", false),
        (&aw, true),
        (&ay, true),
        (&r#as, true),
        (&at[..5], false),
    ]);
    check_splits(OncoreFramer::new, &s, &exp);
    let mut f = OncoreFramer::new();
    feed_cut(&mut f, &s, &[]);
    assert_eq!((f.skipped(), f.pending()), (1 + 5, 5));
    let m = OncoreMessage::new(&ay).unwrap();
    assert_eq!((m.id(), m.payload()), (*b"Ay", &[0u8, 0, 0, 0][..]));
}

#[test]
fn long_messages() {
    let (ea, en, gd) = (hex(EA), hex(EN), hex(GD));
    let (s, exp) = stream(&[(&ea, true), (&en, true), (b"\0", false), (&gd, true)]);
    check_splits(OncoreFramer::new, &s, &exp);
}

#[test]
fn captures() {
    // Message counts by an independent reading of each capture.
    for (name, messages) in [
        ("oncore-binary.log", 82),
        ("oncore-binary-pos-hold.log", 80),
        ("oncore-binary-no-utc-offset.log", 95),
        ("oncore-m12.log", 68),
        ("oncore.log", 0),
    ] {
        let Some(data) = capture(name) else { return };
        let mut f = OncoreFramer::new();
        let got = feed_cut(&mut f, &data, &[]);
        assert_eq!(got.len(), messages, "{name}");
        assert!(got.iter().all(|m| m.3 == Complete), "{name}");
        assert_eq!(f.pending(), 0, "{name}");
        let cuts: Vec<usize> = (1..data.len()).collect();
        let bytewise = feed_cut(&mut OncoreFramer::new(), &data, &cuts);
        assert!(got.iter().map(|m| &m.0).eq(bytewise.iter().map(|m| &m.0)));
    }
}

#[test]
fn unknown_ids_are_skipped() {
    // `@@Zz` is not in the table; `@@@Bo`: the first `@@` opens `@B`.
    let (bo, gd) = (hex(BO), hex(GD));
    let (s, exp) = stream(&[
        (b"@@Zz\x01\r\n", false),
        (b"@", false),
        (&bo, true),
        (&gd, true),
    ]);
    check_splits(OncoreFramer::new, &s, &exp);
    let mut f = OncoreFramer::new();
    feed_cut(&mut f, &s, &[]);
    assert_eq!(f.skipped(), 8);
}

#[test]
fn bad_checksum_is_handed_out() {
    let mut bad = hex(AS);
    bad[9] = 0x40;
    let at = hex(AT);
    let s = [&bad[..], &at].concat();
    let exp = vec![
        Expect::new(0..bad.len(), &bad, BadChecksum),
        Expect::new(bad.len()..s.len(), &at, Complete),
    ];
    check_splits(OncoreFramer::new, &s, &exp);
}

#[test]
fn resync_after_a_truncated_message() {
    // `@@As` lost 6 bytes: where its CR LF should be are bytes of the
    // next message, which the search finds again.
    let r#as = hex(AS);
    let cut = [&r#as[..8], &r#as[14..]].concat();
    let (aw, bo) = (hex(AW), hex(BO));
    let (s, exp) = stream(&[(&cut, false), (&aw, true), (&bo, true)]);
    check_splits(OncoreFramer::new, &s, &exp);
    // A message that lost its CR LF, and a false `@@` in data.
    let at = hex(AT);
    let (s, exp) = stream(&[(&at[..6], false), (b"@@Bo\x00\x00", false), (&aw, true)]);
    check_splits(OncoreFramer::new, &s, &exp);
}

#[test]
fn other_tables_and_overflow() {
    static TABLE: [([u8; 2], u16); 3] = [(*b"Xy", 9), (*b"Bo", 300), (*b"Q!", 3)];
    let mk = || OncoreFramer::with_format(Oncore::with_lengths(&TABLE));
    let mut xy = b"@@Xy\x01\x02".to_vec();
    xy.push(oncore_checksum(&xy[2..]));
    xy.extend_from_slice(b"\r\n");
    let bo = hex(BO);
    // "Bo" now claims 300 bytes: its header is handed out as an overflow;
    // "Q!" is too short to be a message; "Bo" of the default table is not
    // known to this one.
    let (s, mut exp) = stream(&[(&bo, false), (b"@@Q!\x00\r\n", false), (&xy, true)]);
    exp.insert(0, Expect::new(0..4, b"@@Bo", Overflow));
    check_splits(mk, &s, &exp);
    let got = feed_cut(&mut OncoreFramer::new(), &s, &[]);
    assert_eq!(got, vec![(bo, t(0), t(0), Complete)]);
}

#[test]
fn reset_drops_the_partial_message() {
    let mut f = OncoreFramer::default();
    let ea = hex(EA);
    assert!(feed_cut(&mut f, &ea[..30], &[]).is_empty());
    assert_eq!(f.pending(), 30);
    f.reset();
    assert_eq!(f.pending(), 0);
    let s = [&ea[30..], &hex(GD)[..]].concat();
    let got = feed_cut(&mut f, &s, &[]);
    assert_eq!(got, vec![(hex(GD), t(0), t(0), Complete)]);
}

#[test]
fn random_input() {
    let mut f = OncoreFramer::new();
    let salt: [&[u8]; 4] = [b"@@", b"@@Bo", b"@@Cf\x25\r\n", b"\r\n"];
    let n = fuzz(&mut f, 13, &salt, |fr| {
        assert!(fr.data.starts_with(b"@@"));
        let m = OncoreMessage::new(fr.data).unwrap();
        assert_eq!(Oncore::new().length_of(m.id()), Some(fr.data.len()));
        let xor = oncore_checksum(&fr.data[2..fr.data.len() - 2]);
        assert_eq!(fr.status == Complete, xor == 0, "{fr:?}");
        assert_ne!(fr.status, Overflow);
    });
    assert!(n > 100, "{n}");
}
