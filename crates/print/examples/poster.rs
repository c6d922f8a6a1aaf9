//! Writes a sample poster as PDF and PNG: `cargo run -p print --example poster -- OUT_DIR`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let fonts = print::Fonts::load()?;
    let poster = print::Poster {
        venue_name: "驿城区老街农贸市场（东门）".into(),
        kind_label: "农贸市场".into(),
        area_name: "驿城区 · 老街街道".into(),
        address: "驿城区解放路 18 号".into(),
        venue_number: "V000042".into(),
        checkin_url: "http://10.0.0.5:8080/c/3q2P0r9vXk1mZb7tLw4sYQ".into(),
        fever_threshold: "37.3".into(),
    };
    std::fs::write(out.join("poster.pdf"), print::posters_pdf(&fonts, std::slice::from_ref(&poster))?)?;
    std::fs::write(out.join("poster.png"), print::poster_png(&fonts, &poster, 100.0)?)?;
    Ok(())
}
