//! Interface text, Chinese first and English second. Enum labels come from the domain.

use domain::Label;

/// Declares a struct of interface texts, each field a (中文, English) pair, with `of(lang)`: a
/// text given in one language only does not compile.
macro_rules! texts {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_meta:meta])* $field:ident: ($zh:expr, $en:expr $(,)?)),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$field_meta])* pub $field: &'static str,)*
        }

        impl $name {
            const ZH: $name = $name { $($field: $zh,)* };
            const EN: $name = $name { $($field: $en,)* };

            pub fn of(lang: Lang) -> &'static $name {
                match lang {
                    Lang::Zh => &Self::ZH,
                    Lang::En => &Self::EN,
                }
            }
        }
    };
}
pub(crate) use texts;

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

    /// The name of a domain value in this language.
    pub fn label(self, value: impl Label) -> &'static str {
        self.pick(value.labels())
    }

    /// The half of a (中文, English) pair for this language: texts declared or built.
    pub fn pick<T>(self, pair: (T, T)) -> T {
        match self {
            Lang::Zh => pair.0,
            Lang::En => pair.1,
        }
    }

    pub fn texts(self) -> &'static Texts {
        Texts::of(self)
    }

    /// "3677 条，已核查 3677，全部核查完毕" or its English.
    pub fn progress(self, leads: u64, verified: u64) -> String {
        self.pick(domain::progress(leads, verified))
    }
}

texts! {
    pub struct Texts {
        app: ("防控指挥平台", "fangkong command"),
        switch_to: ("English", "中文"),
        login: ("登录", "Log in"),
        logout: ("退出", "Log out"),
        menu: ("菜单", "Menu"),
        username: ("用户名", "Username"),
        password: ("密码", "Password"),
        wrong_login: ("用户名或密码错误", "Wrong username or password"),
        key_persons: ("重点人员", "Key persons"),
        due_today: ("今日到期", "Due today"),
        audit: ("审计日志", "Audit log"),
        new_key_person: ("新增重点人员", "New key person"),
        class: ("类别", "Class"),
        status: ("状态", "Status"),
        area: ("区划代码", "Area code"),
        place: ("地区", "Area"),
        fever_mark: ("发热", "fever"),
        today_in: ("今日进", "In today"),
        today_out: ("今日出", "Out today"),
        today_fever: ("今日发热", "Fevers today"),
        saved_created: ("已登记为重点人员", "Registered as a key person"),
        saved_transition: ("状态已变更", "Status changed"),
        venue_name: ("场所名称", "Venue"),
        movements: ("近 14 天场所登记和卡口通行", "Check-ins and passages, last 14 days"),
        no_movements: ("近 14 天没有登记记录", "None in the last 14 days"),
        moves_while_confined: ("标为“违规外出”的记录发生在隔离或观察期间。", "Entries marked as breaches were made during isolation or observation."),
        breach_mark: ("违规外出", "breach"),
        grid_name: ("网格", "Grid"),
        search: ("查找", "Search"),
        search_hint: ("姓名、身份证号或手机号", "Name, ID number or mobile"),
        export_xlsx: ("导出 Excel", "Export to Excel"),
        grid: ("网格代码", "Grid code"),
        all: ("全部", "All"),
        filter: ("筛选", "Filter"),
        sort: ("排序", "Sort"),
        name: ("姓名", "Name"),
        id_number: ("身份证号", "ID number"),
        phone: ("手机号", "Mobile"),
        source: ("来源", "Source"),
        measure: ("管控措施", "Measure"),
        planned_end: ("计划解除", "Planned end"),
        updated: ("更新时间", "Updated"),
        cadre: ("包保责任人", "Responsible cadre"),
        cadre_phone: ("责任人电话", "Cadre's mobile"),
        arrival_risk: ("来自地区风险（仅疫区来驻人员）", "Risk of the area arrived from (arrivals only)"),
        reason: ("原因", "Reason"),
        total: ("共", "Total"),
        previous: ("上一页", "Previous"),
        next: ("下一页", "Next"),
        records: ("条", ""),
        page_before: ("第", "page"),
        page_after: ("页", ""),
        overdue: ("已逾期", "overdue"),
        none_found: ("没有符合条件的记录", "No records match"),
        history: ("状态变更记录", "Status history"),
        measures: ("措施记录", "Measures"),
        transition: ("变更状态", "Change status"),
        to_status: ("变更为", "New status"),
        severity: ("病情", "Severity"),
        site: ("隔离点/医院", "Site / hospital"),
        submit: ("提交", "Submit"),
        save: ("保存", "Save"),
        no_more_transitions: ("该记录已结案，不能再变更", "This record is closed; it cannot change any more"),
        person: ("人员信息", "Person"),
        record: ("重点人员卡", "Key-person card"),
        grid_code_hint: ("可选，如 411702001001001", "optional, e.g. 411702001001001"),
        area_code_hint: ("6/9/12 位区划代码，如 411702001", "6/9/12-digit division code, e.g. 411702001"),
        due_date: ("到期日", "Due"),
        action: ("操作", "Action"),
        at: ("时间", "Time"),
        user: ("用户", "User"),
        from_addr: ("来源地址", "From"),
        detail: ("详情", "Detail"),
        no_tasks: ("今天没有待办任务", "Nothing is due today"),
        open: ("打开", "Open"),
        back_to_work: ("返回我的工作台", "Back to my work"),
        page_not_found: ("没有这个页面。请从菜单进入。", "There is no such page. Use the menu to find your way."),
        fix_errors: ("请修改标红的项目", "Please correct the fields marked in red"),
        choose: ("请选择", "Choose"),
        started: ("开始", "Start"),
        ended: ("结束", "End"),
        signed_in_as: ("当前用户", "Signed in as"),
        checkin_title: ("场所码登记", "Venue check-in"),
        verify_codes: ("验码", "Verify codes"),
        investigations: ("流调", "Investigations"),
        tracing_tasks: ("密接核查", "Contact tracing"),
        lists: ("大数据比对", "Comparison lists"),
        leads: ("线索核查", "Leads"),
        checkin_hint: ("请如实填写，用于疫情防控行程追踪。", "Please fill in truthfully; this is used for epidemic tracing."),
        checkin_as: ("登记人：", "Checking in as"),
        checkin_one_tap: ("一键登记", "Check in"),
        checkin_not_me: ("不是我，换人登记", "Not me — someone else"),
        temperature_optional: ("体温（℃，选填）", "Temperature (°C, optional)"),
        checkin_remember: ("在本机记住我，下次一键登记", "Remember me on this phone for one-tap check-in"),
        checkin_submit: ("登记", "Check in"),
        checkin_privacy: ("场所码只含场所编号，不含个人信息；登记信息仅用于疫情防控，到期自动删除。", "The venue code holds only the venue's number, no personal data; check-ins serve epidemic control only and are deleted when they expire."),
        checkin_ok: ("登记成功", "Checked in"),
        checkin_fever: ("体温异常", "Temperature too high"),
        checkin_fever_advice: ("您的体温达到发热标准，请佩戴口罩，听从现场工作人员安排，前往发热门诊就诊。", "Your temperature meets the fever threshold: wear a mask, follow the staff here and go to the fever clinic."),
        checkin_breach: ("您的健康码不允许外出", "Your health code does not allow this"),
        checkin_breach_advice: ("您处于隔离、观察或待核查期间，请立即返回住所，等待工作人员联系。本次登记已记录。", "You are under isolation or observation, or waiting to be contacted as a possible contact: go back home now and wait for the call. This check-in is recorded."),
        passage_breach: ("隔离、观察或待核查人员，禁止通行！", "Under isolation, observation or tracing: stop!"),
        passage_breach_advice: ("请劝返。其包保责任人已收到违规外出任务；待核查的密接，流调任务上已标明此次外出。", "Send them back. Their responsible cadre has a breach task; for a possible contact, the tracing task now shows this passage."),
        checkin_duplicate: ("您刚刚已在此登记，无需重复登记。", "You already checked in here a moment ago."),
        unknown_venue: ("场所码无效或已停用，请重新扫码或联系现场工作人员。", "This venue code is unknown or withdrawn; scan again or ask the staff."),
        stale_form: ("表单已过期，请刷新页面后重试。", "This form has expired; reload the page."),
        may_not_register: ("您的角色不能登记重点人员。", "Your role may not register key persons."),
        bad_date: ("日期格式应为 年-月-日，例如 2020-02-01。", "Use a date as YYYY-MM-DD, e.g. 2020-02-01."),
        server_error: ("服务器内部错误，已记录，请稍后再试。", "Something went wrong on the server; it is logged. Try again later."),
        not_found: ("未找到，或不在您的管辖范围内。", "Not found, or outside your jurisdiction."),
        forbidden: ("您的角色无权进行此操作。", "Your role may not do this."),
        invalid_field: ("填写有误，请检查：", "Please check: "),
        conflict: ("与已有记录冲突，请刷新后查看。", "This conflicts with an existing record; reload to see it."),
        busy: ("请求过于频繁，请稍后再试。", "Too many requests; try again shortly."),
        too_many_failures: ("本机失败次数过多，请 {minutes} 分钟后再试。", "Too many failed attempts from this device; try again in {minutes} minutes."),
        list_separator: ("、", ", "),
        cross_site: ("该表单来自其他网站，已拒绝。请从本系统的页面提交。", "This form was sent from another site and was refused. Submit it from this system's own pages."),
        identity_mismatch: ("姓名或手机号与该身份证号的登记信息不符，请核对后重新登记；信息有变请联系所在社区。", "The name or mobile number is not the one registered with this ID number: check them and try again, or ask your community to update them."),
        form_unreadable: ("表单内容无法读取，请刷新页面后重试", "The form could not be read; reload the page and try again"),
        checkpoints: ("卡口", "Checkpoints"),
        passage_ok: ("已登记", "Registered"),
        passage_fever: ("体温异常！", "Fever!"),
        passage_fever_advice: ("已生成不明原因发热人员记录和转运任务，请按流程转运至发热门诊。", "A fever record and a transfer task were opened: take the person to the fever clinic."),
        passage_fever_no_id: ("请登记身份证号后再次提交，以便生成发热人员记录和转运任务。", "Take the ID number and submit again, so that a fever record and a transfer task are opened."),
        direction: ("方向", "Direction"),
        direction_in: ("进", "In"),
        direction_out: ("出", "Out"),
        vehicle: ("车辆", "Vehicle"),
        plate: ("车牌", "Plate"),
        occupants: ("乘员数", "Occupants"),
        cargo: ("货物", "Cargo"),
        pass_checked: ("已查验通行证", "Pass checked"),
        temperature: ("体温（℃）", "Temperature (°C)"),
        origin: ("来自", "From"),
        destination: ("前往", "To"),
        register: ("登记", "Register"),
        ledger_today: ("今日台账", "Today's ledger"),
        follow_ups: ("居家随访", "Home follow-ups"),
        follow_ups_rule: ("一二三工作法：每天早中晚三次随访、两次测体温", "Three visits (morning, noon, evening) and two temperatures a day"),
        persons_count: ("人", "persons"),
        persons_missing: ("人有缺项", "with gaps"),
        persons_complete: ("人已完成", "complete"),
        nobody_to_follow: ("今天没有需要随访的居家隔离或健康监测人员", "Nobody is under home isolation or monitoring here today"),
        missing: ("缺", "Missing"),
        visit_pending: ("待随访", "to do"),
        temperatures_taken: ("体温", "Temperatures"),
        visit: ("随访", "Visit"),
        note: ("备注", "Note"),
        record_visit: ("记录随访", "Record visit"),
        visit_recorded: ("已记录", "Recorded"),
        visit_already: ("这次随访已记录过，未重复登记", "This visit was already recorded"),
        follow_up_fever: ("体温达到发热标准：已生成发热门诊转诊任务", "Fever: a transfer to the fever clinic is now a task"),
        venues: ("场所码", "Venue codes"),
        print_posters: ("批量打印张贴码", "Print posters in a batch"),
        print_posters_hint: ("输入网格或区划代码，一次打印其中所有场所的张贴码（每个场所一页 A4）", "A grid or area code: every venue there, one A4 page each"),
        print_pdf: ("生成 PDF", "Make PDF"),
        poster: ("张贴码", "Poster"),
        kind: ("类型", "Kind"),
    }
}

texts! {
    /// The health-code pages' text (citizen code page, checkpoint verify page).
    pub struct CodeTexts {
        title: ("健康码", "Health code"),
        hint: ("输入身份证号、姓名和登记的手机号查看本人健康码。", "Enter your ID number, name and registered mobile number to see your health code."),
        show_mine: ("查看我的健康码", "Show my health code"),
        submit: ("查看健康码", "Show health code"),
        refresh: ("刷新", "Refresh"),
        valid_until: ("有效至", "Valid until"),
        reasons: ("赋码原因", "Why this colour"),
        no_reason: ("未发现风险", "No risk found"),
        privacy: ("二维码只含签名的人员编号、颜色和有效期，不含姓名、身份证号或手机号。", "The QR holds only a signed person number, the colour and the validity — no name, ID number or phone."),
        verify_title: ("扫码验码", "Scan and verify"),
        verify_hint: ("扫描或粘贴健康码（扫码枪输入后自动验码）。验签用公钥，断网也能验。", "Scan or paste a health code (a scanner's Enter verifies). Verified with the public key, so it works offline."),
        verify_button: ("验码", "Verify"),
        scan_camera: ("摄像头扫码", "Scan with camera"),
        valid: ("有效", "Valid"),
        refused: ("无效，拒绝通行并人工核查", "Refused: stop and check by hand"),
        keys_kept: ("验签公钥已保存在本机", "Public keys kept on this device"),
        person_ref: ("人员编号", "Person no."),
        no_such_person: ("未找到与身份证号、姓名、手机号同时相符的登记人员；请核对，或到所在社区登记。", "No registered person has this ID number, name and mobile number together; check them, or register at your community."),
        verify_staff_only: ("验码页面供卡口值守人员使用。", "Code verification is for checkpoint staff."),
        expired_on_page: ("已过期，请刷新", "Expired — refresh"),
        holder: ("持码人", "Holder"),
        red: ("红码", "Red code"),
        yellow: ("黄码", "Yellow code"),
        green: ("绿码", "Green code"),
        malformed: ("不是健康码", "Not a health-code token"),
        bad_signature: ("签名不符，码被篡改或伪造", "The signature does not match: altered or forged"),
        expired: ("已过期", "Expired"),
        unknown_key: ("未知签名密钥", "Unknown signing key"),
        issued_in_future: ("签发时间在未来，请核对设备时间", "Issued in the future: check this device's clock"),
    }
}

impl Lang {
    pub fn code_texts(self) -> &'static CodeTexts {
        CodeTexts::of(self)
    }
}
