//! The supervisors' live screen: the big numbers on top, then the panels.
//! At 80×24 four panels share the screen, each showing the focused one of
//! its pair (urgent or oldest, units or regions, agents or levels, and the
//! alerts); a wall screen (160 columns and 40 rows or more) shows all seven.

use crate::app::App;
use crate::app::clocks;
use crate::app::screens::DashboardScreen;
use crate::app::screens::dashboard::Panel;
use crate::timefmt;
use crate::ui::text::Ink;
use crate::ui::{case_row, theme};
use desk137_domain::clock::HOUR_MS;
use desk137_domain::model::CaseStatus;
use desk137_proto::convert::required;
use desk137_proto::v1 as pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

/// From this size on, every panel has a place of its own.
const WALL: (u16, u16) = (160, 40);

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, d: &DashboardScreen, ink: Ink) {
    let [top, states, grid] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    let cols = area.width as usize;
    let Some(board) = d.board.as_ref() else {
        let (text, style) = match &d.error {
            Some(e) => (app.lang.dash_failed(e), theme::error()),
            None => (app.lang.dash_loading().to_owned(), theme::dim()),
        };
        frame.render_widget(Paragraph::new(ink.line(&[(&text, style)], cols)), top);
        return;
    };
    frame.render_widget(Paragraph::new(big_numbers(app, board, cols, ink)), top);
    frame.render_widget(Paragraph::new(by_state(app, board, cols, ink)), states);

    let wall = area.width >= WALL.0 && area.height >= WALL.1;
    if wall {
        let [upper, lower] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(grid);
        let [a, b, c] = Layout::horizontal([
            Constraint::Percentage(44),
            Constraint::Percentage(28),
            Constraint::Percentage(28),
        ])
        .areas(upper);
        let [e, f, g, h] = Layout::horizontal([
            Constraint::Percentage(30),
            Constraint::Percentage(20),
            Constraint::Percentage(14),
            Constraint::Percentage(36),
        ])
        .areas(lower);
        for (p, r) in [
            (Panel::Urgent, a),
            (Panel::Units, b),
            (Panel::Regions, c),
            (Panel::Oldest, e),
            (Panel::Agents, f),
            (Panel::Levels, g),
            (Panel::Alerts, h),
        ] {
            panel(frame, r, app, d, p, true, ink);
        }
    } else {
        let [upper, lower] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(grid);
        let halves = [Constraint::Percentage(52), Constraint::Percentage(48)];
        let [a, b] = Layout::horizontal(halves).areas(upper);
        let [c, e] = Layout::horizontal(halves).areas(lower);
        let pick = |pair: [Panel; 2]| if d.focus == pair[1] { pair[1] } else { pair[0] };
        panel(
            frame,
            a,
            app,
            d,
            pick([Panel::Urgent, Panel::Oldest]),
            false,
            ink,
        );
        panel(
            frame,
            b,
            app,
            d,
            pick([Panel::Units, Panel::Regions]),
            false,
            ink,
        );
        panel(frame, c, app, d, Panel::Alerts, false, ink);
        panel(
            frame,
            e,
            app,
            d,
            pick([Panel::Agents, Panel::Levels]),
            false,
            ink,
        );
    }
}

/// `OPEN 1,284   URGENT 17 (⚠3 ✖1)   BREACHES TODAY 4   INTAKE/HOUR ▁▂▃▅▇█`
fn big_numbers(app: &App, b: &pb::Dashboard, cols: usize, ink: Ink) -> Line<'static> {
    let lang = app.lang;
    let open: u64 = b.open_by_status.iter().map(|s| s.count).sum();
    let urgent = lang.dash_urgent(b.urgent_open, b.urgent_warned, b.urgent_breached);
    let urgent_style = if b.urgent_breached > 0 {
        theme::error()
    } else if b.urgent_warned > 0 {
        theme::warn()
    } else {
        theme::title()
    };
    let breaches = lang.dash_breaches_today(b.breaches_today);
    let spark = sparkline(&b.intake_per_hour);
    let gap = "   ";
    ink.line(
        &[
            (&lang.dash_open(open), theme::title()),
            (gap, Style::new()),
            (&urgent, urgent_style),
            (gap, Style::new()),
            (
                &breaches,
                if b.breaches_today > 0 {
                    theme::error()
                } else {
                    theme::title()
                },
            ),
            (gap, Style::new()),
            (lang.dash_intake(), theme::label()),
            (" ", Style::new()),
            (&spark, theme::ok()),
        ],
        cols,
    )
}

/// The day's intake, one mark an hour, scaled to the busiest hour.
fn sparkline(per_hour: &[u32]) -> String {
    let max = per_hour.iter().copied().max().unwrap_or(0).max(1);
    per_hour
        .iter()
        .take(24)
        .map(|n| {
            let i = (u64::from(*n) * (SPARKS.len() as u64 - 1)).div_ceil(u64::from(max));
            SPARKS[(i as usize).min(SPARKS.len() - 1)]
        })
        .collect()
}

/// Open cases by state, in the lifecycle's order: `referred 80 · ...`.
fn by_state(app: &App, b: &pb::Dashboard, cols: usize, ink: Ink) -> Line<'static> {
    let mut parts: Vec<String> = Vec::new();
    for s in CaseStatus::all().filter(|s| s.is_open()) {
        let n = b
            .open_by_status
            .iter()
            .filter(|c| required::<CaseStatus>("status", c.status) == Ok(s))
            .map(|c| c.count)
            .sum::<u64>();
        if n > 0 {
            parts.push(format!("{} {}", app.lang.status(s), app.lang.count(n)));
        }
    }
    let text = parts.join(" · ");
    ink.line(&[(&text, theme::dim())], cols)
}

fn panel(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    d: &DashboardScreen,
    p: Panel,
    wall: bool,
    ink: Ink,
) {
    let focused = d.focus == p;
    let mut title = format!(" {} ", app.lang.panel(p));
    if matches!(p, Panel::Units | Panel::Regions) && (focused || wall) {
        title = format!(" {} · {} ", app.lang.panel(p), app.lang.sorted_by(d.sort));
    }
    let style = if focused {
        theme::focused_label()
    } else {
        theme::title()
    };
    let width = area.width.saturating_sub(2) as usize;
    let block = Block::bordered()
        .title(Line::styled(ink.fit(&title, width), style))
        .border_style(if focused {
            theme::pending()
        } else {
            theme::dim()
        });
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = inner.width as usize;
    let head = match p {
        Panel::Units => Some(backlog_head(app, cols, true, ink)),
        Panel::Regions => Some(backlog_head(app, cols, false, ink)),
        _ => None,
    };
    let inner = match head {
        Some(h) if inner.height >= 3 => {
            let [top, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
            frame.render_widget(Paragraph::new(h), top);
            rest
        }
        _ => inner,
    };
    let rows = inner.height as usize;
    let lines = match p {
        Panel::Urgent => urgent(app, d, cols, wall, ink),
        Panel::Oldest => oldest(app, d, cols, ink),
        Panel::Units => units(app, d, cols, ink),
        Panel::Regions => regions(app, d, cols, ink),
        Panel::Agents => agents(app, d, cols, ink),
        Panel::Levels => levels(app, d, cols, ink),
        Panel::Alerts => alerts(app, d, cols, ink),
    };
    let lines = if lines.is_empty() {
        let text = match p {
            Panel::Alerts => app.lang.no_alerts(),
            _ => app.lang.nothing_here(),
        };
        vec![ink.line(&[(text, theme::dim())], cols)]
    } else {
        lines
    };
    // The selected row stays in sight.
    let selected = d.selected(p);
    let offset = (selected + 1).saturating_sub(rows.max(1));
    let shown: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, l)| {
            if focused && i == selected {
                l.patch_style(theme::selected())
            } else {
                l
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn urgent(app: &App, d: &DashboardScreen, cols: usize, wall: bool, ink: Ink) -> Vec<Line<'static>> {
    let Some(b) = d.board.as_ref() else {
        return Vec::new();
    };
    b.urgent_in_progress
        .iter()
        .map(|c| {
            let topic = case_row::topic(app, &c.topic_id);
            let region = case_row::region(app, c.region);
            if wall {
                let unit = case_row::unit(app, &c.unit_id);
                let on_site = case_row::countdown(app, clocks::clock(c, pb::SlaClock::OnSite));
                let result = case_row::countdown(app, clocks::clock(c, pb::SlaClock::Result));
                let level = if c.escalation_level > 0 {
                    (app.lang.num(c.escalation_level), theme::error())
                } else {
                    (String::new(), Style::new())
                };
                ink.row(
                    &[
                        (&c.number, 11, theme::title()),
                        (&topic, 0, Style::new()),
                        (&region, 10, Style::new()),
                        (&unit, 0, theme::dim()),
                        (&on_site.0, 10, on_site.1),
                        (&result.0, 10, result.1),
                        (&level.0, 2, level.1),
                    ],
                    cols,
                )
            } else {
                let next = case_row::countdown(app, clocks::next(c));
                ink.row(
                    &[
                        (&c.number, 11, theme::title()),
                        (&topic, 0, Style::new()),
                        (&region, 7, Style::new()),
                        (&next.0, 9, next.1),
                    ],
                    cols,
                )
            }
        })
        .collect()
}

fn oldest(app: &App, d: &DashboardScreen, cols: usize, ink: Ink) -> Vec<Line<'static>> {
    let Some(b) = d.board.as_ref() else {
        return Vec::new();
    };
    b.oldest_waiting
        .iter()
        .map(|c| {
            let topic = case_row::topic(app, &c.topic_id);
            let waited = app
                .lang
                .waiting_since((app.now_ms - c.created_at_ms).max(0) / HOUR_MS);
            let status = case_row::status(app, c.status);
            ink.row(
                &[
                    (&c.number, 11, theme::title()),
                    (&topic, 0, Style::new()),
                    (&status.0, 10, status.1),
                    (&waited, 8, theme::warn()),
                ],
                cols,
            )
        })
        .collect()
}

/// A bar of `n` against `max` in `w` columns, with eighths at its end.
fn bar(n: u64, max: u64, w: usize) -> String {
    if max == 0 || w == 0 {
        return String::new();
    }
    let eighths = (n as u128 * w as u128 * 8 / max as u128) as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(SPARKS[eighths % 8 - 1]);
    }
    if out.is_empty() && n > 0 {
        out.push('▏');
    }
    out
}

/// A backlog row: name, open, overdue, urgent (where it fits) and the bar.
fn backlog_row(
    app: &App,
    name: &str,
    (open, late, urgent): (u64, u64, Option<u64>),
    max: u64,
    cols: usize,
    ink: Ink,
) -> Line<'static> {
    let bar_w = (cols / 4).max(4);
    let open_s = app.lang.count(open);
    let late_s = if late > 0 {
        app.lang.count(late)
    } else {
        String::new()
    };
    let urgent_s = urgent
        .filter(|u| *u > 0)
        .map(|u| app.lang.count(u))
        .unwrap_or_default();
    let b = bar(open, max, bar_w);
    let mut cells: Vec<(&str, usize, Style)> = vec![
        (name, 0, Style::new()),
        (&open_s, 6, theme::title()),
        (&late_s, 5, theme::error()),
    ];
    if urgent.is_some() && cols >= 50 {
        cells.push((&urgent_s, 4, theme::urgent()));
    }
    cells.push((&b, bar_w, theme::ok()));
    ink.row(&cells, cols)
}

fn backlog_head(app: &App, cols: usize, urgent: bool, ink: Ink) -> Line<'static> {
    let (open, late, urg) = app.lang.backlog_cols();
    let bar_w = (cols / 4).max(4);
    let d = theme::dim();
    let mut cells: Vec<(&str, usize, Style)> = vec![("", 0, d), (open, 6, d), (late, 5, d)];
    if urgent && cols >= 50 {
        cells.push((urg, 4, d));
    }
    cells.push(("", bar_w, d));
    ink.row(&cells, cols)
}

fn units(app: &App, d: &DashboardScreen, cols: usize, ink: Ink) -> Vec<Line<'static>> {
    let rows = d.units(|id| case_row::unit(app, id));
    let max = rows.iter().map(|u| u.open).max().unwrap_or(0);
    rows.iter()
        .map(|u| {
            let name = case_row::unit(app, &u.unit_id);
            backlog_row(
                app,
                &name,
                (u.open, u.overdue, Some(u.urgent_open)),
                max,
                cols,
                ink,
            )
        })
        .collect()
}

fn regions(app: &App, d: &DashboardScreen, cols: usize, ink: Ink) -> Vec<Line<'static>> {
    let rows = d.regions();
    let max = rows.iter().map(|r| r.open).max().unwrap_or(0);
    rows.iter()
        .map(|r| {
            let name = case_row::region(app, r.region);
            backlog_row(app, &name, (r.open, r.overdue, None), max, cols, ink)
        })
        .collect()
}

fn agents(app: &App, d: &DashboardScreen, cols: usize, ink: Ink) -> Vec<Line<'static>> {
    let rows = d.agents();
    let max = rows.iter().map(|a| a.logged).max().unwrap_or(0);
    let bar_w = (cols / 4).max(4);
    rows.iter()
        .map(|a| {
            let n = app.lang.count(a.logged);
            let b = bar(a.logged, max, bar_w);
            ink.row(
                &[
                    (&a.user, 0, Style::new()),
                    (&n, 6, theme::title()),
                    (&b, bar_w, theme::ok()),
                ],
                cols,
            )
        })
        .collect()
}

fn levels(app: &App, d: &DashboardScreen, cols: usize, ink: Ink) -> Vec<Line<'static>> {
    d.levels()
        .iter()
        .map(|l| {
            let name = app.lang.escalation(l.level);
            let n = app.lang.count(l.open);
            ink.row(&[(&name, 0, theme::error()), (&n, 6, theme::title())], cols)
        })
        .collect()
}

fn alerts(app: &App, d: &DashboardScreen, cols: usize, ink: Ink) -> Vec<Line<'static>> {
    d.alerts
        .iter()
        .map(|a| {
            let time = timefmt::compact(a.at_ms, app.now_ms, app.calendar, app.lang);
            let what = app.lang.alert(&a.kind);
            ink.row(
                &[
                    (&time, 5, theme::dim()),
                    (&a.number, 11, theme::title()),
                    (&what, 0, theme::error()),
                ],
                cols,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sparkline_scales_to_the_busiest_hour() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8]), "▁▂▃▅█");
        assert_eq!(sparkline(&[0; 24]).chars().count(), 24);
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn bars_end_in_eighths_and_never_hide_a_case() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 1000, 4), "▏");
        assert_eq!(bar(0, 10, 4), "");
        assert_eq!(bar(3, 0, 4), "");
    }
}
