//! The list of drivers: ntpd type number ↔ ntpd's name ↔ readable name,
//! and for the drivers this build has, the constructor and the simulated
//! device. The command line, `-l`, the simulator and the fuzz targets all
//! read these two tables.
//!
//! [`CATALOGUE`] names every ntpd type (and 47, `UBX`, ours: no ntpd type); [`IMPLEMENTED`] holds one line per
//! driver of this build, behind its cargo feature. ntpd's names are the
//! `REFCLK_*` macro names of include/ntp.h (what the C ntp-refclock prints
//! with `-l`); readable names are NTPsec's where NTPsec kept the driver,
//! otherwise the obvious lower-case name.

use refclock_core::{Clock, Driver, DriverConfig, DriverInfo, Refclock, StartError};

/// Starts a driver from its configuration, boxed for a host.
pub type StartFn = fn(DriverConfig) -> Result<Box<dyn Refclock>, StartError>;

/// Builds a driver's simulated device.
#[cfg(feature = "sim")]
pub type DeviceFn =
    fn(
        &refclock_core::sim::DeviceSetup,
    ) -> Result<Box<dyn refclock_core::sim::DeviceModel>, refclock_core::sim::DeviceError>;

/// One ntpd driver type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// ntpd's type number (127.127.TYPE.UNIT).
    pub kind: u8,
    /// ntpd's name (`REFCLK_` stripped), as `-l` prints it.
    pub ntpd_name: &'static str,
    /// Readable name accepted in place of the address.
    pub name: &'static str,
    /// What it is for.
    pub description: &'static str,
}

impl Entry {
    /// The driver, when this build has it.
    pub fn implemented(&self) -> Option<&'static Implemented> {
        implemented(self.kind)
    }
}

/// A driver this build has.
#[derive(Clone, Copy)]
pub struct Implemented {
    /// What the driver says about itself.
    pub info: DriverInfo,
    /// Starts it.
    pub start: StartFn,
    /// Its own options (`option NAME[=VALUE]`).
    pub options: &'static [refclock_core::OptionInfo],
    /// The poll exponents its ntpd original forces, if any
    /// ([`Driver::POLL_RANGE`]).
    pub poll_range: Option<(u8, u8)>,
    /// Its simulated device, if it has one.
    #[cfg(feature = "sim")]
    pub device: Option<DeviceFn>,
}

impl std::fmt::Debug for Implemented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Implemented")
            .field("info", &self.info)
            .finish()
    }
}

/// `Clock::<D>::start`, boxed.
pub fn start_boxed<D: Driver>(config: DriverConfig) -> Result<Box<dyn Refclock>, StartError> {
    Ok(Box::new(Clock::<D>::start(config)?))
}

/// One line of [`IMPLEMENTED`]: `implemented!(module::Driver)`, or
/// `implemented!(module::Driver, device)` for a driver whose module has a
/// simulated device, `module::device::new` (a [`DeviceFn`], behind the
/// `sim` feature).
macro_rules! implemented {
    ($module:ident :: $driver:ident) => {
        Implemented {
            info: <crate::$module::$driver as Driver>::INFO,
            start: start_boxed::<crate::$module::$driver>,
            options: <crate::$module::$driver as Driver>::OPTIONS,
            poll_range: <crate::$module::$driver as Driver>::POLL_RANGE,
            #[cfg(feature = "sim")]
            device: None,
        }
    };
    ($module:ident :: $driver:ident, device) => {
        Implemented {
            info: <crate::$module::$driver as Driver>::INFO,
            start: start_boxed::<crate::$module::$driver>,
            options: <crate::$module::$driver as Driver>::OPTIONS,
            poll_range: <crate::$module::$driver as Driver>::POLL_RANGE,
            #[cfg(feature = "sim")]
            device: Some(crate::$module::device::new),
        }
    };
}

/// The drivers of this build, one line each, in type order.
pub static IMPLEMENTED: &[Implemented] = &[
    #[cfg(feature = "pst")]
    implemented!(pst::PstDriver, device),
    #[cfg(feature = "spectracom")]
    implemented!(spectracom::SpectracomDriver, device),
    #[cfg(feature = "truetime")]
    implemented!(truetime::TrueTimeDriver, device),
    #[cfg(feature = "parse")]
    implemented!(parse::ParseDriver, device),
    #[cfg(feature = "as2201")]
    implemented!(as2201::As2201Driver, device),
    #[cfg(feature = "arbiter")]
    implemented!(arbiter::ArbiterDriver, device),
    #[cfg(feature = "leitch")]
    implemented!(leitch::LeitchDriver, device),
    #[cfg(feature = "datum")]
    implemented!(datum::DatumDriver, device),
    #[cfg(feature = "acts")]
    implemented!(acts::ActsDriver, device),
    #[cfg(feature = "heath")]
    implemented!(heath::HeathDriver, device),
    #[cfg(feature = "nmea")]
    implemented!(nmea::NmeaDriver, device),
    #[cfg(feature = "hpgps")]
    implemented!(hpgps::HpgpsDriver, device),
    #[cfg(feature = "arcron")]
    implemented!(arcron::ArcronDriver, device),
    #[cfg(feature = "trimble")]
    implemented!(trimble::TrimbleDriver, device),
    #[cfg(feature = "oncore")]
    implemented!(oncore::OncoreDriver, device),
    #[cfg(feature = "jupiter")]
    implemented!(jupiter::JupiterDriver, device),
    #[cfg(feature = "chronolog")]
    implemented!(chronolog::ChronologDriver, device),
    #[cfg(feature = "dumbclock")]
    implemented!(dumbclock::DumbclockDriver, device),
    #[cfg(feature = "ulink")]
    implemented!(ulink::UlinkDriver, device),
    #[cfg(feature = "fg")]
    implemented!(fg::FgDriver, device),
    #[cfg(feature = "hopfserial")]
    implemented!(hopfserial::HopfSerialDriver, device),
    #[cfg(feature = "jjy")]
    implemented!(jjy::JjyDriver, device),
    #[cfg(feature = "zyfer")]
    implemented!(zyfer::ZyferDriver, device),
    #[cfg(feature = "neoclock4x")]
    implemented!(neoclock4x::Neoclock4xDriver, device),
    #[cfg(feature = "gpsd")]
    implemented!(gpsd::GpsdDriver, device),
    #[cfg(feature = "ubx")]
    implemented!(ubx::UbxDriver, device),
];

macro_rules! entry {
    ($kind:expr, $ntpd:expr, $name:expr, $desc:expr) => {
        Entry {
            kind: $kind,
            ntpd_name: $ntpd,
            name: $name,
            description: $desc,
        }
    };
}

/// Every ntpd driver type, in type order.
pub static CATALOGUE: &[Entry] = &[
    entry!(
        1,
        "LOCALCLOCK",
        "local",
        "Undisciplined local clock (use chrony's `local`)"
    ),
    entry!(
        2,
        "GPS_TRAK",
        "trak",
        "TRAK 8810 GPS Receiver (no source in ntpd)"
    ),
    entry!(3, "WWV_PST", "pst", "PSTI/Traconex WWV/WWVH Receiver"),
    entry!(
        4,
        "SPECTRACOM",
        "spectracom",
        "Spectracom (generic) Receivers"
    ),
    entry!(5, "TRUETIME", "truetime", "TrueTime (generic) Receivers"),
    entry!(6, "IRIG_AUDIO", "irig", "IRIG Audio Decoder"),
    entry!(7, "CHU_AUDIO", "chu", "CHU Audio Demodulator/Decoder"),
    entry!(
        8,
        "PARSE",
        "generic",
        "Generic reference clock driver (PARSE)"
    ),
    entry!(9, "GPS_MX4200", "mx4200", "Magnavox MX4200 GPS Receiver"),
    entry!(10, "GPS_AS2201", "as2201", "Austron 2201A GPS Receiver"),
    entry!(11, "GPS_ARBITER", "arbiter", "Arbiter 1088A/B GPS Receiver"),
    entry!(12, "IRIG_TPRO", "tpro", "KSI/Odetics TPRO/S IRIG Interface"),
    entry!(
        13,
        "ATOM_LEITCH",
        "leitch",
        "Leitch CSD 5300 Master Clock Controller"
    ),
    entry!(14, "MSF_EES", "ees", "EES M201 MSF Receiver"),
    entry!(
        15,
        "GPSTM_TRUE",
        "gpstm",
        "old TrueTime GPS/TM-TMD Receiver (not used)"
    ),
    entry!(16, "IRIG_BANCOMM", "bancomm", "Bancomm GPS/IRIG Receiver"),
    entry!(17, "GPS_DATUM", "datum", "Datum Precision Time System"),
    entry!(18, "ACTS", "modem", "Automated Computer Time Service"),
    entry!(19, "WWV_HEATH", "heath", "Heath WWV/WWVH Receiver"),
    entry!(20, "GPS_NMEA", "nmea", "NMEA GPS Clock"),
    entry!(21, "GPS_VME", "gpsvme", "TrueTime GPS-VME Interface"),
    entry!(
        22,
        "ATOM_PPS",
        "pps",
        "PPS Clock Discipline (use chrony's `refclock PPS`)"
    ),
    entry!(23, "PTB_ACTS", "ptb", "replaced by ACTS (18)"),
    entry!(24, "USNO", "usno", "replaced by ACTS (18)"),
    entry!(
        26,
        "GPS_HP",
        "hpgps",
        "HP 58503A GPS Time & Frequency Receiver"
    ),
    entry!(
        27,
        "ARCRON_MSF",
        "arcron",
        "ARCRON MSF (and DCF77) Receiver"
    ),
    entry!(
        28,
        "SHM",
        "shm",
        "Clock attached thru shared Memory (use chrony's `refclock SHM`)"
    ),
    entry!(29, "PALISADE", "trimble", "Trimble Navigation Palisade GPS"),
    entry!(30, "ONCORE", "oncore", "Motorola UT Oncore GPS"),
    entry!(31, "GPS_JUPITER", "jupiter", "Rockwell Jupiter GPS"),
    entry!(32, "CHRONOLOG", "chronolog", "Chrono-log K"),
    entry!(
        33,
        "DUMBCLOCK",
        "dumbclock",
        "Dumb generic hh:mm:ss local clock"
    ),
    entry!(34, "ULINK", "ulink", "Ultralink M320 WWVB receiver"),
    entry!(35, "PCF", "pcf", "Conrad parallel port radio clock"),
    entry!(36, "WWV_AUDIO", "wwv", "WWV/H Audio Demodulator/Decoder"),
    entry!(37, "FG", "fg", "Forum Graphic GPS Dating Station"),
    entry!(
        38,
        "HOPF_SERIAL",
        "hopfserial",
        "hopf Elektronic serial line receiver"
    ),
    entry!(39, "HOPF_PCI", "hopfpci", "hopf Elektronic PCI receiver"),
    entry!(40, "JJY", "jjy", "JJY receiver"),
    entry!(41, "TT560", "tt560", "TrueTime 560 IRIG-B decoder"),
    entry!(42, "ZYFER", "zyfer", "Zyfer GPStarplus receiver"),
    entry!(43, "RIPENCC", "ripencc", "RIPE NCC Trimble driver"),
    entry!(
        44,
        "NEOCLOCK4X",
        "neoclock4x",
        "NeoClock4X DCF77 / TDF receiver"
    ),
    entry!(
        45,
        "TSYNCPCI",
        "tsyncpci",
        "Spectracom TSYNC PCI timing board"
    ),
    entry!(46, "GPSDJSON", "gpsd", "GPSD JSON socket"),
    // Not an ntpd type: ntpd's end at 46 (the C program has no 47).
    entry!(47, "UBX", "ubx", "u-blox timing GPS (UBX binary)"),
];

/// The catalogue entry for a type number.
pub fn by_kind(kind: u8) -> Option<&'static Entry> {
    CATALOGUE.iter().find(|e| e.kind == kind)
}

/// The catalogue entry for a readable or ntpd name (case-insensitive).
pub fn by_name(name: &str) -> Option<&'static Entry> {
    CATALOGUE
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(name) || e.ntpd_name.eq_ignore_ascii_case(name))
}

/// The driver of type `kind`, when this build has it.
pub fn implemented(kind: u8) -> Option<&'static Implemented> {
    IMPLEMENTED.iter().find(|d| d.info.kind == kind)
}

/// The drivers this build has, in type order.
pub fn available() -> impl Iterator<Item = &'static Implemented> {
    IMPLEMENTED.iter()
}

/// Starts the driver of type `kind` (`None` when this build lacks it).
pub fn start(kind: u8, config: DriverConfig) -> Option<Result<Box<dyn Refclock>, StartError>> {
    implemented(kind).map(|d| (d.start)(config))
}

/// The `-l` listing: one `127.127.TYPE.*<TAB>NAME` line per available driver.
pub fn listing() -> String {
    available()
        .map(|d| format!("127.127.{}.*\t{}\n", d.info.kind, d.info.ntpd_name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_sorted() {
        for w in CATALOGUE.windows(2) {
            assert!(w[0].kind < w[1].kind);
        }
        for (i, a) in CATALOGUE.iter().enumerate() {
            for b in &CATALOGUE[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.ntpd_name, b.ntpd_name);
            }
        }
        for w in IMPLEMENTED.windows(2) {
            assert!(w[0].info.kind < w[1].info.kind);
        }
    }

    #[test]
    fn implemented_drivers_agree_with_the_catalogue() {
        for d in IMPLEMENTED {
            let e = by_kind(d.info.kind).expect("in the catalogue");
            assert_eq!(
                (e.ntpd_name, e.name, e.description),
                (d.info.ntpd_name, d.info.name, d.info.description),
                "type {}",
                d.info.kind
            );
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(by_name("nmea").map(|e| e.kind), Some(20));
        assert_eq!(by_name("GPS_NMEA").map(|e| e.kind), Some(20));
        assert_eq!(by_name("trimble").map(|e| e.kind), Some(29));
        assert_eq!(by_kind(8).map(|e| e.ntpd_name), Some("PARSE"));
        assert!(by_kind(25).is_none());
        assert!(by_name("nosuch").is_none());
    }

    #[cfg(feature = "nmea")]
    #[test]
    fn listing_has_nmea() {
        assert!(listing().contains("127.127.20.*\tGPS_NMEA\n"));
        let c = start(20, DriverConfig::default()).unwrap().unwrap();
        assert_eq!(c.info().kind, 20);
        assert!(by_kind(20).unwrap().implemented().is_some());
    }

    #[cfg(all(feature = "nmea", feature = "sim"))]
    #[test]
    fn nmea_has_a_simulated_device() {
        let make = implemented(20).and_then(|d| d.device).expect("a device");
        let dev = make(&refclock_core::sim::DeviceSetup::default()).unwrap();
        assert!(dev.describe().starts_with("NMEA"));
    }
}
