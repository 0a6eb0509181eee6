//! The `STATUS` file on the simulated receiver: every message and the
//! position of each fix stored, the almanac kept and sent back to a
//! receiver that has none at the next start, the `POSN3D` excursions.

use refclock_core::{Action, PortId, Refclock, Timestamp};

use super::codec::{self, FixMode};
use super::driver_tests::{clock, Bench, START};
use super::status::{StatusImage, NTPD_MESSAGES};

fn temp(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("oncore-status-{}-{tag}", std::process::id()))
}

/// The file as the host would have it: the start image with every store
/// the driver asked for applied.
fn file_after(b: &Bench) -> Vec<u8> {
    let mut file = b
        .clock
        .ports()
        .status_file
        .as_ref()
        .expect("a status file")
        .image
        .clone();
    for a in &b.out.port_actions {
        if let Action::StatusWrite { offset, data } = a {
            file[*offset..*offset + data.len()].copy_from_slice(data);
        }
    }
    file
}

/// Record `r` of kind `id` in `file`: (count, message).
fn record<'a>(file: &'a [u8], id: &[u8; 2], r: usize) -> (u8, &'a [u8]) {
    let image = StatusImage::new(None);
    let (at, len) = image.slot(*id).unwrap();
    let l = at + r * (len + 3);
    (file[l + 2], &file[l + 3..l + 3 + len])
}

fn almanac_page(subframe: u8, page: u8) -> Vec<u8> {
    let mut body = vec![b'C', b'b', subframe, page];
    body.resize(28, page.wrapping_mul(7));
    codec::message(&body)
}

#[test]
fn every_message_and_each_fix_position_reach_the_file() {
    let path = temp("run");
    let _ = std::fs::remove_file(&path);
    let mut b = Bench::new(
        clock(
            &format!("MODE 0\nSTATUS {}\n", path.display()),
            false,
            "st-run",
        ),
        12,
    );
    assert!(b.out.logs.iter().any(|l| l.contains("SHMEM (size = ")));
    b.pps = Some(true);
    b.run(30);
    let file = file_after(&b);
    assert_eq!(
        file,
        b.driver().status_file().unwrap().bytes(),
        "the stores carry the driver's image"
    );
    let (count, ha) = record(&file, b"Ha", 0);
    assert!(count >= 25, "{count} @@Ha stored");
    assert!(ha.starts_with(b"@@Ha") && ha.ends_with(b"\r\n"));
    // The simulated M12 is in position hold: the 0D record has it too.
    let (count0d, _) = record(&file, b"Ha", 1);
    assert!(count0d >= 15, "{count0d}");
    assert_eq!(record(&file, b"Ha", 3).0, 0, "no 3D fix seen");
    let (_, cj) = record(&file, b"Cj", 0);
    assert!(cj.starts_with(b"@@Cj") && cj.len() == 294);
    assert!(record(&file, b"Hn", 0).0 > 10);
    // Kinds the receiver never sent stay empty.
    assert_eq!(record(&file, b"Ba", 0).0, 0);
}

#[test]
fn the_almanac_is_kept_and_sent_back_to_a_receiver_without_one() {
    let path = temp("almanac");
    let _ = std::fs::remove_file(&path);
    let config = format!("MODE 0\nSTATUS {}\n", path.display());
    let mut b = Bench::new(clock(&config, false, "st-alm1"), 12);
    b.pps = Some(true);
    b.run(30);
    let pages = [almanac_page(5, 3), almanac_page(4, 7), almanac_page(4, 25)];
    for p in &pages {
        b.clock
            .receive(PortId::MAIN, p, Timestamp::from_secs(b.now));
    }
    let t = Timestamp::from_secs(b.now);
    b.clock.receive(PortId::MAIN, &almanac_page(4, 18), t);
    b.run(1);
    assert!(b.out.logs.iter().any(|l| l.contains("NO ALMANAC")));
    // What the host kept is what the next start reads.
    std::fs::write(&path, file_after(&b)).unwrap();

    // The next start, with a receiver that lost its almanac (not valid:
    // the "bad almanac" bit), and a configuration without a position.
    let config = format!("MODE 2\nSTATUS {}\n", path.display());
    let mut b = Bench::new(clock(&config, true, "st-alm2"), 12);
    b.valid = false;
    b.run(20);
    std::fs::remove_file(&path).unwrap();
    let writes: Vec<&Vec<u8>> = b.out.writes.iter().map(|(_, w)| w).collect();
    let first = writes
        .iter()
        .position(|w| w.starts_with(b"@@Cb"))
        .expect("almanac sent");
    // The pages, in file order: the main record first, which holds the
    // last page received (subframe 4 page 18: sent back, as ntpd does,
    // though it has no record of its own), then subframe 5 page 3
    // (record 3), subframe 4 page 7 (record 30) and page 25 (record 34).
    assert_eq!(writes[first], &almanac_page(4, 18));
    assert_eq!(writes[first + 1], &pages[0]);
    assert_eq!(writes[first + 2], &pages[1]);
    assert_eq!(writes[first + 3], &pages[2]);
    let first = first + 1;
    let ids: Vec<&[u8]> = writes[first + 3..].iter().map(|w| &w[2..4]).collect();
    assert_eq!(ids[..6], [b"Gd", b"As", b"Au", b"Ga", b"Gd", b"Gb"]);
    // The position is the one the first run's receiver reported.
    let ga = writes[first + 6];
    let w = |o: usize| i32::from_be_bytes([ga[o], ga[o + 1], ga[o + 2], ga[o + 3]]);
    assert_eq!((w(4), w(8), w(12)), (207_766_190, 43_281_353, 8_511));
    // The time of day from the receive time of the position message.
    let gb = writes[first + 8];
    let now = refclock_core::calendar::CivilTime::from_timestamp(Timestamp::from_secs(START));
    assert_eq!(
        &gb[4..8],
        &[now.month, now.day, (now.year >> 8) as u8, now.year as u8]
    );
    // Once only.
    assert_eq!(writes.iter().filter(|w| w.starts_with(b"@@Gb")).count(), 1);
}

#[test]
fn posn3d_leaves_position_hold_every_15_s_for_one_3d_fix() {
    let path = temp("posn");
    let _ = std::fs::remove_file(&path);
    let config = format!(
        "MODE 1\nLAT 57 42 15.07\nLON 12 1 23.2\nHT 85.11 M\nSTATUS {}\nPOSN3D\n",
        path.display()
    );
    let mut b = Bench::new(clock(&config, true, "st-posn"), 8);
    b.run(60);
    let file = file_after(&b);
    let (three_d, m) = record(&file, b"Ea", 3);
    assert!(three_d >= 2, "{three_d} 3D records");
    assert_eq!(codec::decode_position(m).unwrap().mode(), FixMode::Fix3D);
    let (hold, _) = record(&file, b"Ea", 1);
    assert!(hold > three_d, "mostly in position hold");
    let at: Vec<u8> = b
        .out
        .writes
        .iter()
        .filter(|(_, w)| w.starts_with(b"@@At"))
        .map(|(_, w)| w[4])
        .collect();
    assert!(
        at.windows(2).filter(|p| p == &[0, 1]).count() >= 2,
        "out of hold and back: {at:?}"
    );

    // The M12 loses its satellites on leaving hold: no excursions there.
    let mut b = Bench::new(clock(&config, true, "st-posn12"), 12);
    b.run(60);
    assert!(b.out.logs.iter().any(|l| l.contains("partially enabled")));
    let gd0 = b
        .out
        .writes
        .iter()
        .filter(|(_, w)| w.starts_with(b"@@Gd") && w[4] == 0)
        .count();
    assert!(gd0 <= 1, "only the configuration's own @@Gd0: {gd0}");
}

#[test]
fn the_table_matches_the_framers_lengths() {
    for &(id, len) in NTPD_MESSAGES {
        assert_eq!(
            refclock_core::framing::Oncore::new().length_of(id),
            Some(len),
            "{}",
            String::from_utf8_lossy(&id)
        );
    }
}
