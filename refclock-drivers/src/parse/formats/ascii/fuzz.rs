//! Fuzzing of the eight formats (feature `testkit`).
