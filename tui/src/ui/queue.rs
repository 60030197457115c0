//! The queues: the coordination center's urgent board (countdowns to on
//! site and to the result, the unit's marks, the escalation level), a
//! unit's queue (only the request's content, never a phone) and the
//! supervisor's open cases with their filters. What is due first is on top.

use crate::app::App;
use crate::app::ListKind;
use crate::app::clocks::{self, Marks, Standing};
use crate::app::screens::QueueScreen;
use crate::ui::text::Ink;
use crate::ui::{case_row, theme};
use desk137_proto::v1 as pb;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Padding, Paragraph};

type Cells<'a> = Vec<(&'a str, usize, Style)>;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, q: &QueueScreen, ink: Ink) {
    let l = app.lang.labels();
    let list = &q.list;
    let heading = match list.kind {
        ListKind::UrgentOpen => l.queue_dispatcher,
        ListKind::UnitQueue => l.queue_unit,
        ListKind::AllOpen | ListKind::Recent => l.queue_supervisor,
    };
    let rows = q.visible();
    let count = app.lang.case_count(rows.len(), list.next_page.is_some());
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

    let mut lines: Vec<Line> = Vec::new();
    match list.kind {
        ListKind::UrgentOpen => lines.push(board_counts(app, &rows, cols, ink)),
        ListKind::AllOpen => lines.push(filter_line(app, q, cols, ink)),
        _ => {}
    }
    let layout = Layout::of(list.kind, cols);
    lines.push(ink.row(&layout.header(app), cols));
    let visible = (inner.height as usize)
        .saturating_sub(lines.len() + 1)
        .max(1);
    if rows.is_empty() {
        let (text, style) = match (&list.error, list.loading) {
            (Some(e), _) => (app.lang.list_failed(e), theme::error()),
            (None, true) => (l.loading.to_owned(), theme::dim()),
            (None, false) => (l.no_cases.to_owned(), theme::dim()),
        };
        lines.push(ink.line(&[(&text, style)], cols));
    }
    let selected_id = list.selected_case().map(|c| c.id);
    let selected = rows
        .iter()
        .position(|c| Some(c.id) == selected_id)
        .unwrap_or(0);
    let offset = (selected + 1).saturating_sub(visible);
    for (i, c) in rows.iter().enumerate().skip(offset).take(visible) {
        let row = Row::of(app, c);
        let mut line = ink.row(&layout.cells(c, &row), cols);
        if i == selected {
            line = line.patch_style(theme::selected());
        }
        lines.push(line);
    }
    if list.next_page.is_some() {
        lines.push(ink.line(&[(l.more_cases, theme::dim())], cols));
    } else if let Some(e) = list.error.as_ref().filter(|_| !rows.is_empty()) {
        lines.push(ink.line(&[(&app.lang.list_failed(e), theme::error())], cols));
    }
    // The board's selected case, its latest steps under the rows, as far as
    // the room left allows.
    let room = (inner.height as usize).saturating_sub(lines.len() + 1);
    if list.kind == ListKind::UrgentOpen
        && room >= 3
        && let Some(c) = rows.get(selected)
    {
        let steps = recent_steps(app, c, cols, room - 1, ink);
        if !steps.is_empty() {
            lines.resize(inner.height as usize - steps.len() - 1, Line::default());
            let rule = format!("── {} ", c.number);
            let fill = cols.saturating_sub(crate::ui::text::width(&rule));
            lines.push(Line::styled(
                format!("{rule}{}", "─".repeat(fill)),
                theme::dim(),
            ));
            lines.extend(steps);
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The last steps of a case's timeline, oldest of them first, one a line:
/// `14:09 unit1 · acknowledged`.
fn recent_steps(app: &App, c: &pb::Case, cols: usize, max: usize, ink: Ink) -> Vec<Line<'static>> {
    let skip = c.events.len().saturating_sub(max);
    c.events
        .iter()
        .skip(skip)
        .map(|e| {
            let time = crate::timefmt::compact(e.at_ms, app.now_ms, app.calendar, app.lang);
            let name = desk137_proto::convert::required::<desk137_domain::event::EventCode>(
                "events.kind",
                e.kind,
            )
            .map_or("?", |k| app.lang.event(k));
            let text = format!("{} · {name}", e.actor);
            let style = match pb::EventKind::try_from(e.kind) {
                Ok(pb::EventKind::SlaBreached | pb::EventKind::Escalated) => theme::error(),
                Ok(pb::EventKind::SlaWarning) => theme::warn(),
                _ => Style::new(),
            };
            ink.row(&[(&time, 11, theme::dim()), (&text, 0, style)], cols)
        })
        .collect()
}

/// `URGENT 17 · ⚠ 3 · ✖ 1`: how many cases, how many near or past a deadline.
fn board_counts(app: &App, rows: &[&pb::Case], cols: usize, ink: Ink) -> Line<'static> {
    let worst = |c: &pb::Case| {
        [pb::SlaClock::OnSite, pb::SlaClock::Result]
            .iter()
            .filter_map(|w| clocks::clock(c, *w))
            .map(|k| k.standing(app.now_ms))
            .fold(Standing::Ok, |a, b| match (a, b) {
                (Standing::Breached, _) | (_, Standing::Breached) => Standing::Breached,
                (Standing::Warning, _) | (_, Standing::Warning) => Standing::Warning,
                _ => Standing::Ok,
            })
    };
    let warned = rows
        .iter()
        .filter(|c| worst(c) == Standing::Warning)
        .count();
    let breached = rows
        .iter()
        .filter(|c| worst(c) == Standing::Breached)
        .count();
    let text = app.lang.urgent_counts(rows.len(), warned, breached);
    let style = if breached > 0 {
        theme::error()
    } else if warned > 0 {
        theme::warn()
    } else {
        theme::title()
    };
    ink.line(&[(&text, style)], cols)
}

fn filter_line(app: &App, q: &QueueScreen, cols: usize, ink: Ink) -> Line<'static> {
    let l = app.lang.labels();
    let f = &q.filter;
    let any = app.lang.any_value();
    let status = f.status.map_or(any, |s| app.lang.status(s));
    let unit = f
        .unit_id
        .as_ref()
        .map_or(any.to_owned(), |u| case_row::unit(app, u));
    let region = f
        .region
        .map_or(any.to_owned(), |r| case_row::region(app, r));
    let level = f
        .level
        .map_or(any.to_owned(), |n| app.lang.level_at_least(n));
    let text = format!(
        "{}: {} {status} · {} {unit} · {} {region} · {level}",
        app.lang.filters_label(),
        l.col_status,
        l.col_unit,
        l.region,
    );
    // A drill from the dashboard into an agent's cases names the agent.
    let text = match &f.created_by {
        Some(agent) => format!("{text} · {agent}"),
        None => text,
    };
    let style = if f.is_empty() {
        theme::dim()
    } else {
        theme::pending()
    };
    ink.line(&[(&text, style)], cols)
}

/// What a row shows, worked out once.
struct Row {
    topic: String,
    region: String,
    unit: String,
    status: (String, Style),
    marks: String,
    on_site: (String, Style),
    result: (String, Style),
    next: (String, Style),
    level: (String, Style),
}

impl Row {
    fn of(app: &App, c: &pb::Case) -> Row {
        let m = Marks::of(c);
        let mark = |b: bool| if b { "✓" } else { "·" };
        let level = if c.escalation_level > 0 {
            (app.lang.num(c.escalation_level), theme::error())
        } else {
            (app.lang.num(0), theme::dim())
        };
        let mut topic = case_row::topic(app, &c.topic_id);
        // The Shahrban mark, where the server lets this role see it.
        if c.shahrban {
            topic = format!("{} {topic}", case_row::SHAHRBAN);
        }
        Row {
            topic,
            region: case_row::region(app, c.region),
            unit: case_row::unit(app, &c.unit_id),
            status: case_row::status(app, c.status),
            marks: format!(
                "{} {} {}",
                mark(m.acknowledged),
                mark(m.on_site),
                mark(m.result)
            ),
            on_site: case_row::countdown(app, clocks::clock(c, pb::SlaClock::OnSite)),
            result: case_row::countdown(app, clocks::clock(c, pb::SlaClock::Result)),
            next: case_row::countdown(app, clocks::next(c)),
            level,
        }
    }
}

/// Which columns fit, per queue.
struct Layout {
    kind: ListKind,
    unit: bool,
    region: bool,
}

impl Layout {
    fn of(kind: ListKind, cols: usize) -> Layout {
        Layout {
            kind,
            unit: cols >= 100 && kind != ListKind::UnitQueue,
            region: cols >= 76 || kind == ListKind::AllOpen,
        }
    }

    fn header<'a>(&self, app: &'a App) -> Cells<'a> {
        let l = app.lang.labels();
        let d = theme::dim();
        let mut out: Cells = vec![(l.col_number, 11, d)];
        match self.kind {
            ListKind::UrgentOpen => {
                out.push((l.topic, 0, d));
                if self.region {
                    out.push((l.region, 8, d));
                }
                if self.unit {
                    out.push((l.col_unit, 0, d));
                }
                out.push((app.lang.board_marks(), 5, d));
                out.push((app.lang.col_on_site(), 10, d));
                out.push((app.lang.col_result(), 10, d));
                out.push((app.lang.col_level(), 3, d));
            }
            ListKind::UnitQueue => {
                out.push((l.col_due, 10, d));
                out.push((l.topic, 0, d));
                out.push((l.address, 0, d));
                out.push((l.col_status, 11, d));
            }
            ListKind::AllOpen | ListKind::Recent => {
                out.push((l.col_status, 11, d));
                out.push((l.topic, 0, d));
                out.push((l.region, 8, d));
                if self.unit {
                    out.push((l.col_unit, 0, d));
                }
                out.push((app.lang.col_level(), 3, d));
                out.push((l.col_due, 10, d));
            }
        }
        out
    }

    fn cells<'a>(&self, c: &'a pb::Case, r: &'a Row) -> Cells<'a> {
        let mut out: Cells = vec![(&c.number, 11, theme::title())];
        match self.kind {
            ListKind::UrgentOpen => {
                out.push((&r.topic, 0, Style::new()));
                if self.region {
                    out.push((&r.region, 8, Style::new()));
                }
                if self.unit {
                    out.push((&r.unit, 0, theme::dim()));
                }
                out.push((&r.marks, 5, Style::new()));
                out.push((&r.on_site.0, 10, r.on_site.1));
                out.push((&r.result.0, 10, r.result.1));
                out.push((&r.level.0, 3, r.level.1));
            }
            ListKind::UnitQueue => {
                // The request's content only: no phone, no caller.
                out.push((&r.next.0, 10, r.next.1));
                out.push((&r.topic, 0, Style::new()));
                out.push((&c.address, 0, Style::new()));
                out.push((&r.status.0, 11, r.status.1));
            }
            ListKind::AllOpen | ListKind::Recent => {
                out.push((&r.status.0, 11, r.status.1));
                out.push((&r.topic, 0, Style::new()));
                out.push((&r.region, 8, Style::new()));
                if self.unit {
                    out.push((&r.unit, 0, theme::dim()));
                }
                out.push((&r.level.0, 3, r.level.1));
                out.push((&r.next.0, 10, r.next.1));
            }
        }
        out
    }
}
