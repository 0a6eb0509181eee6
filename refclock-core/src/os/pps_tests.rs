//! Unit tests of `os::pps`: time stamp conversion, edge selection and
//! the ioctl numbers.

use super::*;

#[test]
fn major_minor_parsing() {
    assert_eq!(parse_major_minor("251:0\n"), Some((251, 0)));
    assert_eq!(parse_major_minor("251"), None);
    assert_eq!(parse_major_minor("a:1"), None);
}

#[test]
fn ktime_conversion() {
    let t = ktime_to_timestamp(pps_ktime {
        sec: 1_700_000_000,
        nsec: 999_999_999,
        flags: 0,
    })
    .unwrap();
    assert_eq!(t, Timestamp::new(1_700_000_000, 999_999_999));
    for bad in [-1, 1_000_000_000] {
        let e = ktime_to_timestamp(pps_ktime {
            sec: 1,
            nsec: bad,
            flags: 0,
        })
        .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }
}

fn info(aseq: u32, asec: i64, cseq: u32, csec: i64) -> pps_kinfo {
    pps_kinfo {
        assert_sequence: aseq,
        clear_sequence: cseq,
        assert_tu: pps_ktime {
            sec: asec,
            nsec: 1_000,
            flags: 0,
        },
        clear_tu: pps_ktime {
            sec: csec,
            nsec: 500_000_000,
            flags: 0,
        },
        current_mode: 0,
    }
}

#[test]
fn only_a_changed_sequence_number_is_an_edge() {
    let mut last = None;
    let a = PpsEdgeKind::Assert;
    // First fetch: baseline only (a possibly stale stamp).
    assert_eq!(new_edge(a, &info(7, 100, 0, 0), &mut last).unwrap(), None);
    assert_eq!(last, Some(7));
    // Same sequence: the kernel repeats its last stamp.
    assert_eq!(new_edge(a, &info(7, 100, 0, 0), &mut last).unwrap(), None);
    // A clear edge does not count when watching assert.
    assert_eq!(new_edge(a, &info(7, 100, 1, 100), &mut last).unwrap(), None);
    let e = new_edge(a, &info(8, 101, 1, 100), &mut last)
        .unwrap()
        .unwrap();
    assert_eq!(e.sequence, 8);
    assert_eq!(e.kind, a);
    assert_eq!(e.time, Timestamp::new(101, 1_000));
    // Wrap-around of the counter is still a change.
    let mut last = Some(u32::MAX);
    let e = new_edge(PpsEdgeKind::Clear, &info(0, 0, 0, 102), &mut last)
        .unwrap()
        .unwrap();
    assert_eq!((e.sequence, e.time), (0, Timestamp::new(102, 500_000_000)));
}

/// The numbers are those of the encoding this module used to spell out
/// by hand: `_IOC(dir, 'p', nr, sizeof(void *))` with the generic
/// layout (2 direction bits at 30, 14 size bits at 16), and, on 64-bit
/// systems, the values linux/pps.h gives there.
#[test]
#[cfg(not(any(
    target_arch = "powerpc",
    target_arch = "powerpc64",
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "mips32r6",
    target_arch = "mips64r6",
    target_arch = "sparc",
    target_arch = "sparc64"
)))]
fn ioctl_numbers_carry_the_size_of_a_pointer() {
    // As the 32 bits the kernel sees (`libc::Ioctl` is `c_ulong` with
    // glibc, `c_int` with musl).
    let ioc = |dir: u32, nr: u32| {
        (dir << 30) | ((size_of::<usize>() as u32) << 16) | (u32::from(b'p') << 8) | nr
    };
    let (read, write) = (2, 1);
    let ours = [
        PPS_GETPARAMS,
        PPS_SETPARAMS,
        PPS_GETCAP,
        PPS_FETCH,
        PPS_KC_BIND,
    ]
    .map(|n| n as u32);
    let hand = [
        ioc(read, 0xa1),
        ioc(write, 0xa2),
        ioc(read, 0xa3),
        ioc(read | write, 0xa4),
        ioc(write, 0xa5),
    ];
    assert_eq!(ours, hand);
    #[cfg(target_pointer_width = "64")]
    assert_eq!(
        ours,
        [0x800870a1, 0x400870a2, 0x800870a3, 0xc00870a4, 0x400870a5]
    );
    #[cfg(target_pointer_width = "32")]
    assert_eq!(
        ours,
        [0x800470a1, 0x400470a2, 0x800470a3, 0xc00470a4, 0x400470a5]
    );
}

#[test]
fn capture_bits() {
    assert_eq!(PpsMode::capture(PpsEdgeKind::Assert).bits(), 0x01);
    assert_eq!(PpsMode::capture(PpsEdgeKind::Clear).bits(), 0x02);
}
