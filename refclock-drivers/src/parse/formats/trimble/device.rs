//! The simulated Trimble receivers (feature `sim`).
//!
//! TAIP (mode 9) sends nothing on its own: a `>QTM<` query is answered
//! with `>RTM…<` naming the next whole second, its `>` written at that
//! second (milliseconds 000), fix mode 1 (3D) while the epoch is valid
//! and 9 (no fix) while it is not; other commands are taken silently.
//!
//! TSIP (mode 10) sends its health (0x46: 0x00 doing fixes while the
//! epoch is valid, 0x08 no usable satellites otherwise) every second;
//! a 0x21 query is answered by a 0x41 at the next whole second (its
//! opening DLE on time, one per second however often it was asked), a
//! 0x2F by the UTC parameters (0x4F, with the leap second the epoch
//! announces for the end of its month), a 0x35 by the I/O options
//! (0x55, as set), a 0x1F by the versions (0x45). Week numbers are sent
//! modulo 1024, as older receivers do.

use refclock_core::framing::{DleFramer, Framer};
use refclock_core::sim::{
    DeviceError, DeviceModel, DeviceSetup, Epoch, LeapWarning, Message, Timeline,
};
use refclock_core::Timestamp;

use super::taip::{self, Rtm};
use super::tsip as tsip_format;
use crate::tsip::{self, GpsTime, Health, UtcParams};

/// The model of `mode` (9 or 10); neither takes options.
pub fn new(mode: u8, setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    if let Some((key, _)) = setup.options.first() {
        return Err(DeviceError(format!("trimble: unknown option {key:?}")));
    }
    match mode {
        9 => Ok(Box::new(TaipDevice::default())),
        10 => Ok(Box::new(TsipDevice::default())),
        _ => Err(DeviceError(format!("trimble: mode {mode} is not 9 or 10"))),
    }
}

/// A Trimble receiver speaking TAIP.
#[derive(Clone, Debug, Default)]
pub struct TaipDevice {
    /// The command being received (after its `>`).
    pending: Option<Vec<u8>>,
}

/// The RTM answer for `epoch`.
pub fn rtm_for(epoch: &Epoch) -> Rtm {
    let t = &epoch.time;
    Rtm {
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        millis: (t.nanos / 1_000_000) as u16,
        day: t.day,
        month: t.month,
        year: t.year as u16,
        gps_utc: epoch.gps_utc.clamp(0, 99) as u8,
        fix: if epoch.valid { 1 } else { taip::FIX_NONE },
        sats: if epoch.valid { 7 } else { 0 },
    }
}

impl DeviceModel for TaipDevice {
    fn describe(&self) -> String {
        "Trimble TAIP".to_string()
    }

    fn baud(&self) -> u32 {
        4800
    }

    fn second(&mut self, _epoch: &Epoch, _out: &mut Vec<Message>) {}

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        for &b in data {
            match (b & 0x7f, self.pending.as_mut()) {
                (b'>', _) => self.pending = Some(Vec::new()),
                (b'<', Some(cmd)) => {
                    if cmd.as_slice() == b"QTM" {
                        let second = now.secs() + 1;
                        let epoch = timeline.epoch(second);
                        out.push(
                            Message::new("RTM", taip::encode(&rtm_for(&epoch)))
                                .naming(&epoch)
                                .with_checksum()
                                .due_at(Timestamp::from_secs(second)),
                        );
                    }
                    self.pending = None;
                }
                (c, Some(cmd)) if cmd.len() < 80 => cmd.push(c),
                _ => {}
            }
        }
    }

    /// Breaks the checksum's last digit (`CEVNT_BADTIME`).
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "RTM" || message.bytes.len() != taip::LEN {
            return false;
        }
        let d = &mut message.bytes[taip::LEN - 2];
        *d = if *d == b'0' { b'1' } else { b'0' };
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        self.pending = None;
    }

    /// Printable characters but `>` and `<`, which open and close
    /// reports.
    fn garbage_allowed(&self, byte: u8) -> bool {
        let c = byte & 0x7f;
        (0x20..0x7f).contains(&c) && c != b'>' && c != b'<'
    }
}

/// A Trimble receiver speaking TSIP.
#[derive(Clone, Debug, Default)]
pub struct TsipDevice {
    framer: DleFramer,
    /// A 0x21 arrived since the last 0x41.
    asked: bool,
    /// The I/O options as last set.
    io: Option<[u8; 4]>,
}

/// The 0x41 report's data for `epoch`.
pub fn gps_time_for(epoch: &Epoch) -> GpsTime {
    tsip_format::gps_time_at(epoch.named, epoch.gps_utc)
}

/// The 0x4F report's data for `epoch`, with the leap second it
/// announces.
pub fn utc_params_for(epoch: &Epoch) -> UtcParams {
    let leap = match epoch.leap {
        LeapWarning::None => 0,
        LeapWarning::Insert => 1,
        LeapWarning::Delete => -1,
    };
    tsip_format::utc_params_at(epoch.named, epoch.gps_utc, leap)
}

impl TsipDevice {
    fn command(
        &mut self,
        frame: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let Some((&id, data)) = frame.split_first() else {
            return;
        };
        match id {
            tsip::CMD_TIME => self.asked = true,
            tsip::CMD_UTC_PARAMS => {
                let epoch = timeline.epoch(now.secs());
                let bytes = tsip::encode(tsip::ID_UTC_PARAMS, &utc_params_for(&epoch).encode());
                out.push(Message::new("UTC", bytes));
            }
            tsip::CMD_IO_OPTIONS => {
                if let [a, b, c, d, ..] = *data {
                    self.io = Some([a, b, c, d]);
                }
                let io = self.io.unwrap_or([0x02, 0x02, 0x00, 0x00]);
                out.push(Message::new("IO", tsip::encode(tsip::ID_IO_OPTIONS, &io)));
            }
            tsip::CMD_VERSION => {
                out.push(Message::new(
                    "VERSION",
                    tsip::encode(0x45, &[1, 2, 3, 4, 96, 5, 6, 7, 8, 96]),
                ));
            }
            _ => {}
        }
    }
}

impl DeviceModel for TsipDevice {
    fn describe(&self) -> String {
        "Trimble TSIP".to_string()
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let status = if epoch.valid { 0x00 } else { 0x08 };
        let health = Message::new(
            "HEALTH",
            tsip::encode(tsip::ID_HEALTH, &Health { status, errors: 0 }.encode()),
        );
        let time = std::mem::take(&mut self.asked).then(|| {
            let bytes = tsip::encode(tsip::ID_GPS_TIME, &gps_time_for(epoch).encode());
            Message::new("TIME", bytes).naming(epoch)
        });
        // The time on the second, the health after it; but a receiver
        // that lost its fix says so first, so that no time of an invalid
        // second is taken for good.
        if epoch.valid {
            out.extend(time);
            out.push(health);
        } else {
            out.push(health);
            out.extend(time);
        }
    }

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let mut input = data;
        while let Some(frame) = self.framer.next_frame(&mut input, now) {
            let frame = frame.data.to_vec();
            self.command(&frame, now, timeline, out);
        }
    }

    /// TSIP has no checksum: nothing a driver could catch.
    fn corrupt(&self, _message: &mut Message) -> bool {
        false
    }

    fn reset(&mut self) {
        *self = TsipDevice::default();
    }

    /// Anything but DLE, which opens and closes packets.
    fn garbage_allowed(&self, byte: u8) -> bool {
        byte != tsip::DLE
    }
}
