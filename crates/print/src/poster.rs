//! The poster: A4 portrait, drawn in millimetres. Chinese first, English second, as on the
//! posters the seeds' cities taped to shop doors.

use krilla::Document;
use krilla::geom::Size;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla_svg::{SurfaceExt, SvgSettings};
use resvg::tiny_skia;
use resvg::usvg;

use crate::fonts::Fonts;
use crate::qr::qr_path;
use crate::{PrintError, Result};

/// What one poster says. Every field is plain text; drawing escapes it.
#[derive(Debug, Clone)]
pub struct Poster {
    pub venue_name: String,
    /// 农贸市场, 药店…
    pub kind_label: String,
    /// County and township, e.g. 驿城区 · 老街街道.
    pub area_name: String,
    pub address: String,
    /// The venue's number as staff quote it on the phone.
    pub venue_number: String,
    /// The address the QR opens: the check-in page with the venue's token, nothing else.
    pub checkin_url: String,
    /// °C, from the settings (default 37.3).
    pub fever_threshold: String,
}

const PAGE_MM: (f32, f32) = (210.0, 297.0);
const A4_POINTS: (f32, f32) = (595.28, 841.89);
const TEXT_WIDTH_MM: f32 = 180.0;
const QR_MM: f32 = 128.0;
const QR_TOP_MM: f32 = 94.0;

/// The poster as an SVG document in millimetres.
pub fn poster_svg(poster: &Poster, family: &str) -> Result<String> {
    let (qr, modules) = qr_path(&poster.checkin_url)?;
    let family = escape(family);
    let (w, h) = PAGE_MM;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}" font-family="{family}">
<rect width="{w}" height="{h}" fill="#ffffff"/>
<rect width="{w}" height="40" fill="#1a5fb4"/>
<text x="105" y="23" font-size="19" font-weight="700" fill="#ffffff" text-anchor="middle">场所码 · 扫码登记</text>
<text x="105" y="33.5" font-size="6" fill="#ffffff" text-anchor="middle">Venue check-in code</text>
"##
    );
    let (size, lines) = fit(&poster.venue_name, 16.0, 9.0);
    let mut y = 40.0 + 8.0 + size;
    for line in &lines {
        svg.push_str(&format!(
            r##"<text x="105" y="{y:.1}" font-size="{size:.1}" font-weight="700" fill="#111111" text-anchor="middle">{}</text>
"##,
            escape(line)
        ));
        y += size * 1.2;
    }
    let subtitle = [poster.kind_label.as_str(), poster.area_name.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    svg.push_str(&format!(
        r##"<text x="105" y="{:.1}" font-size="5.5" fill="#444444" text-anchor="middle">{}</text>
"##,
        (y + 1.0).min(QR_TOP_MM - 4.0),
        escape(&subtitle)
    ));
    let scale = QR_MM / modules as f32;
    let left = (w - QR_MM) / 2.0;
    svg.push_str(&format!(
        r##"<g transform="translate({left:.2} {QR_TOP_MM}) scale({scale:.5})"><rect width="{modules}" height="{modules}" fill="#ffffff"/><path d="{qr}" fill="#000000" shape-rendering="crispEdges"/></g>
"##
    ));
    let threshold = escape(&poster.fever_threshold);
    let steps = [
        "① 用手机相机或微信“扫一扫”扫描上方二维码".to_string(),
        "② 首次填写身份证号、姓名、手机号，以后一键登记".to_string(),
        format!("③ 体温 ≥ {threshold}℃ 请勿入内，听从工作人员指引就医"),
    ];
    let mut y = QR_TOP_MM + QR_MM + 10.0;
    for step in &steps {
        svg.push_str(&format!(
            r##"<text x="22" y="{y:.1}" font-size="6" fill="#111111">{}</text>
"##,
            escape(step)
        ));
        y += 9.0;
    }
    svg.push_str(&format!(
        r##"<text x="22" y="{y:.1}" font-size="3.8" fill="#555555">Scan with your phone camera. First time: ID number, name and phone; afterwards one tap.</text>
<text x="22" y="{:.1}" font-size="3.8" fill="#555555">Temperature ≥ {threshold} °C: do not enter; staff will show you to the fever clinic.</text>
"##,
        y + 5.5
    ));
    let (address_size, address) = fit(&format!("地址：{}", poster.address), 4.2, 4.2);
    svg.push_str(&format!(
        r##"<line x1="15" y1="279" x2="195" y2="279" stroke="#cccccc" stroke-width="0.3"/>
<text x="105" y="285" font-size="{address_size:.1}" fill="#333333" text-anchor="middle">{}</text>
<text x="105" y="291" font-size="3.4" fill="#777777" text-anchor="middle">场所编号 {} · 本码只含场所编号，不含任何个人信息 · This code carries no personal data</text>
</svg>"##,
        escape(address.first().map(String::as_str).unwrap_or_default()),
        escape(&poster.venue_number)
    ));
    Ok(svg)
}

/// One A4 page per poster, text kept as text.
pub fn posters_pdf(fonts: &Fonts, posters: &[Poster]) -> Result<Vec<u8>> {
    let mut document = Document::new();
    let title = match posters {
        [one] => format!("场所码 {}", one.venue_name),
        _ => format!("场所码 {} 张", posters.len()),
    };
    document.set_metadata(Metadata::new().title(title).language("zh-CN".to_string()));
    let page_size = Size::from_wh(A4_POINTS.0, A4_POINTS.1).ok_or_else(|| render_error("page size"))?;
    for poster in posters {
        let tree = tree(fonts, poster)?;
        let settings = PageSettings::from_wh(A4_POINTS.0, A4_POINTS.1).ok_or_else(|| render_error("page size"))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        surface.draw_svg(&tree, page_size, SvgSettings::default()).ok_or_else(|| render_error("svg to pdf"))?;
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| render_error(&format!("{e:?}")))
}

/// The poster as a PNG, `dpi` dots per inch (150 is plenty for a phone screen or a laser printer).
pub fn poster_png(fonts: &Fonts, poster: &Poster, dpi: f32) -> Result<Vec<u8>> {
    let tree = tree(fonts, poster)?;
    let scale = (PAGE_MM.0 / 25.4 * dpi) / tree.size().width();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "an A-size page at a sane dpi is a few thousand pixels; `as` saturates"
    )]
    let (width, height) = ((tree.size().width() * scale).round() as u32, (tree.size().height() * scale).round() as u32);
    let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or_else(|| render_error("image size"))?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| render_error(&e.to_string()))
}

fn tree(fonts: &Fonts, poster: &Poster) -> Result<usvg::Tree> {
    let svg = poster_svg(poster, &fonts.family)?;
    let options =
        usvg::Options { font_family: fonts.family.clone(), fontdb: fonts.database.clone(), ..usvg::Options::default() };
    usvg::Tree::from_str(&svg, &options).map_err(|e| render_error(&e.to_string()))
}

fn render_error(what: &str) -> PrintError {
    PrintError::Render(what.to_string())
}

/// Width of `text` in em: CJK and full-width characters are one em, the rest about half.
fn width_em(text: &str) -> f32 {
    text.chars().map(|c| if (c as u32) < 0x2E80 { 0.58 } else { 1.0 }).sum()
}

/// The largest size ≤ `max` at which `text` fits the text width on one line; below `min`, the
/// text is broken into lines at size `min`.
fn fit(text: &str, max: f32, min: f32) -> (f32, Vec<String>) {
    let text = text.trim();
    let em = width_em(text).max(1.0);
    let size = (TEXT_WIDTH_MM / em).min(max);
    if size >= min {
        return (size, vec![text.to_string()]);
    }
    let budget = TEXT_WIDTH_MM / min;
    let mut lines = vec![String::new()];
    let mut used = 0.0;
    for c in text.chars() {
        let w = width_em(c.encode_utf8(&mut [0; 4]));
        if used + w > budget {
            lines.push(String::new());
            used = 0.0;
        }
        if let Some(line) = lines.last_mut() {
            line.push(c);
        }
        used += w;
    }
    (min, lines)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poster(name: &str) -> Poster {
        Poster {
            venue_name: name.to_string(),
            kind_label: "农贸市场".into(),
            area_name: "驿城区".into(),
            address: "解放路 1 号 <东门>".into(),
            venue_number: "V000001".into(),
            checkin_url: "http://127.0.0.1:8080/c/abcdef".into(),
            fever_threshold: "37.3".into(),
        }
    }

    #[test]
    fn short_names_get_the_largest_size_on_one_line() {
        assert_eq!(fit("老街菜市场", 16.0, 9.0), (16.0, vec!["老街菜市场".to_string()]));
    }

    #[test]
    fn long_names_shrink_then_wrap() {
        let (size, lines) = fit(&"长".repeat(15), 16.0, 9.0);
        assert!((size - 12.0).abs() < 0.01 && lines.len() == 1);
        let (size, lines) = fit(&"长".repeat(30), 16.0, 9.0);
        assert_eq!((size, lines.len()), (9.0, 2));
        assert_eq!(lines.concat(), "长".repeat(30));
    }

    #[test]
    fn text_is_escaped_and_the_qr_holds_only_the_url() {
        let svg = poster_svg(&poster("A&B <店>"), "Noto Sans CJK SC").unwrap();
        assert!(svg.contains("A&amp;B &lt;店&gt;"));
        assert!(svg.contains("&lt;东门&gt;"));
        assert!(!svg.contains("<店>"));
        // The document parses as XML.
        assert!(usvg::Tree::from_str(&svg, &usvg::Options::default()).is_ok());
    }
}
