//! u-blox timing receivers speaking UBX binary (LEA-4T/5T/6T, LEA/NEO-M8T,
//! ZED-F9T, and any u-blox receiver in its default configuration): type
//! 47, `UBX`, readable name `ubx`. ntpd has no such driver (its types end
//! at 46); NTPsec and chrony take u-blox time through gpsd or NMEA.
//!
//! * [`codec`]: the messages read and written, both ways, no I/O (the
//!   TIM and NAV layouts in `tim.rs` and `nav.rs`).
//! * [`UbxDriver`]: the driver.
//! * `device` (feature `sim`): the simulated receiver.
//!
//! ## Device, mode, flags, options
//!
//! * Device `/dev/gpsU` (as NMEA's: the name a u-blox receiver usually
//!   gets), raw 8N1, 9600 baud (u-blox's default) unless mode bits 4-6
//!   say otherwise: 2 19200, 3 38400, 4 57600, 5 115200, 6 230400.
//! * Mode bits 0-1, the configuration message sent at start and after
//!   every reopen: 0 automatic (MON-VER is polled; a `PROTVER` of 27 or
//!   more, F9 and later, gets CFG-VALSET, anything else CFG-MSG; no
//!   answer within 3 s gets both), 1 CFG-MSG, 2 CFG-VALSET, 3 both.
//!   Other bits are refused.
//! * `option listen-only`: nothing is sent; the driver takes whatever the
//!   receiver sends (any of the time messages below).
//! * `option no-qerr`: pulse samples are not corrected by qErr (to see
//!   the sawtooth).
//! * PPS: `flag1 1`, or `ppspath DEVICE` given. The device is
//!   `/dev/gpsppsU` unless `ppspath` names one, and the serial port's PPS
//!   line discipline when that fails (as NMEA's). flag2: the clear edge;
//!   flag3: kernel hardpps. flag4 is unused.
//! * `time1`: added to pulse samples (the pulse's delay, e.g. cable);
//!   `time2`: subtracted from the receive time of serial samples (the
//!   message's latency after the second, as NMEA's `time2`).
//! * Nothing else is required. A factory-configured receiver sends NMEA
//!   only, with UBX output allowed on its ports (M8, F9): the
//!   configuration switches the UBX time messages on. Listening only,
//!   the receiver must already send one of the time messages below, as
//!   one that gpsd or u-center configured does (gpsd's choice, NAV-PVT,
//!   or NAV-TIMEGPS with NAV-SOL on older ones, is what most of gpsd's
//!   captures carry; NAV-SOL itself is not read).
//!
//! ## Configuration
//!
//! CFG-MSG (0x06 0x01, three-byte form: rate 1 on the port it arrives
//! on) for TIM-TP, NAV-TIMEUTC and NAV-TIMELS, or CFG-VALSET (0x06 0x8A,
//! RAM layer only, nothing saved) for the same messages'
//! `CFG-MSGOUT-UBX_*` keys, one message for UART1 and one for USB (a
//! receiver refuses a whole CFG-VALSET with a key it lacks). ACK-ACK and
//! ACK-NAK are counted; a NAK is logged (an ANTARIS 4 has no NAV-TIMELS;
//! whether it takes the three-byte CFG-MSG at all could not be checked
//! here: if it refuses, configure it with u-center and use
//! `option listen-only`).
//!
//! ## Time
//!
//! The time messages, best first; a serial sample comes from the best
//! one received in the last 2.5 s, at most one per second:
//!
//! 1. **TIM-TP** (0x0D 0x01): the time of the *next* pulse, in a UTC time
//!    base (flag `utc` must say UTC is available) or in GPS time (with
//!    the leap seconds from NAV-TIMELS or NAV-TIMEGPS; another GNSS's
//!    time base is not used), and **qErr**, the quantisation error of
//!    that pulse in ps. As a serial time it names the pulse before the
//!    message (next − 1 s; the pulse rate must be 1 Hz, the default).
//!    It is not used while the last NAV message of the last 2.5 s said
//!    the time is not valid.
//! 2. **NAV-TIMEUTC** (0x01 0x21): the navigation epoch in UTC with its
//!    fraction `nano`, used when `validUTC` is set.
//! 3. **NAV-PVT** (0x01 0x07): UTC when valid date, valid time and fully
//!    resolved (leap seconds known) are set and `gnssFixOK`.
//! 4. **NAV-TIMEGPS** (0x01 0x20): GPS week and time of week with the
//!    leap seconds, when all three are valid.
//!
//! A time message that says it is not valid sets "not in sync" and
//! reports `CEVNT_PROP`; no sample. TIM-TM2 (0x0D 0x03, the time of an
//! edge on EXTINT) is decoded but gives no sample: it times a signal the
//! driver does not know the host's time of.
//!
//! **Serial samples** (no PPS): offset = reference time − (receive time
//! of the read that held the message's first byte − time2). The messages
//! come after the pulse, when the receiver has computed the epoch: with
//! only TIM-TP, NAV-TIMEUTC and NAV-TIMELS enabled the first byte leaves
//! some 10-50 ms after the second at 9600 baud, later behind other
//! messages (an M8T sending NAV-SAT first: 300 ms). Expect an offset of
//! tens of ms, steady to a few ms; measure it and set time2.
//!
//! **Pulse samples** (PPS): each edge of the selected kind gives one
//! sample. The second it marks is the last serial time (from the best
//! message, within 2.5 s) moved by the time between its receipt and the
//! edge, to the nearest second (the messages follow their second by less
//! than half a second); its qErr is the one of the TIM-TP (of the last
//! four) that described that second, if any (otherwise none is applied).
//! The order in which the host hands over edges and messages does not
//! matter. While pulses come (and in the first 2.5 s, waiting for
//! them), serial times give no samples; 2.5 s after the last pulse they
//! do again.
//!
//! ## The qErr correction
//!
//! The receiver can only put its pulse on a tick of its own oscillator
//! (a few ns apart: 48 MHz on an M8T), so the pulse is off the intended
//! instant by up to a tick, a sawtooth over time, and TIM-TP says by how
//! much before the pulse comes. u-blox defines qErr as the pulse's
//! quantisation error; measured, a time-interval counter started by a
//! reference and stopped by the receiver's pulse reads the smooth
//! series after *adding* qErr (actual + qErr = intended; A. Wallin's
//! F9T measurement, 2019, and the u-blox timing integration manuals'
//! usage). So qErr = intended − actual: the instant the pulse should
//! have marked is qErr *after* the edge the kernel time-stamped, and
//! the sample is
//!
//! ```text
//! offset = second − (edge + qErr) + time1
//! ```
//!
//! gpsd decodes qErr and hands it to its clients without applying it to
//! the time it feeds chrony; NTPsec and chrony never see it. A test
//! (`qerr_tests.rs`) shows the correction removing a ±N ns sawtooth.
//!
//! ## Leap seconds
//!
//! NAV-TIMELS (0x01 0x26) gives the coming change (+1 or −1) and the
//! seconds to it (when `validTimeToLsEvent`); paired with the time
//! message of the same epoch (same iTOW) this is the instant of the
//! event. The leap indicator announces it only from the first second of
//! the UTC month at whose end the event is, and only for an event at a
//! month's end; before that, and after it, "no warning". TIM-TP comes
//! before NAV-TIMELS in a second: the first sample after start (or after
//! the receiver's first announcement) says "no warning" still, the
//! clock's leap indicator is right from that NAV-TIMELS on. NAV-TIMELS's
//! `currLs` and NAV-TIMEGPS's `leapS` (when valid) convert GPS time.
//!
//! ## Bad input
//!
//! A bad checksum, a header claiming more than 1024 bytes, a known
//! message shorter than its layout or with a field out of range: counted
//! ([`Tally`]), reported as bad format, never a sample.
//!
//! ## Week roll-over
//!
//! u-blox receivers state full 16-bit weeks, placing the broadcast 10-bit
//! week after a reference week in their firmware; once that reference is
//! more than 1024 weeks old (an old receiver, years on) they state dates
//! 1024 weeks early. Every time is therefore moved by whole eras of 1024
//! weeks into the window of the base date and the receive time
//! ([`EraWindow`](refclock_core::gps::EraWindow), as the other GPS
//! drivers do): a right date is left alone, a rolled-over one put back.
//!
//! ## Deliberate differences
//!
//! There is no ntpd driver to differ from. Against gpsd: the times are
//! the same (see `capture_tests.rs` for the capture-by-capture
//! agreement); gpsd reports NAV-PVT times that are not fully resolved,
//! this driver does not.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;
mod nav;
mod rules;
mod tim;

pub use driver::{
    baud_rate, leap_at, ConfigMethod, Source, Tally, UbxDriver, INFO, MODE_AUTO,
    MODE_BAUDRATE_MASK, MODE_CFG_MSG, MODE_CFG_VALSET, PPS_PRECISION, PRECISION,
};

#[cfg(test)]
mod capture_tests;
#[cfg(all(test, feature = "sim"))]
mod device_tests;
#[cfg(test)]
mod qerr_tests;
#[cfg(test)]
mod tests;
