//! Tests of the Trimble driver on scripted packets.
