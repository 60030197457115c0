//! The bottom bar: the last message, then the keys of this screen.

use crate::app::{App, Tone};
use crate::ui::text::Ink;
use crate::ui::theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, status_area: Rect, keys_area: Rect, app: &App, ink: Ink) {
    if let Some(s) = &app.status {
        let style = match s.tone {
            Tone::Info => Style::new(),
            Tone::Success => theme::ok(),
            Tone::Warning => theme::warn(),
            Tone::Error => theme::error(),
        };
        let line = ink.line(
            &[(" ", style), (s.text.as_str(), style)],
            status_area.width as usize,
        );
        frame.render_widget(Paragraph::new(line), status_area);
    }
    let ctx = app.key_contexts();
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    let max = keys_area.width as usize;
    for (i, a) in app.hints().iter().enumerate() {
        let Some(key) = app.keymap.hint(ctx, *a) else {
            continue;
        };
        let key = key.to_string();
        let word = ink.fit(a.short(app.lang), 24);
        let sep = if i == 0 { "" } else { " · " };
        let w = sep.chars().count() + key.chars().count() + 1 + crate::ui::text::width(&word);
        if used + w > max {
            break;
        }
        used += w;
        spans.push(Span::styled(sep, theme::dim()));
        spans.push(Span::styled(key, theme::key()));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(word, theme::dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), keys_area);
}
