//! One case with its timeline. The phone appears only for roles that may see
//! it, and then only as the server sent it.

use crate::app::App;
use crate::app::intake::Loadable;
use crate::app::screens::DetailScreen;
use crate::timefmt;
use crate::ui::text::{Ink, wrap};
use crate::ui::{case_row, theme};
use desk137_domain::event::EventCode;
use desk137_domain::model::Role;
use desk137_proto::convert::required;
use desk137_proto::v1 as pb;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Padding, Paragraph};

fn case_lines(app: &App, c: &pb::Case, cols: usize, ink: Ink) -> Vec<Line<'static>> {
    let l = app.lang.labels();
    let when = |ms: i64| timefmt::datetime(ms, app.calendar, app.lang);
    let label_w = [
        l.topic,
        l.region,
        l.col_unit,
        l.address,
        l.landmark,
        l.description,
        l.phone,
        l.created,
        l.deadline,
    ]
    .iter()
    .map(|s| crate::ui::text::width(s))
    .max()
    .unwrap_or(8)
        + 1;
    let field = |label: &str, value: &str, style: Style| {
        ink.row(&[(label, label_w, theme::label()), (value, 0, style)], cols)
    };
    let mut out = Vec::new();
    let (status, status_style) = case_row::status(app, c.status);
    let (urgency, urgency_style) = case_row::urgency(app, c);
    out.push(ink.line(
        &[
            (&c.number, theme::title()),
            (" · ", theme::dim()),
            (&status, status_style),
            (" · ", theme::dim()),
            (urgency, urgency_style),
        ],
        cols,
    ));
    out.push(field(
        l.topic,
        &case_row::topic(app, &c.topic_id),
        Style::new(),
    ));
    out.push(field(
        l.region,
        &case_row::region(app, c.region),
        Style::new(),
    ));
    let mut unit = if c.unit_id.is_empty() {
        l.answered_by_137.to_owned()
    } else {
        case_row::unit(app, &c.unit_id)
    };
    if c.coordination {
        unit = format!("{unit} + {}", l.occ);
    }
    out.push(field(
        l.col_unit,
        &unit,
        if c.coordination {
            theme::urgent()
        } else {
            Style::new()
        },
    ));
    out.push(field(l.address, &c.address, Style::new()));
    if !c.landmark.is_empty() {
        out.push(field(l.landmark, &c.landmark, Style::new()));
    }
    let desc_w = cols.saturating_sub(label_w + 1);
    for (i, part) in wrap(&c.description, desc_w).iter().enumerate() {
        out.push(field(
            if i == 0 { l.description } else { "" },
            part,
            Style::new(),
        ));
    }
    let sees_phone = app.session.as_ref().is_some_and(|s| s.role != Role::Unit);
    if sees_phone && !c.phone.is_empty() {
        out.push(field(l.phone, &c.phone, theme::dim()));
    }
    out.push(field(
        l.created,
        &format!(
            "{} · {} {}",
            when(c.created_at_ms),
            l.created_by,
            c.created_by
        ),
        theme::dim(),
    ));
    let mut due = Vec::new();
    if c.first_response_due_ms > 0 {
        due.push(format!(
            "{} {}",
            l.first_response_by,
            when(c.first_response_due_ms)
        ));
    }
    if c.on_site_due_ms > 0 {
        due.push(format!("{} {}", l.on_site_by, when(c.on_site_due_ms)));
    }
    if c.result_due_ms > 0 {
        due.push(format!("{} {}", l.result_by, when(c.result_due_ms)));
    }
    if !due.is_empty() {
        out.push(field(l.deadline, &due.join(" · "), Style::new()));
    }
    out.push(Line::raw(""));
    out.push(ink.line(&[(l.timeline, theme::title())], cols));
    for e in &c.events {
        let time = when(e.at_ms);
        // A kind this client does not know is shown as a question mark,
        // never as another kind.
        let name = required::<EventCode>("events.kind", e.kind).map_or("?", |k| app.lang.event(k));
        let mut text = format!("{} · {name}", e.actor);
        // The unit a step names reads better by name; a note only it
        // repeats (for older clients) is said once.
        let unit = (!e.unit_id.is_empty()).then(|| case_row::unit(app, &e.unit_id));
        if let Some(unit) = &unit {
            text = format!("{text} — {unit}");
        }
        if !e.note.is_empty() && e.note != e.unit_id && unit.as_ref() != Some(&e.note) {
            text = format!("{text} — {}", e.note);
        }
        out.push(ink.row(&[(&time, 16, theme::dim()), (&text, 0, Style::new())], cols));
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, d: &DetailScreen, ink: Ink) {
    let l = app.lang.labels();
    let title = Line::styled(
        format!(" {} {} ", ink.fit(l.case_title, 20), d.number),
        theme::title(),
    );
    let block = Block::bordered()
        .title(title)
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = inner.width as usize;
    let lines = match &d.case {
        Loadable::Loading => vec![ink.line(&[(l.loading, theme::dim())], cols)],
        Loadable::Failed(e) => vec![ink.line(&[(e, theme::error())], cols)],
        Loadable::Loaded(c) => case_lines(app, c, cols, ink),
    };
    let max_scroll = lines.len().saturating_sub(inner.height as usize);
    let scroll = (d.scroll as usize).min(max_scroll) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}
