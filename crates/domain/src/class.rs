//! The five key classes (五类重点人员) and where a record came from.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyClass {
    Confirmed,
    Suspected,
    CloseContact,
    EpidemicAreaArrival,
    Fever,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown class {0:?}; use confirmed, suspected, close_contact, epidemic_area_arrival or fever")]
pub struct UnknownClass(pub String);

impl KeyClass {
    pub const ALL: [KeyClass; 5] = [
        KeyClass::Confirmed,
        KeyClass::Suspected,
        KeyClass::CloseContact,
        KeyClass::EpidemicAreaArrival,
        KeyClass::Fever,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyClass::Confirmed => "confirmed",
            KeyClass::Suspected => "suspected",
            KeyClass::CloseContact => "close_contact",
            KeyClass::EpidemicAreaArrival => "epidemic_area_arrival",
            KeyClass::Fever => "fever",
        }
    }

    pub fn parse(s: &str) -> Result<KeyClass, UnknownClass> {
        KeyClass::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| UnknownClass(s.to_string()))
    }
}

impl crate::Label for KeyClass {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            KeyClass::Confirmed => ("确诊病例", "Confirmed case"),
            KeyClass::Suspected => ("疑似病例", "Suspected case"),
            KeyClass::CloseContact => ("密切接触者", "Close contact"),
            KeyClass::EpidemicAreaArrival => ("疫区来驻人员", "Arrival from epidemic area"),
            KeyClass::Fever => ("不明原因发热", "Unexplained fever"),
        }
    }
}

impl fmt::Display for KeyClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Checkpoint,
    Venue,
    BigData,
    GridScreening,
    Report,
    Tracing,
    Hospital,
    FollowUp,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown source {0:?}; use checkpoint, venue, big_data, grid_screening, report, tracing, hospital or follow_up"
)]
pub struct UnknownSource(pub String);

impl Source {
    pub const ALL: [Source; 8] = [
        Source::Checkpoint,
        Source::Venue,
        Source::BigData,
        Source::GridScreening,
        Source::Report,
        Source::Tracing,
        Source::Hospital,
        Source::FollowUp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Checkpoint => "checkpoint",
            Source::Venue => "venue",
            Source::BigData => "big_data",
            Source::GridScreening => "grid_screening",
            Source::Report => "report",
            Source::Tracing => "tracing",
            Source::Hospital => "hospital",
            Source::FollowUp => "follow_up",
        }
    }

    pub fn parse(s: &str) -> Result<Source, UnknownSource> {
        Source::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| UnknownSource(s.to_string()))
    }
}

impl crate::Label for Source {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Source::Checkpoint => ("卡口/检测服务站", "Checkpoint"),
            Source::Venue => ("场所码", "Venue code"),
            Source::BigData => ("大数据比对", "Big-data comparison"),
            Source::GridScreening => ("网格排查", "Grid screening"),
            Source::Report => ("群众举报", "Public report"),
            Source::Tracing => ("流调追踪", "Contact tracing"),
            Source::Hospital => ("医院", "Hospital"),
            Source::FollowUp => ("居家随访", "Home follow-up"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Label;

    #[test]
    fn names_round_trip_and_unknowns_are_named() {
        for class in KeyClass::ALL {
            assert_eq!(KeyClass::parse(class.as_str()), Ok(class));
            assert!(!class.label_zh().is_empty() && !class.label_en().is_empty());
        }
        for source in Source::ALL {
            assert_eq!(Source::parse(source.as_str()), Ok(source));
            assert!(!source.label_zh().is_empty() && !source.label_en().is_empty());
        }
        assert!(KeyClass::parse("contact").unwrap_err().to_string().contains("close_contact"));
        assert!(Source::parse("").is_err());
    }
}
