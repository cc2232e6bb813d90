//! JSON input (the API body) never panics, and accepted documents keep their hash
//! through a canonical round trip.
#![no_main]

use candor_domain::TrustCenter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tc) = TrustCenter::from_json(data) {
        let again = TrustCenter::from_json(&tc.canonical_bytes()).expect("canonical JSON must parse");
        assert_eq!(again.content_hash(), tc.content_hash());
    }
});
