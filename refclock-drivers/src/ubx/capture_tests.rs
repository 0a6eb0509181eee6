//! gpsd's u-blox captures (../shared/testdata/gpsd): every time decoded
//! must be the `time` of one of gpsd's TPV records, and the driver must
//! give samples from them, in listen-only mode.

use std::collections::BTreeMap;

use refclock_core::framing::{FrameStatus, Framer, UbxFramer, UbxMessage};
use refclock_core::{Action, Clock, DriverConfig, PortEvent, PortId, Refclock, Timestamp};

use super::codec::Message;
use super::UbxDriver;
use crate::testkit::{Capture, Testdata};

pub(super) fn capture(name: &str) -> Option<Capture> {
    let data = Testdata::locate(env!("CARGO_MANIFEST_DIR"))?;
    Some(data.capture(name).expect(name))
}

/// The capture's messages, framed, with their status.
pub(super) fn messages(body: &[u8]) -> Vec<(Vec<u8>, FrameStatus)> {
    let mut f = UbxFramer::new();
    let mut out = Vec::new();
    f.feed(body, Timestamp::EPOCH, |fr| {
        out.push((fr.data.to_vec(), fr.status))
    });
    out
}

/// Per message kind: (times decoded, of which gpsd has the second).
type Agreement = BTreeMap<&'static str, (usize, usize)>;

/// Decodes every time of a capture, as the driver reads each message
/// (TIM-TP: the pulse before the message, i.e. the next pulse − 1 s),
/// and counts those whose second gpsd reported. Returns the counts and
/// the seconds gpsd does not have.
fn agreement(cap: &Capture) -> (Agreement, Vec<(&'static str, i64)>) {
    let tpv = cap.tpv_times();
    let mut gps_utc = None;
    let mut counts = Agreement::new();
    let mut missing = Vec::new();
    for (bytes, status) in messages(cap.body()) {
        assert_eq!(
            status,
            FrameStatus::Complete,
            "{}: no damaged message",
            cap.name
        );
        let m = UbxMessage::new(&bytes).unwrap();
        let msg = Message::from_frame(&m).unwrap_or_else(|e| panic!("{}: {e}", cap.name));
        let t = match &msg {
            Message::TimTp(tp) => tp.pulse_utc(gps_utc).map(|t| t + -1.0),
            Message::NavTimeUtc(t) => t.utc(),
            Message::NavPvt(t) => t.utc().filter(|_| t.flags & 1 != 0),
            Message::NavTimeGps(t) => {
                gps_utc = t.gps_utc().or(gps_utc);
                t.utc()
            }
            Message::NavTimeLs(ls) => {
                gps_utc = ls.gps_utc().or(gps_utc);
                None
            }
            _ => None,
        };
        let Some(t) = t else { continue };
        // gpsd prints times to the millisecond, rounded down; ours have
        // nanoseconds of the receiver's clock bias (NAV-TIMEUTC's nano).
        let secs = (t + 0.0005).secs();
        let e = counts.entry(msg.name()).or_default();
        e.0 += 1;
        if tpv.contains(&secs) {
            e.1 += 1;
        } else {
            missing.push((msg.name(), secs));
        }
    }
    (counts, missing)
}

/// A decoded second gpsd has no TPV for, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    /// gpsd reports a cycle once it has seen it whole, from the second
    /// one on: the capture's first epoch has no TPV.
    FirstCycle,
    /// The capture ends before gpsd reported the cycle (the last TIM-TP
    /// names the pulse after the last epoch).
    CaptureEnds,
    /// gpsd's first TPV uses its built-in leap seconds (18, the TPV has
    /// no `leapseconds`) before the receiver's NAV-TIMEGPS told it the
    /// real ones (15 in 2009, 14 in 2007): its time is 18 − L s early.
    /// The receiver says its leap seconds are valid: ours is right.
    GpsdDefaultLeap(i64),
    /// Bytes are missing from the capture every 5 s (epoch 29's
    /// NAV-TIMEGPS and the next epoch's start: NAV-PVT follows NAV-PVT);
    /// gpsd merges the cut epoch with the next and reports the one
    /// after twice (05:06:31 twice, 36, 41, 46 twice).
    CutEpoch,
}

/// Per capture: decoded times by message, and the seconds gpsd lacks.
/// (capture, decoded times per message kind, seconds gpsd lacks).
type Expected = (
    &'static str,
    &'static [(&'static str, usize)],
    &'static [(i64, Why)],
);

const EXPECTED: [Expected; 5] = [
    (
        "u-blox-m8t-time.log",
        &[("NAV-TIMEGPS", 151), ("NAV-TIMEUTC", 151), ("TIM-TP", 152)],
        &[
            (1_614_103_469, Why::FirstCycle),
            (1_614_103_620, Why::CaptureEnds),
        ],
    ),
    ("ublox-8-time.log", &[("NAV-TIMEGPS", 88)], &[]),
    (
        "ublox-lea-4t.log",
        &[("NAV-TIMEGPS", 2), ("NAV-TIMEUTC", 2), ("TIM-TP", 2)],
        &[(1_233_174_943, Why::GpsdDefaultLeap(3))],
    ),
    (
        "ublox-aek-4t.log",
        &[("NAV-TIMEGPS", 3), ("NAV-TIMEUTC", 3), ("TIM-TP", 4)],
        &[
            (1_198_451_483, Why::GpsdDefaultLeap(4)),
            (1_198_451_487, Why::CaptureEnds),
        ],
    ),
    (
        "ublox-lea-m8f.log",
        &[("NAV-PVT", 28), ("NAV-TIMEGPS", 23)],
        &[
            (1_744_347_984, Why::FirstCycle),
            (1_744_347_989, Why::CutEpoch),
            (1_744_347_990, Why::CutEpoch),
            (1_744_347_994, Why::CutEpoch),
            (1_744_347_995, Why::CutEpoch),
            (1_744_347_999, Why::CutEpoch),
            (1_744_348_000, Why::CutEpoch),
            (1_744_348_004, Why::CutEpoch),
            (1_744_348_005, Why::CutEpoch),
            (1_744_348_011, Why::CaptureEnds),
        ],
    ),
];

/// Every time decoded from gpsd's u-blox captures is a TPV time of
/// gpsd's, except the seconds listed with their reason; the report
/// (`--nocapture`) gives the agreement capture by capture.
#[test]
fn decoded_times_are_gpsd_times() {
    for (name, kinds, unmatched) in EXPECTED {
        let Some(cap) = capture(name) else {
            eprintln!("gpsd test data not found; skipped");
            return;
        };
        let tpv = cap.tpv_times();
        let (counts, missing) = agreement(&cap);
        let total: usize = counts.values().map(|c| c.0).sum();
        let matched: usize = counts.values().map(|c| c.1).sum();
        eprintln!(
            "{name}: {matched} of {total} decoded times are gpsd TPV times {counts:?}; \
             the other {}: {missing:?}",
            total - matched
        );
        for &(kind, n) in kinds {
            assert_eq!(counts.get(kind).map(|c| c.0), Some(n), "{name}: {kind}");
        }
        assert_eq!(counts.len(), kinds.len(), "{name}: {counts:?}");
        for (kind, secs) in &missing {
            let why = unmatched
                .iter()
                .find(|u| u.0 == *secs)
                .unwrap_or_else(|| panic!("{name}: {kind} at {secs} is not a gpsd time"));
            if let Why::GpsdDefaultLeap(d) = why.1 {
                assert!(tpv.contains(&(secs - d)), "{name}: {secs} − {d}");
            }
        }
        for u in unmatched {
            assert!(missing.iter().any(|m| m.1 == u.0), "{name}: {u:?} matched");
        }
    }
}

/// The driver, listen-only, takes one sample a second from the best time
/// message of each capture; every sample's reference time is a decoded
/// time, and nothing is counted as damaged.
#[test]
fn the_driver_replays_the_captures() {
    // (capture, samples): M8T from TIM-TP (152: one more than the epochs,
    // the last one's pulse), 8-time from NAV-TIMEGPS, the ANTARIS 4 ones
    // from TIM-TP, the M8F from NAV-PVT.
    for (name, want) in [
        ("u-blox-m8t-time.log", 152),
        ("ublox-8-time.log", 88),
        ("ublox-lea-4t.log", 2),
        ("ublox-aek-4t.log", 4),
        ("ublox-lea-m8f.log", 28),
    ] {
        let Some(cap) = capture(name) else { return };
        let t0 = Timestamp::from_secs(*cap.tpv_times().first().unwrap());
        let (samples, tally) = replay(cap.body(), t0);
        eprintln!("{name}: {} samples, {tally:?}", samples.len());
        assert_eq!(samples.len(), want, "{name}: {tally:?}");
        assert_eq!(tally.bad_checksum + tally.bad_length + tally.overflow, 0);
        let tpv = cap.tpv_times();
        let unmatched = EXPECTED.iter().find(|e| e.0 == name).unwrap().2;
        for s in &samples {
            let reftime = s.time + s.offset;
            let secs = (reftime + 0.0005).secs();
            assert!(
                tpv.contains(&secs) || unmatched.iter().any(|u| u.0 == secs),
                "{name}: sample for {secs}"
            );
        }
    }
}

/// Feeds a capture to a listen-only driver, 64 bytes a read, the
/// receive time advancing 1 ms a byte from `t0` (the capture's first
/// second), with a base date of 2000 (the captures are older than the
/// default one).
pub(super) fn replay(body: &[u8], t0: Timestamp) -> (Vec<refclock_core::Sample>, super::Tally) {
    let mut clock = Clock::<UbxDriver>::start(DriverConfig {
        options: vec![("listen-only".into(), None)],
        basedate: refclock_core::calendar::Basedate::from_ymd(2000, 1, 1).unwrap(),
        ..DriverConfig::default()
    })
    .unwrap();
    clock.port_event(PortId::MAIN, PortEvent::Opened);
    let mut samples = Vec::new();
    for (i, chunk) in body.chunks(64).enumerate() {
        clock.receive(PortId::MAIN, chunk, t0 + (i as f64 * 0.064));
        while let Some(a) = clock.next_action() {
            match a {
                Action::Sample(s) => samples.push(s),
                Action::Write { .. } => panic!("listen-only wrote"),
                _ => {}
            }
        }
    }
    let tally = clock.driver().tally();
    (samples, tally)
}
