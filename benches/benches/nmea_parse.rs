//! NMEA decoding throughput, in sentences per second:
//!
//! * `parse_RMC`, `parse_GGA`, `parse_ZDA`: our
//!   `refclock_drivers::nmea::parse::parse` and the published `nmea`
//!   crate's `parse_str` on the same three real sentences
//!   ([`refclock_benches::corpus`]).
//! * `parse_mixed`: both decoders over every line of a whole capture
//!   (time sentences and the satellite/course sentences between them).
//! * `driver_receive`: `NmeaDriver::receive` for one sentence with its
//!   receive time (line framing, decoding, date logic, sample), actions
//!   drained as a host does.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use refclock_benches::corpus::{
    capture_lines, testdata_dir, BY_TYPE, MIXED_CAPTURES, MT3339_MIDNIGHT,
};
use refclock_benches::rig::DriverRig;
use refclock_drivers::nmea::parse;

/// One sentence type: each iteration decodes its three sentences.
fn by_type(c: &mut Criterion) {
    for (name, lines) in BY_TYPE {
        let bytes: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        let mut g = c.benchmark_group(format!("parse_{name}"));
        g.throughput(Throughput::Elements(lines.len() as u64));
        g.bench_function("refclock", |b| {
            b.iter(|| {
                for l in &bytes {
                    let _ = black_box(parse::parse(black_box(l)));
                }
            })
        });
        g.bench_function("nmea_0.8", |b| {
            b.iter(|| {
                for l in lines {
                    let _ = black_box(nmea::parse_str(black_box(l)));
                }
            })
        });
        g.finish();
    }
}

/// Every line of a capture, whatever the sentence (most of the non-time
/// sentences are errors for our decoder, decoded data for `nmea`).
fn mixed(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_mixed");
    for name in MIXED_CAPTURES {
        let lines = match capture_lines(name) {
            Ok(l) => l,
            Err(e) => {
                eprintln!(
                    "skipping parse_mixed/{name}: {}: {e}",
                    testdata_dir().display()
                );
                continue;
            }
        };
        let label = name.trim_end_matches(".log");
        g.throughput(Throughput::Elements(lines.len() as u64));
        g.bench_function(format!("refclock/{label}"), |b| {
            b.iter(|| {
                for l in &lines {
                    let _ = black_box(parse::parse(black_box(l.as_bytes())));
                }
            })
        });
        g.bench_function(format!("nmea_0.8/{label}"), |b| {
            b.iter(|| {
                for l in &lines {
                    let _ = black_box(nmea::parse_str(black_box(l)));
                }
            })
        });
    }
    g.finish();
}

/// The whole driver path for one sentence.
fn driver(c: &mut Criterion) {
    let mut g = c.benchmark_group("driver_receive");
    g.throughput(Throughput::Elements(1));
    for (name, lines) in BY_TYPE {
        let mut rig = DriverRig::new(lines, MT3339_MIDNIGHT)
            .unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
        g.bench_function(name, |b| b.iter(|| rig.step()));
    }
    g.finish();
}

criterion_group!(benches, by_type, mixed, driver);
criterion_main!(benches);
