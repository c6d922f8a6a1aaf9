//! Printed output: the venue poster (场所码张贴码). One SVG is drawn per poster and turned into an
//! A4 PDF page (text kept as text, so it can be searched and extracted) or a PNG. The QR code
//! carries only the check-in address with the venue's token — never personal data.
//!
//! The CJK font is read from the machine (Debian `fonts-noto-cjk`) or from `FANGKONG_CJK_FONT`:
//! 20 MB of font is not worth embedding in every binary, and the PDF embeds only the glyphs used.

mod fonts;
mod poster;
mod qr;

pub use fonts::Fonts;
pub use poster::{Poster, poster_png, poster_svg, posters_pdf};
pub use qr::qr_svg;

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error(
        "no Chinese font found (looked for {looked}); install the Debian package fonts-noto-cjk or set FANGKONG_CJK_FONT"
    )]
    NoFont { looked: String },
    #[error("the check-in address is too long for a QR code")]
    QrTooLong,
    #[error("the poster could not be drawn: {0}")]
    Render(String),
}

pub type Result<T> = std::result::Result<T, PrintError>;
