//! The qErr correction removes the sawtooth from a simulated PPS.
//!
//! A receiver whose pulses come `qErr` early (qErr = intended − actual,
//! a sawtooth of ±20 ns, the tick of a 25 MHz oscillator) and whose
//! TIM-TP before each pulse states that qErr; a host whose clock is
//! right and time-stamps each edge with a jitter of its own (none, or
//! ±2 ns uniform). The pulse samples' offsets are compared with and
//! without the correction (`option no-qerr`): root mean square and peak
//! to peak, printed (`--nocapture`) and asserted.

use refclock_core::gps::GpsTime;
use refclock_core::port::{PpsEdge, PpsEdgeKind};
use refclock_core::rng::Rng;
use refclock_core::Timestamp;
use refclock_core::{Action, Clock, ClockFlags, DriverConfig, Fudge, PortEvent, PortId, Refclock};

use super::codec::{Message, NavTimeUtc, TimTp};
use super::UbxDriver;

/// 2027-03-10 00:00:00 UTC (after the default base date).
const BASE: i64 = 1_804_636_800;
/// Sawtooth amplitude, ps.
const AMP_PS: i64 = 20_000;

/// A sawtooth over a tick of 2 × AMP, advancing 37 % of a tick a second
/// (the pulse's phase against the receiver's oscillator drifts), in
/// whole ns (the host's time stamps have ns).
fn sawtooth(k: i64) -> i32 {
    let tick = 2 * AMP_PS;
    let ps = (k * tick * 37 / 100).rem_euclid(tick) - AMP_PS;
    (ps / 1000 * 1000) as i32
}

fn tim_tp(second: i64, qerr_ps: i32) -> Vec<u8> {
    let g = GpsTime::from_utc(Timestamp::from_secs(second), 0);
    Message::TimTp(TimTp {
        tow_ms: (g.tow_nanos / 1_000_000) as u32,
        tow_sub_ms: 0,
        qerr_ps,
        week: g.week as u16,
        flags: 0x03,
        ref_info: 0,
    })
    .encode()
}

fn nav_timeutc(second: i64) -> Vec<u8> {
    let c = refclock_core::calendar::CivilTime::from_timestamp(Timestamp::from_secs(second));
    Message::NavTimeUtc(NavTimeUtc {
        itow: 0,
        tacc: 10,
        nano: 0,
        year: c.year as u16,
        month: c.month,
        day: c.day,
        hour: c.hour,
        min: c.minute,
        sec: c.second,
        valid: 0x07,
    })
    .encode()
}

/// (RMS, peak to peak) of `x`, in ns.
fn stats(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let rms = (x.iter().map(|v| v * v).sum::<f64>() / n).sqrt() * 1e9;
    let max = x.iter().cloned().fold(f64::MIN, f64::max);
    let min = x.iter().cloned().fold(f64::MAX, f64::min);
    (rms, (max - min) * 1e9)
}

/// Pulse sample offsets over `seconds` seconds, with the host's
/// time-stamping jitter `jitter_ns` (uniform ±).
fn run(correct: bool, seconds: i64, jitter_ns: f64) -> Vec<f64> {
    let mut options = Vec::new();
    if !correct {
        options.push(("no-qerr".to_string(), None));
    }
    let mut clock = Clock::<UbxDriver>::start(DriverConfig {
        fudge: Fudge {
            flags: ClockFlags::FLAG1,
            ..Fudge::default()
        },
        options,
        ..DriverConfig::default()
    })
    .unwrap();
    assert!(clock.ports().pps.is_some());
    clock.port_event(PortId::MAIN, PortEvent::Opened);
    let mut rng = Rng::new(7);
    let mut offsets = Vec::new();
    for k in 1..=seconds {
        let s = BASE + k;
        // After the pulse of s − 1: the epoch's messages, TIM-TP first,
        // describing the pulse of s.
        let q = sawtooth(s);
        let t = Timestamp::from_secs(s - 1) + 0.050;
        clock.receive(PortId::MAIN, &tim_tp(s, q), t);
        clock.receive(PortId::MAIN, &nav_timeutc(s - 1), t + 0.003);
        // The pulse comes qErr early; the host stamps it with its jitter.
        let noise =
            ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * jitter_ns * 1e-9;
        let edge = Timestamp::from_nanos(i128::from(s) * 1_000_000_000 - i128::from(q) / 1000)
            .add_secs_f64(noise);
        clock.pps(PpsEdge {
            time: edge,
            sequence: k as u32,
            kind: PpsEdgeKind::Assert,
        });
        while let Some(a) = clock.next_action() {
            if let Action::Sample(x) = a {
                if x.time == edge {
                    offsets.push(x.offset);
                }
            }
        }
    }
    let tally = clock.driver().tally();
    assert_eq!(tally.pulse_samples as i64, seconds);
    assert_eq!(tally.qerr_applied as i64, if correct { seconds } else { 0 });
    offsets
}

#[test]
fn qerr_correction_removes_the_sawtooth() {
    let n = 600;
    for jitter in [0.0, 2.0] {
        let raw = run(false, n, jitter);
        let corrected = run(true, n, jitter);
        assert_eq!((raw.len(), corrected.len()), (n as usize, n as usize));
        let (raw_rms, raw_pp) = stats(&raw);
        let (cor_rms, cor_pp) = stats(&corrected);
        eprintln!(
            "qErr sawtooth ±{} ns, host jitter ±{jitter} ns, {n} pulses: \
             without correction RMS {raw_rms:.2} ns, peak-to-peak {raw_pp:.2} ns; \
             with it RMS {cor_rms:.2} ns, peak-to-peak {cor_pp:.2} ns",
            AMP_PS / 1000
        );
        // The sawtooth alone: RMS amp/√3 ≈ 11.5 ns, p-p ≈ 2 amp.
        assert!(raw_rms > 10.0 && raw_pp > 35.0, "{raw_rms} {raw_pp}");
        if jitter == 0.0 {
            // Exactly removed (the wrong sign would double it).
            assert!(cor_rms < 0.01 && cor_pp < 0.01, "{cor_rms} {cor_pp}");
        } else {
            // What is left is the host's jitter: RMS ≈ 2/√3 ns.
            assert!(
                cor_rms < 1.5 && cor_pp <= 2.0 * jitter + 0.01,
                "{cor_rms} {cor_pp}"
            );
            assert!(cor_rms < raw_rms / 5.0);
        }
    }
}

/// The real M8T's qErr (u-blox-m8t-time.log): a sawtooth within one
/// tick of its oscillator, as simulated above.
#[test]
fn the_m8t_capture_has_a_sawtooth() {
    let Some(cap) = super::capture_tests::capture("u-blox-m8t-time.log") else {
        return;
    };
    let mut q = Vec::new();
    for (bytes, _) in super::capture_tests::messages(cap.body()) {
        let m = refclock_core::framing::UbxMessage::new(&bytes).unwrap();
        if let Ok(Message::TimTp(tp)) = Message::from_frame(&m) {
            q.push(f64::from(tp.qerr_ps) * 1e-12);
        }
    }
    let (rms, pp) = stats(&q);
    eprintln!(
        "u-blox-m8t-time.log: {} TIM-TP, qErr RMS {rms:.2} ns, peak-to-peak {pp:.2} ns",
        q.len()
    );
    assert_eq!(q.len(), 152);
    assert!(pp > 5.0 && pp < 25.0, "{pp}");
}

/// An edge handed over after the next second's TIM-TP (a host that
/// fetches the edge late) still gets the qErr of its own second.
#[test]
fn a_late_edge_gets_its_own_qerr() {
    let mut clock = Clock::<UbxDriver>::start(DriverConfig {
        fudge: Fudge {
            flags: ClockFlags::FLAG1,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .unwrap();
    let s = BASE + 10;
    let (q0, q1) = (7_000, -9_000);
    clock.receive(
        PortId::MAIN,
        &tim_tp(s, q0),
        Timestamp::from_secs(s - 1) + 0.05,
    );
    clock.receive(
        PortId::MAIN,
        &tim_tp(s + 1, q1),
        Timestamp::from_secs(s) + 0.05,
    );
    let edge = Timestamp::from_nanos(i128::from(s) * 1_000_000_000 - 7);
    clock.pps(PpsEdge {
        time: edge,
        sequence: 1,
        kind: PpsEdgeKind::Assert,
    });
    let got: Vec<_> = std::iter::from_fn(|| clock.next_action())
        .filter_map(|a| match a {
            Action::Sample(x) if x.time == edge => Some(x.offset),
            _ => None,
        })
        .collect();
    assert_eq!(got.len(), 1);
    assert!(got[0].abs() < 1e-12, "{}", got[0]);
    // The clear edge is not the one asked for: ignored.
    clock.pps(PpsEdge {
        time: edge + 1.0,
        sequence: 2,
        kind: PpsEdgeKind::Clear,
    });
    assert_eq!(clock.driver().tally().pulse_samples, 1);
}

/// With PPS asked for: serial samples wait 2.5 s for pulses, stop while
/// pulses come, and come back 2.5 s after the last pulse.
#[test]
fn serial_samples_stand_in_for_missing_pulses() {
    let mut clock = Clock::<UbxDriver>::start(DriverConfig {
        fudge: Fudge {
            flags: ClockFlags::FLAG1,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .unwrap();
    let mut kinds = String::new();
    for k in 0..12 {
        let s = BASE + k;
        let rec = Timestamp::from_secs(s - 1) + 0.05;
        clock.receive(PortId::MAIN, &tim_tp(s, 0), rec);
        // Pulses in seconds 4 to 6 only.
        if (4..7).contains(&k) {
            clock.pps(PpsEdge {
                time: Timestamp::from_secs(s),
                sequence: k as u32,
                kind: PpsEdgeKind::Assert,
            });
        }
        let mut c = '.';
        while let Some(a) = clock.next_action() {
            if let Action::Sample(x) = a {
                c = if x.time == rec { 's' } else { 'p' };
            }
        }
        kinds.push(c);
    }
    // Seconds 0-2 wait; 3 serial; 4-6 pulses; the TIM-TPs of 7-9 come
    // within 2.5 s of the last pulse (they are received in the second
    // before); serial again from 10.
    assert_eq!(kinds, "...sppp...ss");
}
