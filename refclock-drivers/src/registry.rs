//! The list of drivers: type number ↔ names ↔ constructor.
