//! The simulated HP on its own: what it answers to each command, its
//! set-up, how the scenarios may spoil its answers.

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{DeviceModel, Due, LeapWarning, Message};

use super::codec::{TimeZone, Timecode};
use super::device::SimulatedHp;
use super::sim_tests::{setup, ts, Sky, SKY};
use super::Receiver;

#[test]
fn the_device_answers_scpi() {
    let mut hp = SimulatedHp::new(Receiver::Hp58503A, TimeZone::new(-8, 0).unwrap());
    let now = ts(2024, 3, 1, 12, 0, 0) + 0.5;
    let mut out = Vec::new();
    hp.input(b"*IDN?\r:PTIME:TZONE?\r", now, &SKY, &mut out);
    // Each answer and its prompt are one message, ending at the CR.
    let text: Vec<(&str, &[u8], usize)> =
        out.iter().map(|m| (m.kind, &m.bytes[..], m.end)).collect();
    assert_eq!(
        text,
        vec![
            (
                "IDN",
                &b"HEWLETT-PACKARD,58503A,3626A01234,3704-C\r\nscpi > "[..],
                40
            ),
            ("TZONE", b"-8,+0\r\nscpi > ", 5),
        ]
    );
    // Short forms, any case, split writes.
    out.clear();
    hp.input(b":ptim:", now, &SKY, &mut out);
    assert!(out.is_empty());
    hp.input(b"tcod?\r\n", now, &SKY, &mut out);
    let code = &out[0];
    assert_eq!(code.kind, "TCODE");
    // At 12:00:00.5 the next on-time point is 12:00:01.02, for 12:00:02.
    assert_eq!(code.due, Due::At(ts(2024, 3, 1, 12, 0, 1) + 0.02));
    assert_eq!(code.named, Some(ts(2024, 3, 1, 12, 0, 2)));
    assert_eq!((code.on_time, code.end), (0, 23));
    assert!(code.checksum && code.valid);
    let decoded = Timecode::decode(&code.bytes[..23]).unwrap();
    assert_eq!(decoded.local, CivilTime::new(2024, 3, 1, 4, 0, 2));
    assert_eq!(&code.bytes[23..], b"\r\nscpi > ");
    assert_eq!(out.len(), 1);
    // Exactly on an on-time point: that one.
    let at = ts(2024, 3, 1, 12, 0, 0) + 0.02;
    assert_eq!(hp.timecode_at(at, &SKY).due, Due::At(at));
    // *CLS and an empty line: prompts only; an unknown header: an error.
    out.clear();
    hp.input(b"NOPE\r", now, &SKY, &mut out);
    assert_eq!(out[0].bytes, b"E-113> ");
    assert_eq!((out[0].kind, out[0].end), ("PROMPT", 6));
    out.clear();
    let mut switched_off = hp.clone();
    switched_off.reset();
    assert_eq!(switched_off.prompt(), b"scpi > ");
    hp.input(b"*cls\r\r", now, &SKY, &mut out);
    let prompts: Vec<&[u8]> = out.iter().map(|m| &m.bytes[..]).collect();
    assert_eq!(prompts, vec![&b"scpi > "[..], b"scpi > "]);
    // The screen: 22 non-empty lines of at most 80 characters, the prompt
    // after the last.
    out.clear();
    hp.input(b":SYSTEM:PRINT?\r", now, &SKY, &mut out);
    assert_eq!(out.len(), 22);
    for (i, m) in out.iter().enumerate() {
        assert_eq!(m.kind, "SCREEN");
        let tail: &[u8] = if i == 21 { b"\r\nscpi > " } else { b"\r\n" };
        assert!(m.bytes.ends_with(tail), "{i}: {:?}", m.text());
        let n = m.bytes.len() - tail.len();
        assert!((1..=80).contains(&n), "{n}: {}", m.text());
        assert_eq!(m.end, n);
    }
    assert!(
        out[10].text().contains("UTC      12:00:00     01 Mar 2024"),
        "{}",
        out[10].text()
    );
}

#[test]
fn the_device_setup_and_corruption() {
    let hp = SimulatedHp::from_setup(&setup(1, &[("tz", "5,30")])).unwrap();
    assert_eq!(
        (hp.describe(), hp.baud()),
        ("HP Z3801A".to_string(), 19_200)
    );
    assert_eq!(hp.zone(), TimeZone::new(5, 30).unwrap());
    assert!(hp.identification().contains("Z3801A"));
    // Out of ntpd's range on purpose: accepted.
    let hp = SimulatedHp::from_setup(&setup(0, &[("tz", "+14,0")])).unwrap();
    assert_eq!(hp.zone().hours, 14);
    assert!(SimulatedHp::from_setup(&setup(0, &[("tz", "x")])).is_err());
    assert!(SimulatedHp::from_setup(&setup(0, &[("speed", "1")])).is_err());

    let mut code = hp.timecode_at(ts(2024, 3, 1, 12, 0, 0), &SKY);
    assert!(hp.corrupt(&mut code));
    assert!(code.corrupt);
    assert!(matches!(
        Timecode::decode(&code.bytes[..23]),
        Err(super::codec::CodecError::Checksum { .. })
    ));
    let mut prompt = Message::new("PROMPT", b"scpi > ".to_vec());
    assert!(!hp.corrupt(&mut prompt));
    // Invalid epochs: V = 1; leap warnings: L.
    let sky = Sky {
        valid: false,
        leap: LeapWarning::Delete,
        ..SKY
    };
    let code =
        Timecode::decode(&hp.timecode_at(ts(2024, 3, 1, 12, 0, 0), &sky).bytes[..23]).unwrap();
    assert!(!code.in_sync());
    assert_eq!(code.leap, super::codec::LeapFlag::Delete);
    // The registry builds it.
    let entry = crate::registry::implemented(26).unwrap();
    let built = (entry.device.unwrap())(&setup(0, &[])).unwrap();
    assert_eq!(built.describe(), "HP 58503A");
}

#[test]
fn garbage_never_ends_a_prompt_or_a_line() {
    let hp = SimulatedHp::new(Receiver::Z3801A, TimeZone::UTC);
    for b in 0..=255u8 {
        let c = b & 0x7f;
        let expect = (b' '..=b'~').contains(&c) && c != b'>';
        assert_eq!(hp.garbage_allowed(b), expect, "{b:#04x}");
    }
}
