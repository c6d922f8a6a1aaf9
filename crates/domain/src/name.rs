//! Person names: Chinese (with the minority-name dot ·) or Latin, as they appear on documents.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::digits::fold_width;
use crate::text::MAX_COMBINING_RUN;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("the name is empty")]
    Empty,
    #[error("a name has at most {max} characters")]
    TooLong { max: usize },
    #[error("a name cannot contain {ch:?}")]
    BadCharacter { ch: char },
}

impl crate::Explain for PersonNameError {
    fn zh(&self) -> String {
        match self {
            PersonNameError::Empty => "姓名为空".into(),
            PersonNameError::TooLong { max } => format!("姓名最多 {max} 个字"),
            PersonNameError::BadCharacter { ch } => format!("姓名不能含有字符 {ch:?}"),
        }
    }
}

impl PersonName {
    pub const MAX: usize = 50;

    /// Letters of any script (NFC), combining marks as real scripts use them, and the
    /// separators names carry (space, the minority-name dot ·, apostrophe, hyphen, period);
    /// nothing else, so no digit, symbol, control or invisible character.
    pub fn parse(input: &str) -> Result<PersonName, PersonNameError> {
        let mut name = String::new();
        let mut combining = 0usize;
        for c in input.nfc().map(fold_width) {
            let c = if c == '•' || c == '・' { '·' } else { c };
            if c.is_whitespace() && !crate::text::is_invisible_format(c) {
                if !name.is_empty() && !name.ends_with(' ') {
                    name.push(' ');
                }
                combining = 0;
                continue;
            }
            if is_combining_mark(c) {
                combining += 1;
                if combining > MAX_COMBINING_RUN || name.is_empty() {
                    return Err(PersonNameError::BadCharacter { ch: c });
                }
            } else if (c.is_alphabetic() && !c.is_numeric()) || "·'-.".contains(c) {
                combining = 0;
            } else {
                return Err(PersonNameError::BadCharacter { ch: c });
            }
            name.push(c);
        }
        let name = name.trim_end().to_string();
        match name.chars().count() {
            0 => Err(PersonNameError::Empty),
            n if n > Self::MAX => Err(PersonNameError::TooLong { max: Self::MAX }),
            _ => Ok(PersonName(name)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// "张**": the surname only.
    pub fn masked(&self) -> String {
        let mut chars = self.0.chars();
        let first = chars.next().map(String::from).unwrap_or_default();
        format!("{first}{}", "*".repeat(chars.count()))
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn real_names_pass_and_normalise() {
        assert_eq!(PersonName::parse(" 张三 ").unwrap().as_str(), "张三");
        assert_eq!(PersonName::parse("买买提•艾力").unwrap().as_str(), "买买提·艾力");
        assert_eq!(PersonName::parse("John   O'Brien-Smith").unwrap().as_str(), "John O'Brien-Smith");
        assert_eq!(PersonName::parse("欧阳　娜娜").unwrap().as_str(), "欧阳 娜娜");
        assert_eq!(PersonName::parse("张三丰").unwrap().masked(), "张**");
    }

    #[test]
    fn junk_is_refused() {
        assert_eq!(PersonName::parse("   "), Err(PersonNameError::Empty));
        assert_eq!(PersonName::parse("张3"), Err(PersonNameError::BadCharacter { ch: '3' }));
        assert_eq!(PersonName::parse("张３"), Err(PersonNameError::BadCharacter { ch: '3' }));
        assert_eq!(PersonName::parse("<script>"), Err(PersonNameError::BadCharacter { ch: '<' }));
        assert_eq!(PersonName::parse("a\u{0}b"), Err(PersonNameError::BadCharacter { ch: '\u{0}' }));
        assert_eq!(PersonName::parse("张\u{202E}三"), Err(PersonNameError::BadCharacter { ch: '\u{202E}' }));
        assert_eq!(PersonName::parse("张\u{200B}三"), Err(PersonNameError::BadCharacter { ch: '\u{200B}' }));
        assert_eq!(PersonName::parse("张三\u{E0041}"), Err(PersonNameError::BadCharacter { ch: '\u{E0041}' }));
        assert!(PersonName::parse(&format!("a{}", "\u{301}".repeat(49))).is_err());
        assert_eq!(PersonName::parse("张三!"), Err(PersonNameError::BadCharacter { ch: '!' }));
        // One spelling for one name: a decomposed é is the precomposed one.
        assert_eq!(PersonName::parse("Rene\u{301}").unwrap().as_str(), "René");
        assert_eq!(PersonName::parse(&"王".repeat(51)), Err(PersonNameError::TooLong { max: 50 }));
        assert!(PersonName::parse(&"王".repeat(50)).is_ok());
    }

    proptest! {
        #[test]
        fn chinese_names_round_trip(name in "[\\u{4e00}-\\u{9fa5}]{1,6}") {
            let parsed = PersonName::parse(&name).unwrap();
            prop_assert_eq!(parsed.as_str(), name.as_str());
        }

        #[test]
        fn parsed_names_are_trimmed_and_bounded(text in "\\PC{0,60}") {
            if let Ok(name) = PersonName::parse(&text) {
                prop_assert_eq!(name.as_str().trim(), name.as_str());
                prop_assert!(!name.as_str().contains("  "));
                prop_assert!(name.as_str().chars().count() <= PersonName::MAX);
            }
        }
    }
}
