//! The screening lines (交通卡口、场所码、网格随访): passage direction, vehicle plates, venue kinds,
//! and the settings of the fever rule (SPEC §4.3) and of check-ins.

use std::fmt;

use crate::digits::fold_width;
use crate::temperature::Temperature;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum Direction {
    /// Entering the jurisdiction (进).
    In,
    /// Leaving it (出).
    Out,
}

impl crate::Label for Direction {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Direction::In => ("进", "In"),
            Direction::Out => ("出", "Out"),
        }
    }
}

/// Province abbreviations that begin a mainland plate, plus 使 (embassy) and 领 (consulate).
const PLATE_PREFIXES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领";

/// A vehicle plate: province character, issuing-office letter, then 5 characters (6 for new-energy
/// vehicles), letters I and O excluded as on real plates. Stored uppercase without separators.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlateNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlateError {
    #[error("the plate is empty")]
    Empty,
    #[error("a plate starts with a province character such as 豫, not {found:?}")]
    Province { found: char },
    #[error("a plate has 7 or 8 characters, this one has {found}")]
    Length { found: usize },
    #[error("the plate contains {ch:?}; after the province use letters (not I or O) and digits")]
    BadCharacter { ch: char },
}

impl crate::Explain for PlateError {
    fn zh(&self) -> String {
        match self {
            PlateError::Empty => "车牌为空".into(),
            PlateError::Province { found } => format!("车牌应以省份简称开头（如 豫），这里是 {found:?}"),
            PlateError::Length { found } => format!("车牌应为 7 或 8 位，这里是 {found} 位"),
            PlateError::BadCharacter { ch } => {
                format!("车牌含有字符 {ch:?}；省份简称之后只能是字母（不含 I、O）和数字")
            }
        }
    }
}

impl PlateNumber {
    pub fn parse(input: &str) -> Result<PlateNumber, PlateError> {
        let plate: String = input
            .chars()
            .map(fold_width)
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '·' | '•' | '.'))
            .flat_map(char::to_uppercase)
            .collect();
        let mut chars = plate.chars();
        let Some(first) = chars.next() else {
            return Err(PlateError::Empty);
        };
        if !PLATE_PREFIXES.contains(first) {
            return Err(PlateError::Province { found: first });
        }
        let count = plate.chars().count();
        if !(7..=8).contains(&count) {
            return Err(PlateError::Length { found: count });
        }
        for (i, c) in chars.enumerate() {
            let letter = c.is_ascii_uppercase() && c != 'I' && c != 'O';
            // The last character may be 学/警/挂 etc. on special plates.
            let special = i == count - 2 && "学警挂港澳领使".contains(c);
            if !(letter || (i > 0 && c.is_ascii_digit()) || special) {
                return Err(PlateError::BadCharacter { ch: c });
            }
        }
        Ok(PlateNumber(plate))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum VenueKind {
    Market,
    Supermarket,
    Restaurant,
    Hospital,
    Pharmacy,
    Station,
    School,
    Office,
    Factory,
    Hotel,
    Residential,
    Other,
}

impl crate::Label for VenueKind {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            VenueKind::Market => ("农贸市场", "Market"),
            VenueKind::Supermarket => ("商超", "Supermarket"),
            VenueKind::Restaurant => ("餐饮", "Restaurant"),
            VenueKind::Hospital => ("医疗机构", "Clinic or hospital"),
            VenueKind::Pharmacy => ("药店", "Pharmacy"),
            VenueKind::Station => ("车站", "Station"),
            VenueKind::School => ("学校", "School"),
            VenueKind::Office => ("机关单位", "Office"),
            VenueKind::Factory => ("企业", "Enterprise"),
            VenueKind::Hotel => ("宾馆酒店", "Hotel"),
            VenueKind::Residential => ("小区/村", "Residential compound / village"),
            VenueKind::Other => ("其他", "Other"),
        }
    }
}

/// How soon a fever typed on the public check-in page by someone the registry did not vouch for
/// must be verified by the venue's grid: the person is at a door with a fever now, so hours, not
/// the day a list's leads get.
pub const SELF_REPORT_DUE_SECONDS: i64 = 4 * 3600;

/// Settings of the front line: the fever threshold (SPEC §4.3), the window within which repeated
/// check-ins of one person at one venue are one check-in, and how long trajectories are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontLine {
    pub fever_threshold: Temperature,
    pub checkin_dedupe_seconds: i64,
    pub retention_days: u16,
}

impl Default for FrontLine {
    fn default() -> Self {
        FrontLine {
            fever_threshold: Temperature::DEFAULT_FEVER_THRESHOLD,
            checkin_dedupe_seconds: 600,
            retention_days: 28,
        }
    }
}

impl FrontLine {
    pub fn is_fever(&self, temperature: Option<Temperature>) -> bool {
        temperature.is_some_and(|t| t.is_fever(self.fever_threshold))
    }

    /// Check-ins and passages before this instant are purged.
    pub fn retention_cutoff(&self, now: i64) -> i64 {
        now - i64::from(self.retention_days) * 86_400
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;
    use crate::Label;

    #[test]
    fn plates_in_their_usual_spellings() {
        assert_eq!(PlateNumber::parse("豫Q·12345").unwrap().as_str(), "豫Q12345");
        assert_eq!(PlateNumber::parse("豫q 1234５").unwrap().as_str(), "豫Q12345");
        assert_eq!(PlateNumber::parse("豫QD12345").unwrap().as_str(), "豫QD12345", "new-energy plates have 8");
        assert_eq!(PlateNumber::parse("豫Q1234学").unwrap().as_str(), "豫Q1234学");
        assert_eq!(PlateNumber::parse(""), Err(PlateError::Empty));
        assert_eq!(PlateNumber::parse("AQ12345"), Err(PlateError::Province { found: 'A' }));
        assert_eq!(PlateNumber::parse("豫Q1234"), Err(PlateError::Length { found: 6 }));
        assert_eq!(PlateNumber::parse("豫1Q2345"), Err(PlateError::BadCharacter { ch: '1' }));
        assert_eq!(PlateNumber::parse("豫QO2345"), Err(PlateError::BadCharacter { ch: 'O' }));
    }

    #[test]
    fn the_fever_rule_starts_at_the_threshold() {
        let rule = FrontLine::default();
        assert!(rule.is_fever(Some(Temperature::parse("37.3").unwrap())));
        assert!(!rule.is_fever(Some(Temperature::parse("37.2").unwrap())));
        assert!(!rule.is_fever(None));
        let strict = FrontLine { fever_threshold: Temperature::parse("37.0").unwrap(), ..FrontLine::default() };
        assert!(strict.is_fever(Some(Temperature::parse("37.1").unwrap())));
        assert_eq!(rule.retention_cutoff(28 * 86_400 + 5), 5);
    }

    #[test]
    fn names_round_trip() {
        for d in Direction::ALL.iter().copied() {
            assert_eq!(Direction::parse(d.as_str()), Ok(d));
        }
        for k in VenueKind::ALL.iter().copied() {
            assert_eq!(VenueKind::parse(k.as_str()), Ok(k));
            assert!(!k.label_zh().is_empty());
        }
        assert!(Direction::parse("up").is_err() && VenueKind::parse("bar").is_err());
    }
}
