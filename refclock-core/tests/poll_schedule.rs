//! The poll schedule the C program keeps, with simulated time: the first
//! poll at the first tick, then every 2^poll ticks, brought forward by
//! ntpd's `refclock_checkburst` while the reach register fills (enough
//! samples pending and no poll in progress: the next poll at the next
//! tick). Measured on the C program (ntp-refclock 0.7 with ntp 4.2.8p18)
//! with an NMEA receiver sending a sentence a second at `-i 4`: polls at
//! ticks 1, 16, 19, 22, 25, ...

use refclock_core::port::PortSpec;
use refclock_core::schedule::{Due, Scheduler};
use refclock_core::{
    Clock, ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports, Refclock,
    StartError, Timestamp,
};

/// One sample per read; the poll as NMEA's: a timeout without samples,
/// `refclock_receive` with them.
struct EverySecond;

impl Driver for EverySecond {
    const INFO: DriverInfo = DriverInfo {
        kind: 251,
        ntpd_name: "TEST",
        name: "test",
        description: "a sample a second",
        refid: *b"TEST",
    };

    fn start(_: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        ctx.clock.leap = Leap::NoWarning;
        let port = PortSpec::serial(
            "/dev/null",
            refclock_core::port::SerialConfig::raw_8n1(9600),
        );
        Ok((EverySecond, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _: PortId, _: &[u8], rectime: Timestamp) {
        ctx.push_sample(rectime, -0.1);
    }

    fn poll(&mut self, ctx: &mut Context<'_>, _: Timestamp) {
        if ctx.clock.pending().is_empty() {
            ctx.report(ClockEvent::Timeout);
        } else {
            let _ = ctx.receive();
        }
    }
}

fn ms(t: i64) -> Timestamp {
    Timestamp::from_nanos(t as i128 * 1_000_000)
}

/// The ticks at which the clock was polled, over `secs` seconds, with a
/// sample 100 ms after each whole second (the first tick at 0).
fn polls(poll_exponent: u8, secs: i64) -> Vec<u64> {
    let mut clock = Clock::<EverySecond>::start(DriverConfig::default()).unwrap();
    let mut sched = Scheduler::new();
    let c = sched.add_clock(ms(0), poll_exponent);
    let mut polled = Vec::new();
    let mut due = Vec::new();
    for t in 0..secs * 10 {
        let now = ms(t * 100);
        due.clear();
        sched.due(now, &mut due);
        for d in &due {
            if let Due::Tick { tick, poll, .. } = *d {
                clock.timer(now);
                if poll {
                    clock.poll(now);
                    polled.push(tick);
                }
            }
        }
        if t % 10 == 1 {
            clock.receive(PortId::MAIN, b"x", now);
        }
        while clock.next_action().is_some() {}
        if clock.state_mut().take_poll_request() {
            sched.poll_soon(c);
        }
    }
    polled
}

#[test]
fn polls_come_early_while_the_reach_register_fills_as_in_the_c_program() {
    // Derived from refclock_transmit/receive/checkburst, and the start of
    // it (1, 16, 19, 22, 25) seen on the C program with -i 4.
    assert_eq!(
        polls(4, 80),
        vec![1, 16, 19, 22, 25, 29, 34, 40, 46, 62, 78]
    );
}

#[test]
fn no_samples_no_early_polls() {
    let mut clock = Clock::<EverySecond>::start(DriverConfig::default()).unwrap();
    clock.poll(ms(0));
    assert!(clock.state().inpoll);
    assert!(!clock.state_mut().take_poll_request());
    // Samples during a poll in progress ask for nothing either.
    for k in 1..10 {
        clock.receive(PortId::MAIN, b"x", ms(k * 1000));
    }
    assert!(!clock.state_mut().take_poll_request());
    assert_eq!(clock.state().reach, 0);
}

#[test]
fn a_short_poll_interval_is_left_alone() {
    // With -i 1 a regular poll always comes before three samples pile up.
    assert_eq!(polls(1, 12), vec![1, 2, 4, 6, 8, 10, 12]);
}
