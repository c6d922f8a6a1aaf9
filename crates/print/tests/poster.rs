#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! The poster as a printer and a phone see it: text extracted from the PDF by poppler's
//! `pdftotext` (Debian poppler-utils, installed by .ci/run), the QR decoded back from the PNG.

use std::process::Command;

use print::{Fonts, Poster, poster_png, posters_pdf};
use resvg::tiny_skia::Pixmap;

fn poster(name: &str, token: &str) -> Poster {
    Poster {
        venue_name: name.to_string(),
        kind_label: "农贸市场".into(),
        area_name: "驿城区 · 老街街道".into(),
        address: "驿城区解放路 18 号".into(),
        venue_number: "V000042".into(),
        checkin_url: format!("http://10.0.0.5:8080/c/{token}"),
        fever_threshold: "37.3".into(),
    }
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("fangkong-poster-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("poster.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is needed to read the poster back");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_pdf_poster_carries_its_chinese_text_as_text() {
    let fonts = Fonts::load().expect("a CJK font (fonts-noto-cjk)");
    let pdf = posters_pdf(&fonts, &[poster("老街农贸市场", "tok1")]).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for expected in ["场所码", "老街农贸市场", "身份证号", "驿城区解放路", "37.3", "不含任何个人信息"]
    {
        assert!(text.contains(expected), "{expected:?} not in the extracted text:\n{text}");
    }
    // The font is subset: a poster is small enough to send over a phone network.
    assert!(pdf.len() < 400_000, "{} bytes", pdf.len());
}

#[test]
fn a_batch_has_one_page_per_venue() {
    let fonts = Fonts::load().unwrap();
    let posters = [poster("甲超市", "a"), poster("乙药店", "b"), poster("丙饭店", "c")];
    let text = pdf_text(&posters_pdf(&fonts, &posters).unwrap());
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), 3);
    for (page, name) in pages.iter().zip(["甲超市", "乙药店", "丙饭店"]) {
        assert!(page.contains(name), "{name} not on its page");
    }
}

#[test]
fn the_png_qr_scans_back_to_the_checkin_url_and_nothing_else() {
    let fonts = Fonts::load().unwrap();
    let png = poster_png(&fonts, &poster("老街农贸市场", "Zx9_token"), 150.0).unwrap();
    let pixmap = Pixmap::decode_png(&png).unwrap();
    assert_eq!((pixmap.width(), pixmap.height()), (1240, 1754));
    let width = pixmap.width() as usize;
    let pixels = pixmap.pixels();
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, pixmap.height() as usize, |x, y| {
        let p = pixels[y * width + x];
        u8::try_from((u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue())) / 3).unwrap()
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, "http://10.0.0.5:8080/c/Zx9_token");
}
