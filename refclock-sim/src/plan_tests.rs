//! The planner second by second, with the NMEA driver's simulated
//! receiver and with a tiny model defined here.

use super::*;
use refclock_core::calendar::days_from_civil;
use refclock_core::sim::Due;
use refclock_drivers::nmea::device::NmeaDevice;
use refclock_drivers::nmea::encode::{verify, NmeaStyle};

const START: i64 = 1_700_000_000; // 2023-11-14T22:13:20Z

fn planner(scenarios: &[&str]) -> Planner {
    Planner::new(
        scenarios.iter().map(|s| s.parse().unwrap()).collect(),
        7,
        START,
        0,
    )
}

fn nmea(style: &str) -> NmeaDevice {
    NmeaDevice::new(NmeaStyle::by_name(style).unwrap())
}

fn hms(p: &SecondPlan) -> (u8, u8, u8) {
    (p.epoch.time.hour, p.epoch.time.minute, p.epoch.time.second)
}

fn text(m: &PlannedMessage) -> String {
    m.message.text()
}

/// A device that writes one `tick` message a second, without checksum
/// or timing of its own, spoils a message by upper-casing it and allows
/// lower-case garbage.
struct Ticker;

impl DeviceModel for Ticker {
    fn describe(&self) -> String {
        "ticker".into()
    }
    fn baud(&self) -> u32 {
        9600
    }
    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let s = format!("tick {}\r\n", epoch.named.secs());
        out.push(Message::line("TICK", s).naming(epoch));
    }
    fn corrupt(&self, m: &mut Message) -> bool {
        m.bytes.make_ascii_uppercase();
        true
    }
    fn garbage_allowed(&self, b: u8) -> bool {
        b.is_ascii_lowercase()
    }
}

#[test]
fn clean_names_the_wall_second() {
    let pl = planner(&["clean"]);
    let mut dev = nmea("ublox");
    for i in 0..5 {
        let p = pl.plan(START + i, &mut dev);
        assert_eq!(p.index, i as u64);
        assert_eq!(p.epoch.named, Timestamp::from_secs(START + i));
        assert_eq!(p.shift, 0);
        assert_eq!(p.delay_ns, 0);
        assert_eq!(p.disposition, Disposition::Write);
        assert_eq!(p.epoch.leap, LeapWarning::None);
        assert_eq!(p.messages.len(), 3);
        assert!(p.messages.iter().all(|m| verify(&text(m)) == Some(true)));
        assert!(p.messages.iter().all(|m| m.garbage_after.is_empty()));
        assert!(p.messages.iter().all(|m| m.message.due == Due::Next));
    }
    let p = pl.plan(START, &mut dev);
    assert_eq!(hms(&p), (22, 13, 20));
    assert!(text(&p.messages[0]).starts_with("$GPRMC,221320.00,A,"));
    assert_eq!(pl.epoch(START + 2), pl.plan(START + 2, &mut dev).epoch);
}

#[test]
fn delays_add_and_jitter_is_bounded_and_seeded() {
    let pl = Planner::new(
        vec![
            "delay:100".parse().unwrap(),
            "jitter:max=10".parse().unwrap(),
        ],
        99,
        START,
        5_000_000,
    );
    let delays: Vec<u64> = (0..50).map(|i| pl.delay_ns(START + i)).collect();
    assert!(delays
        .iter()
        .all(|&d| (105_000_000..=115_000_000).contains(&d)));
    assert!(delays.windows(2).any(|w| w[0] != w[1]), "jitter varies");
    // Same seed, same jitter, whatever the order of planning.
    assert_eq!(pl.plan(START + 17, &mut Ticker).delay_ns, delays[17]);
}

#[test]
fn drop_every_and_random() {
    let pl = planner(&["drop:3"]);
    let dropped: Vec<u64> = (0..10)
        .map(|i| pl.plan(START + i, &mut Ticker))
        .filter(|p| p.disposition == Disposition::Dropped)
        .map(|p| p.index)
        .collect();
    assert_eq!(dropped, vec![2, 5, 8]);
    let pl = planner(&["drop:p=30"]);
    let n = (0..1000)
        .filter(|&i| pl.disposition(START + i) == Disposition::Dropped)
        .count();
    assert!((220..380).contains(&n), "{n}");
}

#[test]
fn garbage_is_what_the_model_allows() {
    let pl = planner(&["garbage:bytes=8,every=2"]);
    let mut dev = nmea("ublox");
    let p0 = pl.plan(START, &mut dev);
    assert!(p0
        .messages
        .iter()
        .all(|m| (1..=8).contains(&m.garbage_after.len())));
    for m in &p0.messages {
        assert!(m.garbage_after.iter().all(|&b| dev.garbage_allowed(b)));
        assert!(!m.garbage_after.contains(&b'$'));
        assert!(!m.garbage_after.contains(&b'\n'));
    }
    assert!(pl
        .plan(START + 1, &mut dev)
        .messages
        .iter()
        .all(|m| m.garbage_after.is_empty()));
    let p = pl.plan(START, &mut Ticker);
    let g = &p.messages[0].garbage_after;
    assert!(
        !g.is_empty() && g.iter().all(u8::is_ascii_lowercase),
        "{g:?}"
    );
}

#[test]
fn badsum_every_fourth_message() {
    let pl = planner(&["badsum:4"]);
    let mut dev = nmea("ublox");
    let all: Vec<PlannedMessage> = (0..4)
        .flat_map(|i| pl.plan(START + i, &mut dev).messages)
        .collect();
    for (g, m) in all.iter().enumerate() {
        let bad = g % 4 == 3;
        assert_eq!(m.message.corrupt, bad, "message {g}");
        assert_eq!(verify(&text(m)), Some(!bad), "{}", text(m));
    }
    // A legacy sentence without checksum gets a wrong one.
    let pl = planner(&["badsum:every=1"]);
    let m = &pl.plan(START, &mut nmea("legacy")).messages[0];
    assert!(m.message.checksum && m.message.corrupt);
    assert_eq!(verify(&text(m)), Some(false));
    // The model decides how a message is spoilt.
    let m = &pl.plan(START, &mut Ticker).messages[0];
    assert!(m.message.corrupt && text(m).starts_with("TICK "));
}

#[test]
fn invalid_periods() {
    let pl = planner(&["invalid:for=2,every=5,after=1"]);
    let v: Vec<bool> = (0..12).map(|i| !pl.epoch(START + i).valid).collect();
    let expect = [
        false, true, true, false, false, false, true, true, false, false, false, true,
    ];
    assert_eq!(v, expect);
    let p = pl.plan(START + 1, &mut nmea("garmin"));
    assert!(text(&p.messages[0]).contains(",V,"));
    assert!(p.messages.iter().all(|m| !m.message.valid));
    let pl = planner(&["invalid:for=1,every=1,after=0"]);
    let zda = &pl.plan(START, &mut nmea("ublox")).messages[2];
    assert_eq!(zda.message.kind, "ZDA");
    assert!(zda.message.valid, "ZDA has no status");
}

#[test]
fn leap_second_inserted() {
    let pl = planner(&["leap:before=3"]);
    let mut dev = nmea("garmin");
    let midnight = days_from_civil(2017, 1, 1) * 86_400;
    let plans: Vec<SecondPlan> = (0..6).map(|i| pl.plan(START + i, &mut dev)).collect();
    let times: Vec<(u8, u8, u8)> = plans.iter().map(hms).collect();
    assert_eq!(
        times,
        vec![
            (23, 59, 57),
            (23, 59, 58),
            (23, 59, 59),
            (23, 59, 60),
            (0, 0, 0),
            (0, 0, 1)
        ]
    );
    assert_eq!(plans[3].epoch.time.day, 31);
    assert_eq!(plans[3].epoch.named.secs(), midnight);
    assert_eq!(plans[4].epoch.named.secs(), midnight);
    assert_eq!(plans[2].shift, plans[3].shift);
    assert_eq!(plans[4].shift, plans[3].shift - 1);
    assert_eq!(plans[0].shift, midnight - 3 - START);
    let offsets: Vec<i32> = plans.iter().map(|p| p.epoch.gps_utc).collect();
    assert_eq!(offsets, vec![17, 17, 17, 17, 18, 18]);
    let warnings: Vec<LeapWarning> = plans.iter().map(|p| p.epoch.leap).collect();
    use LeapWarning::{Insert, None};
    assert_eq!(warnings, [Insert, Insert, Insert, Insert, None, None]);
    assert!(text(&plans[3].messages[0]).starts_with("$GPRMC,235960,A,"));
    assert_eq!(plans[3].messages[0].message.time, Some(plans[3].epoch.time));
    // PGRMF's GPS time of week runs on through the leap second.
    let tow = |p: &SecondPlan| -> i64 {
        text(&p.messages[3])
            .split(',')
            .nth(2)
            .unwrap()
            .parse()
            .unwrap()
    };
    for w in plans.windows(2) {
        assert_eq!(tow(&w[1]) - tow(&w[0]), 1);
    }
}

#[test]
fn leap_second_deleted() {
    let pl = planner(&["leap:at=2015-06-30,before=2,delete"]);
    let times: Vec<(u8, u8, u8)> = (0..4)
        .map(|i| hms(&pl.plan(START + i, &mut Ticker)))
        .collect();
    assert_eq!(times, vec![(23, 59, 58), (0, 0, 0), (0, 0, 1), (0, 0, 2)]);
    assert_eq!(pl.epoch(START + 1).time.month, 7);
    assert_eq!(pl.epoch(START).leap, LeapWarning::Delete);
    assert_eq!(pl.epoch(START + 1).leap, LeapWarning::None);
}

#[test]
fn rollover_is_1024_weeks_back() {
    let pl = planner(&["rollover"]);
    let p = pl.plan(START + 3, &mut Ticker);
    assert_eq!(p.shift, -1024 * SECS_PER_WEEK);
    assert_eq!(p.epoch.named.secs(), START + 3 - 1024 * 7 * 86_400);
    // Same time of day, 1024 weeks back: 2023-11-14 → 2004-03-30.
    assert_eq!(
        (p.epoch.time.year, p.epoch.time.month, p.epoch.time.day),
        (2004, 3, 30)
    );
    assert_eq!(hms(&p), (22, 13, 23));
    // The receiver still knows today's GPS − UTC.
    assert_eq!(p.epoch.gps_utc, 18);
    assert_eq!(pl.shift(START + 3), p.shift);
}

#[test]
fn year_boundary_two_digit() {
    let pl = planner(&["year:2000,before=2"]);
    let mut dev = nmea("ublox");
    let p: Vec<SecondPlan> = (0..3).map(|i| pl.plan(START + i, &mut dev)).collect();
    assert!(text(&p[0].messages[0]).contains(",311299,"));
    assert!(text(&p[1].messages[0]).contains(",311299,"));
    assert!(text(&p[2].messages[0]).contains(",010100,"));
    assert!(text(&p[2].messages[2]).contains(",01,01,2000,"));
    assert_eq!(p[2].epoch.gps_utc, 13);
    let pl = planner(&["year"]);
    let p = pl.plan(START + 5, &mut Ticker);
    assert_eq!(p.epoch.time.year, 2100);
    assert_eq!(hms(&p), (0, 0, 0));
}

#[test]
fn vanish_and_silence_windows() {
    let pl = planner(&["vanish:after=2,for=2", "silence:after=3,for=3", "drop:7"]);
    let d: Vec<Disposition> = (0..8).map(|i| pl.disposition(START + i)).collect();
    use Disposition::*;
    assert_eq!(
        d,
        vec![Write, Write, Vanished, Vanished, Silent, Silent, Dropped, Write]
    );
}

#[test]
fn answers_are_counted_apart() {
    let pl = planner(&["badsum:every=2", "garbage:bytes=3,every=2"]);
    let answers = |first: u64, wall: i64| {
        pl.answers(
            wall,
            first,
            &Ticker,
            vec![
                Message::line("PONG", "pong\r\n"),
                Message::line("PONG", "pong\r\n"),
            ],
        )
    };
    let a = answers(0, START);
    assert_eq!(
        a.iter().map(|m| m.message.corrupt).collect::<Vec<_>>(),
        [false, true]
    );
    assert_eq!(text(&a[1]), "PONG");
    assert!(a.iter().all(|m| (1..=3).contains(&m.garbage_after.len())));
    // Answer 3 of the run is spoilt; second 1 gets no garbage.
    let b = answers(2, START + 1);
    assert_eq!(
        b.iter().map(|m| m.message.corrupt).collect::<Vec<_>>(),
        [false, true]
    );
    assert!(b.iter().all(|m| m.garbage_after.is_empty()));
    // Reproducible.
    assert_eq!(answers(0, START), a);
}
