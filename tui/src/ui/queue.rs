//! The read-only queue of a dispatcher, a unit or a supervisor: newest
//! first, one case a row. A unit's rows never have a phone column.

use crate::app::App;
use crate::app::ListKind;
use crate::app::cases::CaseList;
use crate::timefmt;
use crate::ui::text::Ink;
use crate::ui::{case_row, theme};
use desk137_domain::model::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Padding, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, list: &CaseList, ink: Ink) {
    let l = app.lang.labels();
    let heading = match list.kind {
        ListKind::UrgentOpen => l.queue_dispatcher,
        ListKind::UnitQueue => l.queue_unit,
        ListKind::AllOpen | ListKind::Recent => l.queue_supervisor,
    };
    let count = app
        .lang
        .case_count(list.rows.len(), list.next_page.is_some());
    let title = Line::styled(
        format!(" {} · {count} ", ink.fit(heading, 40)),
        theme::title(),
    );
    let block = Block::bordered()
        .title(title)
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = inner.width as usize;
    let role = app.session.as_ref().map(|s| s.role);
    let is_unit = role == Some(Role::Unit);
    // Units never see a phone; others see what the server sends (masked).
    let phone_col = !is_unit && cols >= 110;
    let unit_col = !is_unit && cols >= 96;
    let address_col = is_unit || cols >= 140;

    let header_cells = |number: &'static str| {
        let mut cells: Vec<(&str, usize, Style)> = vec![
            ("", 1, Style::new()),
            (number, 11, theme::dim()),
            (l.col_time, 11, theme::dim()),
            (l.col_due, 7, theme::dim()),
            (l.topic, 0, theme::dim()),
            (l.region, 9, theme::dim()),
        ];
        if unit_col {
            cells.push((l.col_unit, 0, theme::dim()));
        }
        if address_col {
            cells.push((l.address, 0, theme::dim()));
        }
        cells.push((l.col_status, 12, theme::dim()));
        if phone_col {
            cells.push((l.phone, 11, theme::dim()));
        }
        cells
    };
    let mut lines: Vec<Line> = vec![ink.row(&header_cells(l.col_number), cols)];
    let visible = (inner.height as usize).saturating_sub(2).max(1);
    if list.rows.is_empty() {
        let (text, style) = match (&list.error, list.loading) {
            (Some(e), _) => (app.lang.list_failed(e), theme::error()),
            (None, true) => (l.loading.to_owned(), theme::dim()),
            (None, false) => (l.no_cases.to_owned(), theme::dim()),
        };
        lines.push(ink.line(&[(&text, style)], cols));
    }
    let offset = (list.selected + 1).saturating_sub(visible);
    for (i, c) in list.rows.iter().enumerate().skip(offset).take(visible) {
        let time = timefmt::compact(c.created_at_ms, app.now_ms, app.calendar, app.lang);
        let topic = case_row::topic(app, &c.topic_id);
        let region = case_row::region(app, c.region);
        let (status, status_style) = case_row::status(app, c.status);
        let mut unit = case_row::unit(app, &c.unit_id);
        if c.coordination {
            unit = format!("{unit} + {}", l.occ_short);
        }
        let (due, due_style) = case_row::time_left(app, c);
        let (mark, mark_style) = if case_row::is_urgent(c) {
            ("!", theme::urgent())
        } else {
            (" ", Style::new())
        };
        let mut cells: Vec<(&str, usize, Style)> = vec![
            (mark, 1, mark_style),
            (&c.number, 11, theme::title()),
            (&time, 11, theme::dim()),
            (&due, 7, due_style),
            (&topic, 0, Style::new()),
            (&region, 9, Style::new()),
        ];
        if unit_col {
            cells.push((&unit, 0, theme::dim()));
        }
        if address_col {
            cells.push((&c.address, 0, Style::new()));
        }
        cells.push((&status, 12, status_style));
        if phone_col {
            cells.push((&c.phone, 11, theme::dim()));
        }
        let mut line = ink.row(&cells, cols);
        if i == list.selected {
            line = line.patch_style(theme::selected());
        }
        lines.push(line);
    }
    if list.next_page.is_some() {
        lines.push(ink.line(&[(l.more_cases, theme::dim())], cols));
    } else if let Some(e) = list.error.as_ref().filter(|_| !list.rows.is_empty()) {
        lines.push(ink.line(&[(&app.lang.list_failed(e), theme::error())], cols));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
