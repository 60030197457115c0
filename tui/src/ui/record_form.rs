//! The citizen's record form, over the lower part of the case view: what
//! it does, the reason asked, and the last refusal.

use crate::app::App;
use crate::app::screens::record::RecordForm;
use crate::ui::intake::field_text;
use crate::ui::text::{Ink, width};
use crate::ui::theme;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};

/// Rows the form takes, borders included: the note, the reason, a blank,
/// the message, the keys.
const HEIGHT: u16 = 7;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, form: &RecordForm, ink: Ink) {
    let lang = app.lang;
    let h = HEIGHT.min(area.height);
    let rect = Rect {
        x: area.x,
        y: area.bottom().saturating_sub(h),
        width: area.width,
        height: h,
    };
    frame.render_widget(Clear, rect);
    let title = format!(
        " {} · {} ",
        ink.fit(lang.record_title(form.kind), 40),
        form.number
    );
    let block = Block::bordered()
        .title(Line::styled(title, theme::title()))
        .border_style(theme::key())
        .padding(Padding::horizontal(1));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let cols = inner.width as usize;
    let label = lang.record_reason(form.kind);
    let label_w = width(label) + 1;
    let value_w = cols.saturating_sub(label_w + 3);
    let focused = app.overlay.is_none();
    let (shown, col) = field_text(&form.reason, value_w, focused, ink);
    let flag = if form.mark.is_some() { "✖" } else { " " };
    let lines = vec![
        ink.line(&[(lang.record_note(form.kind), theme::dim())], cols),
        Line::from(vec![
            Span::styled(flag, theme::error()),
            Span::raw(" "),
            Span::styled(ink.cell(label, label_w), theme::focused_label()),
            Span::raw(" "),
            Span::raw(shown),
        ]),
        Line::default(),
        {
            let (text, style): (String, Style) = if form.sending {
                (lang.sending().to_owned(), theme::dim())
            } else if let Some(m) = &form.mark {
                (m.clone(), theme::error())
            } else {
                (String::new(), Style::new())
            };
            ink.line(&[(&text, style)], cols)
        },
        ink.line(&[(lang.record_keys(), theme::dim())], cols),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
    if focused && inner.height > 1 {
        let x =
            (inner.x as usize + label_w + 3 + col).min(inner.right().saturating_sub(1) as usize);
        frame.set_cursor_position(Position::new(x as u16, inner.y + 1));
    }
}
