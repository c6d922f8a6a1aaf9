//! Division codes (GB/T 2260 and the statistical 9/12-digit extension), grid codes below them, and
//! jurisdiction scopes: a code governs every code that starts with it, once the trailing zeros of
//! its level are dropped.

use std::fmt;
use std::str::FromStr;

use crate::digits::compact;
use crate::id_number::PROVINCES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AreaLevel {
    Province,
    Prefecture,
    County,
    Township,
    Village,
}

/// A 6-digit (province, prefecture, county), 9-digit (township) or 12-digit (village) code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaCodeError {
    #[error("the area code is empty")]
    Empty,
    #[error("an area code is 6, 9 or 12 digits, not {found} characters")]
    Length { found: usize },
    #[error("the area code must be digits only")]
    NotDigits,
    #[error("{code} is not under a Chinese province")]
    Province { code: String },
}

impl crate::Explain for AreaCodeError {
    fn zh(&self) -> String {
        match self {
            AreaCodeError::Empty => "区划代码为空".into(),
            AreaCodeError::Length { found } => format!("区划代码应为 6、9 或 12 位，这里是 {found} 位"),
            AreaCodeError::NotDigits => "区划代码只能是数字".into(),
            AreaCodeError::Province { code } => format!("{code} 不在中国的任何省份之下"),
        }
    }
}

fn digits_only(input: &str) -> Result<String, (usize, bool)> {
    let code = compact(input);
    let count = code.chars().count();
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err((count, false));
    }
    Ok(code)
}

impl AreaCode {
    pub fn parse(input: &str) -> Result<AreaCode, AreaCodeError> {
        let code = match digits_only(input) {
            Ok(code) => code,
            Err((0, _)) => return Err(AreaCodeError::Empty),
            Err(_) => return Err(AreaCodeError::NotDigits),
        };
        if code.is_empty() {
            return Err(AreaCodeError::Empty);
        }
        if ![6, 9, 12].contains(&code.len()) {
            return Err(AreaCodeError::Length { found: code.len() });
        }
        if !PROVINCES.contains(&&code[..2]) {
            return Err(AreaCodeError::Province { code });
        }
        Ok(AreaCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> AreaLevel {
        match self.0.len() {
            12 => AreaLevel::Village,
            9 => AreaLevel::Township,
            _ if self.0.ends_with("0000") => AreaLevel::Province,
            _ if self.0.ends_with("00") => AreaLevel::Prefecture,
            _ => AreaLevel::County,
        }
    }

    /// The code one level up; provinces have none. A county's parent is its prefecture code
    /// (XXXX00), which for province-administered counties (e.g. 419001) is the statistical
    /// "province-administered" unit 419000.
    pub fn parent(&self) -> Option<AreaCode> {
        let code = &self.0;
        let parent = match self.level() {
            AreaLevel::Province => return None,
            AreaLevel::Prefecture => format!("{}0000", &code[..2]),
            AreaLevel::County => format!("{}00", &code[..4]),
            AreaLevel::Township => code[..6].to_string(),
            AreaLevel::Village => code[..9].to_string(),
        };
        Some(AreaCode(parent))
    }

    pub fn scope(&self) -> Scope {
        Scope::of(self)
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AreaCode {
    type Err = AreaCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AreaCode::parse(s)
    }
}

/// A jurisdiction: every code that starts with `prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    prefix: String,
}

impl Scope {
    /// 410000 → "41", 411700 → "4117", 411702 → "411702", 411702001 → "411702001".
    pub fn of(code: &AreaCode) -> Scope {
        let prefix = match code.level() {
            AreaLevel::Province => &code.0[..2],
            AreaLevel::Prefecture => &code.0[..4],
            _ => code.0.as_str(),
        };
        Scope { prefix: prefix.to_string() }
    }

    /// The scope of a division code (6/9/12 digits) or a grid code (15/17 digits).
    pub fn of_code_str(code: &str) -> Option<Scope> {
        match code.len() {
            6 | 9 | 12 => AreaCode::parse(code).ok().map(|c| Scope::of(&c)),
            15 | 17 => GridCode::parse(code).ok().map(|g| Scope { prefix: g.0 }),
            _ => None,
        }
    }

    /// Everything: for system jobs, never for a user.
    pub fn national() -> Scope {
        Scope { prefix: String::new() }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn contains(&self, code: &str) -> bool {
        code.starts_with(&self.prefix)
    }

    /// Whether `other` lies wholly inside this scope.
    pub fn includes(&self, other: &Scope) -> bool {
        other.prefix.starts_with(&self.prefix)
    }

    /// `[lower, upper)` such that, for digit strings, `lower <= code < upper` exactly when the code
    /// starts with the prefix: a plain B-tree range instead of `LIKE 'prefix%'`.
    pub fn range(&self) -> (String, String) {
        let mut upper: Vec<u8> = self.prefix.clone().into_bytes();
        // Increment the last digit that is not 9, dropping the nines after it ("4119" → "412").
        while let Some(&last) = upper.last() {
            if last < b'9' {
                if let Some(end) = upper.last_mut() {
                    *end = last + 1;
                }
                return (self.prefix.clone(), String::from_utf8_lossy(&upper).into_owned());
            }
            upper.pop();
        }
        // All nines, or the national scope: every digit string below is under ":", which sorts
        // right after '9', and none below the prefix is at or above it.
        (self.prefix.clone(), ":".to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GridLevel {
    /// 乡镇/街道
    Township,
    /// 村/社区
    Village,
    /// 自然村/小区
    Compound,
    /// 多户联防
    Household,
}

impl GridLevel {
    pub fn number(self) -> u8 {
        match self {
            GridLevel::Township => 1,
            GridLevel::Village => 2,
            GridLevel::Compound => 3,
            GridLevel::Household => 4,
        }
    }
}

/// A grid below a county: 9 digits (township), 12 (village or community), 15 (natural village or
/// compound: the village code + 3 digits), 17 (multi-household unit: the compound + 2 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GridCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GridCodeError {
    #[error("the grid code is empty")]
    Empty,
    #[error("a grid code is 9, 12, 15 or 17 digits, not {found} characters")]
    Length { found: usize },
    #[error("the grid code must be digits only")]
    NotDigits,
    #[error("grid code {code} is not under a Chinese province")]
    Province { code: String },
}

impl crate::Explain for GridCodeError {
    fn zh(&self) -> String {
        match self {
            GridCodeError::Empty => "网格代码为空".into(),
            GridCodeError::Length { found } => format!("网格代码应为 9、12、15 或 17 位，这里是 {found} 位"),
            GridCodeError::NotDigits => "网格代码只能是数字".into(),
            GridCodeError::Province { code } => format!("网格代码 {code} 不在中国的任何省份之下"),
        }
    }
}

impl GridCode {
    pub fn parse(input: &str) -> Result<GridCode, GridCodeError> {
        let code = match digits_only(input) {
            Ok(code) if code.is_empty() => return Err(GridCodeError::Empty),
            Ok(code) => code,
            Err((0, _)) => return Err(GridCodeError::Empty),
            Err(_) => return Err(GridCodeError::NotDigits),
        };
        if ![9, 12, 15, 17].contains(&code.len()) {
            return Err(GridCodeError::Length { found: code.len() });
        }
        if !PROVINCES.contains(&&code[..2]) {
            return Err(GridCodeError::Province { code });
        }
        Ok(GridCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> GridLevel {
        match self.0.len() {
            9 => GridLevel::Township,
            12 => GridLevel::Village,
            15 => GridLevel::Compound,
            _ => GridLevel::Household,
        }
    }

    pub fn parent(&self) -> Option<GridCode> {
        let len = match self.level() {
            GridLevel::Township => return None,
            GridLevel::Village => 9,
            GridLevel::Compound => 12,
            GridLevel::Household => 15,
        };
        Some(GridCode(self.0[..len].to_string()))
    }

    /// The division the grid lies in: its village (levels 2–4) or township (level 1).
    pub fn area_code(&self) -> AreaCode {
        let len = if self.0.len() >= 12 { 12 } else { 9 };
        AreaCode(self.0[..len].to_string())
    }

    /// The code of the `n`-th child grid (1-based): 3 more digits below a township or village,
    /// 2 below a compound; multi-household units have no children.
    pub fn child(&self, n: u32) -> Option<GridCode> {
        match self.level() {
            GridLevel::Township | GridLevel::Village if (1..=999).contains(&n) => {
                Some(GridCode(format!("{}{n:03}", self.0)))
            }
            GridLevel::Compound if (1..=99).contains(&n) => Some(GridCode(format!("{}{n:02}", self.0))),
            _ => None,
        }
    }
}

impl fmt::Display for GridCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    #[test]
    fn levels_and_parents() {
        assert_eq!(code("410000").level(), AreaLevel::Province);
        assert_eq!(code("411700").level(), AreaLevel::Prefecture);
        assert_eq!(code("411702").level(), AreaLevel::County);
        assert_eq!(code("411702001").level(), AreaLevel::Township);
        assert_eq!(code("411702001001").level(), AreaLevel::Village);
        assert_eq!(code("411702001001").parent(), Some(code("411702001")));
        assert_eq!(code("411702001").parent(), Some(code("411702")));
        assert_eq!(code("411702").parent(), Some(code("411700")));
        assert_eq!(code("411700").parent(), Some(code("410000")));
        assert_eq!(code("410000").parent(), None);
        assert_eq!(code("419001").parent(), Some(code("419000")));
        assert_eq!(code("４１１７０２").as_str(), "411702");
    }

    #[test]
    fn bad_codes_say_why() {
        assert_eq!(AreaCode::parse(""), Err(AreaCodeError::Empty));
        assert_eq!(AreaCode::parse("4117"), Err(AreaCodeError::Length { found: 4 }));
        assert_eq!(AreaCode::parse("41170x"), Err(AreaCodeError::NotDigits));
        assert_eq!(AreaCode::parse("000000"), Err(AreaCodeError::Province { code: "000000".into() }));
        assert_eq!(AreaCode::parse("991700"), Err(AreaCodeError::Province { code: "991700".into() }));
    }

    #[test]
    fn a_code_governs_every_code_under_it() {
        let province = Scope::of(&code("410000"));
        let city = Scope::of(&code("411700"));
        let county = Scope::of(&code("411702"));
        let township = Scope::of(&code("411702001"));
        assert_eq!(
            (province.prefix(), city.prefix(), county.prefix(), township.prefix()),
            ("41", "4117", "411702", "411702001")
        );
        assert!(province.contains("411702") && province.contains("411702001001"));
        assert!(city.contains("411721") && !city.contains("411502"));
        assert!(county.contains("411702001001001") && !county.contains("411721"));
        assert!(city.includes(&county) && !county.includes(&city) && !county.includes(&Scope::of(&code("411721"))));
        assert_eq!(Scope::of_code_str("411702001001001").unwrap().prefix(), "411702001001001");
        assert_eq!(Scope::of_code_str("4117"), None);
    }

    #[test]
    fn ranges_carry_over_nines() {
        assert_eq!(Scope::of(&code("411700")).range(), ("4117".into(), "4118".into()));
        assert_eq!(Scope::of(&code("419000")).range(), ("4190".into(), "4191".into()));
        assert_eq!(Scope { prefix: "4119".into() }.range(), ("4119".into(), "412".into()));
        assert_eq!(Scope { prefix: "99".into() }.range().0, "99");
        assert!(Scope { prefix: "99".into() }.range().1.as_str() > "999999999999");
        let (lower, upper) = Scope::national().range();
        assert!(lower.as_str() <= "110000" && "829999999999999" < upper.as_str());
    }

    #[test]
    fn grid_codes_nest_four_levels() {
        let township = GridCode::parse("411702001").unwrap();
        let village = township.child(1).unwrap();
        let compound = village.child(12).unwrap();
        let unit = compound.child(3).unwrap();
        assert_eq!(unit.as_str(), "41170200100101203");
        assert_eq!(
            [township.level(), village.level(), compound.level(), unit.level()].map(GridLevel::number),
            [1, 2, 3, 4]
        );
        assert_eq!(unit.parent(), Some(compound.clone()));
        assert_eq!(compound.parent(), Some(village.clone()));
        assert_eq!(village.parent(), Some(township.clone()));
        assert_eq!(township.parent(), None);
        assert_eq!(unit.area_code().as_str(), "411702001001");
        assert_eq!(township.area_code().as_str(), "411702001");
        assert_eq!(unit.child(1), None);
        assert_eq!(compound.child(100), None);
        assert_eq!(GridCode::parse("4117020010"), Err(GridCodeError::Length { found: 10 }));
    }

    proptest! {
        #[test]
        fn range_agrees_with_contains(prefix in "[1-8][0-9]{0,11}", code in "[0-9]{6,17}") {
            let scope = Scope { prefix };
            let (lower, upper) = scope.range();
            let in_range = lower.as_str() <= code.as_str() && code.as_str() < upper.as_str();
            prop_assert_eq!(in_range, scope.contains(&code));
        }

        #[test]
        fn nines_carry_correctly(prefix in "[1-8][0-9]{0,4}9{1,4}", code in "[0-9]{6,17}") {
            let scope = Scope { prefix };
            let (lower, upper) = scope.range();
            prop_assert_eq!(lower.as_str() <= code.as_str() && code.as_str() < upper.as_str(), scope.contains(&code));
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,20}") {
            let _ = AreaCode::parse(&text);
            let _ = GridCode::parse(&text);
            let _ = Scope::of_code_str(&text);
        }
    }
}
