//! Enums stored and sent by a fixed snake_case code (`close_contact`). Each derives its codes
//! with strum — `#[derive(strum::VariantArray, strum::IntoStaticStr, strum::Display)]` and
//! `#[strum(serialize_all = "snake_case")]` — and this trait gives every one of them the same
//! `ALL`, `as_str` and `parse`.

/// A value with a code: every variant, its code, and the one way back from text.
pub trait Code: Copy + PartialEq + strum::VariantArray + Into<&'static str> + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self] = Self::VARIANTS;

    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The value whose code is exactly `text`.
    fn parse(text: &str) -> Result<Self, UnknownCode> {
        parse_among(Self::ALL, text)
    }
}

impl<T: Copy + PartialEq + strum::VariantArray + Into<&'static str> + 'static> Code for T {}

/// The value among `allowed` whose code is exactly `text`; the error lists what `allowed` holds.
pub fn parse_among<T: Code>(allowed: &[T], text: &str) -> Result<T, UnknownCode> {
    allowed.iter().copied().find(|value| value.as_str() == text).ok_or_else(|| UnknownCode {
        found: text.to_string(),
        allowed: allowed.iter().map(|value| value.as_str()).collect(),
    })
}

/// Text that is none of an enum's codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {found:?}; use {}", allowed.join(", "))]
pub struct UnknownCode {
    pub found: String,
    pub allowed: Vec<&'static str>,
}

impl crate::Explain for UnknownCode {
    fn zh(&self) -> String {
        format!("无法识别的值 {:?}，应为：{}", self.found, self.allowed.join("、"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeyClass, ListKind};

    #[test]
    fn codes_round_trip_and_unknown_text_names_the_choices() {
        for class in KeyClass::ALL.iter().copied() {
            assert_eq!(KeyClass::parse(class.as_str()), Ok(class));
            assert_eq!(class.to_string(), class.as_str());
        }
        let unknown = KeyClass::parse("Fever").err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            unknown,
            r#"unknown value "Fever"; use confirmed, suspected, close_contact, epidemic_area_arrival, fever"#
        );
        assert_eq!(ListKind::parse("self_report"), Ok(ListKind::SelfReport));
        assert!(ListKind::parse_importable("self_report").is_err());
    }
}
