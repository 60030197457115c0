//! The top line: who, in what role, the Tehran time, and the connection.

use crate::app::feed::FeedState;
use crate::app::stream::Serving;
use crate::app::{App, Connection};
use crate::timefmt;
use crate::ui::text::{Ink, width};
use crate::ui::theme;
use desk137_domain::model::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn role_label(app: &App, role: Role) -> &'static str {
    let l = app.lang.labels();
    match role {
        Role::Agent => l.role_agent,
        Role::Dispatcher => l.role_dispatcher,
        Role::Unit => l.role_unit,
        Role::Supervisor => l.role_supervisor,
        Role::Admin => l.role_admin,
        Role::Portal => l.role_portal,
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, ink: Ink) {
    let l = app.lang.labels();
    let (dot, state, colour) = match (app.connection, app.serving) {
        // Reachable, but the server says it is not taking calls (going down).
        (Connection::Connected, Some(Serving::NotServing | Serving::Unknown)) => {
            ("◐", l.not_serving, Color::Yellow)
        }
        (Connection::Connected, _) => ("●", l.connected, Color::LightGreen),
        (Connection::Connecting, _) => ("○", l.connecting, Color::Yellow),
        (Connection::Disconnected, _) => ("✖", l.disconnected, Color::LightRed),
    };
    // Reachable: the feed says whether the screen is live.
    let feed = match (app.connection, dot) {
        (Connection::Connected, "●") => app.lang.feed_state(app.feed.state, app.feed.last_seq),
        _ => None,
    };
    let (dot, colour) = match app.feed.state {
        _ if feed.is_none() => (dot, colour),
        FeedState::Live => ("●", Color::LightGreen),
        _ => ("↻", Color::Yellow),
    };
    let state = feed.as_deref().unwrap_or(state);
    let right = format!("{dot} {} ", ink.fit(state, 20));
    let mut parts: Vec<String> = vec!["desk137".into()];
    if let Some(s) = &app.session {
        parts.push(s.user.clone());
        parts.push(role_label(app, s.role).to_owned());
    }
    parts.push(timefmt::datetime(app.now_ms, app.calendar, app.lang));
    if app.session.as_ref().is_some_and(|s| s.demo) {
        parts.push(l.demo.to_owned());
    }
    let room = (area.width as usize).saturating_sub(width(&right) + 2);
    // Each part is its own piece of text: a Persian role name must not pull
    // the user name or the date across it.
    let mut spans = vec![Span::raw(" ")];
    let mut used = 0;
    for (i, p) in parts.iter().enumerate() {
        let sep = if i == 0 { "" } else { " · " };
        let piece = ink.fit(p, room.saturating_sub(used + sep.len()));
        if piece.is_empty() {
            break;
        }
        used += width(sep) + width(&piece);
        spans.push(Span::raw(sep));
        let style = if i == 0 { theme::title() } else { Style::new() };
        spans.push(Span::styled(piece, style));
    }
    let gap = (area.width as usize).saturating_sub(used + 1 + width(&right));
    spans.push(Span::raw(" ".repeat(gap)));
    spans.push(Span::styled(right, Style::new().fg(colour)));
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme::header()),
        area,
    );
}
