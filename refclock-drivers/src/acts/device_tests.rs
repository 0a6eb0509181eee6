//! The simulated services and the direct-cable device.

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{DeviceModel, DeviceSetup, Epoch, LeapWarning, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{decode, Timecode};
use super::device::{ActsDevice, NIST_BANNER};

struct Clean;
impl Timeline for Clean {
    fn epoch(&self, wall: i64) -> Epoch {
        Epoch::at(wall)
    }
}

const T0: i64 = 1_704_825_000;

fn device(options: &[(&str, &str)]) -> ActsDevice {
    let mut all = vec![("echo", "0")];
    all.extend_from_slice(options);
    ActsDevice::from_setup(&DeviceSetup::new(0, &all)).unwrap()
}

fn send(d: &mut ActsDevice, data: &[u8], t: f64) -> Vec<Message> {
    let mut out = Vec::new();
    d.input(data, Timestamp::from_secs(T0) + t, &Clean, &mut out);
    out
}

fn second(d: &mut ActsDevice, wall: i64) -> Vec<Message> {
    let mut out = Vec::new();
    d.second(&Epoch::at(wall), &mut out);
    out
}

/// The line of a message without line ends.
fn line(m: &Message) -> Vec<u8> {
    m.bytes
        .split(|&b| b == b'\r' || b == b'\n')
        .find(|l| !l.is_empty())
        .unwrap()
        .to_vec()
}

#[test]
fn nist_with_loopback() {
    let mut d = device(&[]);
    assert_eq!(send(&mut d, b"ATB1&C0&D2E0L1M1Q0V1Y1\r", 0.0).len(), 1);
    let out = send(&mut d, b"ATDT13034944774\r", 0.1);
    assert_eq!(out[1].bytes, NIST_BANNER.as_bytes());
    assert!(NIST_BANNER.len() > 128);
    for i in 2..8 {
        let m = &second(&mut d, T0 + i)[0];
        assert_eq!(m.on_time, 49);
        // `*` 45 ms early (NIST's assumed delay over a line without
        // any), `#` at the second.
        let want = if i < 5 {
            refclock_core::sim::Due::At(Timestamp::new(T0 + i - 1, 955_000_000))
        } else {
            refclock_core::sim::Due::Next
        };
        assert_eq!(m.due, want, "second {i}");
        assert_eq!(m.named, Some(Timestamp::from_secs(T0 + i)));
        let Ok(Timecode::Nist(n)) = decode(&line(m)) else {
            panic!("{:?}", m.text())
        };
        assert_eq!(n.otm, if i < 5 { b'*' } else { b'#' }, "second {i}");
        send(&mut d, &[n.otm], i as f64 + 0.01);
    }
    assert_eq!(d.modem().service().echoes(), 6);
    // The driver closes the device: the modem hangs up.
    d.line_closed(Timestamp::from_secs(T0 + 9));
    assert!(second(&mut d, T0 + 10).is_empty());
}

#[test]
fn usno_ptb_and_spectracom_lines_decode() {
    for (service, kind) in [
        ("usno", "USNO"),
        ("ptb", "PTB"),
        ("spectracom0", "SPECTRACOM"),
        ("spectracom2", "SPECTRACOM"),
    ] {
        let mut d = device(&[("service", service), ("loopback", "0")]);
        send(&mut d, b"ATDT1\r", 0.0);
        let m = &second(&mut d, T0 + 2)[0];
        assert_eq!(m.kind, kind);
        let text = line(m);
        let code = decode(&text).unwrap_or_else(|e| panic!("{service}: {e}"));
        match code {
            Timecode::Usno(_) => assert_eq!(&m.bytes[m.on_time..m.on_time + 1], b"*"),
            Timecode::Ptb(p) => {
                assert_eq!(m.bytes[m.on_time], b'\r');
                assert_eq!(p.reference().unwrap(), Timestamp::from_secs(T0 + 2));
            }
            Timecode::Wwvb0(_) | Timecode::Wwvb2(_) => assert_eq!(m.on_time, 0),
            other => panic!("{other:?}"),
        }
        let mut spoilt = m.clone();
        assert!(d.corrupt(&mut spoilt));
        assert!(decode(&line(&spoilt)).is_err(), "{service}");
    }
}

#[test]
fn leap_warnings_and_invalid() {
    let mut e = Epoch::new(CivilTime::new(2016, 12, 31, 23, 59, 58));
    e.leap = LeapWarning::Insert;
    let p = super::device::ptb_code(&e, b'#');
    assert_eq!((p.leap_dir, p.leap_month), (b'+', 12));
    let Ok(Timecode::Ptb(q)) = decode(&p.encode()) else {
        panic!()
    };
    assert_eq!(q, p);
    e.valid = false;
    let m = super::device::spectracom(&e, 2);
    assert_eq!(m.bytes[2], b'?');
    let leap = Epoch::new(CivilTime::new(2016, 12, 31, 23, 59, 60));
    let p = super::device::ptb_code(&leap, b'*');
    assert!(decode(&p.encode()).is_ok());
}

#[test]
fn a_lone_t_is_a_direct_cable() {
    let mut d = device(&[("direct-format", "0")]);
    assert!(send(&mut d, b"T", 0.0).is_empty());
    assert!(d.is_direct());
    let m = &second(&mut d, T0 + 1)[0];
    assert_eq!(&m.bytes[..2], b"\r\n");
    assert!(matches!(decode(&line(m)), Ok(Timecode::Wwvb0(_))));
    d.line_closed(Timestamp::from_secs(T0 + 2));
    assert!(!d.is_direct());
    assert!(second(&mut d, T0 + 3).is_empty());
}

#[test]
fn options_are_checked() {
    let bad = |o: &[(&str, &str)]| ActsDevice::from_setup(&DeviceSetup::new(0, o)).is_err();
    assert!(bad(&[("service", "wwv")]));
    assert!(bad(&[("direct-format", "1")]));
    assert!(bad(&[("colour", "red")]));
    assert!(bad(&[("calls", "maybe")]));
    assert!(!bad(&[("calls", "busy,answer"), ("service", "ptb")]));
}

#[test]
fn nist_over_a_slow_line() {
    let mut d = device(&[("line-delay", "30")]);
    send(&mut d, b"ATDT1\r", 0.0);
    let m = &second(&mut d, T0 + 2)[0];
    // Sent 45 ms early, 30 ms on the line: 15 ms early.
    assert_eq!(
        m.due,
        refclock_core::sim::Due::At(Timestamp::new(T0 + 1, 985_000_000))
    );
    for i in 0..3 {
        send(&mut d, b"*", 2.1 + f64::from(i));
    }
    let m = &second(&mut d, T0 + 3)[0];
    let Ok(Timecode::Nist(n)) = decode(&line(m)) else {
        panic!()
    };
    assert_eq!((n.otm, n.advance), (b'#', 300), "msADV 030.0");
    assert!(ActsDevice::from_setup(&DeviceSetup::new(0, &[("line-delay", "600")])).is_err());
}
