//! NMEA placeholder
