//! How a case's parts read in a row: its topic, region, unit and status in
//! the screen's language.

use crate::app::App;
use crate::app::catalog::urgency_from_pb;
use crate::ui::theme;
use desk137_proto::v1 as pb;
use desk137_server::domain::model::{CaseStatus, Urgency};
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
    let text = match app.lang {
        crate::messages::Lang::Fa => s.label_fa(),
        crate::messages::Lang::En => s.label_en(),
    };
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
