//! Truth-log lines: round trips, errors, flags, offsets.

use super::*;

fn sample() -> TruthRecord {
    TruthRecord {
        seq: 3,
        second: 1,
        wall: 1_700_000_001,
        shift: -3,
        named: Some(Timestamp::from_secs(1_699_999_998)),
        time: Some(CivilTime {
            year: 2016,
            month: 12,
            day: 31,
            hour: 23,
            minute: 59,
            second: 60,
            nanos: 0,
        }),
        first: Some(Timestamp::new(1_700_000_001, 12_345)),
        first_end: Some(Timestamp::new(1_700_000_001, 20_001)),
        eol: Some(Timestamp::new(1_700_000_001, 143_729_000)),
        eol_end: Some(Timestamp::new(1_700_000_001, 143_735_000)),
        last: Some(Timestamp::new(1_700_000_001, 145_812_000)),
        last_end: Some(Timestamp::new(1_700_000_001, 145_818_000)),
        kind: "PGRMF".into(),
        on_time: true,
        flags: TruthFlags {
            badsum: true,
            garbage: true,
            ..Default::default()
        },
        garbage: 5,
        text: "$PGRMF,1,2,3*00".into(),
    }
}

#[test]
fn line_round_trip() {
    let r = sample();
    let line = r.to_string();
    assert!(
        line.starts_with("TRUTH seq=3 sec=1 wall=1700000001 shift=-3 named=1699999998.000000000")
    );
    assert!(line.contains(" time=2016-12-31T23:59:60 "));
    assert!(line.contains(" first=1700000001.000012345 "));
    assert!(line.contains(" kind=PGRMF on_time=1 ok=0 flags=badsum,garbage garbage=5 "));
    assert!(line.ends_with(" text=$PGRMF,1,2,3*00"));
    assert_eq!(TruthRecord::parse_line(&line), Ok(r.clone()));

    let mut d = r;
    d.first = None;
    d.first_end = None;
    d.eol = None;
    d.eol_end = None;
    d.last = None;
    d.last_end = None;
    d.flags = TruthFlags {
        dropped: true,
        ..Default::default()
    };
    let line = d.to_string();
    assert!(line.contains(" first=- first_end=- eol=- eol_end=- last=- last_end=- "));
    assert_eq!(line.parse::<TruthRecord>(), Ok(d));
}

#[test]
fn parse_errors() {
    assert_eq!(
        "EVENT at=1.000000000 stop".parse::<TruthRecord>(),
        Err(TruthParseError::NotTruth)
    );
    let line = sample().to_string().replace("kind=PGRMF", "kind=XYZ");
    assert!(matches!(
        line.parse::<TruthRecord>(),
        Ok(r) if r.kind == "XYZ"
    ));
    let line = sample().to_string().replace(" seq=3", "");
    assert_eq!(
        line.parse::<TruthRecord>(),
        Err(TruthParseError::Missing("seq"))
    );
    assert_eq!(parse_timestamp("12.5"), None);
}

#[test]
fn expected_offset_uses_the_line_end() {
    let mut r = sample();
    r.named = Some(Timestamp::from_secs(1_700_000_001));
    let off = r.expected_offset(0.0).unwrap();
    assert!((off - -0.143729).abs() < 1e-9, "{off}");
    let off = r.expected_offset(0.2).unwrap();
    assert!((off - 0.056271).abs() < 1e-9, "{off}");
    r.named = None;
    assert_eq!(r.expected_offset(0.0), None, "names no second");
    r.named = Some(Timestamp::from_secs(1_700_000_001));
    r.eol = None;
    assert_eq!(r.expected_offset(0.0), None);
}

#[test]
fn ok_flag() {
    let mut r = sample();
    assert!(!r.ok());
    r.flags = TruthFlags::default();
    assert!(r.ok());
    r.flags.garbage = true;
    r.flags.no_checksum = true;
    assert!(r.ok(), "garbage after it does not spoil the sentence");
    r.flags.silent = true;
    assert!(!r.ok());
}

#[test]
fn event_lines() {
    let e = SimEvent {
        at: Timestamp::new(5, 1),
        kind: SimEventKind::Vanished("/dev/pts/9".into()),
    };
    assert_eq!(e.to_string(), "EVENT at=5.000000001 vanish path=/dev/pts/9");
}

#[test]
fn answers_without_a_named_second() {
    let mut r = sample();
    r.named = None;
    r.time = None;
    r.kind = "PROMPT".into();
    r.flags = TruthFlags {
        reply: true,
        ..TruthFlags::default()
    };
    r.text = escape(b"scpi > ");
    let line = r.to_string();
    assert!(line.contains(" named=- time=- "), "{line}");
    assert!(
        line.contains(" kind=PROMPT on_time=1 ok=1 flags=reply "),
        "{line}"
    );
    assert!(line.ends_with(" text=scpi > "), "{line:?}");
    assert_eq!(line.parse::<TruthRecord>(), Ok(r));
}

#[test]
fn escaped_text_round_trips() {
    let bytes = b"T2\\x\x00\xff\r\n";
    let text = escape(bytes);
    assert_eq!(text, "T2\\x5Cx\\x00\\xFF\\x0D\\x0A");
    assert_eq!(unescape(&text).as_deref(), Some(&bytes[..]));
    assert_eq!(unescape("\\q"), None);
    assert_eq!(escape(b"$GPRMC,1*5A"), "$GPRMC,1*5A");
}

#[test]
fn input_lines() {
    let i = InputRecord {
        at: Timestamp::new(7, 0),
        data: b"ping\r".to_vec(),
    };
    assert_eq!(i.to_string(), "INPUT at=7.000000000 len=5 text=ping\\x0D");
}
