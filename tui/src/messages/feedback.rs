//! The words of the agent's call-back screen.

use super::Lang;

fn pick(lang: Lang, fa: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Fa => fa,
        Lang::En => en,
    }
}

impl Lang {
    pub fn fb_title(self) -> &'static str {
        pick(self, "تماس نظرسنجی", "Call-back")
    }

    pub fn fb_waiting(self, n: u32) -> String {
        match self {
            Lang::Fa => format!("{} در انتظار تماس", self.num(n)),
            Lang::En => format!("{n} due a call"),
        }
    }

    pub fn fb_nobody(self) -> &'static str {
        pick(self, "کسی در انتظار تماس نیست", "Nobody is due a call")
    }

    pub fn fb_nobody_hint(self) -> &'static str {
        pick(
            self,
            "پروندهٔ بعدی به‌محض رسیدن نتیجه‌اش اینجا می‌آید.",
            "The next case shows here as soon as its result is in.",
        )
    }

    pub fn fb_failed(self, reason: &str) -> String {
        match self {
            Lang::Fa => format!("صف تماس خوانده نشد: {reason}"),
            Lang::En => format!("The call-back queue could not be read: {reason}"),
        }
    }

    /// What is left of the lease, `m:ss`.
    pub fn fb_lease(self, left_ms: i64) -> String {
        let s = (left_ms.max(0) + 999) / 1000;
        let t = format!("{}:{:02}", s / 60, s % 60);
        match self {
            Lang::Fa => format!("در اختیار شما تا {}", self.digits(&t)),
            Lang::En => format!("yours for {t}"),
        }
    }

    pub fn fb_lease_over(self) -> &'static str {
        pick(self, "مهلت تماس گذشت", "the lease has ended")
    }

    pub fn fb_call(self) -> &'static str {
        pick(self, "شمارهٔ تماس", "Call")
    }

    pub fn fb_no_number(self) -> &'static str {
        pick(self, "شماره‌ای در پرونده نیست", "no number on the case")
    }

    pub fn fb_unit(self) -> &'static str {
        pick(self, "واحد", "Unit")
    }

    pub fn fb_request(self) -> &'static str {
        pick(self, "درخواست", "Request")
    }

    pub fn fb_report(self) -> &'static str {
        pick(self, "گزارش واحد", "Unit's report")
    }

    pub fn fb_no_report(self) -> &'static str {
        pick(self, "بی‌یادداشت", "no note")
    }

    pub fn fb_files(self) -> &'static str {
        pick(self, "پیوست‌ها", "Files")
    }

    pub fn fb_tries(self, tries: u32, reopens: u32) -> String {
        match self {
            Lang::Fa => format!(
                "تماس بی‌پاسخ: {} · اصلاح خواسته: {}",
                self.num(tries),
                self.num(reopens)
            ),
            Lang::En => format!("unanswered calls: {tries} · corrections asked: {reopens}"),
        }
    }

    pub fn fb_outcomes(self) -> &'static str {
        pick(self, "نتیجهٔ تماس", "Outcome")
    }

    pub fn fb_rate(self) -> &'static str {
        pick(self, "رضایت", "satisfaction")
    }

    pub fn fb_satisfaction(self, n: u32) -> String {
        match self {
            Lang::Fa => format!("رضایت {} از ۵", self.num(n)),
            Lang::En => format!("Satisfaction {n} of 5"),
        }
    }

    pub fn fb_correction(self) -> &'static str {
        pick(self, "درخواست اصلاح", "Asks for a correction")
    }

    pub fn fb_unreachable(self) -> &'static str {
        pick(self, "پاسخ نداد", "Unreachable")
    }

    pub fn fb_comment(self) -> &'static str {
        pick(self, "نظر (اختیاری)", "Comment (optional)")
    }

    pub fn fb_words(self) -> &'static str {
        pick(self, "سخن شهروند", "Citizen's words")
    }

    pub fn fb_note(self) -> &'static str {
        pick(self, "یادداشت (اختیاری)", "Note (optional)")
    }

    pub fn fb_words_needed(self) -> &'static str {
        pick(
            self,
            "سخن شهروند را بنویسید: واحد با همین سخن کار را از سر می‌گیرد",
            "Write the citizen's words: the unit works from them",
        )
    }

    pub fn fb_send(self) -> &'static str {
        pick(self, "ثبت", "send")
    }

    pub fn fb_cancel(self) -> &'static str {
        pick(self, "انصراف", "cancel")
    }

    pub fn fb_sending(self) -> &'static str {
        pick(self, "در حال ثبت…", "Sending…")
    }

    pub fn fb_closed(self, number: &str, satisfaction: u32) -> String {
        match self {
            Lang::Fa => format!(
                "{} بسته شد با رضایت {}",
                self.digits(number),
                self.num(satisfaction)
            ),
            Lang::En => format!("{number} closed with satisfaction {satisfaction}"),
        }
    }

    pub fn fb_reopened(self, number: &str) -> String {
        match self {
            Lang::Fa => format!("{} با درخواست اصلاح به واحد برگشت", self.digits(number)),
            Lang::En => format!("{number} went back to its unit for a correction"),
        }
    }

    pub fn fb_again_later(self, number: &str) -> String {
        match self {
            Lang::Fa => format!("{} بعداً دوباره تماس گرفته می‌شود", self.digits(number)),
            Lang::En => format!("{number} will be called again later"),
        }
    }

    pub fn fb_closed_unreachable(self, number: &str) -> String {
        match self {
            Lang::Fa => format!("{} پس از آخرین تماس بی‌پاسخ بسته شد", self.digits(number)),
            Lang::En => format!("{number} closed after the last unanswered call"),
        }
    }

    pub fn fb_lease_lost(self) -> &'static str {
        pick(
            self,
            "ثبت نشد: مهلت تماس گذشته و پرونده دیگر در اختیار شما نیست؛ متن نگه داشته شد",
            "Not recorded: the lease ended and the case is no longer yours; the text is kept",
        )
    }

    pub fn fb_stale(self) -> &'static str {
        pick(
            self,
            "ثبت نشد: پرونده در این میان تغییر کرد؛ دوباره خوانده شد، بازبینی و دوباره ثبت کنید",
            "Not recorded: the case changed meanwhile; it was read again, check and send again",
        )
    }

    pub fn fb_not_recorded(self, reason: &str) -> String {
        match self {
            Lang::Fa => format!("ثبت نشد: {reason}؛ متن نگه داشته شد"),
            Lang::En => format!("Not recorded: {reason}; the text is kept"),
        }
    }

    pub fn fb_moved_elsewhere(self, number: &str) -> String {
        match self {
            Lang::Fa => format!("{} جای دیگری تغییر کرد و از صف رفت", self.digits(number)),
            Lang::En => format!("{number} was changed elsewhere and left the queue"),
        }
    }

    pub fn fb_opening(self, name: &str) -> String {
        match self {
            Lang::Fa => format!("در حال باز کردن {name}…"),
            Lang::En => format!("Opening {name}…"),
        }
    }

    pub fn fb_opened(self, name: &str) -> String {
        match self {
            Lang::Fa => format!("{name} با نمایشگر سیستم باز شد"),
            Lang::En => format!("{name} opened with the system's viewer"),
        }
    }

    pub fn fb_open_failed(self, name: &str, why: &str) -> String {
        match self {
            Lang::Fa => format!("{name} باز نشد: {why}"),
            Lang::En => format!("{name} could not be opened: {why}"),
        }
    }
}

impl Lang {
    pub fn fb_not_for_role(self) -> &'static str {
        pick(
            self,
            "تماس نظرسنجی کار کارشناسان پاسخگویی و سرپرستان است",
            "Call-backs are for agents and supervisors",
        )
    }
}
