//! The formats that GRC platforms, assessors and scanners read, produced from
//! a published revision: OSCAL 1.1 (`oscal`: a component definition per org,
//! and a catalogue and a profile per framework Candor ships). Every document
//! is a pure function of its inputs, with name-based UUIDs, so the same
//! revision always gives the same bytes and an HTTP cache can keep them.

pub mod oscal;
