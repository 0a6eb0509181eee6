//! The simulated Arbiter 1088B (feature `sim`). Commands are two
//! characters without a line end. `TQ` is answered `TQ0` (locked) or
//! `TQ6` (not, < 100 µs), `SR` with a status string, `LA`, `LO`, `LH` and
//! `DB` with a position; each answer is a line. `B5` (`O5` in mode 1)
//! starts the broadcast: each second `CR LF` and the 24-character
//! timecode, the CR on time (the timecode line ends at the next second's
//! CR); `B0` (`O0`) stops it and ends the last line with `CR LF`. The
//! device echoes nothing. An invalid second says `?`; the format has no
//! leap warning.

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{self, Commands, Timecode};

/// The simulated clock.
#[derive(Clone, Debug)]
pub struct ArbiterDevice {
    commands: Commands,
    broadcasting: bool,
    input: Vec<u8>,
}

/// Builds the model (mode 0: `B` commands, 1: `O`); it takes no options.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    if let Some((key, _)) = setup.options.first() {
        return Err(DeviceError(format!("arbiter: unknown option {key:?}")));
    }
    Ok(Box::new(ArbiterDevice::new(setup.fudge.mode)))
}

impl ArbiterDevice {
    /// A device for `mode`, not broadcasting.
    pub fn new(mode: u32) -> ArbiterDevice {
        ArbiterDevice {
            commands: Commands::for_mode(mode),
            broadcasting: false,
            input: Vec::new(),
        }
    }

    /// Whether it sends a timecode a second.
    pub fn broadcasting(&self) -> bool {
        self.broadcasting
    }
}

fn answer(out: &mut Vec<Message>, text: &str) {
    out.push(Message::line("REPLY", format!("{text}\r\n")));
}

impl DeviceModel for ArbiterDevice {
    fn describe(&self) -> String {
        "Arbiter 1088B".into()
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        if !self.broadcasting {
            return;
        }
        let t = &epoch.time;
        let mut bytes = b"\r\n".to_vec();
        bytes.extend(codec::encode(&Timecode {
            sync: if epoch.valid { b' ' } else { b'?' },
            year: (t.year.rem_euclid(100)) as u8,
            day: t.yday(),
            hour: t.hour,
            minute: t.minute,
            second: t.second,
        }));
        let mut m = Message::new("TCODE", bytes).naming(epoch);
        m.on_time = 0;
        out.push(m);
    }

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        self.input.extend_from_slice(data);
        while self.input.len() >= 2 {
            let cmd = [self.input[0], self.input[1]];
            let cmd = &cmd[..];
            let mut used = 2;
            if cmd == self.commands.start {
                self.broadcasting = true;
            } else if cmd == self.commands.halt {
                if self.broadcasting {
                    out.push(Message::line("END", "\r\n"));
                }
                self.broadcasting = false;
            } else if cmd == b"TQ" {
                let valid = timeline.epoch(now.secs()).valid;
                answer(out, if valid { "TQ0" } else { "TQ6" });
            } else if cmd == b"SR" {
                answer(out, "SRV=09 S=45 T=8 P=1.2 E=00");
            } else if cmd == b"LA" {
                answer(out, "LAN 39:43:20.130");
            } else if cmd == b"LO" {
                answer(out, "LOW105:11:25.930");
            } else if cmd == b"LH" {
                answer(out, "LH 01640.2");
            } else if cmd == b"DB" {
                answer(out, "DB +0.000000 0.000000");
            } else {
                used = 1;
            }
            self.input.drain(..used);
        }
    }

    /// Replaces the colon before the minutes (`CEVNT_BADREPLY`).
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "TCODE" {
            return false;
        }
        match message.bytes.get_mut(2 + 11) {
            Some(b) => {
                *b = b';';
                true
            }
            None => false,
        }
    }

    fn reset(&mut self) {
        self.broadcasting = false;
        self.input.clear();
    }
}
