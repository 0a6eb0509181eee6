//! The kit's own tests, on a toy driver that can be told to break each
//! generic property: every property must be able to fail.

use std::panic::{catch_unwind, AssertUnwindSafe};

use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortSpec, SerialConfig};
use refclock_core::{
    Action, ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports, StartError,
    Timestamp,
};

use super::script::{encode, Header, Op};
use super::{run_script, FuzzDriver};

/// Breaks: a NaN offset.
pub const NAN: u32 = 0x01;
/// Breaks: a sample 1 ms after the receive time.
pub const LATE: u32 = 0x02;
/// Breaks: an event that changes nothing.
pub const SAME_EVENT: u32 = 0x04;
/// Breaks: the poll counter goes back at each tick.
pub const UNCOUNT: u32 = 0x08;
/// Breaks: two filtered results per poll.
pub const TWICE: u32 = 0x10;
/// Breaks: a write to a port it never asked for.
pub const STRAY_WRITE: u32 = 0x20;
/// Breaks: samples while not in sync.
pub const UNSYNCED: u32 = 0x40;
/// Breaks: a sample recorded but not queued.
pub const HIDDEN: u32 = 0x80;

/// Each line is a number: a sample of that offset, at the line's last
/// receive time; each line answered with `ok`.
#[derive(Debug)]
pub struct Toy {
    framer: LineFramer,
    mode: u32,
    /// Lines seen.
    pub lines: u64,
    /// Reads seen.
    pub reads: u64,
}

impl Driver for Toy {
    const INFO: DriverInfo = DriverInfo {
        kind: 251,
        ntpd_name: "TOY",
        name: "toy",
        description: "test driver",
        refid: *b"TOY\0",
    };

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        ctx.clock.leap = if config.fudge.mode & UNSYNCED != 0 {
            Leap::NotInSync
        } else {
            Leap::NoWarning
        };
        let port = PortSpec::serial(config.device_or("/dev/toy%d"), SerialConfig::raw_8n1(9600));
        let toy = Toy {
            framer: LineFramer::new(),
            mode: config.fudge.mode,
            lines: 0,
            reads: 0,
        };
        Ok((toy, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, port: PortId, data: &[u8], _t: Timestamp) {
        self.reads += 1;
        let mode = self.mode;
        let mut values = Vec::new();
        self.framer.feed(data, _t, |line| {
            values.push((line.text().parse::<f64>(), line.last))
        });
        for (value, time) in values {
            self.lines += 1;
            ctx.write(port, b"ok".to_vec());
            let Some(mut offset) = value.ok().filter(|v| v.is_finite()) else {
                ctx.report(ClockEvent::BadReply);
                continue;
            };
            if mode & NAN != 0 {
                offset = f64::NAN;
            }
            let time = if mode & LATE != 0 { time + 0.001 } else { time };
            if mode & HIDDEN != 0 {
                ctx.clock.record_sample(time, offset, false);
            } else {
                ctx.push_sample(time, offset);
            }
            if mode & SAME_EVENT != 0 {
                ctx.push(Action::Event(ctx.clock.status));
            }
            if mode & STRAY_WRITE != 0 {
                ctx.write(PortId(5), b"x".to_vec());
            }
        }
    }

    fn timer(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        if self.mode & UNCOUNT != 0 {
            ctx.clock.counters.polls = ctx.clock.counters.polls.saturating_sub(1);
        }
    }

    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.poll_default();
        if self.mode & TWICE != 0 {
            ctx.clock.record_sample(Timestamp::EPOCH, 0.0, false);
            let _ = ctx.receive();
        }
    }
}

impl FuzzDriver for Toy {}

/// A script: lines at 1 s steps with ticks and polls between.
fn script(mode: u32) -> Vec<u8> {
    let header = Header {
        mode_bits: mode as u16,
        ..Header::at(1_700_000_000, 19_000)
    };
    let mut ops = Vec::new();
    for i in 0..6 {
        ops.push(Op::Data(format!("0.{i}\n").into_bytes()));
        ops.push(Op::Ticks(0));
        if i % 2 == 1 {
            ops.push(Op::Poll);
        }
    }
    ops.push(Op::Data(b"junk\n".to_vec()));
    encode(&header, &ops)
}

fn failure(mode: u32) -> String {
    let r = catch_unwind(AssertUnwindSafe(|| run_script::<Toy>(&script(mode))));
    match r {
        Ok(n) => panic!("mode {mode:#x}: no property failed ({n} samples)"),
        Err(e) => e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    }
}

#[test]
fn a_good_driver_keeps_every_property() {
    assert_eq!(run_script::<Toy>(&script(0)), 6);
    // Any bytes are a script.
    for data in [&b""[..], b"\xff", b"\xff\x05\x00", &[0x41; 40]] {
        let _ = run_script::<Toy>(data);
    }
}

#[test]
fn each_generic_property_can_fail() {
    for (mode, message) in [
        (NAN, "offset NaN"),
        (LATE, "none of the receive times"),
        (SAME_EVENT, "an event that changes nothing"),
        (UNCOUNT, "counters went back"),
        (TWICE, "a second filtered result"),
        (STRAY_WRITE, "did not ask for"),
        (UNSYNCED, "a sample while not in sync"),
        (HIDDEN, "samples counted vs. samples queued"),
    ] {
        let got = failure(mode);
        assert!(got.contains(message), "mode {mode:#x}: {got}");
    }
}
