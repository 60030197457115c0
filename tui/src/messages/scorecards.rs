//! The words of the scorecard screen and of the citizen's record on a case.

use super::Lang;
use crate::app::screens::record::RecordKind;
use crate::app::screens::scorecards::CardSort;
use desk137_domain::clock::{HOUR_MS, Millis};
use desk137_domain::quarter::Quarter;

fn pick(lang: Lang, fa: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Fa => fa,
        Lang::En => en,
    }
}

/// The scorecard table's column heads.
pub struct CardColumns {
    pub unit: &'static str,
    pub domain: &'static str,
    pub rank: &'static str,
    pub score: &'static str,
    pub change: &'static str,
    pub cases: &'static str,
    pub first_response: &'static str,
    pub on_site: &'static str,
    pub result: &'static str,
    pub promised: &'static str,
    pub on_time: &'static str,
    pub fr_times: &'static str,
    pub result_times: &'static str,
    pub reopen: &'static str,
    pub deferred: &'static str,
}

const FA_COLUMNS: CardColumns = CardColumns {
    unit: "واحد",
    domain: "حوزه",
    rank: "رتبه",
    score: "امتیاز",
    change: "تغییر",
    cases: "پرونده",
    first_response: "پاسخ اول",
    on_site: "در محل",
    result: "نتیجه",
    promised: "وعده",
    on_time: "به‌موقع",
    fr_times: "پاسخ اول میانگین/۹۰٪",
    result_times: "نتیجه میانگین/۹۰٪",
    reopen: "بازگشایی",
    deferred: "معوق",
};

const EN_COLUMNS: CardColumns = CardColumns {
    unit: "unit",
    domain: "domain",
    rank: "rank",
    score: "score",
    change: "change",
    cases: "cases",
    first_response: "1st resp",
    on_site: "on site",
    result: "result",
    promised: "promised",
    on_time: "on time",
    fr_times: "1st response mean/p90",
    result_times: "result mean/p90",
    reopen: "reopen",
    deferred: "deferred",
};

impl Lang {
    pub fn card_columns(self) -> &'static CardColumns {
        match self {
            Lang::Fa => &FA_COLUMNS,
            Lang::En => &EN_COLUMNS,
        }
    }

    pub fn scorecards_title(self) -> &'static str {
        pick(self, "کارنامهٔ واحدها", "Unit scorecards")
    }

    /// `بهار ۱۴۰۵`, `spring 1405`.
    pub fn quarter(self, q: Quarter) -> String {
        match self {
            Lang::Fa => format!("{} {}", q.name_fa(), self.num(q.year)),
            Lang::En => format!("{} {}", q.name_en(), q.year),
        }
    }

    pub fn cards_loading(self) -> &'static str {
        pick(self, "در حال خواندن کارنامه‌ها…", "reading the scorecards…")
    }

    pub fn cards_failed(self, why: &str) -> String {
        match self {
            Lang::Fa => format!("کارنامه‌ها خوانده نشد: {why}"),
            Lang::En => format!("the scorecards could not be read: {why}"),
        }
    }

    pub fn no_cards(self) -> &'static str {
        pick(
            self,
            "در این فصل پرونده‌ای برای واحدی ثبت نشده",
            "no unit has cases this quarter",
        )
    }

    pub fn card_sort(self, s: CardSort) -> &'static str {
        let c = self.card_columns();
        match s {
            CardSort::Rank => c.rank,
            CardSort::Score => c.score,
            CardSort::Change => c.change,
            CardSort::Cases => c.cases,
            CardSort::OnTime => c.on_time,
            CardSort::FirstResponse => c.first_response,
            CardSort::Result => c.result,
            CardSort::Reopen => c.reopen,
            CardSort::Deferred => c.deferred,
        }
    }

    pub fn ordered_by(self, s: CardSort) -> String {
        match self {
            Lang::Fa => format!("ترتیب: {}", self.card_sort(s)),
            Lang::En => format!("by {}", self.card_sort(s)),
        }
    }

    pub fn scores_chart(self) -> &'static str {
        pick(self, "امتیاز واحدها", "scores")
    }

    pub fn unscored(self) -> &'static str {
        pick(self, "بی‌امتیاز", "unscored")
    }

    /// The cases behind a unit's figures.
    pub fn drill_title(self, unit: &str, quarter: &str) -> String {
        match self {
            Lang::Fa => format!("پرونده‌های {unit} · {quarter}"),
            Lang::En => format!("cases of {unit} · {quarter}"),
        }
    }

    /// A service domain's name; one this client does not know as sent.
    pub fn service_domain(self, id: &str) -> String {
        let (fa, en) = match id {
            "urban_services" => ("خدمات شهری", "urban services"),
            "green_space" => ("فضای سبز", "green space"),
            "traffic" => ("ترافیک", "traffic"),
            "construction" => ("شهرسازی", "building"),
            "civil_works" => ("عمران", "civil works"),
            "waste" => ("پسماند", "waste"),
            "water" => ("آب", "water"),
            "electricity" => ("برق", "electricity"),
            "gas" => ("گاز", "gas"),
            "telecom" => ("مخابرات", "telecom"),
            "fire_safety" => ("آتش‌نشانی", "fire safety"),
            "public_transit" => ("حمل‌ونقل عمومی", "public transit"),
            "markets" => ("میادین", "markets"),
            "parks_citywide" => ("بوستان‌ها", "parks"),
            "stray_animals" => ("حیوانات بی‌صاحب", "stray animals"),
            "cemetery" => ("آرامستان", "cemetery"),
            "culture" => ("فرهنگی", "culture"),
            "coordination" => ("هماهنگی", "coordination"),
            other => return other.to_owned(),
        };
        pick(self, fa, en).to_owned()
    }

    /// A span of time as people say it: «۳ روز ۴ ساعت», `3d 4h`; under an
    /// hour in minutes; nothing for 0 (none yet).
    pub fn span(self, ms: Millis) -> String {
        if ms <= 0 {
            return "-".into();
        }
        let minutes = ms / 60_000;
        let hours = ms / HOUR_MS;
        let (days, hours) = (hours / 24, hours % 24);
        let text = match (self, days, hours) {
            (Lang::Fa, 0, 0) => format!("{} دقیقه", minutes.max(1)),
            (Lang::En, 0, 0) => format!("{}m", minutes.max(1)),
            (Lang::Fa, 0, h) => format!("{h} ساعت"),
            (Lang::En, 0, h) => format!("{h}h"),
            (Lang::Fa, d, 0) => format!("{d} روز"),
            (Lang::En, d, 0) => format!("{d}d"),
            (Lang::Fa, d, h) => format!("{d} روز {h} ساعت"),
            (Lang::En, d, h) => format!("{d}d {h}h"),
        };
        self.digits(&text)
    }

    /// `۸۷٪`, `87%`; `-` for none.
    pub fn percent(self, share: Option<f64>) -> String {
        match share {
            Some(s) if s.is_finite() => {
                let n = (s * 100.0).round().clamp(0.0, 100.0) as u32;
                match self {
                    Lang::Fa => format!("{}٪", self.num(n)),
                    Lang::En => format!("{n}%"),
                }
            }
            _ => "-".into(),
        }
    }

    /// A score, one decimal: `۸۷٫۵`, `87.5`.
    pub fn score(self, s: f64) -> String {
        let text = format!("{s:.1}");
        match self {
            Lang::Fa => self.digits(&text.replace('.', "٫")),
            Lang::En => text,
        }
    }

    /// `۲/۵`, `2/5`: a rank among the units of a domain.
    pub fn rank(self, rank: u32, of: u32) -> String {
        if rank == 0 {
            return "-".into();
        }
        self.digits(&format!("{rank}/{of}"))
    }

    pub fn record_title(self, k: RecordKind) -> &'static str {
        match k {
            RecordKind::Consent => pick(self, "ثبت رضایت شهروند", "Record consent"),
            RecordKind::Withdraw => pick(self, "پس‌گرفتن رضایت", "Withdraw consent"),
            RecordKind::Reveal => pick(self, "دیدن شمارهٔ شهروند", "See the number"),
            RecordKind::SetShahrban => pick(self, "گذاشتن نشان شهربان", "Set Shahrban"),
            RecordKind::ClearShahrban => pick(self, "برداشتن نشان شهربان", "Clear Shahrban"),
            RecordKind::ClearFalseReport => pick(
                self,
                "برداشتن نشان گزارش کذب (اعتراض)",
                "Clear the false report (appeal)",
            ),
        }
    }

    /// What the reason field asks.
    pub fn record_reason(self, k: RecordKind) -> &'static str {
        match k {
            RecordKind::Consent => pick(self, "چه کسی و چرا", "who agreed, why"),
            RecordKind::Reveal => pick(self, "چرا لازم است", "why it is needed"),
            _ => pick(self, "دلیل", "reason"),
        }
    }

    pub fn record_note(self, k: RecordKind) -> &'static str {
        match k {
            RecordKind::Reveal => pick(
                self,
                "دیدن شماره با نام شما در گزارش ممیزی ثبت می‌شود",
                "Seeing the number is recorded in the audit log under your name",
            ),
            RecordKind::Consent => pick(
                self,
                "فقط برای همین پرونده: واحد آن می‌تواند شماره را ببیند",
                "For this case only: its unit may then see the number",
            ),
            _ => pick(
                self,
                "در گزارش ممیزی ثبت می‌شود",
                "Recorded in the audit log",
            ),
        }
    }

    pub fn record_keys(self) -> &'static str {
        pick(self, "Enter ثبت · Esc انصراف", "Enter send · Esc cancel")
    }

    pub fn record_not_offered(self) -> &'static str {
        pick(
            self,
            "این کار برای این پرونده یا نقش شما نیست",
            "not offered on this case or to your role",
        )
    }

    pub fn reason_required(self) -> &'static str {
        pick(self, "دلیل را بنویسید", "a reason is required")
    }

    pub fn reason_too_long(self, max: usize) -> String {
        match self {
            Lang::Fa => format!("دلیل بیش از {} نویسه است", self.num(max)),
            Lang::En => format!("the reason is longer than {max} characters"),
        }
    }

    pub fn consent_recorded(self) -> &'static str {
        pick(self, "رضایت شهروند ثبت شد", "consent recorded")
    }

    pub fn consent_withdrawn(self) -> &'static str {
        pick(self, "رضایت شهروند پس گرفته شد", "consent withdrawn")
    }

    pub fn number_revealed(self) -> &'static str {
        pick(
            self,
            "شماره نمایش داده شد و در ممیزی ثبت شد",
            "number shown, and audited",
        )
    }

    pub fn no_number_to_reveal(self) -> &'static str {
        pick(
            self,
            "شماره در دسترس نیست: رضایتی برای این پرونده ثبت نشده",
            "the number is not available: no consent stands for this case",
        )
    }

    pub fn shahrban_changed(self, on: bool) -> &'static str {
        if on {
            pick(self, "نشان شهربان گذاشته شد", "Shahrban mark set")
        } else {
            pick(self, "نشان شهربان برداشته شد", "Shahrban mark cleared")
        }
    }

    pub fn false_report_cleared(self, left: u32) -> String {
        match self {
            Lang::Fa => format!(
                "نشان گزارش کذب برداشته شد؛ {} نشان دیگر مانده",
                self.num(left)
            ),
            Lang::En => format!("false-report mark cleared; {left} still stand"),
        }
    }

    pub fn consent_given(self) -> &'static str {
        pick(self, "رضایت داده شده", "consent given")
    }

    pub fn revealed_number(self) -> &'static str {
        pick(self, "شمارهٔ شهروند", "citizen's number")
    }
}
