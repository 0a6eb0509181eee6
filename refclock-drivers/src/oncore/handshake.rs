//! The per-message handlers (`oncore_msg_XX`) and the start-up state
//! machine that runs through them: `@@Cj` → channel test → `@@Cj` →
//! (`@@Cf` reset) → self test → `@@Cj` → configuration → almanac → run.

use refclock_core::{ClockEvent, Context, Timestamp};

use super::codec::{self, be_i32, FixMode, Position};
use super::driver::{State, Survey, Unit, POS_HOLD_AVERAGE};

/// `@@Bn`/`@@En` with TRAIM on and its message on: (msg on, traim on,
/// 0, alarm 10 µs, 2 = pulse on with TRAIM).
const BN_ON: [u8; 15] = [1, 1, 0, 10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// The same with the message off.
const BN_OFF: [u8; 15] = [0, 1, 0, 10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// Message off, TRAIM off.
const BN_NONE: [u8; 15] = [0, 0, 0, 10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

fn cmd(id: &[u8; 2], args: &[u8]) -> Vec<u8> {
    let mut v = id.to_vec();
    v.extend_from_slice(args);
    v
}

fn cmd32(id: &[u8; 2], values: &[i32], tail: &[u8]) -> Vec<u8> {
    let mut v = id.to_vec();
    for x in values {
        v.extend_from_slice(&x.to_be_bytes());
    }
    v.extend_from_slice(tail);
    v
}

impl Unit {
    /// One good message (`@@` to LF) whose first byte came in the read at
    /// `first`.
    pub(super) fn message(&mut self, ctx: &mut Context<'_>, m: &[u8], first: Timestamp) {
        if self.state == State::Dead {
            return;
        }
        let id = [m[2], m[3]];
        match &id {
            b"Cj" => self.on_cj(ctx, m),
            b"Ca" | b"Fa" | b"Ia" => self.on_self_test(ctx, m),
            b"Cf" => self.on_cf(ctx),
            b"Ba" | b"Ea" | b"Ha" => match codec::decode_position(m) {
                Ok(p) => self.on_position(ctx, p, m, first),
                Err(e) => self.bad(ctx, m, e),
            },
            b"Bn" | b"En" | b"Hn" => match codec::decode_traim(m) {
                Ok(t) => self.on_traim(ctx, t),
                Err(e) => self.bad(ctx, m, e),
            },
            b"At" => {
                self.saw_at = true;
                if self.survey == Survey::Testing && m[4] == 2 {
                    ctx.log("Initiating hardware 3D site survey");
                    self.survey = Survey::Hardware;
                }
            }
            b"Ay" if !self.saw_ay => {
                self.saw_ay = true;
                self.offset_ns = i64::from(be_i32(&m[4..]));
                ctx.log(format!("PPS Offset is set to {} ns", self.offset_ns));
            }
            b"Az" => ctx.log(format!("Cable delay is {} ns", be_i32(&m[4..]))),
            b"Ag" => ctx.log(format!("Satellite mask angle is {} degrees", m[4])),
            b"As" | b"Ga" => ctx.log(format!(
                "Position hold position: lat {} mas, lon {} mas, ht {} cm",
                be_i32(&m[4..]),
                be_i32(&m[8..]),
                be_i32(&m[12..])
            )),
            b"Bj" => self.on_bj(ctx, m),
            b"Bl" => self.on_bl(ctx, m),
            b"Gj" => match codec::decode_gj(m) {
                Ok(l) => self.on_gj(ctx, &l),
                Err(e) => self.bad(ctx, m, e),
            },
            b"Gc" => ctx.log(format!("PPS Control set to {}", m[4])),
            b"Cb" => self.on_almanac_page(ctx, m),
            b"Sz" => {
                ctx.log("Oncore: System Failure at Power On");
                ctx.report(ClockEvent::Fault);
                self.state = State::Dead;
            }
            _ => {}
        }
    }

    fn bad(&mut self, ctx: &mut Context<'_>, m: &[u8], e: codec::OncoreError) {
        self.tally.bad += 1;
        ctx.log(format!("bad message: {e}"));
        ctx.clock.save_timecode(&m[..m.len().min(64)]);
        ctx.report(e.event());
    }

    /// `oncore_msg_Cj`: the hub of the handshake.
    fn on_cj(&mut self, ctx: &mut Context<'_>, m: &[u8]) {
        self.timeout = 0;
        if self.state == State::CheckId {
            let (model, number) = codec::model_of(m);
            let text: String = String::from_utf8_lossy(&m[4..m.len() - 3])
                .chars()
                .map(|c| if c == '\r' || !c.is_control() { c } else { '?' })
                .collect();
            for line in text.split('\r') {
                let l = line.trim();
                if !l.is_empty() {
                    ctx.clockstats(l.to_string());
                }
            }
            ctx.log(format!(
                "This looks like an Oncore {model} (model {number})"
            ));
            // oncore_chan_test: ask for all three, see which answer.
            self.state = State::CheckChan;
            ctx.log("state = ONCORE_CHECK_CHAN");
            self.count3 = 1;
            self.send(ctx, &[b'B', b'a', 1]);
            self.send(ctx, &[b'E', b'a', 1]);
            self.send(ctx, &[b'H', b'a', 1]);
        } else if self.state == State::HaveChan {
            if matches!(self.cfg.mode, 3 | 4) {
                self.state = State::ResetSent;
                ctx.log("state = ONCORE_RESET_SENT");
                self.send(ctx, b"Cf");
            } else {
                self.state = State::TestSent;
                ctx.log("state = ONCORE_TEST_SENT");
            }
        }
        if self.state == State::TestSent {
            match self.chan {
                6 => self.send(ctx, b"Ca"),
                8 => self.send(ctx, b"Fa"),
                12 => self.send(ctx, b"Ia"),
                _ => {}
            }
        } else if self.state == State::Init {
            self.cj_init(ctx);
        }
    }

    /// `oncore_msg_Cf`: factory defaults done.
    fn on_cf(&mut self, ctx: &mut Context<'_>) {
        if self.state == State::ResetSent {
            self.send(ctx, &[b'C', b'g', 1]);
            self.state = State::TestSent;
            ctx.log("state = ONCORE_TEST_SENT");
            self.send(ctx, b"Cj");
        }
    }

    /// `oncore_msg_CaFaIa`: the self test's result.
    fn on_self_test(&mut self, ctx: &mut Context<'_>, m: &[u8]) {
        if self.state != State::TestSent {
            return;
        }
        self.timeout = 0;
        let antenna = m[4] >> 6;
        let failed = m[4] & 0x3f != 0 || m[5] != 0 || (m[3] == b'a' && m[2] == b'I' && m[6] != 0);
        if failed {
            ctx.log(format!(
                "self test failed: result {:02x} {:02x}; ONCORE: self test failed, shutting down driver",
                m[4] & 0x3f,
                m[5]
            ));
            ctx.report(ClockEvent::Fault);
            self.state = State::Dead;
            return;
        }
        ctx.log(match antenna {
            0 => "GPS antenna: OK",
            1 => "GPS antenna: short (overcurrent)",
            2 => "GPS antenna: open (not connected)",
            _ => "GPS antenna: short (no voltage)",
        });
        self.state = State::Init;
        ctx.log("state = ONCORE_INIT");
        self.timeout = 4;
        self.send(ctx, b"Cj");
    }

    /// `oncore_msg_Cj_init`: configure the receiver and start it.
    fn cj_init(&mut self, ctx: &mut Context<'_>) {
        if self.chan == 12 {
            self.no_excursions = true;
            if self.status.is_some() && self.cfg.shmem_posn != 0 {
                ctx.log("*** SHMEM partially enabled for ONCORE M12: no POSN2D/POSN3D records ***");
            }
        }
        self.send(ctx, &[b'C', b'g', 1]);
        self.send(ctx, &[b'B', b'b', 1]);
        self.send(ctx, &[b'E', b'k', 0]);
        self.send(ctx, &[b'A', b'w', 1]);
        self.send(ctx, &[b'A', b'B', 4]);
        self.send(ctx, &[b'B', b'e', 1]);
        self.send(ctx, &[b'B', b'd', 1]);
        if self.cfg.position.is_some() {
            ctx.log("Setting Posn from input data");
            self.set_position(ctx);
        } else if self.chan != 12 {
            self.send(ctx, &[b'A', b't', 0xff]);
        }
        if self.cfg.mode != 0 {
            self.send(ctx, &cmd32(b"Az", &[self.cfg.delay_ns as i32], &[]));
            self.send(ctx, &cmd32(b"Ay", &[self.cfg.offset_ns as i32], &[]));
            if let Some(mask) = self.cfg.mask {
                self.send(ctx, &[b'A', b'g', mask]);
            }
        }
        match self.chan {
            6 => {
                self.send(ctx, &[b'E', b'a', 0]);
                self.send(ctx, &cmd(b"En", &BN_OFF));
                self.send(ctx, &[b'H', b'a', 0]);
                self.send(ctx, &[b'H', b'n', 0]);
                self.send(ctx, &[b'B', b'a', 1]);
            }
            8 => {
                self.send(ctx, &[b'B', b'a', 0]);
                self.send(ctx, &cmd(b"Bn", &BN_OFF));
                self.send(ctx, &[b'H', b'a', 0]);
                self.send(ctx, &[b'H', b'n', 0]);
                self.send(ctx, &[b'E', b'a', 1]);
            }
            _ => {
                self.send(ctx, &[b'B', b'a', 0]);
                self.send(ctx, &cmd(b"Bn", &BN_OFF));
                self.send(ctx, &[b'E', b'a', 0]);
                self.send(ctx, &cmd(b"En", &BN_OFF));
                self.send(ctx, &[b'H', b'a', 1]);
                self.send(ctx, &[b'G', b'c', self.cfg.pps_control.unwrap_or(1)]);
            }
        }
        self.count = 1;
        self.state = State::Almanac;
        ctx.log("state = ONCORE_ALMANAC");
    }

    /// `oncore_set_posn`: the position-hold position, then hold.
    pub(super) fn set_position(&mut self, ctx: &mut Context<'_>) {
        if self.chan == 12 {
            self.send(ctx, &[b'G', b'd', 0]);
        } else {
            self.send(ctx, &[b'A', b't', 0]);
            self.send(ctx, &[b'A', b'v', 0]);
        }
        if self.cfg.mode == 0 {
            return;
        }
        let Some((lat, lon, ht)) = self.cfg.position else {
            return;
        };
        self.send(ctx, &cmd32(b"As", &[lat, lon, ht], &[0]));
        self.send(ctx, &cmd32(b"Au", &[ht], &[0]));
        if self.chan == 12 {
            self.send(ctx, &cmd32(b"Ga", &[lat, lon, ht], &[0]));
            self.send(ctx, &[b'G', b'd', 1]);
        } else {
            self.send(ctx, &cmd32(b"Ad", &[lat], &[]));
            self.send(ctx, &cmd32(b"Ae", &[lon], &[]));
            self.send(ctx, &cmd32(b"Af", &[ht], &[0]));
            self.send(ctx, &[b'A', b't', 1]);
        }
    }

    /// `oncore_msg_BaEaHa`: the once-a-second position message.
    fn on_position(&mut self, ctx: &mut Context<'_>, p: Position, m: &[u8], first: Timestamp) {
        if self.state == State::CheckChan {
            self.chan_ck = self.chan_ck.max(p.chan);
            let c = self.count3;
            self.count3 += 1;
            if c < 5 {
                return;
            }
            self.count3 = 0;
            self.chan = self.cfg.chan.unwrap_or(self.chan_ck);
            ctx.log(format!(
                "Testing says chan = {}, using chan = {}",
                self.chan_ck, self.chan
            ));
            self.state = State::HaveChan;
            ctx.log("state = ONCORE_HAVE_CHAN");
            self.timeout = 4;
            self.send(ctx, b"Cj");
            return;
        }
        if !matches!(self.state, State::Almanac | State::Run) {
            return;
        }
        if p.chan != self.chan {
            // Deliberate: another model's message is not ours to use.
            return;
        }
        if self.count > 0 {
            let c = self.count;
            self.count += 1;
            if c < 5 {
                return;
            }
            self.count = 0;
        }
        self.pos = Some(p);
        self.pos_rectime = first;
        self.pos_fresh = true;
        if p.chan == 12 && !self.count5_set && p.utc_decoded() {
            self.count5 = 4;
            self.count5_set = true;
        }
        if self.state == State::Almanac && self.wait_almanac(ctx, &p, first) {
            return;
        }
        if self.once {
            self.once = false;
            self.count2 = 1;
            if self.chan != 12 && !self.saw_at {
                ctx.log("Not Good, no @@At command (no Position Hold), must be a GT/GT+");
                self.send(ctx, &[b'A', b'v', 1]);
            }
            match self.cfg.mode {
                2 | 4 => {
                    ctx.log("SSstate = ONCORE_SS_TESTING");
                    self.survey = Survey::Testing;
                    self.count1 = 1;
                    if self.chan == 12 {
                        self.send(ctx, &[b'G', b'd', 3]);
                    } else {
                        self.send(ctx, &[b'A', b't', 2]);
                    }
                }
                _ => {
                    self.survey = Survey::Done;
                    ctx.log("SSstate = ONCORE_SS_DONE");
                }
            }
            self.send(ctx, &[b'A', b'y', 0xff, 0xff, 0xff, 0xff]);
            self.send(ctx, &[b'A', b'z', 0xff, 0xff, 0xff, 0xff]);
            self.send(ctx, &[b'A', b'g', 0xff]);
        }
        if self.survey == Survey::Testing && self.count1 > 0 {
            let c = self.count1;
            self.count1 += 1;
            if self.chan == 12 {
                if c > 5 || p.survey_running() {
                    self.count1 = 0;
                    self.survey = if p.survey_running() {
                        ctx.log("Initiating hardware 3D site survey");
                        Survey::Hardware
                    } else {
                        Survey::Software
                    };
                }
            } else if c > 5 {
                self.count1 = 0;
                ctx.log(format!(
                    "Initiating software 3D site survey ({POS_HOLD_AVERAGE} samples)"
                ));
                self.survey = Survey::Software;
                self.ss_sum = [0.0; 3];
                self.ss_count = 0;
                self.send(ctx, &[b'A', b't', 0]);
                self.send(ctx, &[b'A', b'v', 0]);
            }
        }
        self.fix = match p.mode() {
            FixMode::Unknown => self.fix,
            m => m,
        };
        if let Some((at, data)) = self.status.as_mut().and_then(|s| s.record_fix(m, self.fix)) {
            ctx.status_write(at, data);
        }
        if self.traim_delay > 0 {
            let c = self.traim_delay;
            self.traim_delay += 1;
            if c > 5 {
                self.traim = 0;
                self.traim_delay = 0;
                ctx.log("ONCORE: Did not detect TRAIM response, TRAIM = OFF");
                self.set_traim(ctx);
            } else {
                return;
            }
        }
        if matches!(self.survey, Survey::Hardware | Survey::Software) {
            self.site_survey(ctx, &p);
        }
        if self.count2 > 0 {
            let c = self.count2;
            self.count2 += 1;
            if c > 5 {
                self.count2 = 0;
                if !self.saw_ay && self.offset_ns != 0 {
                    ctx.log("No @@Ay command, PPS OFFSET ignored");
                    self.offset_ns = 0;
                }
            }
        }
        self.check_leap(ctx, &p);
        if self.status.is_some()
            && !self.no_excursions
            && self.cfg.shmem_posn != 0
            && self.survey == Survey::Done
        {
            self.position_excursion(ctx, p.time.second);
        }
        if self.traim == 0 {
            self.get_timestamp(ctx, self.offset_ns);
        }
    }

    /// `oncore_wait_almanac`: true while there is none.
    fn wait_almanac(&mut self, ctx: &mut Context<'_>, p: &Position, now: Timestamp) -> bool {
        if p.bad_almanac() {
            self.counta += 1;
            if self.counta.is_multiple_of(5) {
                ctx.log("Waiting for Almanac");
            }
            if !self.almanac_loaded {
                self.almanac_loaded = true;
                self.load_almanac(ctx, now);
            }
            return true;
        }
        match self.chan {
            6 => self.send(ctx, &cmd(b"Bn", &BN_ON)),
            8 => self.send(ctx, &cmd(b"En", &BN_ON)),
            _ => {
                self.send(ctx, &[b'G', b'c', self.cfg.pps_control.unwrap_or(1)]);
                self.send(ctx, &[b'G', b'e', 1]);
                self.send(ctx, &[b'H', b'n', 1]);
            }
        }
        self.traim_delay = 1;
        ctx.log("Have now loaded an ALMANAC");
        self.state = State::Run;
        ctx.log("state = ONCORE_RUN");
        false
    }

    /// `oncore_set_traim`.
    fn set_traim(&mut self, ctx: &mut Context<'_>) {
        self.traim = match self.cfg.traim {
            Some(t) => i8::from(t),
            None => i8::from(self.traim_ck),
        };
        ctx.log(format!("Using TRAIM = {}", self.traim));
        if self.traim_ck && self.traim == 0 {
            match self.chan {
                6 => self.send(ctx, &cmd(b"Bn", &BN_NONE)),
                8 => self.send(ctx, &cmd(b"En", &BN_NONE)),
                _ => self.send(ctx, &[b'G', b'e', 0]),
            }
            self.send(ctx, &[b'H', b'n', 0]);
        }
    }

    /// `oncore_msg_BnEnHn`: TRAIM's verdict; the sample of the pulse it
    /// describes, corrected by the sawtooth the previous message gave.
    fn on_traim(&mut self, ctx: &mut Context<'_>, t: codec::Traim) {
        if self.state != State::Run || t.chan != self.chan {
            return;
        }
        if self.traim_delay > 0 {
            self.traim_ck = true;
            self.traim_delay = 0;
            ctx.log("ONCORE: Detected TRAIM, TRAIM = ON");
            self.set_traim(ctx);
        }
        if self.traim != 1 {
            return;
        }
        if t.status != 0 {
            if t.chan == 12 {
                ctx.log("BAD TRAIM");
            }
            return;
        }
        let dt = i64::from(self.sawtooth) + self.offset_ns;
        self.sawtooth = t.sawtooth;
        self.get_timestamp(ctx, dt);
    }

    /// `oncore_ss`: the end of the receiver's survey, or ours.
    fn site_survey(&mut self, ctx: &mut Context<'_>, p: &Position) {
        if self.survey == Survey::Hardware {
            if (self.chan == 8 || self.chan == 12) && !p.survey_running() {
                ctx.log("Now in 0D mode");
                if self.chan == 12 {
                    self.send(
                        ctx,
                        &[
                            b'G', b'a', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                            0xff, 0xff, 0xff,
                        ],
                    );
                } else {
                    self.send(
                        ctx,
                        &[
                            b'A', b's', 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff,
                            0xff, 0xff, 0xff,
                        ],
                    );
                }
                ctx.log("SSstate = ONCORE_SS_DONE");
                self.survey = Survey::Done;
            }
            return;
        }
        if p.bad_fix() || self.fix != FixMode::Fix3D {
            return;
        }
        self.ss_sum[0] += f64::from(p.lat);
        self.ss_sum[1] += f64::from(p.lon);
        self.ss_sum[2] += f64::from(p.height);
        self.ss_count += 1;
        if self.ss_count != POS_HOLD_AVERAGE {
            return;
        }
        let n = f64::from(POS_HOLD_AVERAGE);
        let pos = (
            (self.ss_sum[0] / n) as i32,
            (self.ss_sum[1] / n) as i32,
            (self.ss_sum[2] / n) as i32,
        );
        ctx.log(format!(
            "Surveyed posn: lat {} (mas) long {} (mas) ht {} (cm)",
            pos.0, pos.1, pos.2
        ));
        self.cfg.position = Some(pos);
        self.set_position(ctx);
        ctx.log("Now in 0D mode");
        ctx.log("SSstate = ONCORE_SS_DONE");
        self.survey = Survey::Done;
    }
}
