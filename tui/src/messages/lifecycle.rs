//! The words of a case's life: moves, their forms and refusals, the
//! service-level clocks, the boards and the demo's keys.

use super::Lang;
use crate::app::move_form::{LocalFault, MoveField};
use crate::app::msg::FieldFault;
use desk137_proto::v1 as pb;

impl Lang {
    fn pick(self, fa: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Fa => fa,
            Lang::En => en,
        }
    }

    /// A move as the form's title names it.
    pub fn move_name(self, m: pb::Move) -> &'static str {
        use pb::Move::*;
        match m {
            Unspecified => self.pick("؟", "?"),
            Acknowledge => self.pick("پذیرش پرونده", "Acknowledge"),
            Arrive => self.pick("حضور در محل", "On site"),
            Respond => self.pick("پاسخ اول", "First response"),
            Resolve => self.pick("اعلام نتیجه", "Result"),
            Defer => self.pick("معوق کردن", "Defer"),
            Reject => self.pick("رد درخواست", "Reject"),
            Transfer => self.pick("ارجاع به سازمان دیگر", "Transfer"),
            Reroute => self.pick("ارجاع مجدد", "Re-route"),
            AssignFollowUp => self.pick("تعیین پیگیر", "Assign follow-up"),
            Note => self.pick("یادداشت", "Note"),
            Escalate => self.pick("ارتقای پیگیری", "Escalate"),
            Reopen => self.pick("بازگشایی", "Reopen"),
            Close => self.pick("بستن پرونده", "Close"),
            Resume => self.pick("ازسرگیری", "Resume"),
            Feedback => self.pick("ثبت رضایت شهروند", "Citizen's satisfaction"),
            Unreachable => self.pick("پاسخ نداد", "Unreachable"),
        }
    }

    /// A form field's label; the note's label says what the move wants in it.
    pub fn move_field(self, f: MoveField, m: pb::Move) -> &'static str {
        match f {
            MoveField::Response => self.pick("پاسخ", "Response"),
            MoveField::Promised => self.pick("تاریخ وعده", "Promised date"),
            MoveField::RejectKind => self.pick("دلیل رد", "Why"),
            MoveField::DuplicateOf => self.pick("تکرار پرونده", "Duplicate of"),
            MoveField::Unit => match m {
                pb::Move::Transfer => self.pick("سازمان", "Organisation"),
                _ => self.pick("واحد جدید", "New unit"),
            },
            MoveField::Topic => self.pick("موضوع جدید", "New topic"),
            MoveField::FollowUp => self.pick("پیگیر", "Follow-up"),
            MoveField::Note => match m {
                pb::Move::Resolve => self.pick("نتیجه", "Result"),
                pb::Move::Defer => self.pick("دلیل", "Reason"),
                pb::Move::Escalate => self.pick("دلیل", "Reason"),
                pb::Move::Reopen => self.pick("سخن شهروند", "Citizen's words"),
                pb::Move::Resume => self.pick("پاسخ", "Answer"),
                _ => self.pick("یادداشت", "Note"),
            },
            MoveField::DelayReason => self.pick("علت تأخیر", "Delay reason"),
            MoveField::Attachment => self.pick("پیوست (مسیر)", "Attach (path)"),
        }
    }

    pub fn first_response(self, r: pb::FirstResponse) -> &'static str {
        match r {
            pb::FirstResponse::Done => self.pick("انجام شد", "done"),
            pb::FirstResponse::NeedsTime => self.pick("نیاز به زمان", "needs more time"),
            pb::FirstResponse::Unspecified => self.pick("؟", "?"),
        }
    }

    pub fn reject_kind(self, k: pb::RejectKind) -> &'static str {
        match k {
            pb::RejectKind::FalseReport => self.pick("گزارش کذب", "false report"),
            pb::RejectKind::NotMunicipal => self.pick("غیرشهرداری", "not municipal"),
            pb::RejectKind::Duplicate => self.pick("تکراری", "duplicate"),
            pb::RejectKind::Unspecified => self.pick("؟", "?"),
        }
    }

    pub fn delay_reason(self, r: pb::DelayReason) -> &'static str {
        match r {
            pb::DelayReason::Unspecified => self.pick("بدون تأخیر", "none"),
            pb::DelayReason::NoAccess => self.pick("دسترسی به محل نبود", "no access to the site"),
            pb::DelayReason::NeedsOtherOrg => {
                self.pick("نیاز به سازمان دیگر", "needs another organisation")
            }
            pb::DelayReason::NeedsBudget => self.pick("نیاز به بودجه", "needs budget"),
            pb::DelayReason::Weather => self.pick("آب‌وهوا", "weather"),
            pb::DelayReason::Other => self.pick("دیگر", "other"),
        }
    }

    pub fn clock(self, c: pb::SlaClock) -> &'static str {
        match c {
            pb::SlaClock::FirstResponse => self.pick("پاسخ اول", "first response"),
            pb::SlaClock::OnSite => self.pick("حضور در محل", "on site"),
            pb::SlaClock::Result => self.pick("نتیجه", "result"),
            pb::SlaClock::Promised => self.pick("تاریخ وعده", "promised date"),
            pb::SlaClock::Unspecified => self.pick("؟", "?"),
        }
    }

    pub fn local_fault(self, f: &LocalFault, m: pb::Move) -> String {
        match f {
            LocalFault::Field(fault) => self.move_refusal(fault, m),
            LocalFault::BadDate => self
                .pick(
                    "تاریخ را شمسی بنویسید، مانند ۱۴۰۵/۰۹/۱۲ یا ۱۴۰۵/۰۹/۱۲ ۱۴:۳۰",
                    "write a Jalali date, e.g. 1405/09/12 or 1405/09/12 14:30",
                )
                .into(),
            LocalFault::PastDate => self
                .pick(
                    "تاریخ وعده باید در آینده باشد",
                    "the promised date must be in the future",
                )
                .into(),
            LocalFault::UnknownUnit => self
                .pick(
                    "چنین واحدی نیست؛ نام را بنویسید و Tab را بزنید",
                    "no such unit; type its name and press Tab",
                )
                .into(),
            LocalFault::UnknownTopic => self.pick("چنین موضوعی نیست", "no such topic").into(),
            LocalFault::NotUploaded => self
                .pick(
                    "پیوست هنوز بارگذاری نشده است",
                    "the file is not uploaded yet",
                )
                .into(),
        }
    }

    /// A refused field of a move: the label the form gives it and why.
    pub fn move_refusal(self, f: &FieldFault, m: pb::Move) -> String {
        let why = self.reason(f.reason, f.limit);
        match MoveField::from_wire(&f.field) {
            Some(field) => format!("{}: {why}", self.move_field(field, m)),
            None => self.refusal(f),
        }
    }

    pub fn moved(self, number: &str, m: pb::Move, replayed: bool) -> String {
        let name = self.move_name(m);
        match (self, replayed) {
            (Lang::Fa, false) => format!("✓ {name}: پرونده {number}"),
            (Lang::Fa, true) => format!("✓ {name} پیش‌تر ثبت شده بود: {number}"),
            (Lang::En, false) => format!("✓ {name}: {number}"),
            (Lang::En, true) => format!("✓ {name} had already been made: {number}"),
        }
    }

    pub fn stale_case(self, number: &str) -> String {
        match self {
            Lang::Fa => format!(
                "پرونده {number} در این میان تغییر کرد و دوباره خوانده شد؛ نوشته‌ها نگه داشته شد، دوباره بفرستید"
            ),
            Lang::En => format!(
                "{number} changed meanwhile and was read again; your text is kept, send again"
            ),
        }
    }

    pub fn move_not_allowed(self, why: &str) -> String {
        match self {
            Lang::Fa => format!("این کار اکنون ممکن نیست: {why}"),
            Lang::En => format!("not possible now: {why}"),
        }
    }

    pub fn move_not_offered(self, m: pb::Move) -> String {
        match self {
            Lang::Fa => format!("«{}» برای این پرونده و نقش شما نیست", self.move_name(m)),
            Lang::En => format!("{} is not open to you on this case", self.move_name(m)),
        }
    }

    pub fn confirm_move(self, m: pb::Move) -> String {
        match self {
            Lang::Fa => format!(
                "«{}» برگشت‌پذیر نیست. Enter: بفرست · Esc: بازگشت",
                self.move_name(m)
            ),
            Lang::En => format!(
                "{} cannot be undone. Enter: send · Esc: back",
                self.move_name(m)
            ),
        }
    }

    pub fn form_keys(self) -> &'static str {
        self.pick(
            "Tab: بعدی (و تکمیل) · ←/→: گزینه · Enter: بعدی/فرستادن · Esc: بستن",
            "Tab next (completes) · ←/→ choose · Enter next/send · Esc close",
        )
    }

    pub fn uploading(self, path: &str) -> String {
        match self {
            Lang::Fa => format!("بارگذاری {path}…"),
            Lang::En => format!("uploading {path}…"),
        }
    }

    pub fn uploaded(self, name: &str) -> String {
        match self {
            Lang::Fa => format!("پیوست {name} بارگذاری شد؛ فرستادن…"),
            Lang::En => format!("{name} uploaded; sending…"),
        }
    }

    pub fn upload_failed(self, why: &str) -> String {
        match self {
            Lang::Fa => format!("پیوست بارگذاری نشد: {why}"),
            Lang::En => format!("the file was not uploaded: {why}"),
        }
    }

    pub fn sending(self) -> &'static str {
        self.pick("در حال فرستادن…", "sending…")
    }

    pub fn no_case_selected(self) -> &'static str {
        self.pick("پرونده‌ای انتخاب نشده است", "no case selected")
    }

    pub fn escalation(self, level: u32) -> String {
        match self {
            Lang::Fa => format!("سطح {}", self.num(level)),
            Lang::En => format!("level {level}"),
        }
    }

    pub fn urgent_counts(self, total: usize, warned: usize, breached: usize) -> String {
        match self {
            Lang::Fa => format!(
                "فوری {} · ⚠ {} · ✖ {}",
                self.num(total),
                self.num(warned),
                self.num(breached)
            ),
            Lang::En => format!("URGENT {total} · ⚠ {warned} · ✖ {breached}"),
        }
    }

    pub fn board_marks(self) -> &'static str {
        // Acknowledged, on site, result: one letter a column.
        self.pick("پ ح ن", "A S R")
    }

    pub fn col_on_site(self) -> &'static str {
        self.pick("حضور", "on site")
    }

    pub fn col_result(self) -> &'static str {
        self.pick("نتیجه", "result")
    }

    pub fn col_level(self) -> &'static str {
        self.pick("سطح", "lvl")
    }

    pub fn follow_up_by(self, who: &str) -> String {
        match self {
            Lang::Fa => format!("پیگیر: {who}"),
            Lang::En => format!("follow-up: {who}"),
        }
    }

    pub fn promised_on(self, date: &str) -> String {
        match self {
            Lang::Fa => format!("وعده: {date}"),
            Lang::En => format!("promised {date}"),
        }
    }

    pub fn attachments(self, n: usize) -> String {
        match self {
            Lang::Fa => format!("{} پیوست", self.num(n)),
            Lang::En => format!("{n} attachment{}", if n == 1 { "" } else { "s" }),
        }
    }

    pub fn level_for(self, level: u32, recipient: &str) -> String {
        match self {
            Lang::Fa => format!("سطح {} → {recipient}", self.num(level)),
            Lang::En => format!("level {level} → {recipient}"),
        }
    }

    pub fn clock_due(self, clock: pb::SlaClock, due: &str) -> String {
        match self {
            Lang::Fa => format!("{} تا {due}", self.clock(clock)),
            Lang::En => format!("{} due {due}", self.clock(clock)),
        }
    }

    pub fn duplicate_of(self, number: &str) -> String {
        match self {
            Lang::Fa => format!("تکرار {number}"),
            Lang::En => format!("duplicate of {number}"),
        }
    }

    pub fn filters_label(self) -> &'static str {
        self.pick("صافی", "filter")
    }

    pub fn any_value(self) -> &'static str {
        self.pick("همه", "any")
    }

    pub fn level_at_least(self, level: u32) -> String {
        match self {
            Lang::Fa => format!("سطح ≥ {}", self.num(level)),
            Lang::En => format!("level ≥ {level}"),
        }
    }

    pub fn finder_title(self) -> &'static str {
        self.pick("شمارهٔ پرونده", "Case number")
    }

    pub fn finder_hint(self) -> &'static str {
        self.pick(
            "مانند ۱۴۰۵-۰۰۱۲۳۳ · Enter: باز کردن · Esc: بستن",
            "e.g. 1405-001233 · Enter open · Esc close",
        )
    }

    pub fn demo_only(self) -> &'static str {
        self.pick("فقط در حالت نمایشی", "demo mode only")
    }

    pub fn switch_blocked(self) -> &'static str {
        self.pick(
            "فرمی نوشته‌های ثبت‌نشده دارد؛ نخست آن را بفرستید یا پاک کنید",
            "a form has unsent text; send or clear it first",
        )
    }

    pub fn switching_to(self, user: &str) -> String {
        match self {
            Lang::Fa => format!("ورود با نقش {user}…"),
            Lang::En => format!("signing in as {user}…"),
        }
    }

    pub fn clock_moved(self, to: &str) -> String {
        match self {
            Lang::Fa => format!("ساعت سرور جلو رفت: {to}"),
            Lang::En => format!("server clock moved on: {to}"),
        }
    }

    pub fn clock_not_moved(self, why: &str) -> String {
        match self {
            Lang::Fa => format!("ساعت جلو نرفت: {why}"),
            Lang::En => format!("clock not moved: {why}"),
        }
    }
}
