//! Every key of the keymap in force and what it does, read from the keymap
//! so that a user's rebinding shows here too.

use crate::app::App;
use crate::keymap::{Action, EDIT, GLOBAL, LIST, SHARED};
use crate::ui::text::{Ink, width, wrap};
use crate::ui::{centered, theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn lines(app: &App, inner: usize, ink: Ink) -> Vec<Line<'static>> {
    let l = app.lang.labels();
    // The shared tables, then the screen's own where the keymap fills it.
    let own = app
        .screen()
        .contexts()
        .iter()
        .copied()
        .filter(|c| !SHARED.contains(c))
        .filter(|c| !app.keymap.table(c).is_empty())
        .map(|c| (c, l.help_screen));
    let tables: Vec<(&str, Vec<(Action, String)>)> = [
        (GLOBAL, l.help_global),
        (EDIT, l.help_edit),
        (LIST, l.help_list),
    ]
    .into_iter()
    .chain(own)
    .map(|(ctx, heading)| {
        let rows = app
            .keymap
            .table(ctx)
            .into_iter()
            .map(|(action, keys)| {
                let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
                (action, keys.join(", "))
            })
            .collect();
        (heading, rows)
    })
    .collect();
    let keys_w = tables
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(_, k)| width(k)))
        .max()
        .unwrap_or(10)
        .min(inner * 2 / 5);
    let help_w = inner.saturating_sub(keys_w + 1).max(1);
    let mut out = Vec::new();
    for (heading, rows) in tables {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(ink.fit(heading, inner), theme::title()));
        for (action, keys) in rows {
            // A long description goes on under itself rather than being cut.
            for (i, part) in wrap(action.help(app.lang), help_w).iter().enumerate() {
                let keys = if i == 0 { keys.as_str() } else { "" };
                out.push(ink.row(
                    &[(keys, keys_w, theme::key()), (part, 0, Style::new())],
                    inner,
                ));
            }
        }
    }
    out.push(Line::raw(""));
    for part in wrap(l.help_typing, inner) {
        out.push(Line::styled(ink.fit(&part, inner), theme::dim()));
    }
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
