//! How a case's parts read in a row: its topic, region, unit and status in
//! the screen's language.

use crate::app::App;
use crate::ui::theme;
use desk137_domain::model::{CaseStatus, Urgency};
use desk137_domain::sla::{Deadlines, Due};
use desk137_proto::convert::required;
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

/// The deadline that matters now, by the domain's rule.
pub fn current_due(c: &pb::Case) -> Option<Due> {
    let status = status_of(c.status)?;
    let urgency = required("urgency", c.urgency).ok()?;
    let d = Deadlines {
        first_response_ms: c.first_response_due_ms,
        on_site_ms: c.on_site_due_ms,
        result_ms: c.result_due_ms,
    };
    d.current(status, urgency, c.created_at_ms)
}

/// Time left as `1:44`, `4d 03h`, or `-0:12` once breached, with the colour
/// of the dispatcher's board: plain, yellow under a quarter left, red when late.
pub fn time_left(app: &App, c: &pb::Case) -> (String, Style) {
    let Some(Due {
        at_ms: due,
        allowance_ms: allowance,
    }) = current_due(c)
    else {
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
