//! Fixtures shared by the integration tests, one module per concern:
//!
//! - [`store`]: store paths in temporary directories, opening a store that
//!   must fail, and stores written as older versions of staged wrote them;
//! - [`sql`]: reading a store file through raw SQL (tables, columns, indexes,
//!   rows, history, integrity);
//! - [`files`]: byte and directory-listing snapshots;
//! - [`plans`]: migration plans of one, two or three schemas, inferred or
//!   with one stage;
//! - [`schemas`]: schema modules that several test files use as they are, with
//!   constructors of their records.

// Each test binary uses a different subset of these fixtures.
#![allow(dead_code)]

pub mod files;
pub mod plans;
pub mod schemas;
pub mod sql;
pub mod store;
