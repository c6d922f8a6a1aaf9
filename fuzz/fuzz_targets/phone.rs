//! Any text as a mobile number: parsed (normalised to 11 digits) or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(phone) = domain::Phone::parse(text) {
        assert_eq!(domain::Phone::parse(phone.as_str()).expect("a parsed phone parses again"), phone);
    }
});
