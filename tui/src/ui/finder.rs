//! The box that opens a case by its number.

use crate::app::App;
use crate::ui::intake::field_text;
use crate::ui::text::{Ink, width};
use crate::ui::{centered, theme};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};
use tui_input::Input;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, input: &Input, ink: Ink) {
    let lang = app.lang;
    let hint = lang.finder_hint();
    let w = (width(hint) + 6).max(40) as u16;
    let rect = centered(area, w, 4);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(Line::styled(
            format!(" {} ", lang.finder_title()),
            theme::title(),
        ))
        .border_style(theme::key())
        .padding(Padding::horizontal(1));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let cols = inner.width as usize;
    let (shown, col) = field_text(input, cols, true, ink);
    let lines = vec![
        Line::from(Span::raw(shown)),
        Line::styled(ink.fit(hint, cols), theme::dim()),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
    let x = (inner.x as usize + col).min(inner.right().saturating_sub(1) as usize);
    frame.set_cursor_position(Position::new(x as u16, inner.y));
}
