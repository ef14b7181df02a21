//! Schema modules that several test files use exactly as they are. A module
//! is shared only when every copy had the same version, models, attributes
//! and options: checksums of these shapes are stored and asserted.

pub mod notes;
pub mod reminders;
