//! SOCK placeholder
