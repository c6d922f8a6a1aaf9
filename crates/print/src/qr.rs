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

/// `text` as a standalone SVG QR code (quiet zone included) whose dark modules are `colour`
/// (a CSS colour), scaled by its container: the health code's QR, drawn in the code's colour.
pub fn qr_svg(text: &str, colour: &str) -> Result<String> {
    let (path, width) = qr_path(text)?;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {width}\" shape-rendering=\"crispEdges\" role=\"img\">\
         <rect width=\"{width}\" height=\"{width}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"{colour}\"/></svg>"
    ))
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
    fn the_svg_draws_the_path_in_the_colour() {
        let svg = qr_svg("token", "#c62828").unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("fill=\"#c62828\"") && svg.ends_with("</svg>"));
    }

    #[test]
    fn a_text_too_long_for_any_version_is_refused() {
        assert!(matches!(qr_path(&"x".repeat(5000)), Err(PrintError::QrTooLong)));
    }
}
