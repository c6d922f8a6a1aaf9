//! Interface text, Chinese first and English second. Enum labels come from the domain.

use domain::{KeyClass, MeasureKind, Role, Severity, Source, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    pub fn status(self, s: Status) -> &'static str {
        if self == Lang::Zh { s.label_zh() } else { s.label_en() }
    }

    pub fn severity(self, s: Severity) -> &'static str {
        if self == Lang::Zh { s.label_zh() } else { s.label_en() }
    }

    pub fn class(self, c: KeyClass) -> &'static str {
        if self == Lang::Zh { c.label_zh() } else { c.label_en() }
    }

    pub fn source(self, s: Source) -> &'static str {
        if self == Lang::Zh { s.label_zh() } else { s.label_en() }
    }

    pub fn measure(self, m: MeasureKind) -> &'static str {
        if self == Lang::Zh { m.label_zh() } else { m.label_en() }
    }

    pub fn role(self, r: Role) -> &'static str {
        if self == Lang::Zh { r.label_zh() } else { r.label_en() }
    }
}

pub struct Texts {
    pub app: &'static str,
    pub switch_to: &'static str,
    pub login: &'static str,
    pub logout: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub wrong_login: &'static str,
    pub key_persons: &'static str,
    pub due_today: &'static str,
    pub audit: &'static str,
    pub new_key_person: &'static str,
    pub class: &'static str,
    pub status: &'static str,
    pub area: &'static str,
    pub grid: &'static str,
    pub all: &'static str,
    pub filter: &'static str,
    pub name: &'static str,
    pub id_number: &'static str,
    pub phone: &'static str,
    pub source: &'static str,
    pub measure: &'static str,
    pub planned_end: &'static str,
    pub updated: &'static str,
    pub cadre: &'static str,
    pub cadre_phone: &'static str,
    pub reason: &'static str,
    pub total: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub records: &'static str,
    pub page_before: &'static str,
    pub page_after: &'static str,
    pub overdue: &'static str,
    pub none_found: &'static str,
    pub history: &'static str,
    pub measures: &'static str,
    pub transition: &'static str,
    pub to_status: &'static str,
    pub severity: &'static str,
    pub site: &'static str,
    pub submit: &'static str,
    pub save: &'static str,
    pub no_more_transitions: &'static str,
    pub person: &'static str,
    pub record: &'static str,
    pub grid_code_hint: &'static str,
    pub area_code_hint: &'static str,
    pub due_date: &'static str,
    pub action: &'static str,
    pub at: &'static str,
    pub user: &'static str,
    pub from_addr: &'static str,
    pub detail: &'static str,
    pub no_tasks: &'static str,
    pub open: &'static str,
    pub fix_errors: &'static str,
    pub choose: &'static str,
    pub started: &'static str,
    pub ended: &'static str,
    pub signed_in_as: &'static str,
    pub checkin_title: &'static str,
    pub checkin_hint: &'static str,
    pub checkin_as: &'static str,
    pub checkin_one_tap: &'static str,
    pub checkin_not_me: &'static str,
    pub temperature_optional: &'static str,
    pub checkin_remember: &'static str,
    pub checkin_submit: &'static str,
    pub checkin_privacy: &'static str,
    pub checkin_ok: &'static str,
    pub checkin_fever: &'static str,
    pub checkin_fever_advice: &'static str,
    pub checkin_duplicate: &'static str,
    pub unknown_venue: &'static str,
}

pub static ZH: Texts = Texts {
    app: "防控指挥平台",
    switch_to: "English",
    login: "登录",
    logout: "退出",
    username: "用户名",
    password: "密码",
    wrong_login: "用户名或密码错误",
    key_persons: "重点人员",
    due_today: "今日到期",
    audit: "审计日志",
    new_key_person: "新增重点人员",
    class: "类别",
    status: "状态",
    area: "区划代码",
    grid: "网格代码",
    all: "全部",
    filter: "筛选",
    name: "姓名",
    id_number: "身份证号",
    phone: "手机号",
    source: "来源",
    measure: "管控措施",
    planned_end: "计划解除",
    updated: "更新时间",
    cadre: "包保责任人",
    cadre_phone: "责任人电话",
    reason: "原因",
    total: "共",
    previous: "上一页",
    next: "下一页",
    records: "条",
    page_before: "第",
    page_after: "页",
    overdue: "已逾期",
    none_found: "没有符合条件的记录",
    history: "状态变更记录",
    measures: "措施记录",
    transition: "变更状态",
    to_status: "变更为",
    severity: "病情",
    site: "隔离点/医院",
    submit: "提交",
    save: "保存",
    no_more_transitions: "该记录已结案，不能再变更",
    person: "人员信息",
    record: "重点人员卡",
    grid_code_hint: "可选，如 411702001001001",
    area_code_hint: "6/9/12 位区划代码，如 411702001",
    due_date: "到期日",
    action: "操作",
    at: "时间",
    user: "用户",
    from_addr: "来源地址",
    detail: "详情",
    no_tasks: "今天没有到期的解除隔离任务",
    open: "打开",
    fix_errors: "请修改标红的项目",
    choose: "请选择",
    started: "开始",
    ended: "结束",
    signed_in_as: "当前用户",
    checkin_title: "场所码登记",
    checkin_hint: "请如实填写，用于疫情防控行程追踪。",
    checkin_as: "登记人：",
    checkin_one_tap: "一键登记",
    checkin_not_me: "不是我，换人登记",
    temperature_optional: "体温（℃，选填）",
    checkin_remember: "在本机记住我，下次一键登记",
    checkin_submit: "登记",
    checkin_privacy: "场所码只含场所编号，不含个人信息；登记信息仅用于疫情防控，到期自动删除。",
    checkin_ok: "登记成功",
    checkin_fever: "体温异常",
    checkin_fever_advice: "您的体温达到发热标准，请佩戴口罩，听从现场工作人员安排，前往发热门诊就诊。",
    checkin_duplicate: "您刚刚已在此登记，无需重复登记。",
    unknown_venue: "场所码无效或已停用，请重新扫码或联系现场工作人员。",
};

pub static EN: Texts = Texts {
    app: "fangkong command",
    switch_to: "中文",
    login: "Log in",
    logout: "Log out",
    username: "Username",
    password: "Password",
    wrong_login: "Wrong username or password",
    key_persons: "Key persons",
    due_today: "Due today",
    audit: "Audit log",
    new_key_person: "New key person",
    class: "Class",
    status: "Status",
    area: "Area code",
    grid: "Grid code",
    all: "All",
    filter: "Filter",
    name: "Name",
    id_number: "ID number",
    phone: "Mobile",
    source: "Source",
    measure: "Measure",
    planned_end: "Planned end",
    updated: "Updated",
    cadre: "Responsible cadre",
    cadre_phone: "Cadre's mobile",
    reason: "Reason",
    total: "Total",
    previous: "Previous",
    next: "Next",
    records: "",
    page_before: "page",
    page_after: "",
    overdue: "overdue",
    none_found: "No records match",
    history: "Status history",
    measures: "Measures",
    transition: "Change status",
    to_status: "New status",
    severity: "Severity",
    site: "Site / hospital",
    submit: "Submit",
    save: "Save",
    no_more_transitions: "This record is closed; it cannot change any more",
    person: "Person",
    record: "Key-person card",
    grid_code_hint: "optional, e.g. 411702001001001",
    area_code_hint: "6/9/12-digit division code, e.g. 411702001",
    due_date: "Due",
    action: "Action",
    at: "Time",
    user: "User",
    from_addr: "From",
    detail: "Detail",
    no_tasks: "No releases fall due today",
    open: "Open",
    fix_errors: "Please correct the fields marked in red",
    choose: "Choose",
    started: "Start",
    ended: "End",
    signed_in_as: "Signed in as",
    checkin_title: "Venue check-in",
    checkin_hint: "Please fill in truthfully; this is used for epidemic tracing.",
    checkin_as: "Checking in as",
    checkin_one_tap: "Check in",
    checkin_not_me: "Not me — someone else",
    temperature_optional: "Temperature (°C, optional)",
    checkin_remember: "Remember me on this phone for one-tap check-in",
    checkin_submit: "Check in",
    checkin_privacy: "The venue code holds only the venue's number, no personal data; check-ins serve epidemic control only and are deleted when they expire.",
    checkin_ok: "Checked in",
    checkin_fever: "Temperature too high",
    checkin_fever_advice: "Your temperature meets the fever threshold: wear a mask, follow the staff here and go to the fever clinic.",
    checkin_duplicate: "You already checked in here a moment ago.",
    unknown_venue: "This venue code is unknown or withdrawn; scan again or ask the staff.",
};
