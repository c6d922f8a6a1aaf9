//! Any bytes as an office's spreadsheet (CSV in any encoding, XLSX, XLS): rows or a refusal,
//! never a panic, within the reader's limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sheet) = sheet::Sheet::open(data) {
        let _ = sheet.head(50);
    }
});
