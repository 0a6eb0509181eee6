//! The u-blox driver under the fuzzer (feature `testkit`): `ubx_decode`
//! (every message of a byte stream framed and decoded: no panic, each
//! fixed-layout message re-encoding to its own bytes, the times it gives
//! in range), `ubx_roundtrip` (arbitrary messages encoded and decoded
//! back) and `ubx_driver` (the script runner with [`UbxChecks`]).

use refclock_core::framing::{FrameStatus, Framer, UbxFramer, UbxMessage};
use refclock_core::{Action, Clock, DriverConfig, Refclock, Timestamp};

use super::codec::{self, Message, NavTimeGps, NavTimeLs, NavTimeUtc, TimTm2, TimTp};
use super::UbxDriver;
use crate::testkit::{Call, Checker, FuzzCodec, FuzzDriver, Input, Rules};

/// Whether `t` is on or after the GPS epoch, less the most leap seconds
/// an `i8` can state (full 16-bit weeks reach the year 3236).
fn sane(t: Option<Timestamp>) -> bool {
    t.is_none_or(|t| t.secs() >= 315_964_800 - 128 && t.secs() < 315_964_800 + 65_537 * 604_800)
}

/// Whether a calendar time decoded back is the year, month and day it
/// states.
fn same_day(t: Option<Timestamp>, nano: i32, year: u16, month: u8, day: u8) -> bool {
    t.is_none_or(|t| {
        let c = refclock_core::calendar::CivilTime::from_timestamp(t + -(f64::from(nano) * 1e-9));
        (c.year, c.month, c.day) == (i32::from(year), month, day) || c.second == 0
    })
}

impl FuzzCodec for UbxDriver {
    fn decode(data: &[u8]) -> usize {
        let mut f = UbxFramer::new();
        let mut n = 0;
        f.feed(data, Timestamp::EPOCH, |fr| {
            if fr.status != FrameStatus::Complete {
                return;
            }
            let m = UbxMessage::new(fr.data).expect("a complete frame is a message");
            let Ok(msg) = Message::from_frame(&m) else {
                return;
            };
            n += 1;
            let fixed = match &msg {
                Message::TimTp(t) => {
                    assert!(sane(t.pulse_utc(Some(18))));
                    if let Some(q) = t.qerr_secs() {
                        assert!(q.abs() < 2.2e-3);
                    }
                    m.payload().len() == TimTp::LEN
                }
                Message::TimTm2(t) => {
                    assert!(sane(t.rising_utc(Some(18))));
                    m.payload().len() == TimTm2::LEN
                }
                Message::NavTimeUtc(t) => {
                    assert!(same_day(t.utc(), t.nano, t.year, t.month, t.day));
                    m.payload().len() == NavTimeUtc::LEN
                }
                Message::NavTimeLs(t) => {
                    assert!((-1..=1).contains(&t.ls_change));
                    m.payload().len() == NavTimeLs::LEN
                }
                Message::NavPvt(t) => {
                    assert!(same_day(t.utc(), t.nano, t.year, t.month, t.day));
                    m.payload().len() == codec::NavPvt::LEN
                }
                Message::NavTimeGps(t) => {
                    assert!(sane(t.utc()));
                    m.payload().len() == NavTimeGps::LEN
                }
                Message::Ack(..) => m.payload().len() == 2,
                Message::MonVer(_) | Message::Other(..) => false,
            };
            if fixed {
                assert_eq!(msg.encode(), fr.data, "{}", msg.name());
            }
        });
        n
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut i = Input::new(data);
        if i.remaining() < 8 {
            return 0;
        }
        let msg = match i.u8() % 7 {
            0 => Message::TimTp(TimTp {
                tow_ms: i.u32() % 604_800_000,
                tow_sub_ms: i.u32(),
                qerr_ps: i.i32(),
                week: i.u16(),
                flags: i.u8(),
                ref_info: i.u8(),
            }),
            1 => Message::TimTm2(TimTm2 {
                ch: i.u8(),
                flags: i.u8(),
                count: i.u16(),
                wn_r: i.u16(),
                wn_f: i.u16(),
                tow_ms_r: i.u32() % 604_800_000,
                tow_sub_ms_r: i.u32() % 1_000_000,
                tow_ms_f: i.u32(),
                tow_sub_ms_f: i.u32(),
                acc_est: i.u32(),
            }),
            2 => Message::NavTimeUtc(NavTimeUtc {
                itow: i.u32(),
                tacc: i.u32(),
                nano: (i.u32() % 2_000_000_001) as i32 - 1_000_000_000,
                year: i.u16(),
                month: i.u8(),
                day: i.u8(),
                hour: i.u8(),
                min: i.u8(),
                sec: i.u8(),
                valid: i.u8(),
            }),
            3 => Message::NavTimeLs(NavTimeLs {
                itow: i.u32(),
                version: i.u8(),
                src_of_curr_ls: i.u8(),
                curr_ls: i.u8() as i8,
                src_of_ls_change: i.u8(),
                ls_change: (i.u8() % 3) as i8 - 1,
                time_to_ls_event: i.i32(),
                date_of_ls_gps_wn: i.u16(),
                date_of_ls_gps_dn: i.u16(),
                valid: i.u8(),
            }),
            4 => Message::NavTimeGps(NavTimeGps {
                itow: i.u32() % 604_800_000,
                ftow: (i.u32() % 2_000_001) as i32 - 1_000_000,
                week: i.i16(),
                leap_s: i.u8() as i8,
                valid: i.u8(),
                tacc: i.u32(),
            }),
            5 => Message::Ack(i.u8() & 1 != 0, i.u8(), i.u8()),
            _ => {
                let mut p = codec::NavPvt {
                    itow: i.u32(),
                    year: i.u16(),
                    month: i.u8(),
                    day: i.u8(),
                    hour: i.u8(),
                    min: i.u8(),
                    sec: i.u8(),
                    valid: i.u8(),
                    tacc: i.u32(),
                    nano: (i.u32() % 2_000_000_001) as i32 - 1_000_000_000,
                    fix_type: i.u8(),
                    flags: i.u8(),
                    ..Default::default()
                };
                let rest = i.rest();
                let n = rest.len().min(70);
                p.rest[..n].copy_from_slice(&rest[..n]);
                Message::NavPvt(p)
            }
        };
        let bytes = msg.encode();
        let m = UbxMessage::new(&bytes).expect("framed");
        assert_eq!(Message::from_frame(&m), Ok(msg));
        1
    }

    /// One second of the simulated receiver (2024-01-01 00:00:00, the
    /// generic driver seed's start), an M8T's TIM-TP and NAV-TIMEUTC
    /// from u-blox-m8t-time.log, ACK-ACK, a MON-VER answer.
    fn examples() -> Vec<Vec<u8>> {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let mut out: Vec<Vec<u8>> = (0..5)
            .map(|k| {
                let t = Timestamp::from_secs(1_704_067_200 + k);
                let g = refclock_core::gps::GpsTime::from_utc(t + 1.0, 0);
                let c = refclock_core::calendar::CivilTime::from_timestamp(t);
                let mut b = Message::TimTp(TimTp {
                    tow_ms: (g.tow_nanos / 1_000_000) as u32,
                    qerr_ps: (k as i32 - 2) * 5000,
                    week: g.week as u16,
                    flags: 3,
                    ..TimTp::default()
                })
                .encode();
                b.extend(
                    Message::NavTimeUtc(NavTimeUtc {
                        itow: 0,
                        tacc: 20,
                        nano: 0,
                        year: c.year as u16,
                        month: c.month,
                        day: c.day,
                        hour: c.hour,
                        min: c.minute,
                        sec: c.second,
                        valid: 7,
                    })
                    .encode(),
                );
                b
            })
            .collect();
        out.push(hex("b5620d011000b09b2d0e0000000015efffff62080b0f2a63"));
        out.push(hex(
            "b5620121140018de2d0e07040000c4e80400e507021712041df75192",
        ));
        out.push(Message::Ack(true, 6, 1).encode());
        out.push(
            Message::MonVer(codec::MonVer {
                sw: "ROM CORE 3.01 (107888)".into(),
                hw: "00080000".into(),
                extensions: vec!["PROTVER=18.00".into()],
            })
            .encode(),
        );
        out
    }
}

/// The driver's own properties: it writes only well-formed CFG-MSG,
/// CFG-VALSET and MON-VER polls, and only to the main port; every sample
/// is counted in its tally (serial or pulse) and in the clock's counters.
#[derive(Debug, Default)]
pub struct UbxChecks;

impl Checker<UbxDriver> for UbxChecks {
    fn check(&mut self, clock: &Clock<UbxDriver>, _call: &Call<'_>, actions: &[Action]) {
        for a in actions {
            if let Action::Write { port, data } = a {
                assert_eq!(*port, refclock_core::PortId::MAIN);
                let mut f = UbxFramer::new();
                let mut n = 0;
                f.feed(data, Timestamp::EPOCH, |fr| {
                    assert!(fr.is_complete());
                    let m = UbxMessage::new(fr.data).unwrap();
                    assert!(
                        [codec::CFG_MSG, codec::CFG_VALSET, codec::MON_VER]
                            .contains(&(m.class(), m.id())),
                        "{data:02x?}"
                    );
                    n += 1;
                });
                assert_eq!(n, 1, "one message a write");
            }
        }
        let t = clock.driver().tally();
        assert_eq!(t.samples + t.pulse_samples, clock.state().counters.samples);
        assert!(t.qerr_applied <= t.pulse_samples);
    }
}

impl FuzzDriver for UbxDriver {
    /// Known: 0x1, 0x2 (configuration), 0x10-0x40 (speed); 0x4 and
    /// 0x100 are refused.
    const MODE_BITS: [u32; 16] = [
        0x1, 0x2, 0x10, 0x20, 0x40, 0x1, 0x2, 0x10, 0x20, 0x40, 0x1, 0x2, 0x10, 0x20, 0x4, 0x100,
    ];

    /// Serial samples at the receive time less time2; pulse samples at
    /// the edges (allowed by the runner for a PPS driver).
    fn rules(config: &DriverConfig) -> Rules {
        Rules {
            sample_time_shift: -config.fudge.time2(),
            ..Rules::default()
        }
    }

    fn checker(_config: &DriverConfig) -> Box<dyn Checker<Self>> {
        Box::new(UbxChecks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::run_script;

    #[test]
    fn the_examples_decode_and_round_trip() {
        for e in UbxDriver::examples() {
            assert!(<UbxDriver as FuzzCodec>::decode(&e) >= 1);
        }
        let mut rng = refclock_core::rng::Rng::new(3);
        for _ in 0..2000 {
            let d = rng.bytes(120);
            let _ = <UbxDriver as FuzzCodec>::decode(&d);
            let _ = <UbxDriver as FuzzCodec>::roundtrip(&d);
        }
        let _ = run_script::<UbxDriver>(&[0; 64]);
    }
}
