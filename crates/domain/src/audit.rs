//! What the audit log records, in words. A row keeps an action's code and a detail of data only
//! (counts, dates, codes, separated by `|`), so the log is told in the reader's language:
//! [`describe`] turns the pair into a sentence. A detail from an older version, or one that does
//! not fit its action, is shown as stored.

use crate::{Code, Colour, Direction, KeyClass, Label, LeadOutcome, MeasureKind, Message, Status, VisitSlot};

/// Everything staff do that the log keeps: reads of personal data and every write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
pub enum AuditAction {
    #[strum(serialize = "person.read")]
    PersonRead,
    #[strum(serialize = "person.search")]
    PersonSearch,
    #[strum(serialize = "person.export")]
    PersonExport,
    #[strum(serialize = "key_person.list")]
    KeyPersonList,
    #[strum(serialize = "key_person.read")]
    KeyPersonRead,
    #[strum(serialize = "follow_up.sheet")]
    FollowUpSheet,
    #[strum(serialize = "passage.ledger")]
    PassageLedger,
    #[strum(serialize = "health_code.read")]
    HealthCodeRead,
    #[strum(serialize = "investigation.list")]
    InvestigationList,
    #[strum(serialize = "investigation.read")]
    InvestigationRead,
    #[strum(serialize = "candidate.list")]
    CandidateList,
    #[strum(serialize = "lead.list")]
    LeadList,
    #[strum(serialize = "lead.read")]
    LeadRead,
    #[strum(serialize = "person.create")]
    PersonCreate,
    #[strum(serialize = "person.import")]
    PersonImport,
    #[strum(serialize = "key_person.create")]
    KeyPersonCreate,
    #[strum(serialize = "key_person.transition")]
    KeyPersonTransition,
    #[strum(serialize = "follow_up.record")]
    FollowUpRecord,
    #[strum(serialize = "passage.record")]
    PassageRecord,
    #[strum(serialize = "checkpoint.create")]
    CheckpointCreate,
    #[strum(serialize = "venue.create")]
    VenueCreate,
    #[strum(serialize = "investigation.open")]
    InvestigationOpen,
    #[strum(serialize = "investigation.point")]
    InvestigationPoint,
    #[strum(serialize = "investigation.place")]
    InvestigationPlace,
    #[strum(serialize = "investigation.detect")]
    InvestigationDetect,
    #[strum(serialize = "investigation.sign")]
    InvestigationSign,
    #[strum(serialize = "candidate.decide")]
    CandidateDecide,
    #[strum(serialize = "upload.stage")]
    UploadStage,
    #[strum(serialize = "list.import")]
    ListImport,
    #[strum(serialize = "lead.verify")]
    LeadVerify,
    #[strum(serialize = "settings.change")]
    SettingsChange,
}

impl AuditAction {
    /// Whether the action changed something (else it read personal data).
    pub fn is_write(self) -> bool {
        use AuditAction::*;
        !matches!(
            self,
            PersonRead
                | PersonSearch
                | PersonExport
                | KeyPersonList
                | KeyPersonRead
                | FollowUpSheet
                | PassageLedger
                | HealthCodeRead
                | InvestigationList
                | InvestigationRead
                | CandidateList
                | LeadList
                | LeadRead
        )
    }
}

impl Label for AuditAction {
    fn labels(self) -> (&'static str, &'static str) {
        use AuditAction::*;
        match self {
            PersonRead => ("查看人员信息", "Read a person"),
            PersonSearch => ("查找人员", "Searched persons"),
            PersonExport => ("导出人员", "Exported persons"),
            KeyPersonList => ("查看重点人员名单", "Listed key persons"),
            KeyPersonRead => ("查看重点人员卡", "Read a key-person card"),
            FollowUpSheet => ("查看随访表", "Read the follow-up sheet"),
            PassageLedger => ("查看卡口台账", "Read a checkpoint ledger"),
            HealthCodeRead => ("查看健康码", "Read a health code"),
            InvestigationList => ("查看流调列表", "Listed investigations"),
            InvestigationRead => ("查看流调", "Read an investigation"),
            CandidateList => ("查看密接核查任务", "Listed tracing tasks"),
            LeadList => ("查看线索", "Listed leads"),
            LeadRead => ("查看线索详情", "Read a lead"),
            PersonCreate => ("登记人员", "Registered a person"),
            PersonImport => ("批量导入人员", "Imported persons"),
            KeyPersonCreate => ("新增重点人员", "Added a key person"),
            KeyPersonTransition => ("变更状态", "Changed a status"),
            FollowUpRecord => ("记录随访", "Recorded a visit"),
            PassageRecord => ("卡口登记", "Registered a passage"),
            CheckpointCreate => ("新建卡口", "Created a checkpoint"),
            VenueCreate => ("新建场所码", "Created a venue code"),
            InvestigationOpen => ("新建流调", "Opened an investigation"),
            InvestigationPoint => ("确认流调点位", "Confirmed a point"),
            InvestigationPlace => ("补充自述地点", "Added a reported place"),
            InvestigationDetect => ("排查密接", "Detected contacts"),
            InvestigationSign => ("流调签字确认", "Signed an investigation"),
            CandidateDecide => ("处理密接候选人", "Decided a candidate"),
            UploadStage => ("上传文件", "Uploaded a file"),
            ListImport => ("导入比对名单", "Imported a comparison list"),
            LeadVerify => ("核查线索", "Verified a lead"),
            SettingsChange => ("修改规则设置", "Changed a rule setting"),
        }
    }
}

/// The kind of record an audit row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum AuditSubject {
    Person,
    KeyPerson,
    Checkpoint,
    Venue,
    Investigation,
    Candidate,
    Upload,
    List,
    Lead,
    Settings,
}

impl Label for AuditSubject {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            AuditSubject::Person => ("人员", "Person"),
            AuditSubject::KeyPerson => ("重点人员", "Key person"),
            AuditSubject::Checkpoint => ("卡口", "Checkpoint"),
            AuditSubject::Venue => ("场所", "Venue"),
            AuditSubject::Investigation => ("流调", "Investigation"),
            AuditSubject::Candidate => ("密接候选人", "Candidate"),
            AuditSubject::Upload => ("上传文件", "Upload"),
            AuditSubject::List => ("比对名单", "Comparison list"),
            AuditSubject::Lead => ("线索", "Lead"),
            AuditSubject::Settings => ("规则设置", "Rule settings"),
        }
    }
}

/// The detail of `action` in words, from the data stored with it.
pub fn describe(action: &str, detail: &str) -> Message {
    let Ok(action) = AuditAction::parse(action) else { return Message::new(detail, detail) };
    described(action, detail).unwrap_or_else(|| Message::new(detail, detail))
}

fn label<T: Code + Label>(code: &str) -> Option<(&'static str, &'static str)> {
    T::parse(code).ok().map(Label::labels)
}

fn described(action: AuditAction, detail: &str) -> Option<Message> {
    use AuditAction::*;
    let parts: Vec<&str> = detail.split('|').collect();
    let number = |i: usize| parts.get(i).and_then(|p| p.parse::<u64>().ok());
    let text = |i: usize| parts.get(i).copied().unwrap_or("");
    let m = |zh: String, en: String| Some(Message::new(zh, en));
    if detail.is_empty() {
        return Some(Message::new("", ""));
    }
    match action {
        PersonSearch => {
            let (by_zh, by_en) = match text(0) {
                "id_number" => ("身份证号", "ID number"),
                "phone" => ("手机号", "mobile"),
                "name" => ("姓名", "name"),
                _ => return None,
            };
            let n = number(1)?;
            m(format!("按{by_zh}查找，找到 {n} 人"), format!("by {by_en}, {n} found"))
        }
        PersonExport => {
            let n = number(0)?;
            m(format!("导出 {n} 人"), format!("{n} persons exported"))
        }
        KeyPersonList => {
            let (page, n) = (number(0)?, number(1)?);
            let (by_zh, by_en) = match text(2) {
                "id_number" => ("按身份证号查找，", "searched by ID number, "),
                "phone" => ("按手机号查找，", "searched by mobile, "),
                "name" => ("按姓名查找，", "searched by name, "),
                _ => ("", ""),
            };
            m(format!("{by_zh}第 {page} 页，显示 {n} 条"), format!("{by_en}page {page}, {n} shown"))
        }
        FollowUpSheet => {
            let n = number(1)?;
            m(format!("{} 的随访表，{n} 人", text(0)), format!("sheet of {}, {n} persons", text(0)))
        }
        PassageLedger => {
            let n = number(1)?;
            m(format!("{} 的台账，{n} 条", text(0)), format!("ledger of {}, {n} lines", text(0)))
        }
        HealthCodeRead => {
            let (zh, en) = label::<Colour>(text(0))?;
            m(zh.to_string(), en.to_string())
        }
        InvestigationList | CandidateList | LeadList => {
            let n = number(0)?;
            m(format!("{n} 条"), format!("{n} shown"))
        }
        InvestigationRead => {
            let (trail, candidates) = (number(0)?, number(1)?);
            m(
                format!("轨迹 {trail} 条，密接候选人 {candidates} 人"),
                format!("trajectory of {trail} entries, {candidates} candidates"),
            )
        }
        PersonImport => {
            let (added, known) = (number(0)?, number(1)?);
            m(format!("新增 {added} 人，已有 {known} 人"), format!("{added} added, {known} known"))
        }
        KeyPersonCreate => {
            let (zh, en) = label::<KeyClass>(text(0))?;
            m(zh.to_string(), en.to_string())
        }
        KeyPersonTransition => {
            let (from, to) = (label::<Status>(text(0))?, label::<Status>(text(1))?);
            m(format!("由「{}」变更为「{}」", from.0, to.0), format!("from {} to {}", from.1, to.1))
        }
        FollowUpRecord => {
            let slot = label::<VisitSlot>(text(0))?;
            let slot = (format!("{}随访", slot.0), slot.1);
            let (t_zh, t_en) = match text(1) {
                "" => (String::new(), String::new()),
                t => (format!("，体温 {t} ℃"), format!(", {t} °C")),
            };
            let (f_zh, f_en) = if text(2) == "fever" { ("，发热", ", fever") } else { ("", "") };
            m(format!("{}{t_zh}{f_zh}", slot.0), format!("{}{t_en}{f_en}", slot.1))
        }
        PassageRecord => {
            let direction = label::<Direction>(text(0))?;
            let (f_zh, f_en) = if text(1) == "fever" { ("，发热", ", fever") } else { ("", "") };
            m(format!("{}{f_zh}", direction.0), format!("{}{f_en}", direction.1))
        }
        InvestigationOpen => match text(0) {
            "2" => m("由密接候选人追踪（第二代）".into(), "traced from a candidate (second generation)".into()),
            _ => m("首发病例".into(), "first generation".into()),
        },
        InvestigationPoint => {
            let n = number(1)?;
            m(format!("场所 {}，密接候选人 {n} 人", text(0)), format!("venue {}, {n} candidates", text(0)))
        }
        InvestigationDetect => {
            let (points, candidates) = (number(0)?, number(1)?);
            m(
                format!("{points} 个点位，发现密接候选人 {candidates} 人"),
                format!("{points} points, {candidates} candidates detected"),
            )
        }
        CandidateDecide => match text(0) {
            "clear" => m("排除".into(), "cleared".into()),
            code => {
                let (zh, en) = label::<MeasureKind>(code)?;
                m(format!("确认为密接，{zh}"), format!("confirmed a close contact, {en}"))
            }
        },
        ListImport => {
            let (rows, leads) = (number(0)?, number(1)?);
            m(format!("{rows} 行，生成线索 {leads} 条"), format!("{rows} rows, {leads} leads"))
        }
        LeadVerify => {
            let (zh, en) = label::<LeadOutcome>(text(0))?;
            m(zh.to_string(), en.to_string())
        }
        SettingsChange => {
            let n = |i: usize| number(i).map(|v| v.to_string());
            match text(0) {
                "durations" => m(
                    format!(
                        "隔离和观察期限：居家隔离 {} 天、集中隔离 {} 天、疫区来驻观察 {} 天、出院后隔离 {} 天、健康监测 {} 天",
                        n(1)?,
                        n(2)?,
                        n(3)?,
                        n(4)?,
                        n(5)?
                    ),
                    format!(
                        "durations: home isolation {} days, central isolation {} days, arrivals' observation {} days, post-discharge {} days, health monitoring {} days",
                        n(1)?,
                        n(2)?,
                        n(3)?,
                        n(4)?,
                        n(5)?
                    ),
                ),
                "tracing" => m(
                    format!(
                        "密接判定规则：追溯 {} 天，停留超过 {} 秒，最长 {} 秒，前后 {} 秒",
                        n(1)?,
                        n(2)?,
                        n(3)?,
                        n(4)?
                    ),
                    format!(
                        "tracing rule: {} days back, stays over {} s, at most {} s, within {} s",
                        n(1)?,
                        n(2)?,
                        n(3)?,
                        n(4)?
                    ),
                ),
                "lead_due" => m(format!("线索核查时限：{} 小时", n(1)?), format!("lead deadline: {} hours", n(1)?)),
                _ => None,
            }
        }
        UploadStage => m(text(0).to_string(), text(0).to_string()),
        PersonRead if detail == "verify" => m("验码时核对姓名".into(), "name checked at a code verification".into()),
        KeyPersonRead if text(0) == "movements" => {
            let (checkins, passages) = (number(1)?, number(2)?);
            m(
                format!("查看行程：场所登记 {checkins} 次，卡口通行 {passages} 次"),
                format!("movements: {checkins} check-ins, {passages} passages"),
            )
        }
        PersonRead | KeyPersonRead | LeadRead | PersonCreate | CheckpointCreate | VenueCreate | InvestigationPlace
        | InvestigationSign => m(detail.to_string(), detail.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_stored_ones() {
        assert_eq!(AuditAction::KeyPersonList.as_str(), "key_person.list");
        assert_eq!(AuditAction::parse("lead.verify"), Ok(AuditAction::LeadVerify));
        assert_eq!(AuditSubject::KeyPerson.as_str(), "key_person");
        assert!(AuditAction::LeadVerify.is_write());
        assert!(!AuditAction::LeadRead.is_write());
    }

    #[test]
    fn details_read_as_sentences() {
        let said = describe("key_person.transition", "suspected|confirmed");
        assert_eq!(said.zh, "由「疑似」变更为「确诊」");
        assert_eq!(said.en, "from Suspected to Confirmed");
        assert_eq!(describe("person.search", "phone|3").zh, "按手机号查找，找到 3 人");
        assert_eq!(describe("follow_up.record", "noon|38.2|fever").en, "Noon, 38.2 °C, fever");
        // Older rows and unknown actions are shown as stored.
        assert_eq!(describe("key_person.list", "page 1 of a list, 3 shown").zh, "page 1 of a list, 3 shown");
        assert_eq!(describe("nothing.known", "x").en, "x");
        assert_eq!(describe("settings.change", "lead_due|24").zh, "线索核查时限：24 小时");
        assert_eq!(describe("key_person.read", "movements|2|1").en, "movements: 2 check-ins, 1 passages");
    }
}
