//! What a compared list raises (SPEC §4.8): how a row found its person, the leads (线索) and
//! how each is verified, where a list came from, and the progress line a list shows.

use crate::code::UnknownCode;

/// How a row found its person: by document, else by a phone held by one person only, else by
/// name within the row's county when one person there has that name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum MatchKind {
    IdNumber,
    Phone,
    NameArea,
    Unmatched,
}

impl crate::Label for MatchKind {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            MatchKind::IdNumber => ("身份证号比中", "Matched by ID"),
            MatchKind::Phone => ("手机号比中", "Matched by phone"),
            MatchKind::NameArea => ("姓名+地区比中", "Matched by name + area"),
            MatchKind::Unmatched => ("未比中", "No match"),
        }
    }
}

/// The precedence rule itself: the first of the three lookups that found exactly one person.
/// Each argument is that lookup's answer (`None`: no key or nobody or more than one person).
pub fn match_person<P>(by_document: Option<P>, by_phone: Option<P>, by_name_area: Option<P>) -> (MatchKind, Option<P>) {
    if let Some(p) = by_document {
        return (MatchKind::IdNumber, Some(p));
    }
    if let Some(p) = by_phone {
        return (MatchKind::Phone, Some(p));
    }
    if let Some(p) = by_name_area {
        return (MatchKind::NameArea, Some(p));
    }
    (MatchKind::Unmatched, None)
}

/// The four ways a grid worker closes a lead (核查结果).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum LeadOutcome {
    /// Found, and registered as a key person.
    Registered,
    /// Found, no risk.
    NoRisk,
    /// Not in the area.
    NotInArea,
    /// Could not be reached.
    Unreachable,
}

impl crate::Label for LeadOutcome {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            LeadOutcome::Registered => ("已找到，登记为重点人员", "Found, registered as a key person"),
            LeadOutcome::NoRisk => ("已找到，无风险", "Found, no risk"),
            LeadOutcome::NotInArea => ("不在本地", "Not in the area"),
            LeadOutcome::Unreachable => ("联系不上", "Unreachable"),
        }
    }
}

/// Where a list came from (SPEC §4.8: telecom, ticketing, lodging, enrolment, provincial pushes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum ListKind {
    Telecom,
    Ticketing,
    Lodging,
    Enrolment,
    Provincial,
    Other,
    /// Fevers typed on the public check-in page by someone the registry did not vouch for: made
    /// by the check-in writer, one list per county and day, never imported.
    SelfReport,
}

impl ListKind {
    /// The kinds one may import; self reports are made by the system only.
    pub const IMPORTABLE: [ListKind; 6] = [
        ListKind::Telecom,
        ListKind::Ticketing,
        ListKind::Lodging,
        ListKind::Enrolment,
        ListKind::Provincial,
        ListKind::Other,
    ];

    /// A kind one may import.
    pub fn parse_importable(text: &str) -> Result<ListKind, UnknownCode> {
        crate::code::parse_among(&ListKind::IMPORTABLE, text)
    }
}

impl crate::Label for ListKind {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            ListKind::Telecom => ("通信大数据", "Telecom big data"),
            ListKind::Ticketing => ("铁路/民航/客运票务", "Rail / air / coach tickets"),
            ListKind::Lodging => ("宾馆住宿登记", "Hotel registrations"),
            ListKind::Enrolment => ("学校/单位报备", "School / employer reports"),
            ListKind::Provincial => ("省级推送", "Provincial push"),
            ListKind::Other => ("其他名单", "Other list"),
            ListKind::SelfReport => ("场所码自报发热", "Fevers reported at venue doors"),
        }
    }
}

/// A list's verification progress, (中文, English): "3677 条，已核查 3677，全部核查完毕".
pub fn progress(leads: u64, verified: u64) -> (String, String) {
    if leads == 0 {
        ("没有需要核查的线索".into(), "No leads to verify".into())
    } else if verified >= leads {
        (
            format!("{leads} 条，已核查 {verified}，全部核查完毕"),
            format!("{leads} leads, {verified} verified, all verified"),
        )
    } else {
        let left = leads - verified;
        (
            format!("{leads} 条，已核查 {verified}，待核查 {left}"),
            format!("{leads} leads, {verified} verified, {left} to go"),
        )
    }
}

pub fn progress_zh(leads: u64, verified: u64) -> String {
    progress(leads, verified).0
}

pub fn progress_en(leads: u64, verified: u64) -> String {
    progress(leads, verified).1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;
    use crate::Label;

    #[test]
    fn match_precedence_is_document_phone_name() {
        assert_eq!(match_person(Some(1), Some(2), Some(3)), (MatchKind::IdNumber, Some(1)));
        assert_eq!(match_person(None, Some(2), Some(3)), (MatchKind::Phone, Some(2)));
        assert_eq!(match_person(None, None, Some(3)), (MatchKind::NameArea, Some(3)));
        assert_eq!(match_person::<i32>(None, None, None), (MatchKind::Unmatched, None));
    }

    #[test]
    fn names_round_trip() {
        for k in MatchKind::ALL.iter().copied() {
            assert_eq!(MatchKind::parse(k.as_str()), Ok(k));
        }
        for k in ListKind::ALL.iter().copied() {
            assert_eq!(ListKind::parse(k.as_str()), Ok(k));
        }
        for o in LeadOutcome::ALL.iter().copied() {
            assert_eq!(LeadOutcome::parse(o.as_str()), Ok(o));
        }
        assert!(LeadOutcome::parse("done").is_err());
    }

    #[test]
    fn progress_reads_like_the_seeds() {
        assert_eq!(progress_zh(3677, 3677), "3677 条，已核查 3677，全部核查完毕");
        assert_eq!(progress_zh(10, 4), "10 条，已核查 4，待核查 6");
        assert_eq!(progress_zh(0, 0), "没有需要核查的线索");
        assert_eq!(progress_en(3677, 3677), "3677 leads, 3677 verified, all verified");
        assert_eq!(progress_en(10, 4), "10 leads, 4 verified, 6 to go");
        assert_eq!(progress_en(0, 0), "No leads to verify");
    }

    /// Each kind, match and outcome has its own label in each language (a page never shows two
    /// choices that read the same).
    #[test]
    fn labels_are_distinct_in_both_languages() {
        fn distinct(labels: Vec<&str>) {
            let mut seen = labels.clone();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), labels.len(), "{labels:?}");
            assert!(labels.iter().all(|l| !l.trim().is_empty()), "{labels:?}");
        }
        distinct(ListKind::ALL.iter().map(|k| k.label_zh()).collect());
        distinct(ListKind::ALL.iter().map(|k| k.label_en()).collect());
        distinct(MatchKind::ALL.iter().map(|k| k.label_zh()).collect());
        distinct(MatchKind::ALL.iter().map(|k| k.label_en()).collect());
        distinct(LeadOutcome::ALL.iter().map(|o| o.label_zh()).collect());
        distinct(LeadOutcome::ALL.iter().map(|o| o.label_en()).collect());
    }
}
