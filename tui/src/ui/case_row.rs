//! How a case's parts read in a row: its topic, region, unit and status in
//! the screen's language.

use crate::app::App;
use crate::app::catalog::urgency_from_pb;
use crate::ui::theme;
use desk137_domain::model::{CaseStatus, Urgency};
use desk137_proto::v1 as pb;
use ratatui::style::Style;

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

pub fn status(app: &App, code: i32) -> (String, Style) {
    let Some(s) = u8::try_from(code).ok().and_then(CaseStatus::from_code) else {
        return ("?".into(), theme::dim());
    };
    let text = app.lang.status(s);
    let style = match s {
        CaseStatus::FalseReport => theme::error(),
        CaseStatus::Closed | CaseStatus::Done => theme::dim(),
        _ => Style::new(),
    };
    (text.to_owned(), style)
}

/// A one-column mark: open, closed or false.
pub fn status_mark(code: i32) -> (&'static str, Style) {
    match u8::try_from(code).ok().and_then(CaseStatus::from_code) {
        Some(CaseStatus::FalseReport) => ("✖", theme::error()),
        Some(s) if !s.is_open() => ("✓", theme::dim()),
        Some(_) => ("●", theme::warn()),
        None => ("?", theme::dim()),
    }
}

pub fn is_urgent(c: &pb::Case) -> bool {
    urgency_from_pb(c.urgency) == Urgency::Urgent
}

pub fn urgency(app: &App, c: &pb::Case) -> (&'static str, Style) {
    let l = app.lang.labels();
    if is_urgent(c) {
        (l.urgent, theme::urgent())
    } else {
        (l.normal, theme::dim())
    }
}

/// The deadline that matters now: on site, then the result, for an urgent
/// case; the first response for a normal one. None once it no longer applies.
pub fn current_due(c: &pb::Case) -> Option<(i64, i64)> {
    let status = u8::try_from(c.status)
        .ok()
        .and_then(CaseStatus::from_code)?;
    if !status.is_open() || status == CaseStatus::Done {
        return None;
    }
    let waiting = matches!(
        status,
        CaseStatus::Registered
            | CaseStatus::Referred
            | CaseStatus::Acknowledged
            | CaseStatus::Reopened
    );
    // (due, how long the whole allowance was): the share left sets the colour.
    let pick = |due: i64| (due > 0).then(|| (due, due - c.created_at_ms));
    if is_urgent(c) {
        if waiting {
            pick(c.on_site_due_ms)
        } else {
            pick(c.result_due_ms)
        }
    } else if waiting {
        pick(c.first_response_due_ms)
    } else {
        None
    }
}

/// Time left as `1:44`, `4d 03h`, or `-0:12` once breached, with the colour
/// of the dispatcher's board: plain, yellow under a quarter left, red when late.
pub fn time_left(app: &App, c: &pb::Case) -> (String, Style) {
    let Some((due, allowance)) = current_due(c) else {
        return (String::new(), Style::new());
    };
    let left = due - app.now_ms;
    let minutes = left.abs() / 60_000;
    let (h, m) = (minutes / 60, minutes % 60);
    let text = if left.abs() >= 24 * 3_600_000 {
        match app.lang {
            crate::messages::Lang::Fa => format!("{} روز", h / 24),
            crate::messages::Lang::En => format!("{}d {:02}h", h / 24, h % 24),
        }
    } else {
        format!("{h}:{m:02}")
    };
    let (text, style) = if left < 0 {
        (format!("-{text}"), theme::error())
    } else if left * 4 < allowance {
        (text, theme::warn())
    } else {
        (text, Style::new())
    };
    (app.lang.digits(&text), style)
}
