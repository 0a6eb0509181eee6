//! Fuzzing the raw DCF77 codec (feature `testkit`).
