//! The words on the screen, in Persian and English. Content (descriptions,
//! addresses, topic titles) is never translated: it is shown as typed.

use crate::app::msg::FieldFault;
use desk137_domain::event::EventCode;
use desk137_domain::model::CaseStatus;
use desk137_domain::text::persian_digits;
use desk137_domain::validate::Reason;
use serde::Deserialize;

pub mod audit;
mod feedback;
mod lifecycle;
mod live;
mod scorecards;

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
            (Lang::Fa, Resolved) => "انجام‌شده",
            (Lang::Fa, Closed) => "بسته",
            (Lang::Fa, Reopened) => "بازگشایی",
            (Lang::Fa, Rejected) => "رد شده",
            (Lang::Fa, AwaitingFeedback) => "در انتظار نظرسنجی",
            (Lang::Fa, Answered) => "پاسخ داده شد",
            (Lang::Fa, Deferred) => "معوق",
            (Lang::Fa, Transferred) => "ارجاع برون‌سازمانی",
            (Lang::En, Registered) => "registered",
            (Lang::En, Referred) => "referred",
            (Lang::En, Acknowledged) => "acknowledged",
            (Lang::En, OnSite) => "on site",
            (Lang::En, InProgress) => "in progress",
            (Lang::En, Resolved) => "resolved",
            (Lang::En, Closed) => "closed",
            (Lang::En, Reopened) => "reopened",
            (Lang::En, Rejected) => "rejected",
            (Lang::En, AwaitingFeedback) => "awaiting feedback",
            (Lang::En, Answered) => "answered",
            (Lang::En, Deferred) => "deferred",
            (Lang::En, Transferred) => "transferred",
        }
    }
}

pub struct Labels {
    pub connecting: &'static str,
    pub connected: &'static str,
    pub not_serving: &'static str,
    pub disconnected: &'static str,
    pub demo: &'static str,
    pub role_agent: &'static str,
    pub role_dispatcher: &'static str,
    pub role_unit: &'static str,
    pub role_supervisor: &'static str,
    pub role_admin: &'static str,
    pub role_portal: &'static str,
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
    pub help_screen: &'static str,
    pub help_typing: &'static str,
}

pub const FA: Labels = Labels {
    connecting: "در حال اتصال",
    connected: "متصل",
    not_serving: "سرور پاسخ نمی‌دهد",
    disconnected: "قطع",
    demo: "نمایشی",
    role_agent: "کارشناس",
    role_dispatcher: "هماهنگی عملیات",
    role_unit: "واحد اجرایی",
    role_supervisor: "ناظر",
    role_admin: "مدیر سامانه",
    role_portal: "درگاه شهروندی",
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
    help_screen: "همین صفحه",
    help_typing: "حروف و اعداد در خانهٔ فعال نوشته می‌شوند؛ چسباندن هم کار می‌کند",
};

pub const EN: Labels = Labels {
    connecting: "connecting",
    connected: "connected",
    not_serving: "not serving",
    disconnected: "disconnected",
    demo: "demo",
    role_agent: "agent",
    role_dispatcher: "OCC dispatcher",
    role_unit: "executive unit",
    role_supervisor: "supervisor",
    role_admin: "admin",
    role_portal: "citizens' portal",
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
    help_screen: "this screen",
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

    /// A timeline step's name.
    pub fn event(self, code: EventCode) -> &'static str {
        use EventCode::*;
        match (self, code) {
            (Lang::Fa, Registered) => "ثبت",
            (Lang::Fa, Answered) => "پاسخ داده شد",
            (Lang::Fa, Referred) => "ارجاع",
            (Lang::Fa, Coordination) => "پیگیری موازی",
            (Lang::Fa, Acknowledged) => "پذیرش واحد",
            (Lang::Fa, OnSite) => "حضور در محل",
            (Lang::Fa, InProgress) => "پاسخ اول",
            (Lang::Fa, Resolved) => "اعلام نتیجه",
            (Lang::Fa, Feedback) => "نظرسنجی از شهروند",
            (Lang::Fa, Reopened) => "بازگشایی",
            (Lang::Fa, Rejected) => "رد درخواست",
            (Lang::Fa, Deferred) => "معوق شد",
            (Lang::Fa, Transferred) => "ارجاع به سازمان دیگر",
            (Lang::Fa, Rerouted) => "ارجاع مجدد",
            (Lang::Fa, FollowUp) => "پیگیر تعیین شد",
            (Lang::Fa, Note) => "یادداشت",
            (Lang::Fa, Escalated) => "ارتقای پیگیری",
            (Lang::Fa, SlaWarning) => "هشدار مهلت",
            (Lang::Fa, SlaBreached) => "گذشت مهلت",
            (Lang::Fa, Closed) => "بسته شد",
            (Lang::Fa, Resumed) => "ازسرگیری",
            (Lang::Fa, Attachment) => "پیوست",
            (Lang::Fa, SlaChanged) => "تغییر مهلت",
            (Lang::Fa, Unreachable) => "شهروند پاسخ نداد",
            (Lang::En, Registered) => "registered",
            (Lang::En, Answered) => "answered",
            (Lang::En, Referred) => "referred",
            (Lang::En, Coordination) => "coordination",
            (Lang::En, Acknowledged) => "acknowledged",
            (Lang::En, OnSite) => "on site",
            (Lang::En, InProgress) => "first response",
            (Lang::En, Resolved) => "result reported",
            (Lang::En, Feedback) => "citizen feedback",
            (Lang::En, Reopened) => "reopened",
            (Lang::En, Rejected) => "rejected",
            (Lang::En, Deferred) => "deferred",
            (Lang::En, Transferred) => "transferred",
            (Lang::En, Rerouted) => "rerouted",
            (Lang::En, FollowUp) => "follow-up assigned",
            (Lang::En, Note) => "note",
            (Lang::En, Escalated) => "escalated",
            (Lang::En, SlaWarning) => "deadline warning",
            (Lang::En, SlaBreached) => "deadline breached",
            (Lang::En, Closed) => "closed",
            (Lang::En, Resumed) => "resumed",
            (Lang::En, Attachment) => "attachment",
            (Lang::En, SlaChanged) => "deadline changed",
            (Lang::En, Unreachable) => "citizen unreachable",
        }
    }

    /// Why a field was refused, from its stable code; `limit` is the
    /// number the field broke, where one applies.
    pub fn reason(self, reason: Reason, limit: u32) -> String {
        use Reason::*;
        /// File sizes are limited in whole mebibytes, and read so.
        const MIB: u32 = 1024 * 1024;
        let n = self.num(limit);
        match (self, reason) {
            (Lang::Fa, Required) => "لازم است".into(),
            (Lang::Fa, TooShort) if limit > 0 => format!("کوتاه است؛ دست‌کم {n} حرف"),
            (Lang::Fa, TooShort) => "کوتاه است".into(),
            (Lang::Fa, TooLong) if limit > 0 => format!("بلند است؛ بیشتر از {n} حرف نشود"),
            (Lang::Fa, TooLong) => "بیش از اندازه بلند است".into(),
            (Lang::Fa, BadCharacters) => "نویسه‌ای دارد که اینجا پذیرفته نیست".into(),
            (Lang::Fa, UnknownTopic) => "چنین موضوعی نیست".into(),
            (Lang::Fa, UnknownRegion) => "چنین منطقه‌ای نیست".into(),
            (Lang::Fa, UnknownValue) => "مقداری ناشناخته دارد".into(),
            (Lang::Fa, UrgentInformational) => "پرونده اطلاع‌رسانی فوری نمی‌شود".into(),
            (Lang::Fa, PhoneBadCharacter) => "حرفی جز رقم دارد".into(),
            (Lang::Fa, PhoneBadLength) => "شمار رقم‌ها درست نیست".into(),
            (Lang::Fa, PhoneNotIranian) => "شمارهٔ ایران نیست".into(),
            (Lang::Fa, BadPageToken) => "نشانی صفحهٔ فهرست کهنه است؛ فهرست را تازه کنید".into(),
            (Lang::Fa, TooLarge) if limit >= MIB && limit.is_multiple_of(MIB) => {
                format!(
                    "حجمش زیاد است؛ بیشتر از {} مگابایت نشود",
                    self.num(limit / MIB)
                )
            }
            (Lang::Fa, TooLarge) if limit > 0 => format!("حجمش زیاد است؛ بیشتر از {n} بایت نشود"),
            (Lang::Fa, TooLarge) => "حجمش بیش از اندازه است".into(),
            (Lang::Fa, UnknownMediaType) => "این نوع پرونده پذیرفته نیست".into(),
            (Lang::Fa, MediaMismatch) => "محتوای پرونده با نوعی که گفته شده نمی‌خواند".into(),
            (Lang::Fa, SizeMismatch) => "اندازهٔ پرونده با آنچه گفته شده یکی نیست".into(),
            (Lang::Fa, UnknownUnit) => "چنین واحدی نیست".into(),
            (Lang::Fa, WrongUnitKind) => "این واحد برای این کار نیست".into(),
            (Lang::Fa, OutOfRange) => "بیرون از بازهٔ پذیرفتنی است".into(),
            (Lang::Fa, Unchanged) => "چیزی را تغییر نمی‌دهد".into(),
            (Lang::Fa, UnknownCase) => "چنین پرونده‌ای نیست، یا همین پرونده است".into(),
            (Lang::Fa, UnknownUser) => "چنین کاربری با این نقش نیست".into(),
            (Lang::Fa, UnknownAttachment) => "این پیوست روی این پرونده نیست".into(),
            (Lang::En, Required) => "is required".into(),
            (Lang::En, TooShort) if limit > 0 => format!("is too short: at least {n} characters"),
            (Lang::En, TooShort) => "is too short".into(),
            (Lang::En, TooLong) if limit > 0 => format!("is too long: at most {n} characters"),
            (Lang::En, TooLong) => "is too long".into(),
            (Lang::En, BadCharacters) => "has a character not allowed here".into(),
            (Lang::En, UnknownTopic) => "is not a topic of the catalog".into(),
            (Lang::En, UnknownRegion) => "is not a region of the city".into(),
            (Lang::En, UnknownValue) => "has a value this version does not know".into(),
            (Lang::En, UrgentInformational) => "an informational case cannot be urgent".into(),
            (Lang::En, PhoneBadCharacter) => "has a character that is not a digit".into(),
            (Lang::En, PhoneBadLength) => "has the wrong number of digits".into(),
            (Lang::En, PhoneNotIranian) => "is not an Iranian number".into(),
            (Lang::En, BadPageToken) => "the list page is stale; refresh the list".into(),
            (Lang::En, TooLarge) if limit >= MIB && limit.is_multiple_of(MIB) => {
                format!("is too large: at most {} MiB", limit / MIB)
            }
            (Lang::En, TooLarge) if limit > 0 => format!("is too large: at most {n} bytes"),
            (Lang::En, TooLarge) => "is too large".into(),
            (Lang::En, UnknownMediaType) => "is not a kind of file accepted here".into(),
            (Lang::En, MediaMismatch) => "holds content of another kind than it says".into(),
            (Lang::En, SizeMismatch) => "does not have the size it declared".into(),
            (Lang::En, UnknownUnit) => "is not a unit of the catalog".into(),
            (Lang::En, WrongUnitKind) => "is not a unit of the kind this move needs".into(),
            (Lang::En, OutOfRange) => "is out of the allowed range".into(),
            (Lang::En, Unchanged) => "would change nothing".into(),
            (Lang::En, UnknownCase) => "is no other case's number".into(),
            (Lang::En, UnknownUser) => "names no staff member of the role needed".into(),
            (Lang::En, UnknownAttachment) => "is no file uploaded to this case".into(),
        }
    }

    /// The name of a field a refusal names, by its name on the wire.
    pub fn field_label(self, wire_name: &str) -> Option<&'static str> {
        let l = self.labels();
        Some(match wire_name {
            "phone" => l.phone,
            "description" => l.description,
            "topic_id" | "topic" => l.topic,
            "kind" => l.kind,
            "urgency" => l.urgency,
            "region" => l.region,
            "address" => l.address,
            "landmark" => l.landmark,
            _ => return None,
        })
    }

    /// A refused field: its name and why, however the refusal came (the
    /// server's details or the rules checked here).
    pub fn refusal(self, fault: &FieldFault) -> String {
        let why = self.reason(fault.reason, fault.limit);
        match self.field_label(&fault.field) {
            Some(label) => format!("{label}: {why}"),
            None if fault.field.is_empty() => why,
            None => format!("{}: {why}", fault.field),
        }
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

    /// The caller carries the Shahrban mark: answered and followed first.
    pub fn shahrban(self) -> &'static str {
        match self {
            Lang::Fa => "★ شهربان",
            Lang::En => "★ Shahrban",
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

    pub fn catalog_skipped(self, n: usize) -> String {
        match self {
            Lang::Fa => format!(
                "{} ردیف فهرست برای این نسخه ناشناخته بود و کنار گذاشته شد",
                self.num(n)
            ),
            Lang::En => format!("{n} catalog rows unknown to this version were left out"),
        }
    }

    /// A token that is not a member of staff's: the citizens' portal's.
    pub fn no_staff_screen(self) -> &'static str {
        match self {
            Lang::Fa => {
                "این توکن از آنِ درگاه شهروندی است و صفحه‌ای برای کارکنان ندارد؛ با توکن کارکنان وارد شوید"
            }
            Lang::En => {
                "this token is the citizens' portal's: it has no staff screen; sign in with a staff token"
            }
        }
    }

    pub fn no_access(self, reason: &str) -> String {
        match self {
            Lang::Fa => format!("دسترسی پذیرفته نشد: {reason}"),
            Lang::En => format!("access refused: {reason}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_reason_has_its_own_words_in_both_languages() {
        for lang in [Lang::Fa, Lang::En] {
            for limit in [0, 300] {
                let mut seen = HashSet::new();
                for r in Reason::all() {
                    let text = lang.reason(r, limit);
                    assert!(!text.trim().is_empty(), "{lang:?} {r:?}");
                    // Never the wire code shown as it is.
                    assert!(!text.contains(r.as_str()), "{lang:?} {r:?}: {text}");
                    assert!(seen.insert(text.clone()), "{lang:?} {r:?} shares {text:?}");
                }
            }
        }
        let fa = Lang::Fa.reason(Reason::TooLong, 300);
        assert!(fa.contains("۳۰۰"), "the limit in Persian digits: {fa}");
        assert!(
            Lang::Fa
                .reason(Reason::PhoneNotIranian, 0)
                .contains("ایران")
        );
    }

    #[test]
    fn every_event_kind_has_its_own_name_in_both_languages() {
        for lang in [Lang::Fa, Lang::En] {
            let mut seen = HashSet::new();
            for code in EventCode::all() {
                let name = lang.event(code);
                assert!(!name.trim().is_empty(), "{lang:?} {code:?}");
                assert!(seen.insert(name), "{lang:?} {code:?} shares {name:?}");
            }
        }
        assert_eq!(Lang::Fa.event(EventCode::OnSite), "حضور در محل");
    }

    #[test]
    fn a_refusal_names_the_field_in_the_screens_words() {
        let f = FieldFault {
            field: "address".into(),
            reason: Reason::TooShort,
            limit: 3,
        };
        assert_eq!(Lang::Fa.refusal(&f), "نشانی: کوتاه است؛ دست‌کم ۳ حرف");
        assert_eq!(
            Lang::En.refusal(&f),
            "Address: is too short: at least 3 characters"
        );
        let odd = FieldFault {
            field: "request_id".into(),
            ..f
        };
        assert!(Lang::En.refusal(&odd).starts_with("request_id: "));
    }
}
