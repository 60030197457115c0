//! The words on the screen, in Persian and English. Content (descriptions,
//! addresses, topic titles) is never translated: it is shown as typed.

use desk137_domain::model::CaseStatus;
use desk137_domain::text::persian_digits;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Fa,
    En,
}

impl Lang {
    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::Fa => &FA,
            Lang::En => &EN,
        }
    }

    /// Digits as this language writes them.
    pub fn digits(self, s: &str) -> String {
        match self {
            Lang::Fa => persian_digits(s),
            Lang::En => s.to_owned(),
        }
    }

    pub fn num(self, n: impl std::fmt::Display) -> String {
        self.digits(&n.to_string())
    }

    /// A case's state as this language names it.
    pub fn status(self, s: CaseStatus) -> &'static str {
        use CaseStatus::*;
        match (self, s) {
            (Lang::Fa, Registered) => "ثبت‌شده",
            (Lang::Fa, Referred) => "ارجاع‌شده",
            (Lang::Fa, Acknowledged) => "پذیرفته",
            (Lang::Fa, OnSite) => "در محل",
            (Lang::Fa, InProgress) => "در حال انجام",
            (Lang::Fa, Done) => "انجام‌شده",
            (Lang::Fa, Closed) => "بسته",
            (Lang::Fa, Reopened) => "بازگشایی",
            (Lang::Fa, FalseReport) => "گزارش کذب",
            (Lang::En, Registered) => "registered",
            (Lang::En, Referred) => "referred",
            (Lang::En, Acknowledged) => "acknowledged",
            (Lang::En, OnSite) => "on site",
            (Lang::En, InProgress) => "in progress",
            (Lang::En, Done) => "done",
            (Lang::En, Closed) => "closed",
            (Lang::En, Reopened) => "reopened",
            (Lang::En, FalseReport) => "false report",
        }
    }
}

pub struct Labels {
    pub connecting: &'static str,
    pub connected: &'static str,
    pub disconnected: &'static str,
    pub demo: &'static str,
    pub role_agent: &'static str,
    pub role_dispatcher: &'static str,
    pub role_unit: &'static str,
    pub role_supervisor: &'static str,
    pub role_admin: &'static str,
    pub loading: &'static str,

    pub new_call: &'static str,
    pub phone: &'static str,
    pub description: &'static str,
    pub topic: &'static str,
    pub region: &'static str,
    pub address: &'static str,
    pub landmark: &'static str,
    pub kind: &'static str,
    pub executive: &'static str,
    pub informational: &'static str,
    pub urgency: &'static str,
    pub normal: &'static str,
    pub urgent: &'static str,
    pub routed_to: &'static str,
    pub occ: &'static str,
    pub occ_short: &'static str,
    pub no_topic_yet: &'static str,
    pub no_region_yet: &'static str,
    pub deadline: &'static str,
    pub first_response_by: &'static str,
    pub on_site_by: &'static str,
    pub result_by: &'static str,
    pub answered_at_once: &'static str,
    pub answered_by_137: &'static str,

    pub caller: &'static str,
    pub caller_hint: &'static str,
    pub first_contact: &'static str,
    pub recent_mine: &'static str,
    pub recent_none: &'static str,

    pub saving: &'static str,
    pub wait_for_save: &'static str,
    pub cleared: &'static str,
    pub kept: &'static str,
    pub confirm_discard: &'static str,
    pub confirm_quit: &'static str,
    pub confirm_keys: &'static str,
    pub urgent_on: &'static str,
    pub urgent_off: &'static str,
    pub informational_not_urgent: &'static str,
    pub catalog_not_ready: &'static str,
    pub no_connection: &'static str,
    pub retry_hint: &'static str,
    pub reconnected: &'static str,
    pub pick_topic_first: &'static str,

    pub queue_dispatcher: &'static str,
    pub queue_unit: &'static str,
    pub queue_supervisor: &'static str,
    pub col_number: &'static str,
    pub col_time: &'static str,
    pub col_unit: &'static str,
    pub col_status: &'static str,
    pub col_due: &'static str,
    pub no_cases: &'static str,
    pub more_cases: &'static str,
    pub case_title: &'static str,
    pub created: &'static str,
    pub created_by: &'static str,
    pub timeline: &'static str,
    pub open_case: &'static str,

    pub help_title: &'static str,
    pub help_global: &'static str,
    pub help_edit: &'static str,
    pub help_list: &'static str,
    pub help_typing: &'static str,
}

pub const FA: Labels = Labels {
    connecting: "در حال اتصال",
    connected: "متصل",
    disconnected: "قطع",
    demo: "نمایشی",
    role_agent: "کارشناس",
    role_dispatcher: "هماهنگی عملیات",
    role_unit: "واحد اجرایی",
    role_supervisor: "ناظر",
    role_admin: "مدیر سامانه",
    loading: "در حال دریافت…",

    new_call: "تماس جدید",
    phone: "تلفن",
    description: "شرح",
    topic: "موضوع",
    region: "منطقه",
    address: "نشانی",
    landmark: "نشانه",
    kind: "نوع",
    executive: "اجرایی",
    informational: "اطلاع‌رسانی",
    urgency: "فوریت",
    normal: "عادی",
    urgent: "فوری",
    routed_to: "ارجاع",
    occ: "مرکز هماهنگی عملیات",
    occ_short: "مرکز هماهنگی",
    no_topic_yet: "موضوع انتخاب نشده",
    no_region_yet: "منطقه انتخاب نشده",
    deadline: "مهلت",
    first_response_by: "پاسخ اول تا",
    on_site_by: "حضور در محل تا",
    result_by: "نتیجه تا",
    answered_at_once: "همین حالا پاسخ داده می‌شود",
    answered_by_137: "پاسخ با ۱۳۷",

    caller: "تماس‌گیرنده",
    caller_hint: "با وارد کردن شماره، سوابق اینجا می‌آید",
    first_contact: "نخستین تماس: پرونده‌ای ندارد",
    recent_mine: "پرونده‌های اخیر من",
    recent_none: "هنوز پرونده‌ای ثبت نکرده‌اید",

    saving: "در حال ثبت…",
    wait_for_save: "صبر کنید: پرونده در حال ثبت است",
    cleared: "فرم پاک شد؛ آمادهٔ تماس بعدی",
    kept: "فرم دست نخورد",
    confirm_discard: "فرم ثبت‌نشده پاک شود؟",
    confirm_quit: "فرم ثبت نشده است. خارج می‌شوید؟",
    confirm_keys: "Enter: بله · Esc: نه",
    urgent_on: "فوری: به مرکز هماهنگی عملیات هم می‌رود",
    urgent_off: "عادی شد",
    informational_not_urgent: "موضوع اطلاع‌رسانی فوری نمی‌شود؛ موضوع اجرایی انتخاب کنید",
    catalog_not_ready: "فهرست موضوع‌ها هنوز نرسیده است",
    no_connection: "اتصال به سرور برقرار نیست",
    retry_hint: "فرم نگه داشته شد؛ برای تلاش دوباره",
    reconnected: "اتصال برقرار شد",
    pick_topic_first: "یک موضوع از پیشنهادها انتخاب کنید",

    queue_dispatcher: "پرونده‌های فوری باز",
    queue_unit: "کارتابل واحد",
    queue_supervisor: "همهٔ پرونده‌های باز",
    col_number: "شماره",
    col_time: "زمان",
    col_unit: "واحد",
    col_status: "وضعیت",
    col_due: "مهلت",
    no_cases: "پرونده‌ای نیست",
    more_cases: "پرونده‌های بیشتر…",
    case_title: "پرونده",
    created: "ثبت",
    created_by: "ثبت‌کننده",
    timeline: "روند",
    open_case: "باز کردن",

    help_title: "راهنمای کلیدها",
    help_global: "همه‌جا",
    help_edit: "خانه‌های متن",
    help_list: "فهرست‌ها",
    help_typing: "حروف و اعداد در خانهٔ فعال نوشته می‌شوند؛ چسباندن هم کار می‌کند",
};

pub const EN: Labels = Labels {
    connecting: "connecting",
    connected: "connected",
    disconnected: "disconnected",
    demo: "demo",
    role_agent: "agent",
    role_dispatcher: "OCC dispatcher",
    role_unit: "executive unit",
    role_supervisor: "supervisor",
    role_admin: "admin",
    loading: "loading…",

    new_call: "NEW CALL",
    phone: "Phone",
    description: "Description",
    topic: "Topic",
    region: "Region",
    address: "Address",
    landmark: "Landmark",
    kind: "Kind",
    executive: "executive",
    informational: "informational",
    urgency: "Urgency",
    normal: "normal",
    urgent: "URGENT",
    routed_to: "To",
    occ: "Operations Coordination Center",
    occ_short: "OCC",
    no_topic_yet: "no topic chosen",
    no_region_yet: "no region chosen",
    deadline: "Due",
    first_response_by: "first response by",
    on_site_by: "on site by",
    result_by: "result by",
    answered_at_once: "answered now",
    answered_by_137: "answered by 137",

    caller: "CALLER",
    caller_hint: "type the number to see the caller's cases",
    first_contact: "first contact: no earlier cases",
    recent_mine: "MY RECENT CASES",
    recent_none: "no cases saved yet",

    saving: "saving…",
    wait_for_save: "wait: the case is being saved",
    cleared: "form cleared, ready for the next call",
    kept: "form kept",
    confirm_discard: "Clear the unsaved form?",
    confirm_quit: "The form is not saved. Quit?",
    confirm_keys: "Enter: yes · Esc: no",
    urgent_on: "URGENT: also goes to the Operations Coordination Center",
    urgent_off: "normal urgency",
    informational_not_urgent: "an informational topic cannot be urgent; pick an executive topic",
    catalog_not_ready: "the topic catalog has not arrived yet",
    no_connection: "no connection to the server",
    retry_hint: "form kept; to retry press",
    reconnected: "connected again",
    pick_topic_first: "pick a topic from the suggestions",

    queue_dispatcher: "OPEN URGENT CASES",
    queue_unit: "UNIT QUEUE",
    queue_supervisor: "ALL OPEN CASES",
    col_number: "case",
    col_time: "time",
    col_unit: "unit",
    col_status: "status",
    col_due: "due",
    no_cases: "no cases",
    more_cases: "more cases…",
    case_title: "CASE",
    created: "registered",
    created_by: "by",
    timeline: "TIMELINE",
    open_case: "open",

    help_title: "KEYS",
    help_global: "everywhere",
    help_edit: "text fields",
    help_list: "lists",
    help_typing: "letters and digits type into the focused field; paste works too",
};

impl Lang {
    pub fn saved(self, number: &str) -> String {
        match self {
            Lang::Fa => format!("✓ پرونده {number} ثبت شد"),
            Lang::En => format!("✓ saved {number}"),
        }
    }

    pub fn already_saved(self, number: &str) -> String {
        match self {
            Lang::Fa => format!("✓ پرونده {number} پیش‌تر ثبت شده بود"),
            Lang::En => format!("✓ {number} had already been saved"),
        }
    }

    /// A timeline step's name; names the client does not know are shown as sent.
    pub fn event_action(self, action: &str) -> String {
        if self == Lang::En {
            return action.replace('_', " ");
        }
        match action {
            "registered" => "ثبت",
            "referred" => "ارجاع",
            "coordination" => "پیگیری موازی",
            "answered" => "پاسخ داده شد",
            "acknowledged" => "پذیرش واحد",
            "on_site" => "حضور در محل",
            "first_response" | "in_progress" => "پاسخ اول",
            "done" => "انجام شد",
            "closed" => "بسته شد",
            "reopened" => "بازگشایی",
            "false_report" => "گزارش کذب",
            "escalated" => "پیگیری از مقام بالاتر",
            other => other,
        }
        .to_owned()
    }

    pub fn demo_hint(self, addr: &str, users: &str) -> String {
        match self {
            Lang::Fa => format!("سرور نمایشی {addr} · کاربران: {users} (توکن همان نام است)"),
            Lang::En => format!("demo server {addr} · users: {users} (token = name)"),
        }
    }

    pub fn not_saved(self, reason: &str) -> String {
        match self {
            Lang::Fa => format!("ثبت نشد: {reason}"),
            Lang::En => format!("not saved: {reason}"),
        }
    }

    pub fn caller_counts(self, total: u32, open: u32) -> String {
        match self {
            Lang::Fa => format!("{} پرونده پیشین · {} باز", self.num(total), self.num(open)),
            Lang::En => format!("{total} earlier cases · {open} open"),
        }
    }

    pub fn false_reports(self, n: usize) -> String {
        match self {
            Lang::Fa => format!("⚠ {} گزارش کذب", self.num(n)),
            Lang::En => format!("⚠ {n} false report{}", if n == 1 { "" } else { "s" }),
        }
    }

    pub fn bad_phone(self, reason: &str) -> String {
        match self {
            Lang::Fa => format!("شمارهٔ تلفن درست نیست: {reason}"),
            Lang::En => format!("the phone number {reason}"),
        }
    }

    pub fn case_count(self, shown: usize, more: bool) -> String {
        let plus = if more { "+" } else { "" };
        match self {
            Lang::Fa => format!("{}{plus} پرونده", self.num(shown)),
            Lang::En => format!("{shown}{plus} cases"),
        }
    }

    pub fn list_failed(self, reason: &str) -> String {
        match self {
            Lang::Fa => format!("فهرست نرسید: {reason}"),
            Lang::En => format!("the list did not arrive: {reason}"),
        }
    }

    pub fn catalog_failed(self, reason: &str) -> String {
        match self {
            Lang::Fa => format!("فهرست موضوع‌ها و مناطق نرسید: {reason}"),
            Lang::En => format!("the catalog did not arrive: {reason}"),
        }
    }

    pub fn no_access(self, reason: &str) -> String {
        match self {
            Lang::Fa => format!("دسترسی پذیرفته نشد: {reason}"),
            Lang::En => format!("access refused: {reason}"),
        }
    }

    /// A validation reason of the server or the domain rules, in this
    /// language where it is one of the common ones.
    pub fn reason(self, reason: &str) -> String {
        if self == Lang::En {
            return reason.to_owned();
        }
        let known = [
            ("is required", "لازم است"),
            ("is empty", "خالی است"),
            ("is too short", "کوتاه است"),
            ("is too long", "بیش از اندازه بلند است"),
            ("has a character that is not a digit", "حرفی جز رقم دارد"),
            ("has ", "شمار رقم‌ها درست نیست"),
            ("is not an Iranian number", "شمارهٔ ایران نیست"),
            (
                "an informational case cannot be urgent",
                "پرونده اطلاع‌رسانی فوری نمی‌شود",
            ),
            ("no region", "چنین منطقه‌ای نیست"),
            ("no topic", "چنین موضوعی نیست"),
        ];
        known
            .iter()
            .find(|(en, _)| reason.starts_with(en))
            .map(|(_, fa)| (*fa).to_owned())
            .unwrap_or_else(|| reason.to_owned())
    }
}
