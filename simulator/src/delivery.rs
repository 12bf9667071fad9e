//! When each file reached landing. A written file's modification time is set to the moment
//! its producer delivered it (as S3's `LastModified` would be), so that anything that takes
//! files in arrival order, such as `paylake bench year` delivering a year day by day, follows
//! the simulated clock rather than the moment the simulator ran.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::error::{Result, SimulatorError};

/// Sets `path`'s modification time to `delivered_micros` (UTC microseconds).
pub fn mark_delivered(path: &Path, delivered_micros: i64) -> Result<()> {
    let since_epoch = Duration::from_micros(u64::try_from(delivered_micros).unwrap_or(0));
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .map_err(|source| SimulatorError::io(path, source))?;
    file.set_modified(SystemTime::UNIX_EPOCH + since_epoch)
        .map_err(|source| SimulatorError::io(path, source))
}
