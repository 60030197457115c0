//! The caller's earlier cases, beside the form: how many, how many still
//! open, false reports, and the latest of them.

use crate::app::App;
use crate::app::intake::{Intake, Loadable};
use crate::timefmt;
use crate::ui::text::Ink;
use crate::ui::{case_row, theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Padding, Paragraph};

/// `09131234567` as people read it out: `0913 123 4567`.
pub fn spaced_phone(p: &str) -> String {
    if p.len() == 11 && p.is_ascii() {
        format!("{} {} {}", &p[..4], &p[4..7], &p[7..])
    } else {
        p.to_owned()
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, form: &Intake, ink: Ink) {
    let l = app.lang.labels();
    let mut title = format!(" {} ", ink.fit(l.caller, 30));
    if let Some(p) = &form.history.phone {
        title.push_str(&spaced_phone(p));
        title.push(' ');
    }
    let block = Block::bordered()
        .title(Line::styled(title, theme::title()))
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    match (&form.history.phone, &form.history.state) {
        (None, _) | (_, None) => {
            for w in crate::ui::text::wrap(l.caller_hint, cols) {
                lines.push(ink.line(&[(&w, theme::dim())], cols));
            }
        }
        (Some(_), Some(Loadable::Loading)) => {
            lines.push(ink.line(&[(l.loading, theme::dim())], cols))
        }
        (Some(_), Some(Loadable::Failed(e))) => lines.push(ink.line(&[(e, theme::error())], cols)),
        (Some(_), Some(Loadable::Loaded(h))) => {
            if h.total == 0 {
                lines.push(ink.line(&[(l.first_contact, theme::ok())], cols));
            } else {
                let counts = app.lang.caller_counts(h.total, h.open);
                let open_style = if h.open > 0 {
                    theme::warn()
                } else {
                    Style::new()
                };
                lines.push(ink.line(&[(&counts, open_style)], cols));
            }
            if h.shahrban {
                lines.push(ink.line(&[(app.lang.shahrban(), theme::ok())], cols));
            }
            // The marks standing on the citizen record: a warning, never a block.
            let false_reports = usize::try_from(h.false_reports).unwrap_or(usize::MAX);
            if false_reports > 0 {
                lines.push(ink.line(
                    &[(&app.lang.false_reports(false_reports), theme::error())],
                    cols,
                ));
            }
            let wide = cols >= 48;
            for c in &h.cases {
                let (mark, mark_style) = case_row::status_mark(c.status);
                let topic = case_row::topic(app, &c.topic_id);
                let urgent = if case_row::is_urgent(c) { "!" } else { " " };
                let line = if wide {
                    // A caller's past spans years: the date says more than the hour.
                    let when = timefmt::date(c.created_at_ms, app.calendar, app.lang);
                    let (status, status_style) = case_row::status(app, c.status);
                    ink.row(
                        &[
                            (&c.number, 11, theme::title()),
                            (&when, 10, theme::dim()),
                            (urgent, 1, theme::urgent()),
                            (&topic, 0, Style::new()),
                            (&status, 12, status_style),
                        ],
                        cols,
                    )
                } else {
                    ink.row(
                        &[
                            (&c.number, 11, theme::title()),
                            (mark, 1, mark_style),
                            (urgent, 1, theme::urgent()),
                            (&topic, 0, Style::new()),
                        ],
                        cols,
                    )
                };
                lines.push(line);
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
