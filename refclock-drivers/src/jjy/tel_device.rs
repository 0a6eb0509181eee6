//! The simulated telephone JJY service (feature `sim`): the far end of a
//! call through the shared Hayes modem ([`crate::modem_sim`]), as NICT's
//! command list and ntpd's driver describe it.
//!
//! On answer it sends a banner and `Name ? `. Each command line (ended by
//! CR) is echoed with CR LF, then answered, the answer ending with the
//! prompt `>`:
//!
//! | command | answer |
//! |---|---|
//! | `TJJY` | a welcome line |
//! | `LOOP` | loopback mode: each `>` sent back at once, until `COM` CR (echoed, then the prompt) |
//! | `TIME` | `HHMMSS` CR LF at each of the next three whole seconds (first byte on time), JST |
//! | `4DATE` | `YYYYMMDD` CR LF, JST |
//! | `LEAPSEC` | ` 0`, `+1` or `-1` CR LF (the epoch's leap warning) |
//! | `BYE` | a farewell line, then it hangs up |
//! | an empty line | the prompt |
//! | anything else | `? command` CR LF and the prompt |
//!
//! After `LOOP` the prompt comes at once (an assumption: ntpd's driver
//! also copes with none, sending its first `>` after five silent
//! seconds). A damaged `TIME` answer has its first digit replaced by `x`.

use refclock_core::sim::{Epoch, LeapWarning, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::Jst;
use crate::modem_sim::Service;

/// The least time between a `TIME` command and its first answer.
pub const MIN_LEAD_NS: i128 = 20_000_000;

/// The service behind the modem (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct TelJjyService {
    line: Vec<u8>,
    looping: bool,
    finished: bool,
}

impl TelJjyService {
    /// A service waiting for a call.
    pub fn new() -> TelJjyService {
        TelJjyService::default()
    }

    fn prompt(text: &str) -> Message {
        Message::line("ANSWER", format!("{text}>").into_bytes())
    }

    fn command(
        &mut self,
        cmd: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let echo = format!("{}\r\n", String::from_utf8_lossy(cmd));
        let here = timeline.epoch(now.secs());
        let jst = Jst::from_utc(&here.time);
        match cmd {
            b"" => out.push(Self::prompt("")),
            b"TJJY" => out.push(Self::prompt(&format!(
                "{echo}Welcome to the telephone JJY service (simulated)\r\n"
            ))),
            b"LOOP" => {
                self.looping = true;
                out.push(Self::prompt(&echo));
            }
            b"TIME" => {
                out.push(Message::line("ECHO", echo.into_bytes()));
                let first = Timestamp::from_nanos(now.as_nanos() + MIN_LEAD_NS);
                let first = first.secs() + i64::from(first.subsec_nanos() > 0);
                for s in first..first + 3 {
                    let epoch = timeline.epoch(s);
                    let t = Jst::from_utc(&epoch.time);
                    let text = format!("{:02}{:02}{:02}\r\n", t.hour, t.minute, t.second);
                    out.push(
                        Message::line("TIME", text.into_bytes())
                            .naming(&epoch)
                            .due_at(Timestamp::from_secs(epoch.named.secs())),
                    );
                }
                out.push(Message::new("PROMPT", b">".to_vec()));
            }
            b"4DATE" => out.push(Self::prompt(&format!(
                "{echo}{:04}{:02}{:02}\r\n",
                jst.year, jst.month, jst.day
            ))),
            b"LEAPSEC" => {
                let leap = match here.leap {
                    LeapWarning::None => " 0",
                    LeapWarning::Insert => "+1",
                    LeapWarning::Delete => "-1",
                };
                out.push(Self::prompt(&format!("{echo}{leap}\r\n")));
            }
            b"BYE" => {
                out.push(Message::line(
                    "BYE",
                    format!("{echo}Sayounara\r\n").into_bytes(),
                ));
                self.finished = true;
            }
            other => out.push(Self::prompt(&format!(
                "{echo}? {}\r\n",
                String::from_utf8_lossy(other)
            ))),
        }
    }
}

impl Service for TelJjyService {
    fn describe(&self) -> String {
        "NICT telephone JJY".to_string()
    }

    fn answered(&mut self, _at: Timestamp, _timeline: &dyn Timeline, out: &mut Vec<Message>) {
        *self = TelJjyService::new();
        out.push(Message::line(
            "BANNER",
            b"\r\nNICT telephone JJY (simulated)\r\n\r\nName ? ".to_vec(),
        ));
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
            if self.finished {
                return;
            }
            if self.looping && b == b'>' {
                out.push(Message::new("LOOPBACK", vec![b'>']));
                continue;
            }
            match b {
                b'\r' => {
                    let line = std::mem::take(&mut self.line);
                    if self.looping {
                        if line == b"COM" {
                            self.looping = false;
                            out.push(Self::prompt("COM\r\n"));
                        }
                        continue;
                    }
                    self.command(&line, now, timeline, out);
                }
                b'\n' => {}
                c => {
                    if self.line.len() < 64 {
                        self.line.push(c);
                    }
                }
            }
        }
    }

    fn finished(&self) -> bool {
        self.finished
    }

    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "TIME" {
            return false;
        }
        match message.bytes.iter_mut().find(|b| b.is_ascii_digit()) {
            Some(b) => {
                *b = b'x';
                message.corrupt = true;
                true
            }
            None => false,
        }
    }
}
