//! One sentence through the NMEA driver: ntpd 4.2.8p18's `nmea_procrec`
//! in its order of checks (see the module documentation of
//! [`super`]).

use refclock_core::calendar::CivilTime;
use refclock_core::clock::DecodedFields;
use refclock_core::{pps, ClockEvent, ClockFlags, Context, Leap, Timestamp};

use super::calgps::{self, DateType, Dating, DATE_HOLD};
use super::driver::{
    sentence_mode, SeenChecksum, Tally, Unit, MODE_DATETRUST, MODE_DELAYMEAS, MODE_IGNSTATUS,
    MODE_MESSAGE_MASK, MODE_QUIETPPS, PPS_PRECISION,
};
use super::parse::{self, Checksum, Date, ParseError, SentenceKind, Status, MAX_LINE};

impl Unit {
    fn count(&mut self, f: impl Fn(&mut Tally)) {
        f(&mut self.tally);
        f(&mut self.totals);
    }

    /// One line from the framer (`nmea_receive`'s per-line step): the
    /// sentence starts at the first `$`; a line with none, or one longer
    /// than the buffer, is dropped as ntpd's assembler drops it.
    pub(super) fn procline(
        &mut self,
        ctx: &mut Context<'_>,
        raw: &[u8],
        overflow: bool,
        rectime: Timestamp,
    ) {
        let start = raw.iter().position(|&b| b == b'$');
        match start {
            Some(s) if !overflow => {
                let mut buf = [0u8; MAX_LINE];
                let line = &raw[s..raw.len().min(s + MAX_LINE)];
                buf[..line.len()].copy_from_slice(line);
                self.procrec(ctx, &mut buf[..line.len()], rectime);
            }
            _ => self.count(|t| t.dropped += 1),
        }
    }

    /// `nmea_procrec`: one sentence received at `rectime`.
    fn procrec(&mut self, ctx: &mut Context<'_>, line: &mut [u8], rectime: Timestamp) {
        let fudge = ctx.fudge();
        let mode = fudge.mode;
        let (time1, time2) = (fudge.time1(), fudge.time2());
        let flag1 = fudge.flag(ClockFlags::FLAG1);
        let flag4 = fudge.flag(ClockFlags::FLAG4);

        let frame = match parse::frame(line) {
            Ok(f) => f,
            Err(ParseError::Empty) => return,
            Err(e) => {
                ctx.log(format!(
                    "invalid data: '{}': {e}",
                    String::from_utf8_lossy(line)
                ));
                ctx.report(ClockEvent::BadReply);
                self.count(|t| t.invalid += 1);
                return;
            }
        };
        self.count(|t| t.total += 1);
        let kind = match parse::identify(frame.body) {
            Ok(k) => k,
            Err(_) => {
                self.count(|t| t.unknown += 1);
                return;
            }
        };

        if mode & MODE_DELAYMEAS != 0 {
            let name_end = line.iter().position(|&b| b == b',').unwrap_or(line.len());
            ctx.clockstats(format!(
                "delay {:.6} {}",
                rectime.subsec_nanos() as f64 * 1e-9,
                String::from_utf8_lossy(&line[..name_end])
            ));
        }

        if mode & MODE_MESSAGE_MASK != 0 && mode & sentence_mode(kind) == 0 {
            self.count(|t| t.filtered += 1);
            return;
        }

        // Once a sentence type has come with a checksum, it must always.
        let seen = match frame.checksum {
            Checksum::None => SeenChecksum::Without,
            Checksum::Valid => SeenChecksum::With,
        };
        let slot = &mut self.cksum[kind.index()];
        if *slot <= seen {
            *slot = seen;
        } else {
            ctx.log(ParseError::MissingChecksum { kind }.to_string());
            ctx.report(ClockEvent::BadReply);
            self.count(|t| t.malformed += 1);
            return;
        }

        // ZDG is GPS time; never mix it with UTC.
        if kind == SentenceKind::Zdg {
            if !self.gps_time {
                self.gps_time = true;
                ctx.log("using GPS time as if it were UTC");
            }
        } else if self.gps_time {
            self.count(|t| t.filtered += 1);
            return;
        }

        let fields = parse::Fields::split(frame.body);
        let name = fields.get(0);
        let talker = parse::Talker([name[0], name[1]]);
        let s = parse::decode_fields(kind, talker, frame.checksum, &fields);

        // Which date to take, given the one held (`type_gpsdate`).
        let date_type = match kind {
            SentenceKind::Rmc => DateType::TwoDigitYear,
            SentenceKind::Pgrmf => DateType::Week10Bit,
            SentenceKind::Zda | SentenceKind::Zdg => DateType::FourDigitYear,
            SentenceKind::Pubx04 => DateType::WeekExtended,
            SentenceKind::Gga | SentenceKind::Gll => DateType::None,
        };
        let date_type = if date_type != DateType::None && self.type_gpsdate <= date_type {
            date_type
        } else {
            DateType::None
        };
        if s.status != Status::NotReported {
            ctx.clock.leap = if s.status == Status::InSync {
                Leap::NoWarning
            } else {
                Leap::NotInSync
            };
        }
        if flag4 {
            parse::obscure_position(line, kind);
        }
        if mode & MODE_IGNSTATUS != 0 {
            ctx.clock.leap = Leap::NoWarning;
        }

        // ntpd's order of checks: status, then time, then the date (when
        // this sentence's date is to be used at all).
        let verdict = if ctx.clock.leap == Leap::NotInSync {
            Err((ClockEvent::Prop, None))
        } else {
            match (s.time, s.date) {
                (Err(e), _) => Err((ClockEvent::BadTime, Some(e))),
                (Ok(time), _) if date_type == DateType::None => Ok((time, None)),
                (Ok(time), Ok(Some(date))) => Ok((time, Some(date))),
                (Ok(_), Err(e)) => Err((ClockEvent::BadDate, Some(e))),
                (Ok(_), Ok(None)) => Err((ClockEvent::BadDate, None)),
            }
        };
        let (time, date) = match verdict {
            Ok(v) => v,
            Err((event, err)) => {
                if event == ClockEvent::Prop {
                    self.count(|t| t.rejected += 1);
                } else {
                    self.count(|t| t.malformed += 1);
                }
                if let Some(e) = err {
                    ctx.log(e.to_string());
                }
                ctx.clock.save_timecode(line);
                ctx.report(event);
                return;
            }
        };

        // The receive time: PPS edge when one relates, else minus time2.
        let mut rcv = rectime.add_secs_f64(-time2);
        let mut with_pps = false;
        if flag1 && ctx.clock.leap != Leap::NotInSync {
            if let Some(t) = pps::augment(self.pps_edge, rcv, time1) {
                rcv = t;
                with_pps = true;
            }
        }

        // ZDG states the second that the *next* PPS starts.
        let tod = time.nanos_of_day()
            - if kind == SentenceKind::Zdg {
                1_000_000_000
            } else {
                0
            };
        let dating = Dating::new(self.basedate, rectime);
        let mut warp = mode & MODE_DATETRUST == 0;
        if let Some(date) = date {
            let held = match date {
                Date::GpsWeek {
                    week,
                    tow,
                    tow_nanos,
                    leap,
                } => {
                    if date_type == DateType::Week10Bit {
                        warp = true;
                    }
                    calgps::from_gps_week(week, tow, tow_nanos, leap, &dating)
                }
                Date::Ddmmyy { day, month, yy } => {
                    calgps::from_calendar(yy as i32, month, day, tod, warp, &dating)
                }
                Date::DayMonthYear { day, month, year } => {
                    calgps::from_calendar(year as i32, month, day, tod, warp, &dating)
                }
            };
            self.last_gpsdate = Some(held);
            self.type_gpsdate = date_type;
            self.hold_gpsdate = DATE_HOLD;
        }
        let pivot = match self.last_gpsdate {
            Some(d) if self.hold_gpsdate > 0 => d,
            _ => rcv,
        };
        let reftime = calgps::from_daytime_warped(tod, pivot, warp, &dating);

        if self.last_reftime == Some(reftime) {
            self.count(|t| t.filtered += 1);
            return;
        }
        self.last_reftime = Some(reftime);
        self.count(|t| t.accepted += 1);
        ctx.clock.save_timecode(line);
        let civil = CivilTime::from_timestamp(reftime);
        ctx.clock.fields = DecodedFields {
            year: civil.year,
            day: civil.yday(),
            hour: civil.hour,
            minute: civil.minute,
            second: civil.second,
            nsec: civil.nanos,
        };
        if with_pps {
            self.ppsapi_gate = true;
            self.precision = PPS_PRECISION;
            if reftime.diff(rcv).abs() < 0.5 {
                if mode & MODE_QUIETPPS == 0 {
                    self.pps_flag = true;
                }
                self.count(|t| t.pps_used += 1);
            }
        }
        ctx.process_offset(reftime, rcv, 0.0);
        self.rcvtout = 2;
    }
}
