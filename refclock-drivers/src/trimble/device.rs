//! The simulated Trimble receivers, one per mode:
//!
//! * modes 0, 1, 4 (Palisade, Praecis, Acutime port B): 8F-AD then 8F-0B
//!   once a second with event count 0 (used with `flag2`); the Praecis
//!   answers `SPSTAT` with a status line. The RTS event input cannot be
//!   simulated (a pseudo-terminal has no modem lines): without `flag2`
//!   these modes give no samples here.
//! * modes 2 and 5 (Thunderbolt, Resolution): 8F-AB then 8F-AC once a
//!   second, UTC-aligned as the driver configures them, the leap warning
//!   in 8F-AC's minor alarms; with the option `tsipv1=1`, the RES 720's
//!   A1-00 instead (GPS time base).
//! * mode 3 (Acutime Gold): silent (the driver turns its outputs off);
//!   the NUL byte the driver writes before its RTS pulse is taken as the
//!   event: the answer is 8F-AD and 8F-0B stating the byte's arrival time
//!   with the event count.
//! * mode 6 (ACE III): 0x41 in answer to 0x21, stating the time the
//!   command arrived; with `flag2`, a 0x41 once a second instead.
//! * mode 7 (Copernicus II): 0x41 then 0x46 once a second.
//!
//! An invalid epoch is a receiver without time (8F-AD tracking status
//! "need time" and no UTC flag, 8F-AB flags "not set", 0x41 with a
//! negative time of week, A1-00 without its valid flags). TSIP has no
//! checksum: a corrupted message gets a lone DLE inside (the framing
//! damage the driver counts); a TSIPv1 message a wrong checksum.

use refclock_core::sim::{
    DeviceError, DeviceModel, DeviceSetup, Epoch, LeapWarning, Message, Timeline,
};
use refclock_core::{ClockFlags, Timestamp};

use super::receiver::Receiver;
use super::reports::{comprehensive, gps_time, primary_timing, primary_utc, v1_timing};
use crate::tsip::timing::{Supplemental, AC_MINOR_LEAP_PENDING, ID_SUPER_REPORT};
use crate::tsip::{self, v1, DLE};

/// The simulated receiver.
#[derive(Clone, Debug)]
pub struct TrimbleDevice {
    receiver: Receiver,
    flag2: bool,
    tsipv1: bool,
    /// Events answered so far (the event count).
    events: u16,
    /// Bytes of a command being read (0x21 for the ACE III).
    input: Vec<u8>,
}

/// Builds the model for `setup.fudge.mode`; option `tsipv1=1` (modes 2
/// and 5) makes it a RES 720.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mut tsipv1 = false;
    for (k, v) in &setup.options {
        match k.as_str() {
            "tsipv1" => tsipv1 = v != "0",
            _ => return Err(DeviceError(format!("trimble: unknown option {k:?}"))),
        }
    }
    let receiver = Receiver::from_mode(setup.fudge.mode & 0x7F).unwrap_or(Receiver::Palisade);
    Ok(Box::new(TrimbleDevice {
        receiver,
        flag2: setup.fudge.flags.contains(ClockFlags::FLAG2),
        tsipv1,
        events: 0,
        input: Vec::new(),
    }))
}

fn super_packet(data: Vec<u8>) -> Vec<u8> {
    tsip::encode(ID_SUPER_REPORT, &data)
}

impl TrimbleDevice {
    fn gps_time_message(&self, epoch: &Epoch, at: Timestamp) -> Message {
        let t = gps_time(at, epoch.gps_utc, epoch.valid);
        Message::new("41", tsip::encode(tsip::ID_GPS_TIME, &t.encode())).naming(epoch)
    }

    /// The event answer (8F-AD, 8F-0B) for an event at `now`.
    fn event(&mut self, now: Timestamp, timeline: &dyn Timeline, out: &mut Vec<Message>) {
        self.events = self.events.wrapping_add(1).max(1);
        let epoch = timeline.epoch(now.secs());
        let mut t = epoch.time;
        t.nanos = now.subsec_nanos();
        let leap = epoch.leap != LeapWarning::None;
        let ad = primary_utc(&t, self.events, epoch.valid, leap);
        out.push(Message::new("8F-AD", super_packet(ad.encode())).naming(&epoch));
        let ob = comprehensive(&t, self.events, epoch.gps_utc);
        out.push(Message::new("8F-0B", super_packet(ob.encode())).naming(&epoch));
    }
}

impl DeviceModel for TrimbleDevice {
    fn describe(&self) -> String {
        if self.tsipv1 {
            "Trimble RES 720 (TSIPv1)".to_string()
        } else {
            format!("Trimble {}", self.receiver.name())
        }
    }

    fn baud(&self) -> u32 {
        self.receiver.serial_config().baud
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let leap = epoch.leap != LeapWarning::None;
        match self.receiver {
            Receiver::Palisade | Receiver::Praecis | Receiver::AcutimePortB => {
                let ad = primary_utc(&epoch.time, 0, epoch.valid, leap);
                out.push(Message::new("8F-AD", super_packet(ad.encode())).naming(epoch));
                let ob = comprehensive(&epoch.time, 0, epoch.gps_utc);
                out.push(Message::new("8F-0B", super_packet(ob.encode())).naming(epoch));
            }
            Receiver::Thunderbolt | Receiver::Resolution if self.tsipv1 => {
                let t = v1_timing(epoch.named, epoch.gps_utc, epoch.valid);
                let bytes = tsip::encode(v1::ID_TIMING, &t.packet());
                out.push(Message::new("A1-00", bytes).naming(epoch).with_checksum());
            }
            Receiver::Thunderbolt | Receiver::Resolution => {
                let ab = primary_timing(epoch.named, epoch.gps_utc, epoch.valid);
                out.push(Message::new("8F-AB", super_packet(ab.encode())).naming(epoch));
                let ac = Supplemental {
                    receiver_mode: 7,
                    disciplining_mode: 0,
                    holdover: 0,
                    critical: 0,
                    minor: if epoch.leap == LeapWarning::Insert {
                        AC_MINOR_LEAP_PENDING
                    } else {
                        0
                    },
                    decoding: if epoch.valid { 0 } else { 8 },
                };
                out.push(Message::new("8F-AC", super_packet(ac.encode())));
            }
            Receiver::Ace if self.flag2 => out.push(self.gps_time_message(epoch, epoch.named)),
            Receiver::Copernicus => {
                out.push(self.gps_time_message(epoch, epoch.named));
                let h = tsip::Health {
                    status: if epoch.valid { 0 } else { 1 },
                    errors: 0,
                };
                out.push(Message::new(
                    "46",
                    tsip::encode(tsip::ID_HEALTH, &h.encode()),
                ));
            }
            Receiver::Acutime | Receiver::Ace => {}
        }
    }

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        match self.receiver {
            Receiver::Acutime if data.contains(&0) => self.event(now, timeline, out),
            Receiver::Praecis => {
                self.input.extend_from_slice(data);
                if self.input.windows(8).any(|w| w == super::SPSTAT) {
                    self.input.clear();
                    out.push(Message::line("SPSTAT", "SPSTAT 1 GPS LOCKED\r\n"));
                }
                let n = self.input.len();
                self.input.drain(..n.saturating_sub(8));
            }
            Receiver::Ace => {
                self.input.extend_from_slice(data);
                let poll = tsip::encode(tsip::CMD_TIME, &[]);
                if self.input.windows(poll.len()).any(|w| w == poll.as_slice()) {
                    self.input.clear();
                    let epoch = timeline.epoch(now.secs());
                    let msg = self.gps_time_message(&epoch, now);
                    out.push(msg);
                }
                let n = self.input.len();
                self.input.drain(..n.saturating_sub(4));
            }
            _ => {}
        }
    }

    /// A TSIPv1 message gets a wrong checksum; any other a lone DLE and
    /// an id in its middle (the framer drops the packet).
    fn corrupt(&self, message: &mut Message) -> bool {
        let n = message.bytes.len();
        if n < 6 {
            return false;
        }
        if message.checksum {
            message.bytes[n - 3] ^= 0x5A;
            if message.bytes[n - 3] == DLE {
                message.bytes[n - 3] ^= 0x01;
            }
        } else {
            let mid = n / 2;
            // Not between the two DLEs of a stuffed pair.
            let mid = if message.bytes[mid - 1] == DLE {
                mid + 1
            } else {
                mid
            };
            message.bytes.splice(mid..mid, [DLE, 0x47]);
            message.end = message.bytes.len() - 1;
        }
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        self.events = 0;
        self.input.clear();
    }
}
