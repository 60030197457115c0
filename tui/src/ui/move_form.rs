//! The move form, drawn over the lower part of the screen it was opened
//! on: a field a line, the refused one marked, and the question of a move
//! that cannot be undone.

use crate::app::App;
use crate::app::move_form::{MoveField, MoveForm};
use crate::timefmt;
use crate::ui::intake::field_text;
use crate::ui::text::{Ink, width};
use crate::ui::theme;
use desk137_domain::jalali::parse_jalali;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};

/// Rows the form takes for `form`, borders included.
pub fn height(form: &MoveForm) -> u16 {
    // Fields, a blank, the message or question, the keys.
    form.fields().len() as u16 + 5
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, form: &MoveForm, ink: Ink) {
    let lang = app.lang;
    let h = height(form).min(area.height);
    let rect = Rect {
        x: area.x,
        y: area.bottom().saturating_sub(h),
        width: area.width,
        height: h,
    };
    frame.render_widget(Clear, rect);
    let title = format!(
        " {} · {} ",
        ink.fit(lang.move_name(form.kind), 30),
        form.target.number
    );
    let block = Block::bordered()
        .title(Line::styled(title, theme::title()))
        .border_style(if form.confirming {
            theme::warn()
        } else {
            theme::key()
        })
        .padding(Padding::horizontal(1));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let cols = inner.width as usize;
    let fields = form.fields();
    let label_w = fields
        .iter()
        .map(|f| width(lang.move_field(*f, form.kind)))
        .max()
        .unwrap_or(8)
        + 1;
    let value_w = cols.saturating_sub(label_w + 3);
    let marked = form.mark.as_ref().and_then(|m| m.field);
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    for f in &fields {
        let focused = form.focus == *f && !form.confirming && app.overlay.is_none();
        let label_style = if focused {
            theme::focused_label()
        } else if marked == Some(*f) {
            theme::error()
        } else {
            theme::label()
        };
        let flag = if marked == Some(*f) { "✖" } else { " " };
        let value = if f.is_choice() {
            let shown = format!("‹ {} ›", form.choice_label(*f, lang));
            Span::styled(ink.fit(&shown, value_w), theme::chosen())
        } else {
            let (shown, col) = field_text(form.input(*f), value_w, focused, ink);
            if focused {
                cursor = Some((label_w + 3 + col, lines.len()));
            }
            Span::raw(shown)
        };
        let mut spans = vec![
            Span::styled(flag, theme::error()),
            Span::raw(" "),
            Span::styled(
                ink.cell(lang.move_field(*f, form.kind), label_w),
                label_style,
            ),
            Span::raw(" "),
            value,
        ];
        // The date typed, as the server will read it.
        if *f == MoveField::Promised
            && let Some(ms) = parse_jalali(form.value(*f))
        {
            let shown = format!("  = {}", timefmt::datetime(ms, app.calendar, lang));
            spans.push(Span::styled(shown, theme::dim()));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    let (text, style): (String, Style) = if form.confirming {
        (lang.confirm_move(form.kind), theme::warn())
    } else if form.sending {
        (lang.sending().to_owned(), theme::dim())
    } else if let Some(m) = &form.mark {
        (m.text.clone(), theme::error())
    } else {
        (String::new(), Style::new())
    };
    lines.push(ink.line(&[(&text, style)], cols));
    lines.push(ink.line(&[(lang.form_keys(), theme::dim())], cols));
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((x, y)) = cursor {
        let x = (inner.x as usize + x).min(inner.right().saturating_sub(1) as usize);
        if y < inner.height as usize {
            frame.set_cursor_position(Position::new(x as u16, inner.y + y as u16));
        }
    }
}
