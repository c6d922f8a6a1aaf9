//! The five key classes (五类重点人员) and where a record came from.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum KeyClass {
    Confirmed,
    Suspected,
    CloseContact,
    EpidemicAreaArrival,
    Fever,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
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
    use crate::Code;
    use crate::Label;

    #[test]
    fn names_round_trip_and_unknowns_are_named() {
        for class in KeyClass::ALL.iter().copied() {
            assert_eq!(KeyClass::parse(class.as_str()), Ok(class));
            assert!(!class.label_zh().is_empty() && !class.label_en().is_empty());
        }
        for source in Source::ALL.iter().copied() {
            assert_eq!(Source::parse(source.as_str()), Ok(source));
            assert!(!source.label_zh().is_empty() && !source.label_en().is_empty());
        }
        assert!(KeyClass::parse("contact").unwrap_err().to_string().contains("close_contact"));
        assert!(Source::parse("").is_err());
    }
}
