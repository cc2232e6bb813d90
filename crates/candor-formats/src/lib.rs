//! The formats that GRC platforms, assessors and scanners read, produced from
//! a published revision: OSCAL 1.1 (`oscal`: a component definition per org,
//! and a catalogue and a profile per framework Candor ships) and CSAF 2.0
//! (`csaf`: a security advisory per changelog entry marked as one, and the
//! provider metadata and directory files around them). Every document
//! is a pure function of its inputs, with name-based UUIDs, so the same
//! revision always gives the same bytes and an HTTP cache can keep them.

pub mod csaf;
pub mod oscal;
