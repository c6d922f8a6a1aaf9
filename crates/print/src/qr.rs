use qrcode::{Color, EcLevel, QrCode};

use crate::{PrintError, Result};

/// The dark modules of `text`'s QR code as one SVG path in module units, and the width in modules
/// including the 4-module quiet zone the standard asks for.
pub(crate) fn qr_path(text: &str) -> Result<(String, usize)> {
    // M: survives a torn or dirty corner of a poster taped to a door.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|_| PrintError::QrTooLong)?;
    let width = code.width();
    let mut path = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = (i % width + 4, i / width + 4);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Ok((path, width + 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_has_one_square_per_dark_module() {
        let (path, width) = qr_path("https://example.org/c/abc").unwrap();
        let code = QrCode::with_error_correction_level(b"https://example.org/c/abc", EcLevel::M).unwrap();
        let dark = code.to_colors().iter().filter(|c| **c == Color::Dark).count();
        assert_eq!(path.matches('M').count(), dark);
        assert_eq!(width, code.width() + 8);
    }

    #[test]
    fn a_text_too_long_for_any_version_is_refused() {
        assert!(matches!(qr_path(&"x".repeat(5000)), Err(PrintError::QrTooLong)));
    }
}
