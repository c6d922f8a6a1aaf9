//! Masking of identity data in lists; the full value is shown only on a single, audited read.

pub fn id_number(full: &str) -> String {
    let chars: Vec<char> = full.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (&chars[..4], &chars[chars.len() - 4..]);
    format!("{}{}{}", head.iter().collect::<String>(), "*".repeat(chars.len() - 8), tail.iter().collect::<String>())
}

pub fn phone(full: &str) -> String {
    let chars: Vec<char> = full.chars().collect();
    if chars.len() != 11 {
        return "*".repeat(chars.len());
    }
    format!("{}****{}", chars[..3].iter().collect::<String>(), chars[7..].iter().collect::<String>())
}

/// "张*丰" or "王*": the first character and, for three or more, the last; the rest hidden.
pub fn name(full: &str) -> String {
    let chars: Vec<char> = full.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(super::id_number("41170219850312001X"), "4117**********001X");
        assert_eq!(super::phone("13812341234"), "138****1234");
        assert_eq!(super::name("张三丰"), "张*丰");
        assert_eq!(super::name("王五"), "王*");
    }
}
