//! Resident identity numbers (居民身份证号码, GB 11643-1999).

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

use crate::digits::compact;

/// The provinces (first two digits) that issue resident IDs, GB/T 2260.
pub(crate) const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A valid 18-character resident ID, normalised (ASCII digits, uppercase `X`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    #[error("the ID number is empty")]
    Empty,
    #[error("an ID number has 18 characters, this one has {found}")]
    Length { found: usize },
    #[error("character {position} of the ID number is not a digit")]
    NotDigit { position: usize },
    #[error("the ID number's region code {code} is not a Chinese province")]
    Region { code: String },
    #[error("the ID number's date of birth {digits} is not a real date")]
    BirthDate { digits: String },
    #[error("the ID number's date of birth {born} is after today: a digit was mistyped")]
    BornInFuture { born: Date },
    #[error("the ID number's check digit is {found}, but its first 17 digits give {expected}: a digit was mistyped")]
    CheckDigit { expected: char, found: char },
}

impl crate::Explain for ResidentIdError {
    fn zh(&self) -> String {
        match self {
            ResidentIdError::Empty => "身份证号为空".into(),
            ResidentIdError::Length { found } => format!("身份证号应为 18 位，这里是 {found} 位"),
            ResidentIdError::NotDigit { position } => format!("身份证号第 {position} 位不是数字"),
            ResidentIdError::Region { code } => format!("身份证号地区码 {code} 不是中国的省份"),
            ResidentIdError::BirthDate { digits } => format!("身份证号中的出生日期 {digits} 不存在"),
            ResidentIdError::BornInFuture { born } => format!("身份证号中的出生日期 {born} 晚于今天，有数字录错"),
            ResidentIdError::CheckDigit { expected, found } => {
                format!("身份证号校验位是 {found}，按前 17 位应为 {expected}：有数字录错")
            }
        }
    }
}

/// The ISO 7064 MOD 11-2 check character for 17 digits, or `None` when they are not 17 digits.
pub fn check_digit(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

fn birth_date(digits: &str) -> Result<Date, ResidentIdError> {
    let bad = || ResidentIdError::BirthDate { digits: digits.to_string() };
    let year: i16 = digits[0..4].parse().map_err(|_| bad())?;
    let month: i8 = digits[4..6].parse().map_err(|_| bad())?;
    let day: i8 = digits[6..8].parse().map_err(|_| bad())?;
    if !(1900..=2099).contains(&year) {
        return Err(bad());
    }
    Date::new(year, month, day).map_err(|_| bad())
}

fn check_region(id: &str) -> Result<(), ResidentIdError> {
    if PROVINCES.contains(&&id[0..2]) { Ok(()) } else { Err(ResidentIdError::Region { code: id[0..6].to_string() }) }
}

impl ResidentId {
    pub fn parse(input: &str) -> Result<ResidentId, ResidentIdError> {
        let id = compact(input).to_uppercase();
        let count = id.chars().count();
        if count == 0 {
            return Err(ResidentIdError::Empty);
        }
        if count != 18 {
            return Err(ResidentIdError::Length { found: count });
        }
        for (i, c) in id.chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == 17 && c == 'X');
            if !ok {
                return Err(ResidentIdError::NotDigit { position: i + 1 });
            }
        }
        check_region(&id)?;
        birth_date(&id[6..14])?;
        let expected = check_digit(&id[..17]).ok_or(ResidentIdError::NotDigit { position: 1 })?;
        let found = id.chars().nth(17).unwrap_or(' ');
        if expected != found {
            return Err(ResidentIdError::CheckDigit { expected, found });
        }
        Ok(ResidentId(id))
    }

    /// Converts a 15-digit first-generation ID (region, YYMMDD, serial) to 18 characters: the
    /// century "19" is inserted and the check digit computed.
    pub fn from_first_generation(input: &str) -> Result<ResidentId, ResidentIdError> {
        let id = compact(input);
        let count = id.chars().count();
        if count == 0 {
            return Err(ResidentIdError::Empty);
        }
        if count != 15 {
            return Err(ResidentIdError::Length { found: count });
        }
        if let Some(position) = id.chars().position(|c| !c.is_ascii_digit()) {
            return Err(ResidentIdError::NotDigit { position: position + 1 });
        }
        check_region(&id)?;
        let first17 = format!("{}19{}", &id[..6], &id[6..]);
        birth_date(&first17[6..14])?;
        let check = check_digit(&first17).ok_or(ResidentIdError::NotDigit { position: 1 })?;
        Ok(ResidentId(format!("{first17}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Date {
        // Validated in `parse`; the fallback is unreachable.
        birth_date(&self.0[6..14]).unwrap_or(Date::MIN)
    }

    /// A person already born by `today` (Asia/Shanghai): nobody holds a number dated later.
    pub fn born_by(self, today: Date) -> Result<ResidentId, ResidentIdError> {
        let born = self.birth_date();
        if born > today { Err(ResidentIdError::BornInFuture { born }) } else { Ok(self) }
    }

    /// The issuing region: the 6-digit division code of first registration.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// The 17th digit is odd for men.
    pub fn is_male(&self) -> bool {
        self.0.as_bytes()[16] % 2 == 1
    }

    /// The ID as one number, for in-memory indexes of millions of persons: 8 bytes, not 18.
    pub fn packed(&self) -> u64 {
        // Validated in `parse`; the fallback is unreachable.
        ResidentId::pack(&self.0).unwrap_or(u64::MAX)
    }

    /// Stored text that ought to be an ID number, packed as its 17 digits × 11 plus the check
    /// character (X = 10); `None` when it is not 17 digits and a check character (a passport
    /// number, say). Only the shape is checked, not the check digit.
    pub fn pack(text: &str) -> Option<u64> {
        let (digits, check) = text.split_at_checked(17)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let check = match check.as_bytes() {
            [b'X' | b'x'] => 10,
            [b @ b'0'..=b'9'] => u64::from(b - b'0'),
            _ => return None,
        };
        Some(digits.parse::<u64>().ok()? * 11 + check)
    }

    /// The text of a number made by [`ResidentId::pack`].
    pub fn unpack(packed: u64) -> String {
        let check = match packed % 11 {
            10 => 'X',
            digit => u32::try_from(digit).ok().and_then(|d| char::from_digit(d, 10)).unwrap_or('?'),
        };
        format!("{:017}{check}", packed / 11)
    }

    /// "4117**********123X": enough to recognise, not enough to use.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ResidentId {
    type Err = ResidentIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResidentId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn packed_ids_round_trip_and_other_documents_do_not_pack() {
        for id in ["41170219900101123X", "411702199001011237", "110101190001010012"] {
            assert_eq!(ResidentId::pack(id).map(ResidentId::unpack).as_deref(), Some(id));
        }
        assert_eq!(ResidentId::pack("41170219900101123X"), Some(41170219900101123 * 11 + 10));
        assert_eq!(ResidentId::pack("411702199001011237"), Some(41170219900101123 * 11 + 7));
        assert_eq!(ResidentId::pack("E12345678"), None);
        assert_eq!(ResidentId::pack("41170219900101123Y"), None);
        assert_eq!(ResidentId::pack("4117021990010112３X"), None);
        let id = ResidentId::parse("411702199001011238").map(|id| id.packed());
        assert_eq!(id, Ok(41170219900101123 * 11 + 8));
    }

    fn valid(first17: &str) -> String {
        format!("{first17}{}", check_digit(first17).unwrap())
    }

    #[test]
    fn known_ids_parse() {
        // The standard's own example.
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), jiff::civil::date(1949, 12, 31));
        let today = jiff::civil::date(2026, 12, 1);
        assert!(id.clone().born_by(today).is_ok());
        let later = "11010520991231123";
        let later = ResidentId::parse(&format!("{later}{}", check_digit(later).unwrap())).unwrap();
        assert!(matches!(later.born_by(today), Err(ResidentIdError::BornInFuture { .. })));
        assert_eq!(id.region_code(), "110105");
        assert!(!id.is_male());
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(ResidentId::parse(" 11010519491231002x ").unwrap(), id);
        assert_eq!(ResidentId::parse("１１０１０５１９４９１２３１００２Ｘ").unwrap(), id);
    }

    #[test]
    fn each_defect_is_named() {
        assert_eq!(ResidentId::parse(""), Err(ResidentIdError::Empty));
        assert_eq!(ResidentId::parse("1101051949123100"), Err(ResidentIdError::Length { found: 16 }));
        assert_eq!(ResidentId::parse("11010519491231002A"), Err(ResidentIdError::NotDigit { position: 18 }));
        assert_eq!(ResidentId::parse("1101051949X231002X"), Err(ResidentIdError::NotDigit { position: 11 }));
        assert!(matches!(ResidentId::parse(&valid("99010519491231002")), Err(ResidentIdError::Region { .. })));
        assert!(matches!(ResidentId::parse(&valid("41170219490230002")), Err(ResidentIdError::BirthDate { .. })));
        assert!(matches!(ResidentId::parse(&valid("41170218990101002")), Err(ResidentIdError::BirthDate { .. })));
        assert!(ResidentId::parse(&valid("41170220000229002")).is_ok(), "2000 is a leap year");
        assert!(
            matches!(ResidentId::parse(&valid("41170219000229002")), Err(ResidentIdError::BirthDate { .. })),
            "1900 is not"
        );
        assert_eq!(
            ResidentId::parse("110105194912310021"),
            Err(ResidentIdError::CheckDigit { expected: 'X', found: '1' })
        );
        let message = ResidentId::parse("110105194912310021").unwrap_err().to_string();
        assert!(message.contains("check digit"), "{message}");
    }

    #[test]
    fn first_generation_ids_gain_a_century_and_a_check_digit() {
        let id = ResidentId::from_first_generation("110105491231002").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert!(matches!(ResidentId::from_first_generation("110105490231002"), Err(ResidentIdError::BirthDate { .. })));
        assert_eq!(ResidentId::from_first_generation("11010549123100"), Err(ResidentIdError::Length { found: 14 }));
        assert_eq!(
            ResidentId::from_first_generation("1101054912310A2"),
            Err(ResidentIdError::NotDigit { position: 14 })
        );
    }

    fn first17() -> impl Strategy<Value = String> {
        (0..PROVINCES.len(), 0..10_000u32, 1900i16..2099, 1i8..=12, 1i8..=28, 0..1000u32).prop_map(
            |(p, region, y, m, d, serial)| format!("{}{region:04}{y:04}{m:02}{d:02}{serial:03}", PROVINCES[p]),
        )
    }

    proptest! {
        #[test]
        fn generated_ids_round_trip(first in first17()) {
            let text = valid(&first);
            let id = ResidentId::parse(&text).unwrap();
            prop_assert_eq!(id.as_str(), text.as_str());
            prop_assert_eq!(id.to_string().parse::<ResidentId>().unwrap(), id);
        }

        #[test]
        fn any_single_digit_change_is_caught(first in first17(), position in 0usize..17, delta in 1u8..10) {
            let text = valid(&first);
            let mut bytes = text.clone().into_bytes();
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(ResidentId::parse(&changed).is_err());
        }

        #[test]
        fn full_width_input_equals_ascii(first in first17()) {
            let text = valid(&first);
            let wide: String = text.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
            prop_assert_eq!(ResidentId::parse(&wide).unwrap(), ResidentId::parse(&text).unwrap());
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,30}") {
            let _ = ResidentId::parse(&text);
            let _ = ResidentId::from_first_generation(&text);
        }
    }
}
