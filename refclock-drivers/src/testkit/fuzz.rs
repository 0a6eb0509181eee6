//! What a driver implements to get its fuzz targets: [`FuzzCodec`] for
//! `NAME_decode` and `NAME_roundtrip`, [`FuzzDriver`] for `NAME_driver`
//! (see the [module documentation](super) for the lines to add).

use refclock_core::port::{PortEvent, PpsEdge};
use refclock_core::{Action, Clock, Driver, DriverConfig, PortId, Timestamp};

use super::script::PLAIN_MODE_BITS;

/// A driver's timecode codec under the fuzzer. Each function takes
/// arbitrary bytes, panics when a property fails, and returns a count of
/// the interesting outcomes it saw (messages decoded, values built), so
/// that a test can tell a corpus that reaches the success paths from one
/// that does not.
pub trait FuzzCodec {
    /// The decoder on `data` (one message, or a stream, as the driver's
    /// decoder takes it): it must not panic, and what it decodes must be
    /// in range. Returns the number of messages that decoded.
    fn decode(data: &[u8]) -> usize;

    /// Builds a value from `data` (say with [`Input`](super::Input)),
    /// encodes it, decodes the encoding and asserts the same value came
    /// back. Returns 1 when a value was built, 0 when `data` made none.
    fn roundtrip(data: &[u8]) -> usize;

    /// Well-formed messages as [`FuzzCodec::decode`] takes them: seeds
    /// for the decode target, and framed ([`FuzzCodec::framed`]) for the
    /// driver target.
    fn examples() -> Vec<Vec<u8>> {
        Vec::new()
    }

    /// The bytes a device sends for one message (NMEA: the line and
    /// CR LF); by default the message itself.
    fn framed(message: &[u8]) -> Vec<u8> {
        message.to_vec()
    }
}

/// What the script runner may expect of a driver beyond the generic
/// rules; the defaults are the strictest.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rules {
    /// Added to every receive time to give the time of a sample taken
    /// from it (NMEA: −`time2`).
    pub sample_time_shift: f64,
    /// Samples may also be taken at the times the timer and the poll were
    /// given (drivers that measure at a tick).
    pub samples_at_ticks: bool,
    /// A sample may come while the clock's leap indicator says not in
    /// sync.
    pub samples_when_not_in_sync: bool,
    /// A sample may also be up to this many seconds before a receive time
    /// handed in (the Arcron: a read's time less the line time of the
    /// characters up to it).
    pub samples_before_reads: f64,
    /// The driver must start with every mode, flag and time the header can
    /// give (otherwise a refusal simply ends the run).
    pub must_start: bool,
    /// A sample's time may be any the data states (GPSD JSON: gpsd's
    /// own receive time of a pulse or a fix, in its PPS and TOFF
    /// objects), not only a time handed in.
    pub samples_from_data: bool,
    /// The driver filters at the end of each call, however many fall in
    /// one poll interval (ACTS: a call forced by `flag1` or a redial
    /// besides the poll's own), so the one-filtered-result-per-poll
    /// rule does not apply.
    pub filtered_per_call: bool,
}

/// A call the script runner made into the clock.
#[derive(Clone, Debug, PartialEq)]
pub enum Call<'a> {
    /// `Clock::start`.
    Start,
    /// Device bytes.
    Receive {
        /// From which port.
        port: PortId,
        /// The bytes.
        data: &'a [u8],
        /// Their receive time.
        rectime: Timestamp,
    },
    /// A PPS edge.
    Pps(PpsEdge),
    /// A failed PPS fetch.
    PpsFault,
    /// The once-a-second timer.
    Timer(Timestamp),
    /// The poll.
    Poll(Timestamp),
    /// A port event.
    Port {
        /// Which port.
        port: PortId,
        /// What happened.
        event: PortEvent,
    },
    /// Shutdown, at the end of the script.
    Shutdown,
}

/// A driver's own properties, checked after every call on top of the
/// generic ones.
pub trait Checker<D: Driver> {
    /// After `call`, with the actions it queued (already checked by the
    /// generic rules).
    fn check(&mut self, clock: &Clock<D>, call: &Call<'_>, actions: &[Action]);

    /// After the last call.
    fn finish(&mut self, clock: &Clock<D>) {
        let _ = clock;
    }
}

/// No properties of its own.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoChecks;

impl<D: Driver> Checker<D> for NoChecks {
    fn check(&mut self, _: &Clock<D>, _: &Call<'_>, _: &[Action]) {}
}

/// A driver under the script runner ([`run_script`](super::run_script)).
pub trait FuzzDriver: Driver {
    /// The mode bit each of the header's 16 mode bits adds (by default
    /// bit *i* is `1 << i`): list the bits the driver knows, and one or
    /// two it does not.
    const MODE_BITS: [u32; 16] = PLAIN_MODE_BITS;

    /// The rules for a clock started with `config`.
    fn rules(config: &DriverConfig) -> Rules {
        let _ = config;
        Rules::default()
    }

    /// The configuration a script runs with, from the one its header
    /// gives (by default unchanged): for a driver that needs a device
    /// path or an option to start at all.
    fn script_config(config: DriverConfig) -> DriverConfig {
        config
    }

    /// The driver's own checks for a run with `config`.
    fn checker(config: &DriverConfig) -> Box<dyn Checker<Self>> {
        let _ = config;
        Box::new(NoChecks)
    }
}
