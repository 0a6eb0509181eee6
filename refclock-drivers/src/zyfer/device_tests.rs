//! Tests of the simulated Zyfer device, and of the driver reading it.

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{DeviceModel, DeviceSetup, Epoch, Message};
use refclock_core::{ClockEvent, Leap, Timestamp};

use super::codec::{self, LEN};
use super::device::{self, ZyferDevice};
use super::tests::{clock, feed, samples, ts, REAL_SECS};

fn second(dev: &mut dyn DeviceModel, epoch: &Epoch) -> Message {
    let mut out = Vec::new();
    dev.second(epoch, &mut out);
    assert_eq!(out.len(), 1);
    out.remove(0)
}

/// What the device sends decodes to the second it names: leap years,
/// day 366, year ends and a leap second included.
#[test]
fn its_records_decode_to_the_epoch_they_name() {
    let mut dev = device::new(&DeviceSetup::default()).unwrap();
    assert_eq!(dev.baud(), 9600);
    assert!(dev.describe().contains("Zyfer"));
    let mut epochs: Vec<Epoch> = [
        ts(2002, 1, 17, 7, 59, 32),
        ts(2000, 12, 31, 23, 59, 59),
        ts(2024, 12, 31, 12, 0, 0),
        ts(2100, 3, 1, 0, 0, 0),
    ]
    .iter()
    .map(|t| Epoch::at(t.secs()))
    .collect();
    epochs.extend((0..500).map(|i| Epoch::at(REAL_SECS + i * 7_654_321)));
    epochs.push(Epoch::new(CivilTime::new(2016, 12, 31, 23, 59, 60)));
    for e in epochs {
        let m = second(dev.as_mut(), &e);
        assert_eq!((m.on_time, m.end), (0, LEN - 1));
        assert_eq!(m.bytes[m.on_time], b'!');
        assert_eq!((m.named, m.valid, m.corrupt), (Some(e.named), true, false));
        assert_eq!(m.time, Some(e.time), "the truth log's civil time");
        assert_eq!(m.kind, "TIME");
        let t = codec::decode(&m.bytes).unwrap();
        assert_eq!(t.timestamp(), e.named, "{}", m.text());
        assert_eq!((t.time_mode, t.op_mode, t.figure_of_merit), (2, 1, 4));
        if e.time.second == 60 {
            assert_eq!(m.text(), "!TIME,2016,366,23,59,60,2,4,1");
        }
    }
}

#[test]
fn invalid_epochs_warm_up_then_coast() {
    let mut dev = ZyferDevice::default();
    let epoch = |k: i64, valid: bool| Epoch {
        valid,
        ..Epoch::at(REAL_SECS + k)
    };
    let op = |dev: &mut ZyferDevice, e: &Epoch| {
        let m = second(dev, e);
        assert_eq!(m.valid, e.valid);
        codec::decode(&m.bytes).unwrap().op_mode
    };
    assert_eq!(op(&mut dev, &epoch(0, false)), codec::OP_WARM_UP);
    assert_eq!(op(&mut dev, &epoch(1, true)), codec::OP_LOCKED);
    assert_eq!(op(&mut dev, &epoch(2, false)), codec::OP_COASTING);
    dev.reset();
    assert_eq!(op(&mut dev, &epoch(3, false)), codec::OP_WARM_UP);
}

#[test]
fn corrupt_records_are_rejected() {
    let mut dev = device::new(&DeviceSetup::default()).unwrap();
    let mut m = second(dev.as_mut(), &Epoch::at(REAL_SECS));
    assert!(dev.corrupt(&mut m));
    assert!(m.corrupt);
    assert_eq!(m.bytes.len(), LEN);
    let e = codec::decode(&m.bytes).unwrap_err();
    assert_eq!(e.event(), ClockEvent::BadReply, "{e}");
    let mut empty = Message::new("X", Vec::new());
    assert!(!dev.corrupt(&mut empty));
}

/// Garbage may be any byte but the on-time `!`: not even a control
/// character can end a record, and the driver compares whole bytes.
#[test]
fn garbage_never_holds_the_on_time_character() {
    let dev = device::new(&DeviceSetup::default()).unwrap();
    let allowed: Vec<u8> = (0..=255u8).filter(|&b| dev.garbage_allowed(b)).collect();
    assert_eq!(allowed.len(), 255);
    assert!(!dev.garbage_allowed(b'!'));
    for b in [0x00, b'\r', b'\n', b'$', 0xA1, 0xFF] {
        assert!(dev.garbage_allowed(b), "{b:#04x}");
    }
}

#[test]
fn options_are_refused_and_the_registry_has_the_device() {
    let setup = DeviceSetup {
        options: vec![("tz".into(), "1".into())],
        ..DeviceSetup::default()
    };
    assert!(device::new(&setup).is_err());
    let d = crate::registry::implemented(42).unwrap();
    assert!(d.device.is_some());
}

/// The device's bytes through the driver, received a little after
/// each second: one sample per locked second, none while invalid.
#[test]
fn the_driver_reads_the_device() {
    let mut dev = ZyferDevice::default();
    let mut c = clock();
    let mut got = Vec::new();
    for k in 0..6 {
        let e = Epoch {
            valid: k != 2,
            ..Epoch::at(REAL_SECS + k)
        };
        let m = second(&mut dev, &e);
        let rec = Timestamp::new(e.named.secs(), 1_500_000);
        got.extend(samples(&feed(&mut c, &m.bytes, rec)));
    }
    assert_eq!(got.len(), 5);
    assert!(got.iter().all(|s| (s.offset + 0.0015).abs() < 1e-9));
    assert!(got.iter().all(|s| s.leap == Leap::NoWarning));
}
