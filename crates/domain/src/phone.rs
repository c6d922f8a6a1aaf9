//! Mainland mobile numbers, stored as their 11 digits.

use std::fmt;
use std::str::FromStr;

use crate::digits::fold_width;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the mobile number is empty")]
    Empty,
    #[error("a mobile number has 11 digits after +86, this one has {found}")]
    Length { found: usize },
    #[error("the mobile number contains {ch:?}; use digits, spaces or dashes")]
    BadCharacter { ch: char },
    #[error("a mainland mobile number starts with 13–19, not {prefix}")]
    Prefix { prefix: String },
}

impl crate::Explain for PhoneError {
    fn zh(&self) -> String {
        match self {
            PhoneError::Empty => "手机号为空".into(),
            PhoneError::Length { found } => format!("手机号应为 11 位，这里是 {found} 位"),
            PhoneError::BadCharacter { ch } => format!("手机号含有字符 {ch:?}；只能用数字、空格或横线"),
            PhoneError::Prefix { prefix } => format!("大陆手机号应以 13–19 开头，这里是 {prefix}"),
        }
    }
}

impl Phone {
    /// Accepts "+86 138-1234-5678", "0086 13812345678", "(138) 1234 5678", full-width digits.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let mut digits = String::new();
        let mut plus = false;
        for c in input.chars().map(fold_width) {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() && !plus => plus = true,
                ' ' | '-' | '(' | ')' | '.' => {}
                c if c.is_whitespace() => {}
                ch => return Err(PhoneError::BadCharacter { ch }),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        let national = if let Some(rest) = digits.strip_prefix("0086").filter(|r| r.len() == 11) {
            rest
        } else if let Some(rest) = digits.strip_prefix("86").filter(|r| r.len() == 11) {
            rest
        } else {
            digits.as_str()
        };
        if national.len() != 11 {
            return Err(PhoneError::Length { found: national.len() });
        }
        let bytes = national.as_bytes();
        if bytes[0] != b'1' || !(b'3'..=b'9').contains(&bytes[1]) {
            return Err(PhoneError::Prefix { prefix: national[..2].to_string() });
        }
        Ok(Phone(national.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// "138****5678".
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Phone {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phone::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn common_spellings_normalise() {
        for input in [
            "13812345678",
            "+86 138 1234 5678",
            "+86-138-1234-5678",
            "008613812345678",
            "8613812345678",
            "１３８１２３４５６７８",
            "(138)1234-5678",
        ] {
            assert_eq!(Phone::parse(input).unwrap().as_str(), "13812345678", "{input}");
        }
        assert_eq!(Phone::parse("13812345678").unwrap().masked(), "138****5678");
    }

    #[test]
    fn bad_numbers_say_why() {
        assert_eq!(Phone::parse(" "), Err(PhoneError::Empty));
        assert_eq!(Phone::parse("1381234567"), Err(PhoneError::Length { found: 10 }));
        assert_eq!(Phone::parse("12812345678"), Err(PhoneError::Prefix { prefix: "12".into() }));
        assert_eq!(Phone::parse("0371-12345678"), Err(PhoneError::Length { found: 12 }));
        assert_eq!(Phone::parse("03711234567"), Err(PhoneError::Prefix { prefix: "03".into() }));
        assert_eq!(Phone::parse("138a2345678"), Err(PhoneError::BadCharacter { ch: 'a' }));
        assert_eq!(Phone::parse("+86+13812345678"), Err(PhoneError::BadCharacter { ch: '+' }));
    }

    proptest! {
        #[test]
        fn every_mobile_survives_decoration(second in 3u8..=9, rest in 0u64..1_000_000_000) {
            let plain = format!("1{second}{rest:09}");
            let decorated = format!("+86 {}-{}-{}", &plain[..3], &plain[3..7], &plain[7..]);
            let parsed = Phone::parse(&decorated).unwrap();
            prop_assert_eq!(parsed.as_str(), plain.as_str());
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,20}") {
            let _ = Phone::parse(&text);
        }
    }
}
