//! chrony SOCK datagrams: `refclock_sock::SockSample::encode` (sample to
//! the 40-byte `struct sock_sample`) and `decode` (with its checks).
//! Throughput is in samples.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use refclock_sock::SockSample;

fn sock(c: &mut Criterion) {
    // The sample the MT3339 capture's first RMC gives: received 0.1 s
    // after 2015-04-13 20:26:40 UTC.
    let sample = SockSample::new(1_428_956_800, 100_000, -0.1, 0);
    let datagram = sample.encode();
    assert_eq!(SockSample::decode(&datagram).ok(), Some(sample));

    let mut g = c.benchmark_group("sock");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode", |b| b.iter(|| black_box(&sample).encode()));
    g.bench_function("decode", |b| {
        b.iter(|| SockSample::decode(black_box(&datagram)))
    });
    g.finish();
}

criterion_group!(benches, sock);
criterion_main!(benches);
