//! A yes-or-no question over the screen.

use crate::app::{App, Confirm};
use crate::ui::text::{Ink, width};
use crate::ui::{centered, theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, what: Confirm, ink: Ink) {
    let l = app.lang.labels();
    let question = match what {
        Confirm::Discard => l.confirm_discard,
        Confirm::Quit => l.confirm_quit,
    };
    let w = (width(question).max(width(l.confirm_keys)) + 6) as u16;
    let rect = centered(area, w, 4);
    let inner = rect.width.saturating_sub(4) as usize;
    frame.render_widget(Clear, rect);
    let lines = vec![
        Line::styled(ink.fit(question, inner), theme::title()),
        Line::styled(ink.fit(l.confirm_keys, inner), theme::dim()),
    ];
    let block = Block::bordered()
        .border_style(theme::warn())
        .padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
