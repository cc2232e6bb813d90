//! Any input either fails with a field-path error or parses into a document that
//! survives its own YAML round trip unchanged.
#![no_main]

use candor_domain::TrustCenter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match TrustCenter::from_yaml(text) {
        Ok(tc) => {
            let yaml = tc.to_yaml();
            let again = TrustCenter::from_yaml(&yaml).expect("exported YAML must parse");
            assert_eq!(again, tc);
            assert_eq!(again.content_hash(), tc.content_hash());
        }
        Err(e) => assert!(!e.errors.is_empty()),
    }
});
