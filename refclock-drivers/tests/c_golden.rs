//! Our drivers against the C `ntp-refclock` (0.7 with ntpd 4.2.8p18), on
//! the bytes it was given, without the C program: each directory under
//! `tests/golden/` is a run of it recorded by `tools/c-compare` (see its
//! README): the simulated device's output with write times (`truth.log`),
//! the C program's samples (`c.samples`), its polls (`c.timing`).
//!
//! Each case replays the device's output into our driver: every message
//! at the receive time the C program had for it (that of the C sample
//! naming the message's second: for NMEA and GPSD JSON `time + time2`; a message
//! without one at the write time of its `end` byte), the once-a-second
//! timer at the C program's ticks and the poll at its polls. (Heath's
//! samples carry their poll's timestamp, not a receive time: its polls
//! are replayed at the C samples' times, its messages at their `end`.) Then our
//! samples must be the C program's: as many, each with the same receive
//! time, reference time (`time + offset`) within 2 µs and the same leap,
//! except for what `expected-differences` lists (a `ref` line's values may
//! be `REF/LEAP` when the leap indicators differ too); those differences are
//! asserted exactly, and each names the deliberate difference in the
//! driver's module documentation, quoting it. What our driver writes to
//! the device must be what the C program wrote (the truth log's `INPUT`
//! lines), in the same order, except for bytes only the C program wrote
//! that `expected-differences` lists (`write=N bytes L 0`: the L bytes
//! from byte N of its writes) and bytes only ours wrote (`write=N bytes 0
//! L`: the L bytes from byte N of ours), each with its quote likewise.
//!
//! A case whose directory holds a file `no-c-samples` (saying why: the
//! C driver needs a PPS line a pty cannot give, as ntpd's Jupiter does)
//! may have no C samples; ours must have none either, and the writes are
//! compared as always.
//!
//! A case with a file `pps` was recorded with the C program's PPS API
//! answered by a shim (an edge at every whole second, the assert offset
//! applied as the kernel does; see `pps`): the replay gives our driver
//! the same edges, each message at the write time of its `end` byte (the
//! C program's sample time is the edge's, not a receive time), and the
//! serial device as its PPS source. A line `clear=F` in `pps` (the
//! shim's `PPSSHIM_CLEAR`) adds a clear edge F s after each assert edge.
//! Edges and the C program's ticks are given in time order, each edge
//! before the message or tick that follows it. A file `driver-options` gives our
//! driver's options, one `NAME[=VALUE]` a line; a VALUE naming a file of
//! the case directory is given as that file's path.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use refclock_core::calendar::Basedate;
use refclock_core::{Action, ClockFlags, DriverConfig, Fudge, PortEvent, PortId, Timestamp};
use refclock_drivers::registry;

const NS: i128 = 1_000_000_000;
/// Largest difference of reference times that counts as the same.
const TOLERANCE_NS: i128 = 2_000;

/// One `SAMPLE:` line, times in nanoseconds.
#[derive(Clone, Debug)]
struct Sample {
    text: String,
    time: i128,
    reference: i128,
    leap: u8,
}

fn parse_sample(line: &str) -> Option<Sample> {
    let rest = line.strip_prefix("SAMPLE: ")?;
    let field = |key: &str| {
        rest.split_whitespace()
            .find_map(|f| f.strip_prefix(key)?.strip_prefix('='))
    };
    let time = parse_time(field("time")?)?;
    let offset = (field("offset")?.parse::<f64>().ok()? * 1e9).round() as i128;
    Some(Sample {
        text: line.to_string(),
        time,
        reference: time + offset,
        leap: field("leap")?.parse().ok()?,
    })
}

fn second_of(ns: i128) -> i64 {
    (ns + NS / 2).div_euclid(NS) as i64
}

/// `SEC.NNNNNNNNN` (the truth log's times), or `SEC.UUUUUU`.
fn parse_time(s: &str) -> Option<i128> {
    let (secs, frac) = s.split_once('.')?;
    let scale = 10i128.pow(9u32.checked_sub(frac.len() as u32)?);
    Some(secs.parse::<i128>().ok()? * NS + frac.parse::<i128>().ok()? * scale)
}

fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'\\' && tail.len() >= 3 && tail[0] == b'x' {
            let hex = std::str::from_utf8(&tail[1..3]).expect("ASCII escape");
            out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
            rest = &tail[3..];
        } else {
            out.push(b);
            rest = tail;
        }
    }
    out
}

/// `key=value` of a truth-log line (`text=` is last and taken whole).
fn truth_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let (head, text) = line.split_once(" text=")?;
    if key == "text" {
        return Some(text);
    }
    head.split(' ')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

/// A message the simulated device wrote.
#[derive(Debug)]
struct Message {
    named: Option<i64>,
    /// When its first byte and its `end` byte were written.
    first: i128,
    eol: i128,
    bytes: Vec<u8>,
}

/// One recorded run of the C program.
struct Case {
    name: String,
    dir: PathBuf,
    kind: u8,
    fudge: Fudge,
    c_samples: Vec<Sample>,
    messages: Vec<Message>,
    /// What the C program wrote to the device, as the simulator read it.
    c_wrote: Vec<u8>,
    start: i128,
    stop: i128,
    /// Tick number → when the C program polled at it.
    polls: BTreeMap<u64, i128>,
    /// PPS edges at every whole second (a file `pps`).
    pps: bool,
    /// Clear edges this long after each assert edge (`clear=F` in `pps`).
    pps_clear: Option<i128>,
    /// Our driver's options (a file `driver-options`).
    options: Vec<(String, Option<String>)>,
    /// The C program's `-p` numbers.
    phones: Vec<String>,
}

fn read(dir: &Path, file: &str) -> String {
    let path = dir.join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl Case {
    fn load(dir: &Path) -> Case {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let command = read(dir, "command");
        let words: Vec<&str> = command
            .lines()
            .find_map(|l| l.strip_prefix("c-command: "))
            .unwrap_or_else(|| panic!("{name}: no c-command line"))
            .split_whitespace()
            .collect();
        let addr = words
            .iter()
            .position(|w| w.starts_with("127.127."))
            .unwrap();
        let kind = words[addr].split('.').nth(2).unwrap().parse().unwrap();
        let interval: u32 = words[words.iter().position(|&w| w == "-i").unwrap() + 1]
            .parse()
            .unwrap();
        // `-p` numbers (telephone JJY), before the address.
        let phones: Vec<String> = words[..addr]
            .windows(2)
            .filter(|w| w[0] == "-p")
            .map(|w| w[1].to_string())
            .collect();
        let mut fudge = Fudge::default();
        for kv in words[addr + 1..].chunks(2) {
            match kv[0] {
                "mode" => fudge.mode = kv[1].parse().unwrap(),
                "time1" => fudge.time1 = Some(kv[1].parse().unwrap()),
                "time2" => fudge.time2 = Some(kv[1].parse().unwrap()),
                flag => {
                    let n = flag.strip_prefix("flag").unwrap().parse().unwrap();
                    fudge
                        .flags
                        .set(ClockFlags::numbered(n).unwrap(), kv[1] != "0");
                }
            }
        }
        let c_samples = read(dir, "c.samples")
            .lines()
            .map(|l| parse_sample(l).unwrap_or_else(|| panic!("{name}: c.samples: {l}")))
            .collect();
        let mut garbage = BTreeMap::new();
        if dir.join("garbage").exists() {
            for line in read(dir, "garbage").lines() {
                if let Some(rest) = line.strip_prefix("GARBAGE seq=") {
                    let (seq, bytes) = rest.split_once(" bytes=").unwrap();
                    garbage.insert(seq.parse::<u64>().unwrap(), unescape(bytes));
                }
            }
        }
        let mut messages = Vec::new();
        let mut c_wrote = Vec::new();
        for line in read(dir, "truth.log").lines() {
            if let Some(rest) = line.strip_prefix("INPUT ") {
                c_wrote.extend(unescape(rest.split_once(" text=").unwrap().1));
            } else if line.starts_with("TRUTH ") {
                let f = |k| truth_field(line, k).unwrap_or_else(|| panic!("{name}: {k}: {line}"));
                let (Some(first), Some(eol), Some(last)) = (
                    parse_time(f("first")),
                    parse_time(f("eol")),
                    parse_time(f("last")),
                ) else {
                    continue; // not written
                };
                let seq: u64 = f("seq").parse().unwrap();
                let mut bytes = unescape(f("text"));
                // The log leaves out a line's end; the simulated devices
                // end lines with CR LF, the CR being the `end` byte.
                if last > eol {
                    bytes.extend(b"\r\n");
                } else if (kind == 8 && fudge.mode & 0x7f == 3)
                    || kind == 19
                    || kind == 37
                    || (kind == 34 && fudge.flags.contains(ClockFlags::FLAG1))
                {
                    // ELV DCF7000 (PARSE mode 3) and the Heath GC-1000 end
                    // their frames with a bare CR, which the log leaves
                    // out as well; so do the Forum Graphic's replies
                    // (`DLE CR`) and the polled Ultralinks' answers.
                    bytes.push(b'\r');
                } else if kind == 40
                    && matches!(fudge.mode, 3 | 4)
                    && !bytes.is_empty()
                    && bytes != [0x1a]
                {
                    // So do JJY's LT-2000 and JJY-200 (their SUB byte
                    // stands alone).
                    bytes.push(b'\r');
                } else if matches!(kind, 3 | 10) {
                    // So do the PSTI (PST) and the Austron 2201A.
                    bytes.push(b'\r');
                }
                if kind == 30 {
                    restore_oncore_end(&mut bytes);
                }
                bytes.extend(garbage.remove(&seq).unwrap_or_default());
                messages.push(Message {
                    named: parse_time(f("named")).map(second_of),
                    first,
                    eol,
                    bytes,
                });
            }
        }
        assert!(garbage.is_empty(), "{name}: garbage for unknown messages");
        let (mut start, mut stop, mut polls) = (0, 0, BTreeMap::new());
        for line in read(dir, "c.timing").lines() {
            let at = |l: &str| parse_time(l.split_once("at=").unwrap().1).unwrap();
            if line.starts_with("START ") {
                start = at(line);
            } else if line.starts_with("STOP ") {
                stop = at(line);
            } else if let Some(rest) = line.strip_prefix("POLL tick=") {
                polls.insert(
                    rest.split_whitespace().next().unwrap().parse().unwrap(),
                    at(line),
                );
            }
        }
        // A C program whose driver refused to start (NeoClock4X on a
        // pty: `no-c-samples`) exits before its first poll.
        let refused = dir.join("no-c-samples").exists() && polls.is_empty();
        assert!(
            start > 0 && stop > start && (refused || !polls.is_empty()),
            "{name}: c.timing"
        );
        // ntpd polls at its first tick, then 2^N s after each poll or
        // sooner (refclock_checkburst: at the next tick once enough
        // samples wait): a longer gap means a lost debug line.
        let ticks: Vec<u64> = polls.keys().copied().collect();
        assert!(
            refused || (ticks[0] == 1 && ticks.windows(2).all(|w| w[1] - w[0] <= 1 << interval)),
            "{name}: the C program's polls are not -i {interval}'s: {ticks:?}"
        );
        let options = if dir.join("driver-options").exists() {
            read(dir, "driver-options")
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(|l| match l.trim().split_once('=') {
                    Some((k, v)) if dir.join(v).is_file() => {
                        (k.to_string(), Some(dir.join(v).display().to_string()))
                    }
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (l.trim().to_string(), None),
                })
                .collect()
        } else {
            Vec::new()
        };
        Case {
            pps: dir.join("pps").exists(),
            pps_clear: dir
                .join("pps")
                .exists()
                .then(|| read(dir, "pps"))
                .and_then(|t| {
                    t.lines()
                        .find_map(|l| l.trim().strip_prefix("clear="))
                        .map(|f| (f.parse::<f64>().unwrap() * 1e9).round() as i128)
                }),
            options,
            phones,
            name,
            dir: dir.to_path_buf(),
            kind,
            fudge,
            c_samples,
            messages,
            c_wrote,
            start,
            stop,
            polls,
        }
    }

    /// The C program's receive time of the message that gave sample `s`
    /// and the second it names: NMEA's and GPSD JSON's `time` is the
    /// receive time − time2 (GPSD JSON: with a TOFF or PPS object gpsd's
    /// time, whatever the receive time) and its reference time the named
    /// second; the others' `time` is the
    /// receive time and time1 is in their reference time.
    fn receipt(&self, s: &Sample) -> (i128, i64) {
        let secs = |x: f64| (x * 1e9).round() as i128;
        if self.kind == 20 || self.kind == 46 {
            (s.time + secs(self.fudge.time2()), second_of(s.reference))
        } else if self.kind == 40 && self.fudge.mode == 3 {
            // JJY's LT-2000: the line comes half a second before the
            // second it names, and the reference is that half second.
            (
                s.time,
                second_of(s.reference - secs(self.fudge.time1()) + NS / 2),
            )
        } else {
            (s.time, second_of(s.reference - secs(self.fudge.time1())))
        }
    }

    /// Each message's receive time: that of the C sample naming its
    /// second, when the message had begun before that sample was taken
    /// (Zyfer's is taken at the `!`); for a C sample naming no message's
    /// second (the C program decoded a wrong one), the last message begun
    /// before it; otherwise the write time of its `end` byte.
    fn receive_times(&self) -> Vec<i128> {
        let mut times: Vec<Option<i128>> = vec![None; self.messages.len()];
        let own_times = self.pps || self.poll_stamped() || self.kind == 27;
        for s in self.c_samples.iter().filter(|_| !own_times) {
            let (at, named) = self.receipt(s);
            if at < self.start || at > self.stop {
                // Not a receive time (PARSE's Schmid format never stamps
                // its frames): the message's own write time stands.
                continue;
            }
            let mut found = false;
            for (i, m) in self.messages.iter().enumerate() {
                if m.named == Some(named) && m.first <= at && times[i].is_none() {
                    times[i] = Some(at);
                    found = true;
                }
            }
            if !found {
                let last = self
                    .messages
                    .iter()
                    .rposition(|m| m.named.is_some() && m.first <= at);
                if let Some(i) = last.filter(|&i| times[i].is_none()) {
                    times[i] = Some(at);
                }
            }
        }
        if self.kind == 27 {
            self.arcron_times(&mut times);
        }
        let mut out = Vec::with_capacity(times.len());
        for (t, m) in times.into_iter().zip(&self.messages) {
            // Never before the message before it: reads come in order.
            let t = t.unwrap_or(m.eol).max(out.last().copied().unwrap_or(0));
            out.push(t);
        }
        out
    }

    /// The Arcron's timecode is a message a character (the simulated
    /// clock times each as at 300 baud, 11 bits); the C sample's time is
    /// its earliest estimate, a read's time less the line time of the
    /// characters up to it: each character of the timecode a C sample
    /// names is received at the sample's time plus that line time (ntpd's
    /// `charoffsets`), the others when written.
    fn arcron_times(&self, times: &mut [Option<i128>]) {
        let secs = |x: f64| (x * 1e9).round() as i128;
        for s in &self.c_samples {
            let named = second_of(s.reference - secs(self.fudge.time1()));
            let Some(i) = self.messages.iter().position(|m| m.named == Some(named)) else {
                continue;
            };
            for k in 1..=16 {
                if let Some(t) = times.get_mut(i + k - 1) {
                    *t = Some(s.time + (22 * k as i128 - 1) * NS / 600);
                }
            }
        }
    }

    /// Whether the driver stamps a sample with the time of the poll that
    /// asked for it (the Austron without flag2; the Heath, whose clock
    /// states the time of the RTS pulse the poll gives): its messages are
    /// then received at the write time of their `end` byte, and each poll
    /// is at the time of the C sample it gave.
    fn poll_stamped(&self) -> bool {
        self.kind == 19
            || (self.kind == 10 && !self.fudge.flags.contains(refclock_core::ClockFlags::FLAG2))
    }

    /// The C program's ticks (one a second from its first), each with
    /// whether it polled: timed by the polls' debug lines (for a
    /// poll-stamped driver, a poll by its C sample's time, when it gave
    /// one: the debug line comes a little later).
    fn ticks(&self) -> Vec<(i128, bool)> {
        let mut out = Vec::new();
        if self.polls.is_empty() {
            // It exited at start (see `refused` in `load`).
            return out;
        }
        for tick in 1.. {
            let (k, at) = self.polls.range(..=tick).next_back().unwrap();
            let mut t = at + i128::from(tick - k) * NS;
            if t >= self.stop {
                break;
            }
            let poll = self.polls.contains_key(&tick);
            if poll && self.poll_stamped() {
                if let Some(s) = self.c_samples.iter().find(|s| (s.time - t).abs() < NS / 2) {
                    t = s.time;
                }
            }
            out.push((t, poll));
        }
        out
    }

    /// Our driver on the C program's input: its samples (as lines) and
    /// everything it wrote to the device.
    fn replay(&self) -> (Vec<Sample>, Vec<u8>) {
        let null = || Some(PathBuf::from("/dev/null"));
        let config = DriverConfig {
            unit: 0,
            fudge: self.fudge.clone(),
            basedate: Basedate::default(),
            options: self.options.clone(),
            phones: self.phones.clone(),
            // The PPS source is the serial device itself (one file).
            device: if self.pps { null() } else { None },
            pps_device: if self.pps { null() } else { None },
        };
        let mut clock = registry::start(self.kind, config)
            .unwrap_or_else(|| panic!("{}: driver {} not built", self.name, self.kind))
            .unwrap_or_else(|e| panic!("{}: {e}", self.name));
        let (mut samples, mut wrote) = (Vec::new(), Vec::new());
        let mut drain = |clock: &mut dyn refclock_core::Refclock| {
            // An on-demand port (a modem's) opens and closes when asked,
            // as the C program's device did.
            let mut events = Vec::new();
            loop {
                while let Some(a) = clock.next_action() {
                    match a {
                        Action::Sample(s) => samples.push(parse_sample(&s.to_line()).unwrap()),
                        Action::Write { data, .. } => wrote.extend(data),
                        Action::Open(port) => events.push((port, PortEvent::Opened)),
                        Action::Close(port) => events.push((
                            port,
                            PortEvent::Closed(refclock_core::port::CloseReason::Requested),
                        )),
                        _ => {}
                    }
                }
                if events.is_empty() {
                    break;
                }
                for (port, e) in events.drain(..) {
                    clock.port_event(port, e);
                }
            }
        };
        drain(clock.as_mut());
        clock.port_event(PortId::MAIN, PortEvent::Opened);
        drain(clock.as_mut());
        let ts = |ns: i128| Timestamp::from_nanos(ns);
        let times = self.receive_times();
        let mut ticks = self.ticks().into_iter().peekable();
        // The shim's edges, in time order: (time, kind).
        let mut edges = Vec::new();
        if self.pps {
            use refclock_core::port::PpsEdgeKind;
            for sec in self.start.div_euclid(NS) + 1..=self.stop.div_euclid(NS) {
                edges.push((sec * NS, PpsEdgeKind::Assert, sec));
                if let Some(f) = self.pps_clear {
                    edges.push((sec * NS + f, PpsEdgeKind::Clear, sec));
                }
            }
        }
        let mut edges = edges.into_iter().peekable();
        // Edges and ticks up to a time, in time order.
        macro_rules! step {
            ($until:expr) => {
                loop {
                    let until = $until;
                    let next_edge = edges.peek().map(|e| e.0).filter(|&t| t <= until);
                    let next_tick = ticks.peek().map(|t| t.0).filter(|&t| t <= until);
                    match (next_edge, next_tick) {
                        (Some(e), t) if t.is_none_or(|t| e <= t) => {
                            let (time, kind, sec) = edges.next().unwrap();
                            clock.pps(refclock_core::port::PpsEdge {
                                time: ts(time),
                                sequence: sec as u32,
                                kind,
                            });
                        }
                        (_, Some(_)) => {
                            let (t, poll) = ticks.next().unwrap();
                            clock.timer(ts(t));
                            if poll {
                                clock.poll(ts(t));
                            }
                            drain(clock.as_mut());
                        }
                        _ => break,
                    }
                }
            };
        }
        for (m, &at) in self.messages.iter().zip(&times) {
            if at < self.start || at > self.stop {
                continue; // the C program was not reading
            }
            step!(at);
            clock.receive(PortId::MAIN, &m.bytes, ts(at));
            drain(clock.as_mut());
        }
        // The rest: edges only up to the last tick (the C program looked
        // at a pulse at its next tick).
        let last = ticks.clone().last().map_or(0, |t| t.0);
        step!(last);
        (samples, wrote)
    }
}

/// One line of `expected-differences`.
#[derive(Debug)]
struct Expected {
    line: String,
    /// `time=`: the C sample printed with this time; `named=A..B`: every
    /// C sample whose reference time names a second from A to B (`A..`:
    /// from A on); `write=N`: the C program's writes from byte N.
    select: Select,
    /// `leap`, `ref`, or `sample` (how many samples each has at that
    /// time: `1 0`, only the C program; `0 1`, only ours); with `write=N`,
    /// `bytes` (`bytes L 0`: the L bytes from N only the C program wrote).
    field: String,
    c: String,
    ours: String,
    used: usize,
}

#[derive(Debug)]
enum Select {
    Write(usize),
    Time(i128),
    Named(i64, i64),
}

impl Expected {
    fn parse(case: &Case) -> Vec<Expected> {
        let path = case.dir.join("expected-differences");
        if !path.exists() {
            return Vec::new();
        }
        let mut doc_cache = BTreeMap::new();
        let mut out = Vec::new();
        for line in read(&case.dir, "expected-differences").lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (spec, why) = line
                .split_once(" -- ")
                .unwrap_or_else(|| panic!("{}: no ' -- reason': {line}", case.name));
            check_quote(&mut doc_cache, why, &case.name, line);
            let w: Vec<&str> = spec.split_whitespace().collect();
            assert_eq!(w.len(), 4, "{}: {line}", case.name);
            let select = if let Some(n) = w[0].strip_prefix("write=") {
                assert!(
                    w[1] == "bytes" && (w[3] == "0" || w[2] == "0"),
                    "{}: {line}",
                    case.name
                );
                Select::Write(n.parse().unwrap())
            } else if let Some(t) = w[0].strip_prefix("time=") {
                Select::Time(parse_time(t).unwrap())
            } else {
                let (a, b) = w[0]
                    .strip_prefix("named=")
                    .unwrap()
                    .split_once("..")
                    .unwrap();
                let b = if b.is_empty() {
                    i64::MAX
                } else {
                    b.parse().unwrap()
                };
                Select::Named(a.parse().unwrap(), b)
            };
            assert!(
                ["leap", "ref", "sample", "bytes"].contains(&w[1]),
                "{}: {line}",
                case.name
            );
            out.push(Expected {
                line: line.to_string(),
                select,
                field: w[1].to_string(),
                c: w[2].to_string(),
                ours: w[3].to_string(),
                used: 0,
            });
        }
        out
    }

    fn selects(&self, c: &Sample) -> bool {
        match self.select {
            Select::Time(t) => (c.time - t).abs() <= 1000,
            Select::Named(a, b) => (a..=b).contains(&second_of(c.reference)),
            Select::Write(_) => false,
        }
    }

    /// Whether this line says that `s` is a sample only the C program
    /// (`c_side`) or only ours has.
    fn alone(&mut self, s: &Sample, c_side: bool) -> bool {
        let counts = if c_side { ("1", "0") } else { ("0", "1") };
        let hit = self.field == "sample"
            && (self.c.as_str(), self.ours.as_str()) == counts
            && self.selects(s);
        self.used += usize::from(hit);
        hit
    }

    /// Whether the pair differs exactly as this line says.
    fn holds(&self, c: &Sample, ours: &Sample) -> bool {
        let near = |v: i128, text: &str| (v - parse_time(text).unwrap()).abs() <= TOLERANCE_NS;
        match self.field.as_str() {
            "leap" => {
                c.leap.to_string() == self.c
                    && ours.leap.to_string() == self.ours
                    && (c.reference - ours.reference).abs() <= TOLERANCE_NS
            }
            _ => {
                // `REF/LEAP`: the leap indicators differ as well.
                let (c_ref, c_leap) = self.c.split_once('/').unwrap_or((&self.c, ""));
                let (o_ref, o_leap) = self.ours.split_once('/').unwrap_or((&self.ours, ""));
                let leaps = if c_leap.is_empty() && o_leap.is_empty() {
                    c.leap == ours.leap
                } else {
                    c.leap.to_string() == c_leap && ours.leap.to_string() == o_leap
                };
                near(c.reference, c_ref) && near(ours.reference, o_ref) && leaps
            }
        }
    }
}

/// The reason must be `DRIVER: "a phrase of that driver's module doc"`.
fn check_quote(cache: &mut BTreeMap<String, String>, why: &str, case: &str, line: &str) {
    let (driver, rest) = why
        .split_once(": ")
        .unwrap_or_else(|| panic!("{case}: {line}"));
    let quote = rest
        .trim()
        .strip_prefix('"')
        .and_then(|q| q.split_once('"'))
        .map(|(q, _)| q)
        .unwrap_or_else(|| panic!("{case}: reason without a quote: {line}"));
    let doc = cache.entry(driver.to_string()).or_insert_with(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("src/{driver}/mod.rs"));
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("//!")).collect();
        doc.join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    });
    let quote = quote.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        doc.contains(&quote),
        "{case}: the {driver} module doc does not say {quote:?}"
    );
}

/// Compares one case; returns what is wrong (empty: nothing).
fn check(case: &Case) -> String {
    let mut errors = String::new();
    let (ours, wrote) = case.replay();
    let mut expected = Expected::parse(case);
    // What the C program wrote, without the bytes only it wrote; what
    // ours wrote, without the bytes only ours wrote (`write=N bytes 0 L`).
    let mut c_wrote = case.c_wrote.clone();
    let mut wrote = wrote;
    let mut cuts: Vec<&mut Expected> = expected
        .iter_mut()
        .filter(|e| matches!(e.select, Select::Write(_)))
        .collect();
    cuts.sort_by_key(|e| match e.select {
        Select::Write(n) => std::cmp::Reverse(n),
        _ => unreachable!(),
    });
    for e in cuts {
        let Select::Write(n) = e.select else {
            unreachable!()
        };
        let (c_len, ours_len): (usize, usize) = (e.c.parse().unwrap(), e.ours.parse().unwrap());
        let (bytes, len) = if c_len > 0 {
            (&mut c_wrote, c_len)
        } else {
            (&mut wrote, ours_len)
        };
        if n + len <= bytes.len() {
            bytes.drain(n..n + len);
            e.used += 1;
        }
    }
    if wrote != c_wrote {
        let at = wrote
            .iter()
            .zip(&c_wrote)
            .take_while(|(a, b)| a == b)
            .count();
        let from = at.saturating_sub(20);
        let tail = |b: &[u8]| {
            String::from_utf8_lossy(&b[from.min(b.len())..(at + 40).min(b.len())]).into_owned()
        };
        let _ = writeln!(
            errors,
            "writes differ from byte {at} (C wrote {}, ours {}):\n  C:    {:?}\n  ours: {:?}",
            c_wrote.len(),
            wrote.len(),
            tail(&c_wrote),
            tail(&wrote)
        );
    }
    let mut unpaired: Vec<&Sample> = ours.iter().collect();
    for c in &case.c_samples {
        let Some(i) = unpaired
            .iter()
            .position(|o| (o.time - c.time).abs() <= 1000)
        else {
            if !expected.iter_mut().any(|e| e.alone(c, true)) {
                let _ = writeln!(errors, "only in C: {}", c.text);
            }
            continue;
        };
        let o = unpaired.remove(i);
        let same = (c.reference - o.reference).abs() <= TOLERANCE_NS && c.leap == o.leap;
        match expected
            .iter_mut()
            .find(|e| e.field != "sample" && e.selects(c))
        {
            Some(e) if e.holds(c, o) => e.used += 1,
            Some(e) => {
                let _ = writeln!(
                    errors,
                    "not as expected ({}):\n  C:    {}\n  ours: {}",
                    e.line, c.text, o.text
                );
            }
            None if same => {}
            None => {
                let _ = writeln!(errors, "differ:\n  C:    {}\n  ours: {}", c.text, o.text);
            }
        }
    }
    for o in unpaired {
        if !expected.iter_mut().any(|e| e.alone(o, false)) {
            let _ = writeln!(errors, "only in ours: {}", o.text);
        }
    }
    for e in expected.iter().filter(|e| e.used == 0) {
        let _ = writeln!(errors, "expected difference not seen: {}", e.line);
    }
    errors
}

/// An Oncore message as the truth log has it, without its final CR LF
/// and, when the checksum byte was CR or LF, without that too (the log
/// trims line ends): its whole length back from the table.
fn restore_oncore_end(bytes: &mut Vec<u8>) {
    use refclock_core::framing::{oncore_checksum, Oncore};
    let Some(len) = bytes
        .get(2..4)
        .and_then(|id| Oncore::new().length_of([id[0], id[1]]))
    else {
        return;
    };
    if bytes.len() + 3 == len {
        let sum = oncore_checksum(&bytes[2..]);
        assert!(
            matches!(sum, b'\r' | b'\n'),
            "a message cut short in the log"
        );
        bytes.push(sum);
    }
    if bytes.len() + 2 == len {
        bytes.extend(b"\r\n");
    }
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| Case::load(d)).collect()
}

#[test]
fn our_drivers_give_the_c_programs_samples() {
    let cases = cases();
    assert!(cases.len() >= 10, "golden cases missing: {}", cases.len());
    let mut failures = String::new();
    for case in &cases {
        assert!(
            !case.c_samples.is_empty() || case.dir.join("no-c-samples").exists(),
            "{}: no C samples",
            case.name
        );
        let errors = check(case);
        if !errors.is_empty() {
            let _ = write!(failures, "== {}\n{errors}", case.name);
        }
    }
    assert!(failures.is_empty(), "{failures}");
}
