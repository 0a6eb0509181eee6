//! The Forum Graphic driver's logic: ntpd 4.2.8p18's `fg_start`,
//! `fg_poll` and `fg_receive`.

use refclock_core::clock::DecodedFields;
use refclock_core::framing::{FrameStatus, Framer, StxEtxFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports, StartError,
    Timestamp,
};

use super::codec::{self, FgError, INIT, QUERY};

/// Static facts about the driver (ntpd type 37).
pub const INFO: DriverInfo = DriverInfo {
    kind: 37,
    ntpd_name: "FG",
    name: "fg",
    description: "Forum Graphic GPS Dating Station",
    refid: *b"GPS\0",
};

/// Precision the clock claims (about 1 ms).
pub const PRECISION: i8 = -10;

/// The Forum Graphic GPS dating station (ntpd type 37, `FG`): see the
/// module documentation.
#[derive(Debug)]
pub struct FgDriver {
    framer: StxEtxFramer,
    /// The next reply is the first since the initialisation: discarded
    /// (ntpd's `pollnum` 0).
    discard_next: bool,
    /// A poll came since the last filtering: the next sample filters.
    polled: bool,
}

impl FgDriver {
    /// Whether the next reply will be discarded.
    pub fn discards_next(&self) -> bool {
        self.discard_next
    }

    fn reply(&mut self, ctx: &mut Context<'_>, frame: &[u8], status: FrameStatus, at: Timestamp) {
        if std::mem::take(&mut self.discard_next) {
            return;
        }
        if status == FrameStatus::Overflow {
            ctx.log(format!("bad reply: longer than {} bytes", frame.len()));
            ctx.report(ClockEvent::BadReply);
            return;
        }
        let t = match codec::decode(frame) {
            Ok(t) => t,
            Err(FgError::PowerUp) => {
                // Just powered up: the date is not valid; initialise
                // again, and discard the answer to that.
                ctx.report(ClockEvent::BadReply);
                ctx.write(PortId::MAIN, INIT.to_vec());
                self.discard_next = true;
                return;
            }
            Err(e) => {
                ctx.log(format!("bad reply ({} bytes): {e}", frame.len()));
                ctx.report(e.event());
                return;
            }
        };
        let year = 2000 + i32::from(t.year);
        ctx.clock.fields = DecodedFields {
            year,
            day: t.day,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: t.nanos(),
        };
        let text = format!(
            "{} {} {} {} {}",
            if t.year < 99 { year } else { 1999 },
            t.day,
            t.hour,
            t.minute,
            t.second
        );
        ctx.clock.save_timecode(text.as_bytes());
        ctx.clock.leap = Leap::NoWarning;
        // A failure is reported (CEVNT_BADTIME) by `process`.
        if ctx.process(at).is_ok() && std::mem::take(&mut self.polled) {
            let _ = ctx.receive();
        }
    }
}

impl Driver for FgDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let port = PortSpec::serial(
            config.device_or("/dev/fgclock%d"),
            SerialConfig::canonical_8n1(9600),
        );
        let driver = FgDriver {
            framer: StxEtxFramer::end_only(b'\n'),
            discard_next: true,
            polled: false,
        };
        Ok((driver, Ports::one(port)))
    }

    /// Each read of the canonical line discipline (up to the CR, which
    /// ICRNL makes a NL) is one reply, stamped with that read's time.
    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        // The tty maps CR to NL (ICRNL); bytes replayed from the device
        // still have the CR.
        let data: Vec<u8> = data
            .iter()
            .map(|&b| if b == b'\r' { b'\n' } else { b })
            .collect();
        let mut frames = Vec::new();
        self.framer.feed(&data, rectime, |f| {
            frames.push((f.data.to_vec(), f.status, f.last));
        });
        for (frame, status, at) in frames {
            self.reply(ctx, &frame, status, at);
        }
    }

    /// `fg_poll`: the date query; the last timecode to clockstats.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.write(PortId::MAIN, QUERY.to_vec());
        ctx.clock.counters.polls += 1;
        self.polled = true;
        let code = ctx.clock.timecode().to_string();
        ctx.clockstats(code);
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => {
                // The station is set up to use its GPS receiver; its
                // answer is the first reply, discarded.
                self.framer.reset();
                self.discard_next = true;
                ctx.write(PortId::MAIN, INIT.to_vec());
            }
            PortEvent::Closed(_) => self.framer.reset(),
            PortEvent::WriteFailed(e) => {
                ctx.log(format!("write failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            _ => {}
        }
    }
}
