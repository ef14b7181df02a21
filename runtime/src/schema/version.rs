//! Semantic versions of schemas.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The version of a schema, `MAJOR.MINOR.PATCH`, ordered as semver.
///
/// `Version::new(1, 0, 0)` displays and parses as `"1.0.0"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
}

impl Version {
    /// A version from its three components.
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// The major component.
    pub const fn major(self) -> u64 {
        self.major
    }

    /// The minor component.
    pub const fn minor(self) -> u64 {
        self.minor
    }

    /// The patch component.
    pub const fn patch(self) -> u64 {
        self.patch
    }

    /// `self > other`, usable in constant evaluation (compile-time checks of plans).
    pub const fn is_newer_than(self, other: Version) -> bool {
        if self.major != other.major {
            return self.major > other.major;
        }
        if self.minor != other.minor {
            return self.minor > other.minor;
        }
        self.patch > other.patch
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A string that is not `MAJOR.MINOR.PATCH` with three unsigned integers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version `{input}`: expected `MAJOR.MINOR.PATCH`, e.g. `1.0.0`")]
pub struct ParseVersionError {
    input: String,
}

impl FromStr for Version {
    type Err = ParseVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // No signs, whitespace or leading zeros: a version has one spelling.
        let (major, minor, patch) =
            staged_vocabulary::parse_version(s).ok_or_else(|| ParseVersionError {
                input: s.to_owned(),
            })?;
        Ok(Version::new(major, minor, patch))
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let v: Version = "1.20.3".parse().unwrap();
        assert_eq!(v, Version::new(1, 20, 3));
        assert_eq!(v.to_string(), "1.20.3");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "1",
            "1.0",
            "1.0.0.0",
            "1.a.0",
            "01.0.0",
            "-1.0.0",
            "1. 0.0",
            "1.0.0-beta",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn orders_as_semver() {
        let mut versions: Vec<Version> = ["1.10.0", "1.2.0", "0.9.9", "1.2.10", "1.2.9"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        versions.sort();
        let shown: Vec<String> = versions.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["0.9.9", "1.2.0", "1.2.9", "1.2.10", "1.10.0"]);
        assert!(Version::new(2, 0, 0).is_newer_than(Version::new(1, 9, 9)));
        assert!(!Version::new(1, 0, 0).is_newer_than(Version::new(1, 0, 0)));
    }
}
