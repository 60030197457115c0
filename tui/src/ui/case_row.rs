//! How a case's parts read in a row: its topic, region, unit and status in
//! the screen's language.

use crate::app::App;
use crate::app::clocks::{ClockView, Standing};
use crate::ui::theme;
use desk137_domain::model::{CaseStatus, Urgency};
use desk137_proto::convert::required;
use desk137_proto::v1 as pb;
use ratatui::style::Style;

/// The Shahrban caller's badge in rows and headers.
pub const SHAHRBAN: &str = "★";

pub fn topic(app: &App, id: &str) -> String {
    match app.catalog.topic(id) {
        Some(t) => match app.lang {
            crate::messages::Lang::Fa => t.title_fa.clone(),
            crate::messages::Lang::En => t.title_en.clone(),
        },
        None => id.to_owned(),
    }
}

pub fn region(app: &App, n: u32) -> String {
    if n == 0 {
        return "-".into();
    }
    match (app.catalog.region(n), app.lang) {
        (Some(r), crate::messages::Lang::Fa) => r.name_fa.clone(),
        (Some(r), crate::messages::Lang::En) => r.name_en.clone(),
        (None, _) => app.lang.num(n),
    }
}

pub fn unit(app: &App, id: &str) -> String {
    match (app.catalog.unit(id), app.lang) {
        (Some(u), crate::messages::Lang::Fa) => u.name_fa.clone(),
        (Some(u), crate::messages::Lang::En) => u.name_en.clone(),
        (None, _) => id.to_owned(),
    }
}

fn status_of(code: i32) -> Option<CaseStatus> {
    required("status", code).ok()
}

pub fn status(app: &App, code: i32) -> (String, Style) {
    let Some(s) = status_of(code) else {
        return ("?".into(), theme::dim());
    };
    let text = app.lang.status(s);
    let style = match s {
        CaseStatus::Rejected => theme::error(),
        CaseStatus::Closed | CaseStatus::Resolved => theme::dim(),
        _ => Style::new(),
    };
    (text.to_owned(), style)
}

/// A one-column mark: open, closed or false.
pub fn status_mark(code: i32) -> (&'static str, Style) {
    match status_of(code) {
        Some(CaseStatus::Rejected) => ("✖", theme::error()),
        Some(s) if !s.is_open() => ("✓", theme::dim()),
        Some(_) => ("●", theme::warn()),
        None => ("?", theme::dim()),
    }
}

pub fn is_urgent(c: &pb::Case) -> bool {
    required::<Urgency>("urgency", c.urgency) == Ok(Urgency::Urgent)
}

pub fn urgency(app: &App, c: &pb::Case) -> (&'static str, Style) {
    let l = app.lang.labels();
    if is_urgent(c) {
        (l.urgent, theme::urgent())
    } else {
        (l.normal, theme::dim())
    }
}

/// A clock's countdown as the boards show it: `1:44` left, `⚠ 0:21` near
/// its deadline, `✖ -0:12` past it, `✓` met, `‖` paused; green, yellow, red.
pub fn countdown(app: &App, clock: Option<ClockView>) -> (String, Style) {
    let Some(k) = clock else {
        return (String::new(), Style::new());
    };
    let standing = k.standing(app.now_ms);
    let left = k.due_ms - app.now_ms;
    let span = || {
        let minutes = left.abs() / 60_000;
        let (h, m) = (minutes / 60, minutes % 60);
        if left.abs() >= 24 * 3_600_000 {
            match app.lang {
                crate::messages::Lang::Fa => format!("{}روز {:02}س", h / 24, h % 24),
                crate::messages::Lang::En => format!("{}d {:02}h", h / 24, h % 24),
            }
        } else {
            format!("{h}:{m:02}")
        }
    };
    let (text, style) = match standing {
        Standing::Met => ("✓".to_owned(), theme::ok()),
        Standing::Paused => ("‖".to_owned(), theme::dim()),
        Standing::Ok => (span(), theme::ok()),
        Standing::Warning => (format!("⚠ {}", span()), theme::warn()),
        Standing::Breached => (format!("✖ -{}", span()), theme::error()),
    };
    (app.lang.digits(&text), style)
}
