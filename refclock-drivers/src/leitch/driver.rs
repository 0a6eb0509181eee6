//! The Leitch driver's logic: ntpd 4.2.8p18's `leitch_poll`,
//! `leitch_receive` and `leitch_process`, with their bugs fixed.

use refclock_core::calendar::{days_in_month, unfold_two_digit_year, Basedate, CivilTime};
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports, StartError,
    Timestamp,
};

use super::codec::{self, LeitchDate, DATE_QUERY, TIME_QUERY};

/// Static facts about the driver (ntpd type 13).
pub const INFO: DriverInfo = DriverInfo {
    kind: 13,
    ntpd_name: "ATOM_LEITCH",
    name: "leitch",
    description: "Leitch CSD 5300 Master Clock Controller",
    refid: *b"ATOM",
};

/// Precision the clock claims (`PRECISION`, 1e-8 they say; 2^-20).
pub const PRECISION: i8 = -20;

/// Serial speed (`SPEED232`).
pub const BAUD: u32 = 300;

/// How long after the second a time line's CR ends (ntpd's `fudge1`,
/// 15 ms, put in the fraction of each reference time).
pub const CR_DELAY_NS: u32 = 15_000_000;

/// Seconds without an answer after which an exchange is given up.
pub const ANSWER_TIMEOUT: i64 = 5;

/// Where the exchange of a poll is (`STATE_*`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum State {
    /// No exchange (`STATE_IDLE`).
    Idle,
    /// `D` sent, waiting for the date (`STATE_DATE`).
    Date,
    /// `T` sent, `got` of the three time lines in (`STATE_TIME1..3`),
    /// with the best offset so far and its receive time.
    Time {
        /// The date answered.
        date: (i32, u8, u8),
        /// Time lines taken.
        got: u8,
        /// The largest offset so far (the least delayed line) and the
        /// receive time and reference time of its line.
        best: Option<(f64, Timestamp, Timestamp)>,
    },
}

/// The Leitch CSD-5300 master clock (ntpd type 13, `ATOM_LEITCH`). See
/// the module documentation.
#[derive(Debug)]
pub struct LeitchDriver {
    framer: LineFramer,
    basedate: Basedate,
    state: State,
    /// When the exchange last moved on.
    since: Timestamp,
}

impl LeitchDriver {
    /// Where the exchange is.
    pub fn state(&self) -> State {
        self.state
    }

    fn line(&mut self, ctx: &mut Context<'_>, text: &[u8], rectime: Timestamp) {
        ctx.clock.save_timecode(text);
        match self.state {
            // Nothing asked: ignored, as ntpd does.
            State::Idle => {}
            State::Date => match codec::decode_date(text) {
                Ok(d) => match self.full_date(&d) {
                    Some(date) => {
                        ctx.write(PortId::MAIN, TIME_QUERY);
                        self.state = State::Time {
                            date,
                            got: 0,
                            best: None,
                        };
                        self.since = rectime;
                    }
                    None => self.fail(ctx, ClockEvent::BadDate),
                },
                Err(e) => {
                    ctx.log(format!("bad date '{}': {e}", ctx.clock.timecode()));
                    self.fail(ctx, e.event());
                }
            },
            State::Time { date, got, best } => {
                let t = match codec::decode_time(text) {
                    Ok(t) => t,
                    Err(e) => {
                        ctx.log(format!("bad time '{}': {e}", ctx.clock.timecode()));
                        self.fail(ctx, e.event());
                        return;
                    }
                };
                let (y, m, d) = date;
                let civil = CivilTime::new(y, m, d, t.hour, t.minute, t.second);
                let Ok(named) = civil.to_timestamp() else {
                    self.fail(ctx, ClockEvent::BadTime);
                    return;
                };
                // The date was asked a few seconds earlier: past midnight
                // in between, the time is on the next day.
                let mut secs = named.secs();
                if secs - rectime.secs() < -43_200 {
                    secs += 86_400;
                }
                let reftime = Timestamp::new(secs, CR_DELAY_NS);
                let offset = reftime.diff(rectime);
                let best = match best {
                    Some(b) if b.0 >= offset => Some(b),
                    _ => Some((offset, rectime, reftime)),
                };
                self.since = rectime;
                if got + 1 < 3 {
                    self.state = State::Time {
                        date,
                        got: got + 1,
                        best,
                    };
                    return;
                }
                self.state = State::Idle;
                if let Some((_, rec, reference)) = best {
                    ctx.clock.leap = Leap::NoWarning;
                    let time1 = ctx.fudge().time1();
                    ctx.process_offset(reference, rec, time1);
                    let _ = ctx.receive();
                    let code = ctx.clock.timecode().to_string();
                    ctx.clockstats(code);
                }
            }
        }
    }

    fn full_date(&self, d: &LeitchDate) -> Option<(i32, u8, u8)> {
        let year = unfold_two_digit_year(d.year, self.basedate.year());
        (d.day <= days_in_month(year, d.month)).then_some((year, d.month, d.day))
    }

    /// A bad answer: counted, and the exchange given up until the next
    /// poll (ntpd goes idle on a bad date or time too).
    fn fail(&mut self, ctx: &mut Context<'_>, event: ClockEvent) {
        ctx.report(event);
        self.state = State::Idle;
    }
}

impl Driver for LeitchDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let port = PortSpec::serial(
            config.device_or("/dev/leitch%d"),
            SerialConfig::canonical_8n1(BAUD),
        );
        let driver = LeitchDriver {
            framer: LineFramer::new(),
            basedate: config.basedate,
            state: State::Idle,
            since: Timestamp::EPOCH,
        };
        Ok((driver, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let mut input = data;
        while let Some(frame) = self.framer.next_frame(&mut input, rectime) {
            let (text, at) = (frame.data.to_vec(), frame.last);
            self.line(ctx, &text, at);
        }
    }

    /// Gives up an exchange the clock stopped answering.
    fn timer(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        if self.state != State::Idle && now.secs() - self.since.secs() > ANSWER_TIMEOUT {
            self.state = State::Idle;
            ctx.report(ClockEvent::Timeout);
        }
    }

    /// `leitch_poll`: asks for the date when no exchange is under way
    /// (ntpd's resets a running one instead and asks at the next poll).
    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        ctx.clock.counters.polls += 1;
        if self.state == State::Idle {
            ctx.write(PortId::MAIN, DATE_QUERY);
            self.state = State::Date;
            self.since = now;
        }
    }

    fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        if let PortEvent::Closed(_) = event {
            self.framer.reset();
            self.state = State::Idle;
        }
    }
}
