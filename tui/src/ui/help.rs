//! Every key of the keymap in force and what it does, read from the keymap
//! so that a user's rebinding shows here too.

use crate::app::App;
use crate::keymap::Context;
use crate::ui::text::Ink;
use crate::ui::{centered, theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn lines(app: &App, inner: usize, ink: Ink) -> Vec<Line<'static>> {
    let l = app.lang.labels();
    let mut out = Vec::new();
    let keys_w = 26.min(inner / 2);
    for (ctx, heading) in [
        (Context::Global, l.help_global),
        (Context::Edit, l.help_edit),
        (Context::List, l.help_list),
    ] {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(ink.fit(heading, inner), theme::title()));
        for (action, keys) in app.keymap.table(ctx) {
            let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
            out.push(ink.row(
                &[
                    (&keys.join(", "), keys_w, theme::key()),
                    (action.help(app.lang), 0, Style::new()),
                ],
                inner,
            ));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled(ink.fit(l.help_typing, inner), theme::dim()));
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, scroll: u16, ink: Ink) {
    let l = app.lang.labels();
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(100),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let inner_w = rect.width.saturating_sub(4) as usize;
    let lines = lines(app, inner_w, ink);
    let visible = rect.height.saturating_sub(2) as usize;
    let max_scroll = lines.len().saturating_sub(visible);
    let scroll = (scroll as usize).min(max_scroll) as u16;
    let title = Line::styled(
        format!(" {} ", ink.fit(l.help_title, inner_w)),
        theme::title(),
    );
    let more = match (scroll > 0, (scroll as usize) < max_scroll) {
        (true, true) => " ↑↓ ",
        (true, false) => " ↑ ",
        (false, true) => " ↓ ",
        (false, false) => "",
    };
    let block = Block::bordered()
        .title(title)
        .title_bottom(Line::styled(more, theme::key()).right_aligned())
        .border_style(theme::key())
        .padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
}
