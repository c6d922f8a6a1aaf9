//! Places by name: a person reads "驿城区 · 西平街道 · 人民路社区", not "411702001001". Division
//! names come from the embedded national table; a grid below a village is named by its village
//! and its number within it.

use crate::pages::Lang;

/// A place as pages show it: its name, with the code kept for a hover or a second line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceView {
    pub name: String,
    pub code: String,
}

/// The division a code names, or the most specific one above it, and what is left below it.
fn known_division(code: &str) -> Option<(divisions::Division, &str)> {
    let digits = code.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // A scope prefix ("4117") is the division with its level's zeros dropped.
    if digits.len() < 6 {
        let padded = format!("{digits:0<6}");
        return divisions::get(&padded).map(|d| (d, ""));
    }
    [12, 9, 6]
        .into_iter()
        .filter(|&len| len <= digits.len())
        .find_map(|len| divisions::get(&digits[..len]).map(|d| (d, &digits[len..])))
}

/// The short name of the place `code` names ("人民路社区", or "人民路社区 3 号网格" below a
/// village); the code itself when it names nothing known.
pub fn short_name(code: &str, lang: Lang) -> String {
    match known_division(code) {
        Some((division, "")) => division.name.to_string(),
        Some((division, rest)) => format!("{} {}", division.name, grid_part(rest, lang)),
        None => code.to_string(),
    }
}

/// The place with its path from the county down ("驿城区 · 西平街道 · 人民路社区"), for headers
/// and records; the province and prefecture are left out as every user shares them.
pub fn full_name(code: &str, lang: Lang) -> String {
    let Some((division, rest)) = known_division(code) else { return code.to_string() };
    // Province and prefecture (codes ending in 00) are left out unless they are the place.
    let names: Vec<&str> = divisions::path(division.code)
        .iter()
        .filter(|d| d.code == division.code || !(d.code.len() == 6 && d.code.ends_with("00")))
        .map(|d| d.name)
        .collect();
    let mut name = names.join(" · ");
    if !rest.is_empty() {
        name = format!("{name} · {}", grid_part(rest, lang));
    }
    name
}

/// "3 号网格" for the digits a grid code adds to its village's.
fn grid_part(rest: &str, lang: Lang) -> String {
    let number = rest.trim_start_matches('0');
    let number = if number.is_empty() { rest } else { number };
    lang.pick((format!("{number} 号网格"), format!("grid {number}")))
}

pub fn view(code: &str, lang: Lang) -> PlaceView {
    PlaceView { name: short_name(code, lang), code: code.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_names() {
        assert_eq!(short_name("411702", Lang::Zh), "驿城区");
        assert_eq!(short_name("4117", Lang::Zh), "驻马店市");
        assert!(
            short_name("411702001001001", Lang::Zh).ends_with(" 1 号网格"),
            "{}",
            short_name("411702001001001", Lang::Zh)
        );
        assert!(short_name("411702001001001", Lang::En).ends_with(" grid 1"));
        assert_eq!(short_name("999999", Lang::Zh), "999999");
        assert_eq!(short_name("", Lang::Zh), "");
        assert!(full_name("411702001", Lang::Zh).starts_with("驿城区 · "), "{}", full_name("411702001", Lang::Zh));
    }
}
