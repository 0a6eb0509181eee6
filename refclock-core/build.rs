//! Records the build date, from which the GPS week base date defaults are
//! derived (as the C ntp-refclock derives its `basedate` from its build
//! stamp). `SOURCE_DATE_EPOCH` is honoured for reproducible builds.

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=REFCLOCK_BUILD_UNIX={secs}");
}
