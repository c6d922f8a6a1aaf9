//! Any text as a division code, a grid code or a jurisdiction: parsed or refused, never a panic;
//! a scope's range always contains the code it was made from.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(area) = domain::AreaCode::parse(text) {
        let scope = domain::Scope::of(&area);
        assert!(scope.contains(area.as_str()));
    }
    let _ = domain::GridCode::parse(text);
    if let Some(scope) = domain::Scope::of_code_str(text) {
        let (lower, upper) = scope.range();
        assert!(lower <= upper);
    }
});
