//! Input as people type it: full-width digits and letters (from Chinese input methods) and stray
//! spaces are folded to ASCII before any rule looks at the text.

/// Maps full-width ASCII (U+FF01–U+FF5E) to ASCII and the ideographic space to a space.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Folds width and drops every kind of whitespace.
pub fn compact(input: &str) -> String {
    input.chars().map(fold_width).filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_spaces_fold() {
        assert_eq!(compact("４１１７　０２ x"), "411702x");
        assert_eq!(fold_width('Ｘ'), 'X');
        assert_eq!(fold_width('中'), '中');
    }
}
