//! Real messages, round trips, errors, and the driver on scripted input.

use refclock_core::calendar::CivilTime;
use refclock_core::framing::UbxMessage;
use refclock_core::gps::GpsTime;
use refclock_core::port::{PpsEdgeKind, SerialConfig};
use refclock_core::rng::Rng;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Sample, StartError, Timestamp,
};

use super::codec::{self, *};
use super::{leap_at, ConfigMethod, UbxDriver};
use crate::testkit::check_chunking;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
    Message::from_frame(&UbxMessage::new(bytes).unwrap())
}

/// From u-blox-m8t-time.log (an M8T in time mode, 2021-02-23).
const TIM_TP: &str = "b5620d011000b09b2d0e0000000015efffff62080b0f2a63";
const NAV_TIMEUTC: &str = "b5620121140018de2d0e07040000c4e80400e507021712041df75192";

#[test]
fn real_messages() {
    let Message::TimTp(tp) = decode(&hex(TIM_TP)).unwrap() else {
        panic!()
    };
    assert_eq!(
        (
            tp.week,
            tp.tow_ms,
            tp.tow_sub_ms,
            tp.qerr_ps,
            tp.flags,
            tp.ref_info
        ),
        (2146, 237_870_000, 0, -4331, 0x0b, 0x0f)
    );
    // UTC time base: the next pulse is 18:04:30 UTC, whatever the leap
    // seconds; qErr −4.331 ns.
    assert_eq!(tp.pulse_utc(None), Some(ts(2021, 2, 23, 18, 4, 30)));
    assert!((tp.qerr_secs().unwrap() + 4.331e-9).abs() < 1e-15);
    let Message::NavTimeUtc(u) = decode(&hex(NAV_TIMEUTC)).unwrap() else {
        panic!()
    };
    assert_eq!((u.tacc, u.nano, u.valid), (1031, 321_732, 0xf7));
    assert_eq!(u.utc(), Some(ts(2021, 2, 23, 18, 4, 29) + 321_732e-9));
    // Both encode back to the bytes.
    assert_eq!(Message::TimTp(tp).encode(), hex(TIM_TP));
    assert_eq!(Message::NavTimeUtc(u).encode(), hex(NAV_TIMEUTC));
}

fn random_messages(rng: &mut Rng) -> Vec<Message> {
    let mut b = |n| rng.bytes(n);
    let r = |v: &[u8]| u32::from_le_bytes([v[0], v[1], v[2], v[3]]);
    let x = b(32);
    let y = b(96);
    let mut rest = [0; 70];
    rest.copy_from_slice(&y[..70]);
    vec![
        Message::TimTp(TimTp {
            tow_ms: r(&x[0..]) % 604_800_000,
            tow_sub_ms: r(&x[4..]),
            qerr_ps: r(&x[8..]) as i32,
            week: x[12].into(),
            flags: x[13],
            ref_info: x[14],
        }),
        Message::TimTm2(TimTm2 {
            ch: x[0],
            flags: x[1],
            count: 7,
            wn_r: 2300,
            wn_f: 2301,
            tow_ms_r: r(&x[4..]) % 604_800_000,
            tow_sub_ms_r: r(&x[8..]) % 1_000_000,
            tow_ms_f: r(&x[12..]),
            tow_sub_ms_f: r(&x[16..]),
            acc_est: r(&x[20..]),
        }),
        Message::NavTimeUtc(NavTimeUtc {
            itow: r(&x[0..]),
            tacc: r(&x[4..]),
            nano: (r(&x[8..]) % 2_000_000_001) as i32 - 1_000_000_000,
            year: 2020,
            month: x[12],
            day: x[13],
            hour: x[14],
            min: x[15],
            sec: x[16],
            valid: x[17],
        }),
        Message::NavTimeLs(NavTimeLs {
            itow: r(&x[0..]),
            version: 0,
            src_of_curr_ls: x[4],
            curr_ls: x[5] as i8,
            src_of_ls_change: x[6],
            ls_change: (x[7] % 3) as i8 - 1,
            time_to_ls_event: r(&x[8..]) as i32,
            date_of_ls_gps_wn: 2190,
            date_of_ls_gps_dn: 7,
            valid: x[12],
        }),
        Message::NavPvt(NavPvt {
            itow: r(&x[0..]),
            year: 2024,
            month: x[4],
            day: x[5],
            hour: x[6],
            min: x[7],
            sec: x[8],
            valid: x[9],
            tacc: r(&x[12..]),
            nano: (r(&x[16..]) % 1_000_000_000) as i32,
            fix_type: x[20],
            flags: x[21],
            rest,
        }),
        Message::NavTimeGps(NavTimeGps {
            itow: r(&x[0..]) % 604_800_000,
            ftow: (r(&x[4..]) % 1_000_001) as i32 - 500_000,
            week: 2400,
            leap_s: 18,
            valid: x[8],
            tacc: r(&x[12..]),
        }),
        Message::Ack(x[0] & 1 != 0, x[1], x[2]),
        Message::MonVer(MonVer {
            sw: "EXT CORE 1.00 (f10c36)".into(),
            hw: "00190000".into(),
            extensions: vec!["ROM BASE 0x118B2060".into(), "PROTVER=29.20".into()],
        }),
    ]
}

#[test]
fn round_trips() {
    let mut rng = Rng::new(1);
    for _ in 0..500 {
        for m in random_messages(&mut rng) {
            let bytes = m.encode();
            assert_eq!(decode(&bytes).unwrap(), m);
        }
    }
}

#[test]
fn errors_name_the_message_and_field() {
    let short = codec::frame(TIM, 0x01, &[0; 15]);
    assert_eq!(
        decode(&short),
        Err(DecodeError::Length {
            message: "TIM-TP",
            expected: 16,
            found: 15
        })
    );
    let mut utc = hex(NAV_TIMEUTC);
    utc[14..18].copy_from_slice(&2_000_000_000i32.to_le_bytes());
    assert!(matches!(
        decode(&utc),
        Err(DecodeError::Range {
            message: "NAV-TIMEUTC",
            field: "nano",
            ..
        })
    ));
    assert!(decode(&codec::frame(NAV, 0x07, &[0; 83])).is_err());
    assert!(decode(&codec::frame(NAV, 0x07, &[0; 84])).is_ok());
    assert_eq!(
        decode(&codec::frame(NAV, 0x35, &[1; 8])),
        Ok(Message::Other(1, 0x35))
    );
    assert!(decode(&codec::frame(ACK, 0x01, &[6])).is_err());
}

#[test]
fn protocol_version() {
    let v = |e: &str| {
        MonVer {
            extensions: vec!["FWVER=TIM 1.10".into(), e.into()],
            ..MonVer::default()
        }
        .protocol_version()
    };
    assert_eq!(v("PROTVER=27.11"), Some(2711));
    assert_eq!(v("PROTVER 16.00"), Some(1600));
    assert_eq!(v("PROTVER=34.1"), Some(3410));
    assert_eq!(v("GPS;GLO"), None);
}

#[test]
fn times_across_week_roll_overs() {
    // GPS week 1023 → 1024 (1999-08-22) and 2047 → 2048 (2019-04-07):
    // the full weeks u-blox sends need no unfolding.
    for (week, t) in [
        (1024, ts(1999, 8, 22, 0, 0, 0)),
        (2048, ts(2019, 4, 7, 0, 0, 0)),
    ] {
        let tp = TimTp {
            week,
            flags: 0x03,
            ..TimTp::default()
        };
        assert_eq!(tp.pulse_utc(None), Some(t));
        let before = TimTp {
            week: week - 1,
            tow_ms: 604_799_000,
            flags: 0x03,
            ..TimTp::default()
        };
        assert_eq!(before.pulse_utc(None), Some(t + -1.0));
        let g = NavTimeGps {
            itow: 13_000,
            week: week as i16,
            leap_s: 13,
            valid: 7,
            ..NavTimeGps::default()
        };
        assert_eq!(g.utc(), Some(t));
    }
    // GPS time base: the leap seconds are needed.
    let tp = TimTp {
        week: 2048,
        tow_ms: 18_000,
        ..TimTp::default()
    };
    assert_eq!(tp.pulse_utc(None), None);
    assert_eq!(tp.pulse_utc(Some(18)), Some(ts(2019, 4, 7, 0, 0, 0)));
    // Another GNSS's time base, or UTC not available: none.
    let glonass = TimTp { ref_info: 1, ..tp };
    assert_eq!(glonass.pulse_utc(Some(18)), None);
    let no_utc = TimTp { flags: 0x01, ..tp };
    assert_eq!(no_utc.pulse_utc(Some(18)), None);
}

// ---- the driver ----

pub(super) fn config(mode: u32, options: &[&str]) -> DriverConfig {
    DriverConfig {
        fudge: Fudge {
            mode,
            ..Fudge::default()
        },
        options: options.iter().map(|o| (o.to_string(), None)).collect(),
        ..DriverConfig::default()
    }
}

/// The messages of second `s` (Unix): TIM-TP for the pulse of s + 1,
/// NAV-TIMEUTC of s, NAV-TIMELS stating `ls`.
pub(super) fn second(s: i64, valid: bool, ls: Option<(i8, i32)>) -> Vec<u8> {
    let pulse = GpsTime::from_utc(Timestamp::from_secs(s + 1), 0);
    let c = CivilTime::from_timestamp(Timestamp::from_secs(s));
    let itow = (GpsTime::from_utc(Timestamp::from_secs(s), 18).tow_nanos / 1_000_000) as u32;
    let mut out = Message::TimTp(TimTp {
        tow_ms: (pulse.tow_nanos / 1_000_000) as u32,
        qerr_ps: 1234,
        week: pulse.week as u16,
        flags: if valid { 3 } else { 1 },
        ..TimTp::default()
    })
    .encode();
    out.extend(
        Message::NavTimeUtc(NavTimeUtc {
            itow,
            tacc: 15,
            nano: -20,
            year: c.year as u16,
            month: c.month,
            day: c.day,
            hour: c.hour,
            min: c.minute,
            sec: c.second,
            valid: if valid { 7 } else { 3 },
        })
        .encode(),
    );
    if let Some((change, to_event)) = ls {
        out.extend(
            Message::NavTimeLs(NavTimeLs {
                itow,
                curr_ls: 18,
                ls_change: change,
                time_to_ls_event: to_event,
                valid: 3,
                ..NavTimeLs::default()
            })
            .encode(),
        );
    }
    out
}

pub(super) fn actions(clock: &mut Clock<UbxDriver>) -> Vec<Action> {
    std::iter::from_fn(|| clock.next_action()).collect()
}

pub(super) fn samples(a: &[Action]) -> Vec<Sample> {
    a.iter()
        .filter_map(|a| match a {
            Action::Sample(s) => Some(*s),
            _ => None,
        })
        .collect()
}

fn writes(a: &[Action]) -> Vec<Vec<u8>> {
    a.iter()
        .filter_map(|a| match a {
            Action::Write { data, .. } => Some(data.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn ports_modes_and_options() {
    let c = Clock::<UbxDriver>::start(config(0, &[])).unwrap();
    let port = &c.ports().list[0];
    assert_eq!(port.kind.path().unwrap().to_str(), Some("/dev/gps0"));
    assert_eq!(
        port.kind.serial_config(),
        Some(&SerialConfig::raw_8n1(9600))
    );
    assert_eq!(c.ports().pps, None);
    assert_eq!(c.state().leap, Leap::NotInSync);
    let c = Clock::<UbxDriver>::start(config(0x51, &[])).unwrap();
    let port = &c.ports().list[0];
    assert_eq!(
        port.kind.serial_config(),
        Some(&SerialConfig::raw_8n1(115_200))
    );
    assert_eq!(c.driver().config_method(), ConfigMethod::CfgMsg);
    // PPS: flag1, or a ppspath.
    let mut cfg = config(2, &[]);
    cfg.fudge.flags = ClockFlags::FLAG1 | ClockFlags::FLAG2;
    let c = Clock::<UbxDriver>::start(cfg).unwrap();
    let pps = c.ports().pps.clone().unwrap();
    assert_eq!(pps.path.unwrap().to_str(), Some("/dev/gpspps0"));
    assert_eq!(
        (pps.edge, pps.fallback_port),
        (PpsEdgeKind::Clear, Some(PortId::MAIN))
    );
    let mut cfg = config(0, &["listen-only"]);
    cfg.pps_device = Some("/dev/pps3".into());
    let c = Clock::<UbxDriver>::start(cfg).unwrap();
    assert_eq!(
        c.ports().pps.clone().unwrap().path.unwrap().to_str(),
        Some("/dev/pps3")
    );
    assert_eq!(c.driver().config_method(), ConfigMethod::None);
    assert!(matches!(
        Clock::<UbxDriver>::start(config(4, &[])),
        Err(StartError::BadMode { mode: 4, .. })
    ));
    assert!(matches!(
        Clock::<UbxDriver>::start(config(0, &["serial-only"])),
        Err(StartError::BadOption { .. })
    ));
}

fn mon_ver(protver: Option<&str>) -> Vec<u8> {
    Message::MonVer(MonVer {
        sw: "ROM CORE 3.01 (107888)".into(),
        hw: "00080000".into(),
        extensions: protver
            .map(|p| format!("PROTVER={p}"))
            .into_iter()
            .collect(),
    })
    .encode()
}

#[test]
fn configuration_by_mon_ver() {
    let t = Timestamp::from_secs(1_800_000_000);
    let cfg_msgs: Vec<Vec<u8>> = codec::ENABLED.iter().map(|&m| cfg_msg(m)).collect();
    let valsets: Vec<Vec<u8>> = VALSET_KEYS.iter().map(|k| cfg_valset(k)).collect();
    for (answer, want) in [
        (Some(mon_ver(Some("18.00"))), cfg_msgs.clone()),
        (Some(mon_ver(None)), cfg_msgs.clone()),
        (Some(mon_ver(Some("27.11"))), valsets.clone()),
        (None, [cfg_msgs.clone(), valsets.clone()].concat()),
    ] {
        let mut c = Clock::<UbxDriver>::start(config(0, &[])).unwrap();
        let _ = actions(&mut c);
        c.port_event(PortId::MAIN, PortEvent::Opened);
        assert_eq!(writes(&actions(&mut c)), vec![mon_ver_poll()]);
        let got = match answer {
            Some(a) => {
                c.receive(PortId::MAIN, &a, t);
                writes(&actions(&mut c))
            }
            None => {
                let mut w = Vec::new();
                for i in 0..5 {
                    c.timer(t + i as f64);
                    w.extend(writes(&actions(&mut c)));
                }
                w
            }
        };
        assert_eq!(got, want);
        // A later MON-VER changes nothing.
        c.receive(PortId::MAIN, &mon_ver(Some("34.00")), t);
        assert!(writes(&actions(&mut c)).is_empty());
        // Acknowledgements are counted.
        c.receive(PortId::MAIN, &Message::Ack(true, 6, 1).encode(), t);
        c.receive(PortId::MAIN, &Message::Ack(false, 6, 0x8a).encode(), t);
        assert_eq!((c.driver().tally().acks, c.driver().tally().naks), (2, 1));
    }
    // Fixed methods at every opening; none when listening only.
    for (mode, options, want) in [
        (1, &[][..], cfg_msgs.clone()),
        (2, &[], valsets.clone()),
        (3, &[], [cfg_msgs.clone(), valsets.clone()].concat()),
        (3, &["listen-only"], vec![]),
    ] {
        let mut c = Clock::<UbxDriver>::start(config(mode, options)).unwrap();
        for _ in 0..2 {
            c.port_event(PortId::MAIN, PortEvent::Opened);
            assert_eq!(writes(&actions(&mut c)), want);
            c.port_event(
                PortId::MAIN,
                PortEvent::Closed(refclock_core::port::CloseReason::Lost("hang-up".into())),
            );
        }
    }
}

#[test]
fn one_serial_sample_a_second_from_tim_tp() {
    let mut c = Clock::<UbxDriver>::start(config(0, &["listen-only"])).unwrap();
    let s0 = ts(2027, 3, 1, 12, 0, 0).secs();
    for k in 0..5 {
        let rec = Timestamp::from_secs(s0 + k) + 0.040;
        c.receive(PortId::MAIN, &second(s0 + k, true, None), rec);
        let got = samples(&actions(&mut c));
        assert_eq!(got.len(), 1);
        // From TIM-TP: the whole second (not NAV-TIMEUTC's −20 ns).
        assert!((got[0].offset + 0.040).abs() < 1e-9, "{:?}", got[0]);
        assert_eq!((got[0].time, got[0].leap), (rec, Leap::NoWarning));
    }
    let t = c.driver().tally();
    assert_eq!((t.samples, t.superseded, t.messages), (5, 5, 10));
}

#[test]
fn time2_and_chunking() {
    let mut cfg = config(0, &["listen-only"]);
    cfg.fudge.time2 = Some(0.025);
    let s0 = ts(2027, 3, 1, 12, 0, 0).secs();
    let data: Vec<u8> = (0..4)
        .flat_map(|k| second(s0 + k, true, Some((0, 0))))
        .collect();
    let (mut c, out) =
        check_chunking::<UbxDriver, _>(&cfg, &data, Timestamp::from_secs(s0) + 0.1, 0..20, |c| {
            c.driver().tally()
        })
        .unwrap();
    // One read holding four seconds: each TIM-TP names its own second,
    // all with that read's receive time, moved back by time2.
    let got = out.samples;
    assert_eq!(got.len(), 4);
    assert!((got[0].offset - (-0.1 + 0.025)).abs() < 1e-9);
    assert_eq!(got[0].time, Timestamp::from_secs(s0) + 0.075);
    let _ = actions(&mut c);
}

#[test]
fn bad_checksums_and_truncated_messages_are_counted_never_sampled() {
    let mut c = Clock::<UbxDriver>::start(config(0, &["listen-only"])).unwrap();
    let s0 = ts(2027, 3, 1, 12, 0, 0).secs();
    let mut bad = second(s0, true, None);
    bad[10] ^= 0x10; // TIM-TP's payload
    let n = bad.len();
    bad[n - 10] ^= 0x01; // NAV-TIMEUTC's payload
    c.receive(PortId::MAIN, &bad, Timestamp::from_secs(s0));
    let a = actions(&mut c);
    assert!(samples(&a).is_empty());
    assert!(a.contains(&Action::Event(ClockEvent::BadReply)));
    assert_eq!(c.driver().tally().bad_checksum, 2);
    // A TIM-TP whose length says 12: intact, too short.
    let short = codec::frame(TIM, 0x01, &[0; 12]);
    c.receive(PortId::MAIN, &short, Timestamp::from_secs(s0 + 1));
    assert!(samples(&actions(&mut c)).is_empty());
    assert_eq!(c.driver().tally().bad_length, 1);
    // A message cut by the next one: its checksum fails, the next is whole.
    let whole = second(s0 + 2, true, None);
    let cut = [&whole[..20], &whole[..]].concat();
    c.receive(PortId::MAIN, &cut, Timestamp::from_secs(s0 + 2));
    assert_eq!(samples(&actions(&mut c)).len(), 1);
    let t = c.driver().tally();
    assert_eq!((t.bad_checksum, t.samples), (3, 1));
    assert_eq!(c.state().counters.badformat, 4);
}

#[test]
fn invalid_time_is_not_in_sync() {
    let mut c = Clock::<UbxDriver>::start(config(0, &["listen-only"])).unwrap();
    let s0 = ts(2027, 3, 1, 12, 0, 0).secs();
    c.receive(
        PortId::MAIN,
        &second(s0, false, None),
        Timestamp::from_secs(s0),
    );
    let a = actions(&mut c);
    assert!(samples(&a).is_empty());
    assert!(a.contains(&Action::Event(ClockEvent::Prop)));
    assert_eq!(c.state().leap, Leap::NotInSync);
    // A TIM-TP saying UTC is available, right after a NAV that said the
    // time is not valid: not used.
    let mut tp = second(s0 + 1, true, None);
    tp.truncate(24);
    c.receive(PortId::MAIN, &tp, Timestamp::from_secs(s0 + 1));
    assert!(samples(&actions(&mut c)).is_empty());
    c.receive(
        PortId::MAIN,
        &second(s0 + 2, true, None),
        Timestamp::from_secs(s0 + 2),
    );
    assert_eq!(samples(&actions(&mut c)).len(), 1);
    assert_eq!(c.state().leap, Leap::NoWarning);
}

#[test]
fn leap_second_announced_in_its_month_only() {
    let end_june = ts(2027, 7, 1, 0, 0, 0);
    assert_eq!(
        leap_at(Some((end_june, Leap::AddSecond)), ts(2027, 6, 1, 0, 0, 0)),
        Leap::AddSecond
    );
    assert_eq!(
        leap_at(Some((end_june, Leap::AddSecond)), end_june + -1.0),
        Leap::AddSecond
    );
    assert_eq!(
        leap_at(
            Some((end_june, Leap::AddSecond)),
            ts(2027, 5, 31, 23, 59, 59)
        ),
        Leap::NoWarning
    );
    assert_eq!(
        leap_at(Some((end_june, Leap::DelSecond)), ts(2027, 6, 30, 0, 0, 0)),
        Leap::DelSecond
    );
    assert_eq!(
        leap_at(Some((end_june, Leap::AddSecond)), end_june),
        Leap::NoWarning
    );
    // Not at a month's end: never announced.
    let mid = ts(2027, 6, 15, 0, 0, 0);
    assert_eq!(
        leap_at(Some((mid, Leap::AddSecond)), ts(2027, 6, 1, 0, 0, 0)),
        Leap::NoWarning
    );
    // Through the driver: NAV-TIMELS with the seconds to the event.
    let mut c = Clock::<UbxDriver>::start(config(0, &["listen-only"])).unwrap();
    for (now, want) in [
        (ts(2027, 5, 20, 0, 0, 0), Leap::NoWarning),
        (ts(2027, 6, 20, 0, 0, 0), Leap::AddSecond),
        (ts(2027, 6, 30, 23, 59, 58), Leap::AddSecond),
    ] {
        let to = (end_june.secs() - now.secs()) as i32;
        // Two seconds: the pairing of NAV-TIMELS takes effect at the next.
        for k in 0..2 {
            let s = now.secs() + k;
            c.receive(
                PortId::MAIN,
                &second(s, true, Some((1, to - k as i32))),
                Timestamp::from_secs(s),
            );
        }
        let got = samples(&actions(&mut c));
        assert_eq!(got.last().unwrap().leap, want, "{now}");
    }
}
