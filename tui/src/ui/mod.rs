//! Drawing: a pure function of the state. Nothing here changes the state or
//! talks to anything; one module per screen or part of one.

mod audit;
mod bottom;
mod case_row;
mod confirm;
mod dashboard;
mod detail;
mod feedback;
mod finder;
mod header;
mod help;
mod history;
mod intake;
mod move_form;
mod queue;
mod record_form;
mod scorecards;
pub mod text;
pub mod theme;

use crate::app::screens::Screen;
use crate::app::{App, Connection, Overlay};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;
use text::Ink;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let [top, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let ink = Ink { bidi: app.bidi };
    header::draw(frame, top, app, ink);
    match app.screen() {
        Screen::Starting => starting(frame, body, app, ink),
        Screen::Intake(s) => intake::draw(frame, body, app, &s.form, &s.recent, ink),
        Screen::Queue(s) => queue::draw(frame, body, app, s, ink),
        Screen::Detail(s) => detail::draw(frame, body, app, s, ink),
        Screen::Audit(s) => audit::draw(frame, body, app, s, ink),
        Screen::Dashboard(s) => dashboard::draw(frame, body, app, s, ink),
        Screen::Scorecards(s) => scorecards::draw(frame, body, app, s, ink),
        Screen::Feedback(s) => feedback::draw(frame, body, app, s, ink),
    }
    let form = match app.screen() {
        Screen::Queue(s) => s.moving.form.as_ref(),
        Screen::Detail(s) => s.moving.form.as_ref(),
        _ => None,
    };
    if let Some(form) = form {
        move_form::draw(frame, body, app, form, ink);
    }
    if let Screen::Detail(s) = app.screen()
        && let Some(form) = &s.record.form
    {
        record_form::draw(frame, body, app, form, ink);
    }
    if let Some(input) = &app.finder {
        finder::draw(frame, body, app, input, ink);
    }
    bottom::draw(frame, status, keys, app, ink);
    match app.overlay {
        Some(Overlay::Help { scroll }) => help::draw(frame, area, app, scroll, ink),
        Some(Overlay::Confirm(what)) => confirm::draw(frame, area, app, what, ink),
        None => {}
    }
}

fn starting(frame: &mut Frame, area: Rect, app: &App, ink: Ink) {
    let l = app.lang.labels();
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    // Until the server says who the user is, the last word about it is news.
    let (text, style) = match (&app.status, app.connection) {
        (Some(s), _) => (s.text.as_str(), theme::error()),
        (None, Connection::Disconnected) => (l.no_connection, theme::error()),
        (None, _) => (l.connecting, theme::dim()),
    };
    let text = ink.fit(text, mid.width as usize);
    frame.render_widget(Paragraph::new(text).centered().style(style), mid);
}

/// A rectangle of at most `w`×`h` in the middle of `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
