//! The seeds every target of a kind gets: a driver's examples for its
//! decoder, random bytes for its round trip, and for its script the
//! examples and every capture under a busy host.

use refclock_core::rng::Rng;
use refclock_drivers::testkit::script::encode;
use refclock_drivers::testkit::{busy_host, Capture, Header, Op};
use refclock_fuzz_harness::{Kind, Target};

use crate::Seeds;

/// Capture bytes per driver seed.
const CAPTURE_BYTES: usize = 1200;

/// 2024-01-01, with a base date of 2020-01-01 (Unix day 18 262).
fn header_2024() -> Header {
    Header::at(1_704_067_200, 18_262)
}

/// The generic seeds of `target`.
pub fn seeds(target: &Target, caps: &[Capture]) -> Seeds {
    match target.kind {
        Kind::Decode => (target.examples)()
            .into_iter()
            .enumerate()
            .map(|(i, e)| (format!("seed-example-{i}"), e))
            .collect(),
        Kind::Roundtrip => {
            let mut rng = Rng::new(0x5eed);
            let mut out: Seeds = (0..24)
                .map(|i| {
                    let len = 8 + rng.up_to(56) as usize;
                    (format!("seed-random-{i}"), rng.bytes(len))
                })
                .collect();
            out.push(("seed-zeros".into(), vec![0; 64]));
            out.push(("seed-ones".into(), vec![0xff; 64]));
            out
        }
        Kind::Driver => driver(target, caps),
        Kind::Other => Seeds::new(),
    }
}

fn driver(target: &Target, caps: &[Capture]) -> Seeds {
    let mut out = Seeds::new();
    // The examples, one a second, with ticks and a poll.
    let mut ops = Vec::new();
    for e in (target.examples)() {
        ops.push(Op::Data(e));
        ops.push(Op::Ticks(0));
    }
    ops.push(Op::Poll);
    out.push(("seed-examples".into(), encode(&header_2024(), &ops)));
    // Every capture under a busy host, flags by turn: none, flag1 (PPS),
    // flag4, unit 3 with flag1.
    for (i, c) in caps.iter().enumerate() {
        let body = &c.body()[..c.body().len().min(CAPTURE_BYTES)];
        let ops = busy_host(&mut Rng::new(i as u64), body, 64);
        let header = Header {
            flags: [0, 1, 8, 0x31][i % 4],
            time2_ms: 100,
            ..header_2024()
        };
        out.push((format!("seed-{}-busy", c.stem()), encode(&header, &ops)));
    }
    out
}
