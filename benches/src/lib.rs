//! Benchmarks for refclock (see benches/).
