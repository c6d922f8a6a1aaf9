//! Any text as a resident ID number: parsed or refused with a reason, never a panic; what parses
//! keeps its check digit and its 18-digit form parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(id) = domain::ResidentId::parse(text) {
        let again = domain::ResidentId::parse(id.as_str()).expect("a parsed ID parses again");
        assert_eq!(again, id);
        assert_eq!(id.as_str().len(), 18);
    }
});
