//! The words of the supervisors' live screen and of the feed's state.

use super::Lang;
use crate::app::feed::FeedState;
use crate::app::screens::dashboard::{AlertKind, BacklogSort, Panel};

fn pick(lang: Lang, fa: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Fa => fa,
        Lang::En => en,
    }
}

/// Thousands grouped, in the language's digits: `۱٬۲۸۴`, `1,284`.
fn grouped(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let sep = pick(lang, "٬", ",");
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(d);
    }
    lang.digits(&out)
}

impl Lang {
    pub fn count(self, n: u64) -> String {
        grouped(self, n)
    }

    pub fn dash_open(self, n: u64) -> String {
        match self {
            Lang::Fa => format!("باز {}", grouped(self, n)),
            Lang::En => format!("OPEN {}", grouped(self, n)),
        }
    }

    pub fn dash_urgent(self, open: u64, warned: u64, breached: u64) -> String {
        let (o, w, b) = (
            grouped(self, open),
            grouped(self, warned),
            grouped(self, breached),
        );
        match self {
            Lang::Fa => format!("فوری {o} (⚠{w} ✖{b})"),
            Lang::En => format!("URGENT {o} (⚠{w} ✖{b})"),
        }
    }

    pub fn dash_breaches_today(self, n: u64) -> String {
        match self {
            Lang::Fa => format!("نقض امروز {}", grouped(self, n)),
            Lang::En => format!("BREACHES TODAY {}", grouped(self, n)),
        }
    }

    pub fn dash_intake(self) -> &'static str {
        pick(self, "ورودی/ساعت", "INTAKE/HOUR")
    }

    pub fn panel(self, p: Panel) -> &'static str {
        match p {
            Panel::Urgent => pick(self, "فوری در جریان", "URGENT IN PROGRESS"),
            Panel::Units => pick(self, "مانده به تفکیک واحد", "BACKLOG BY UNIT"),
            Panel::Regions => pick(self, "مانده به تفکیک منطقه", "BACKLOG BY REGION"),
            Panel::Oldest => pick(self, "قدیمی‌ترین منتظرها", "OLDEST WAITING"),
            Panel::Agents => pick(self, "کارشناسان امروز", "AGENTS TODAY"),
            Panel::Levels => pick(self, "پیگیری به تفکیک سطح", "ESCALATIONS BY LEVEL"),
            Panel::Alerts => pick(self, "هشدارها", "ALERTS"),
        }
    }

    pub fn sort_name(self, s: BacklogSort) -> &'static str {
        match s {
            BacklogSort::Open => pick(self, "بیشترین باز", "most open"),
            BacklogSort::Overdue => pick(self, "بیشترین دیرکرد", "most overdue"),
            BacklogSort::Name => pick(self, "نام", "name"),
        }
    }

    /// The backlog columns: open, overdue (with a breached clock), urgent.
    pub fn backlog_cols(self) -> (&'static str, &'static str, &'static str) {
        (
            pick(self, "باز", "open"),
            pick(self, "دیر", "late"),
            pick(self, "فوری", "urg"),
        )
    }

    pub fn alert(self, kind: &AlertKind) -> String {
        match kind {
            AlertKind::Breach(clock) => match self {
                Lang::Fa => format!("✖ نقض {}", self.clock(*clock)),
                Lang::En => format!("✖ {} breached", self.clock(*clock)),
            },
            AlertKind::Escalation { level, recipient } if recipient.is_empty() => match self {
                Lang::Fa => format!("↑ سطح {}", self.num(level)),
                Lang::En => format!("↑ level {level}"),
            },
            AlertKind::Escalation { level, recipient } => match self {
                Lang::Fa => format!("↑ سطح {} → {recipient}", self.num(level)),
                Lang::En => format!("↑ level {level} → {recipient}"),
            },
        }
    }

    pub fn no_alerts(self) -> &'static str {
        pick(self, "هنوز هشداری نیامده است", "no alerts yet")
    }

    pub fn nothing_here(self) -> &'static str {
        pick(self, "چیزی نیست", "none")
    }

    pub fn dash_loading(self) -> &'static str {
        pick(self, "در حال خواندن ارقام…", "reading the figures…")
    }

    pub fn dash_failed(self, why: &str) -> String {
        match self {
            Lang::Fa => format!("ارقام خوانده نشد: {why}"),
            Lang::En => format!("the figures could not be read: {why}"),
        }
    }

    pub fn cases_today(self, n: u64) -> String {
        match self {
            Lang::Fa => format!("{} پرونده", grouped(self, n)),
            Lang::En => format!("{} cases", grouped(self, n)),
        }
    }

    pub fn waiting_since(self, hours: i64) -> String {
        let (d, h) = (hours / 24, hours % 24);
        match self {
            Lang::Fa if d > 0 => format!("{}روز {}س", self.num(d), self.num(h)),
            Lang::Fa => format!("{}س", self.num(h)),
            Lang::En if d > 0 => format!("{d}d {h}h"),
            Lang::En => format!("{h}h"),
        }
    }

    pub fn sorted_by(self, s: BacklogSort) -> String {
        match self {
            Lang::Fa => format!("ترتیب: {}", self.sort_name(s)),
            Lang::En => format!("sorted: {}", self.sort_name(s)),
        }
    }

    /// The feed's state, for the header; `None` where the connection's own
    /// word says it.
    pub fn feed_state(self, state: FeedState, seq: u64) -> Option<String> {
        match state {
            FeedState::Off | FeedState::Opening => None,
            FeedState::Live => Some(match self {
                Lang::Fa => format!("زنده · {}", self.num(seq)),
                Lang::En => format!("live · seq {seq}"),
            }),
            FeedState::Resyncing => Some(pick(self, "همگام‌سازی…", "resyncing…").to_owned()),
            FeedState::Reconnecting => {
                Some(pick(self, "اتصال دوباره…", "reconnecting…").to_owned())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_in_the_languages_digits() {
        assert_eq!(Lang::En.count(1_284), "1,284");
        assert_eq!(Lang::Fa.count(1_284), "۱٬۲۸۴");
        assert_eq!(Lang::En.count(17_000_000), "17,000,000");
        assert_eq!(Lang::En.count(0), "0");
        assert_eq!(Lang::En.count(999), "999");
    }

    #[test]
    fn every_panel_has_its_own_title_in_both_languages() {
        for lang in [Lang::Fa, Lang::En] {
            let mut seen = std::collections::HashSet::new();
            for p in Panel::ALL {
                assert!(seen.insert(lang.panel(p)), "{lang:?} {p:?}");
            }
        }
    }
}
