//! The AT command interpreter of [`HayesModem`] (see the module
//! documentation of [`crate::modem_sim`] for the commands).

use refclock_core::sim::{Message, Timeline};
use refclock_core::Timestamp;

use super::{Code, HayesModem, Service, State};

impl<S: Service> HayesModem<S> {
    /// One command line (without its CR); a line without `AT` is
    /// ignored.
    pub(super) fn command(
        &mut self,
        line: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let text = String::from_utf8_lossy(line).to_ascii_uppercase();
        let Some(start) = text.find("AT") else {
            return; // not a command: a modem ignores it
        };
        let cmd: Vec<char> = text[start + 2..].chars().collect();
        let mut i = 0;
        let num = |i: &mut usize| -> u32 {
            let mut n = 0u32;
            while *i < cmd.len() && cmd[*i].is_ascii_digit() {
                n = n
                    .saturating_mul(10)
                    .saturating_add(cmd[*i] as u32 - '0' as u32);
                *i += 1;
            }
            n
        };
        while i < cmd.len() {
            let c = cmd[i];
            i += 1;
            match c {
                ' ' => {}
                'D' => {
                    let dial: String = cmd[i..].iter().collect();
                    return self.dial(&dial, now, timeline, out);
                }
                'E' => self.echo = num(&mut i) != 0,
                'Q' => self.quiet = num(&mut i) == 1,
                'V' => self.verbose = num(&mut i) != 0,
                'Z' => {
                    num(&mut i);
                    self.defaults();
                }
                'H' => {
                    if num(&mut i) == 0 {
                        self.state = State::Command;
                    }
                }
                'O' => {
                    num(&mut i);
                    return match self.state {
                        State::Escaped { since, outcome } => {
                            self.state = State::Online { since, outcome };
                            self.result(Code::Connect, out);
                        }
                        _ => self.result(Code::NoCarrier, out),
                    };
                }
                'A' => return self.result(Code::NoCarrier, out),
                'I' => {
                    num(&mut i);
                    if !self.quiet {
                        let m = Message::new("INFO", b"\r\nrefclock simulated modem".to_vec());
                        out.push(m);
                    }
                }
                'S' => {
                    num(&mut i);
                    match cmd.get(i) {
                        Some('=') => {
                            i += 1;
                            num(&mut i);
                        }
                        Some('?') => {
                            i += 1;
                            if !self.quiet {
                                out.push(Message::new("INFO", b"\r\n000".to_vec()));
                            }
                        }
                        _ => return self.result(Code::Error, out),
                    }
                }
                '&' if cmd.get(i) == Some(&'F') => {
                    i += 1;
                    num(&mut i);
                    self.defaults();
                }
                '&' | '%' | '\\' => match cmd.get(i) {
                    Some(l) if l.is_ascii_alphabetic() => {
                        i += 1;
                        num(&mut i);
                    }
                    _ => return self.result(Code::Error, out),
                },
                '+' => {
                    while i < cmd.len() && cmd[i] != ';' {
                        i += 1;
                    }
                    i += 1;
                }
                'B' | 'L' | 'M' | 'N' | 'P' | 'T' | 'W' | 'X' | 'Y' => {
                    num(&mut i);
                }
                _ => return self.result(Code::Error, out),
            }
        }
        self.result(Code::Ok, out);
    }
}
