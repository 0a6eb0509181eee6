//! ntpd's trimmed-mean filter on a full poll of 60 raw offsets
//! ([`refclock_benches::offsets::nmea_like`]): the bare
//! `refclock_core::filter::trimmed_mean` (sort, trim 24, mean, jitter) and
//! `SampleBuffer::take_filtered` (copying out of the ring first).
//! Throughput is in samples.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use refclock_benches::offsets::nmea_like;
use refclock_core::filter::{trimmed_mean, SampleBuffer, MAXSTAGE};

/// ntpd's jitter floor for a 1 µs precision (2^-20 s).
const MIN_JITTER: f64 = 1.0 / (1u32 << 20) as f64;

fn filter(c: &mut Criterion) {
    let offsets = nmea_like(MAXSTAGE);
    let mut array = [0.0; MAXSTAGE];
    array.copy_from_slice(&offsets);
    let mut ring = SampleBuffer::new();
    for &x in &offsets {
        let _ = ring.push(x);
    }

    let mut g = c.benchmark_group("filter_60");
    g.throughput(Throughput::Elements(MAXSTAGE as u64));
    // The filter sorts in place: each run gets a fresh unsorted copy
    // (made outside the timing).
    g.bench_function("trimmed_mean", |b| {
        b.iter_batched_ref(
            || array,
            |v| trimmed_mean(black_box(v), MIN_JITTER),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("take_filtered", |b| {
        b.iter_batched_ref(
            || ring.clone(),
            |r| black_box(r).take_filtered(MIN_JITTER),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, filter);
criterion_main!(benches);
