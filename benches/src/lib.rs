//! Inputs and harnesses shared by refclock's benchmarks (in `benches/`).
//!
//! The benchmarks themselves are criterion targets (`cargo bench -p
//! refclock-benches`); this library holds what they measure on, so that
//! the inputs can be checked by ordinary tests (a benchmark of a parser
//! that fails on its input would measure the error path):
//!
//! * [`corpus`]: real NMEA sentences copied from gpsd's captures, and a
//!   loader for whole captures (the mixed streams).
//! * [`rig`]: an NMEA driver fed a cycle of sentences with matching
//!   receive times, so that every step yields one sample.
//! * [`offsets`]: a deterministic set of raw offsets as a serial NMEA
//!   receiver produces them, for the trimmed-mean filter.
//!
//! Figures and how to reproduce them: `benches/README.md`.

pub mod corpus;
pub mod offsets;
pub mod rig;
