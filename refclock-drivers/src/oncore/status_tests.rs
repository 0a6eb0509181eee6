use super::*;
use crate::oncore::codec::message;

/// A message of kind `id` with its table length, payload bytes `fill`.
fn msg(id: &[u8; 2], fill: u8) -> Vec<u8> {
    let len = NTPD_MESSAGES.iter().find(|(k, _)| k == id).unwrap().1;
    let mut body = id.to_vec();
    body.resize(len - 5, fill);
    message(&body)
}

/// A position message of `chan` stating lat/lon/ht.
fn position(chan: u8, lat: i32, lon: i32, ht: i32) -> Vec<u8> {
    let id = match chan {
        6 => b"Ba",
        8 => b"Ea",
        _ => b"Ha",
    };
    let mut m = msg(id, 0);
    m[15..19].copy_from_slice(&lat.to_be_bytes());
    m[19..23].copy_from_slice(&lon.to_be_bytes());
    m[23..27].copy_from_slice(&ht.to_be_bytes());
    let body = m[2..m.len() - 3].to_vec();
    message(&body)
}

fn almanac_page(subframe: u8, page: u8) -> Vec<u8> {
    let mut body = b"Cb".to_vec();
    body.push(subframe);
    body.push(page);
    body.resize(28, page ^ 0x5a);
    message(&body)
}

#[test]
fn the_layout_is_ntpds() {
    let s = StatusImage::new(None);
    // Ea first with its three fix records, then Ba, Ha, Bn...
    assert_eq!(s.slot(*b"Ea"), Some((1, 76)));
    assert_eq!(s.slot(*b"Ba"), Some((1 + 79 * 4, 68)));
    assert_eq!(s.slot(*b"Ha"), Some((1 + 79 * 4 + 71 * 4, 154)));
    assert_eq!(s.slot(*b"Bn"), Some((1 + 79 * 4 + 71 * 4 + 157 * 4, 59)));
    let (cb, _) = s.slot(*b"Cb").unwrap();
    let (cf, _) = s.slot(*b"Cf").unwrap();
    assert_eq!(cf - cb, 36 * 35, "Cb and its 34 almanac pages");
    let records: usize = NTPD_MESSAGES
        .iter()
        .map(|&(id, len)| (len + 3) * (1 + StatusImage::extra_records(id)))
        .sum();
    assert_eq!(s.bytes().len(), 1 + records + 2);
    // Every record has its header; the file ends with a zero length.
    assert_eq!(&s.bytes()[1..8], &[0, 76, 0, b'@', b'@', b'E', b'a']);
    assert_eq!(
        &s.bytes()[cb + 36..cb + 43],
        &[0, 33, 0, b'@', b'@', b'C', b'b']
    );
    let (sz, len) = s.slot(*b"Sz").unwrap();
    assert_eq!(sz + len + 3 + 2, s.bytes().len());
    assert_eq!(s.messages().count(), 40 + 34 + 3 * 3);
    assert!(
        s.slot(*b"Aa").is_none(),
        "gpsd's extra kinds are not in ntpd's file"
    );
}

#[test]
fn a_message_bumps_its_count_and_is_stored_as_it_came() {
    let mut s = StatusImage::new(None);
    let m = msg(b"Gj", 7);
    let (at, data) = s.record(&m).unwrap();
    let (gj, _) = s.slot(*b"Gj").unwrap();
    assert_eq!(at, gj + 2);
    assert_eq!(data[0], 1);
    assert_eq!(&data[1..], &m[..]);
    assert_eq!(&s.bytes()[at..at + data.len()], &data[..]);
    for _ in 0..255 {
        s.record(&m).unwrap();
    }
    assert_eq!(s.bytes()[gj + 2], 0, "the count wraps at 256");
    // Wrong length or an unknown kind: nothing stored.
    assert!(s.record(&m[..m.len() - 1]).is_none());
    assert!(s.record(&message(b"Aa\x01\x02\x03")).is_none());
    assert!(s.record(b"@").is_none());
}

#[test]
fn position_messages_also_go_to_the_record_of_their_fix() {
    let mut s = StatusImage::new(None);
    let (ha, _) = s.slot(*b"Ha").unwrap();
    let m = position(12, 1, 2, 3);
    assert_eq!(s.record_fix(&m, FixMode::Hold0D).unwrap().0, ha + 157 + 2);
    assert_eq!(
        s.record_fix(&m, FixMode::Fix2D).unwrap().0,
        ha + 2 * 157 + 2
    );
    assert_eq!(
        s.record_fix(&m, FixMode::Fix3D).unwrap().0,
        ha + 3 * 157 + 2
    );
    assert!(s.record_fix(&m, FixMode::Unknown).is_none());
    assert!(
        s.record_fix(&msg(b"Gj", 0), FixMode::Fix3D).is_none(),
        "no fix records"
    );
}

#[test]
fn almanac_pages_are_demultiplexed_as_ntpd_places_them() {
    let mut s = StatusImage::new(None);
    let (cb, _) = s.slot(*b"Cb").unwrap();
    let at = |r: usize| cb + r * 36 + 2;
    assert_eq!(
        s.record_almanac(&almanac_page(5, 1)).unwrap().unwrap().0,
        at(1)
    );
    assert_eq!(
        s.record_almanac(&almanac_page(5, 24)).unwrap().unwrap().0,
        at(24)
    );
    assert_eq!(
        s.record_almanac(&almanac_page(4, 2)).unwrap().unwrap().0,
        at(26)
    );
    assert_eq!(
        s.record_almanac(&almanac_page(4, 7)).unwrap().unwrap().0,
        at(30)
    );
    assert_eq!(
        s.record_almanac(&almanac_page(4, 10)).unwrap().unwrap().0,
        at(33)
    );
    assert_eq!(
        s.record_almanac(&almanac_page(4, 25)).unwrap().unwrap().0,
        at(34)
    );
    assert!(s.record_almanac(&almanac_page(5, 0)).is_err(), "no almanac");
    assert!(s.record_almanac(&almanac_page(4, 18)).is_err());
    assert!(s.record_almanac(&almanac_page(1, 1)).is_err());
    // Back out: the pages with a good checksum and subframe 4 or 5.
    let pages = s.almanac();
    assert_eq!(pages.len(), 6);
    assert!(pages
        .iter()
        .all(|p| checksum_ok(p) && p.starts_with(b"@@Cb")));
    // A damaged page is not sent back.
    let mut bad = almanac_page(5, 3);
    bad[10] ^= 1;
    s.record_almanac(&bad).unwrap();
    assert_eq!(s.almanac().len(), 6);
}

#[test]
fn the_old_file_is_merged_when_its_layout_is_the_same() {
    let mut old = StatusImage::new(None);
    old.record(&msg(b"Ea", 1)).unwrap();
    old.record(&position(12, 10, 20, 30)).unwrap();
    old.record_almanac(&almanac_page(5, 7)).unwrap().unwrap();
    old.record(&msg(b"Sz", 9)).unwrap();
    let new = StatusImage::new(Some(old.bytes()));
    assert_eq!(new.position(12), Some((10, 20, 30)));
    assert_eq!(new.almanac().len(), 1);
    let (ea, len) = new.slot(*b"Ea").unwrap();
    assert_eq!(&new.bytes()[ea + 3..ea + 3 + len], &msg(b"Ea", 1)[..]);
    assert_eq!(new.bytes()[ea + 2], 0, "counts start again");
    let (sz, len) = new.slot(*b"Sz").unwrap();
    assert_eq!(
        &new.bytes()[sz + 3..sz + 3 + len],
        &msg(b"Sz", 9)[..],
        "the last record too"
    );

    // Another size: nothing is taken.
    let mut shorter = old.bytes().to_vec();
    shorter.pop();
    assert_eq!(StatusImage::new(Some(&shorter)), StatusImage::new(None));
    // A record whose id differs ends the merge there.
    let mut damaged = old.bytes().to_vec();
    let (ha, _) = old.slot(*b"Ha").unwrap();
    damaged[ha + 6] = b'x';
    let merged = StatusImage::new(Some(&damaged));
    assert_eq!(
        &merged.bytes()[ea + 3..ea + 79],
        &msg(b"Ea", 1)[..],
        "before it"
    );
    assert_eq!(merged.position(12), None, "from it on");
    assert!(merged.almanac().is_empty());
}

#[test]
fn the_position_is_the_last_good_nonzero_record_of_the_channel_count() {
    let mut s = StatusImage::new(None);
    assert_eq!(s.position(12), None, "an empty file has none");
    s.record(&position(12, 1, 2, 3)).unwrap();
    s.record_fix(&position(12, 4, 5, 6), FixMode::Fix3D)
        .unwrap();
    s.record_fix(&position(12, 0, 0, 0), FixMode::Hold0D)
        .unwrap();
    assert_eq!(s.position(12), Some((4, 5, 6)));
    assert_eq!(s.position(8), None);
    s.record(&position(8, -7, 8, 9)).unwrap();
    assert_eq!(s.position(8), Some((-7, 8, 9)));
    assert_eq!(s.position(7), None);
}

#[test]
fn the_initial_file_is_the_c_programs_byte_for_byte() {
    let c = include_bytes!("../../tests/oncore-status/c-initial.status");
    assert_eq!(StatusImage::new(None).bytes(), &c[..]);
    // And the C program's file read back at the next start is kept.
    assert_eq!(StatusImage::new(Some(c)).bytes(), &c[..]);
}
