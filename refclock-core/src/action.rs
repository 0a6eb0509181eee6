//! What a driver asks of its host.

use crate::event::ClockEvent;
use crate::filter::FilterOutput;
use crate::port::{PortId, SerialConfig};
use crate::sample::Sample;

/// Something the driver wants the host to do. The host drains them all
/// after every call into the driver, in order.
#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A raw sample: ntp-refclock prints and sends every one of these.
    Sample(Sample),
    /// The per-poll trimmed-mean result (`refclock_receive`), for
    /// clockstats and for embedders that want one value per poll.
    Filtered(FilterOutput),
    /// Bytes to write to a port. The host queues them and never blocks on
    /// a port that does not take them; a failure comes back as
    /// [`PortEvent::WriteFailed`](crate::port::PortEvent::WriteFailed).
    Write {
        /// Where.
        port: PortId,
        /// What.
        data: Vec<u8>,
    },
    /// Modem control lines to set (`None` leaves a line as it is).
    ModemLines {
        /// Which port.
        port: PortId,
        /// Data Terminal Ready.
        dtr: Option<bool>,
        /// Request To Send.
        rts: Option<bool>,
    },
    /// Read the modem status lines; the answer comes as
    /// [`PortEvent::ModemStatus`](crate::port::PortEvent::ModemStatus).
    QueryModem(PortId),
    /// Open an on-demand port.
    Open(PortId),
    /// Close a port.
    Close(PortId),
    /// Change a serial port's settings (speed, framing, line ends).
    Reconfigure {
        /// Which port.
        port: PortId,
        /// The new settings.
        config: SerialConfig,
    },
    /// Read a [`ReadOnRequest`](crate::port::PortKind::ReadOnRequest)
    /// port now; the bytes come back through `receive` with the time taken
    /// just before the read.
    Read(PortId),
    /// The clock's status changed.
    Event(ClockEvent),
    /// A line of text for the clockstats file (without address or time).
    ClockStats(String),
    /// A diagnostic for the log (printed with `-d`).
    Log(String),
    /// Bytes to store at `offset` of the clock's status file
    /// ([`StatusFileSpec`](crate::port::StatusFileSpec)); a host without
    /// one ignores it.
    StatusWrite {
        /// Byte offset in the file.
        offset: usize,
        /// What to store there.
        data: Vec<u8>,
    },
}
