//! The units' scorecards: the quarter and order on top, the table, and the
//! scores as bars under it; or, drilled into a unit, the cases behind its
//! figures. At 80 columns the table keeps unit, rank, score, change, cases,
//! on time and the reopen rate; from 140 every figure has its column.

use crate::app::App;
use crate::app::intake::Loadable;
use crate::app::screens::ScorecardsScreen;
use crate::app::screens::scorecards::{Drill, clock_share, on_time_share};
use crate::timefmt;
use crate::ui::text::Ink;
use crate::ui::{case_row, theme};
use desk137_proto::v1 as pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Padding, Paragraph};

/// From this width on, every column of the table shows.
const WIDE: usize = 140;
/// From this width on, the times have room for their words.
const ROOMY: usize = 180;

const EIGHTHS: [char; 7] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉'];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, s: &ScorecardsScreen, ink: Ink) {
    let lang = app.lang;
    let quarter = s.quarter.map(|q| lang.quarter(q)).unwrap_or_default();
    let title = match &s.drill {
        Some(d) => lang.drill_title(&case_row::unit(app, &d.unit_id), &quarter),
        None => format!("{} · {quarter}", lang.scorecards_title()),
    };
    let block = Block::bordered()
        .title(Line::styled(
            format!(
                " {} ",
                ink.fit(&title, area.width.saturating_sub(4) as usize)
            ),
            theme::title(),
        ))
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(d) = &s.drill {
        drill(frame, inner, app, d, ink);
        return;
    }
    let cols = inner.width as usize;
    let rows = s.rows();
    let status = match &s.cards {
        Loadable::Loading => Some((lang.cards_loading().to_owned(), theme::dim())),
        Loadable::Failed(e) => Some((lang.cards_failed(e), theme::error())),
        Loadable::Loaded(_) if rows.is_empty() => Some((lang.no_cards().to_owned(), theme::dim())),
        Loadable::Loaded(_) => None,
    };
    if let Some((text, style)) = status {
        frame.render_widget(Paragraph::new(ink.line(&[(&text, style)], cols)), inner);
        return;
    }
    // The chart takes what the table leaves, a bar a unit, at most a third.
    let table_h = (rows.len() as u16 + 2).min(inner.height);
    let chart_h = inner
        .height
        .saturating_sub(table_h)
        .min(rows.len() as u16 + 1);
    let chart_h = if chart_h >= 2 { chart_h } else { 0 };
    let [table_area, chart_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(chart_h)]).areas(inner);
    table(frame, table_area, app, s, &rows, ink);
    if chart_h > 0 {
        chart(frame, chart_area, app, s, &rows, ink);
    }
}

/// `▲ ۴٫۲` in green, `▼ ۱٫۰` in red, `-` without a quarter before.
fn change(app: &App, c: &pb::UnitScorecard) -> (String, Style) {
    if !c.has_change {
        return ("-".into(), theme::dim());
    }
    if c.change > 0.05 {
        (format!("▲ {}", app.lang.score(c.change)), theme::ok())
    } else if c.change < -0.05 {
        (format!("▼ {}", app.lang.score(-c.change)), theme::error())
    } else {
        ("= 0".into(), theme::dim())
    }
}

fn score(app: &App, c: &pb::UnitScorecard) -> (String, Style) {
    if !c.scored {
        return (app.lang.unscored().into(), theme::dim());
    }
    let style = if c.score >= 80.0 {
        theme::ok()
    } else if c.score >= 50.0 {
        theme::warn()
    } else {
        theme::error()
    };
    (app.lang.score(c.score), style)
}

fn times(app: &App, mean: i64, p90: i64) -> String {
    if mean <= 0 {
        return "-".into();
    }
    format!("{} / {}", app.lang.span(mean), app.lang.span(p90))
}

fn table(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    s: &ScorecardsScreen,
    rows: &[&pb::UnitScorecard],
    ink: Ink,
) {
    let lang = app.lang;
    let h = lang.card_columns();
    let cols = area.width as usize;
    let wide = cols >= WIDE;
    // «۳ روز ۴ ساعت / ۶ روز ۱ ساعت» whole where there is room for it.
    let tw = if cols >= ROOMY { 28 } else { 22 };
    let mut lines = vec![ink.line(&[(&lang.ordered_by(s.sort), theme::pending())], cols)];
    let d = theme::dim();
    let mut head: Vec<(&str, usize, Style)> = vec![(h.unit, 0, d)];
    if wide {
        head.push((h.domain, 14, d));
    }
    head.extend([
        (h.rank, 5, d),
        (h.score, 8, d),
        (h.change, 7, d),
        (h.cases, 6, d),
    ]);
    if wide {
        head.extend([
            (h.first_response, 8, d),
            (h.on_site, 8, d),
            (h.result, 8, d),
            (h.promised, 8, d),
            (h.fr_times, tw, d),
            (h.result_times, tw, d),
        ]);
    } else {
        head.push((h.on_time, 7, d));
    }
    head.push((h.reopen, 8, d));
    if wide {
        head.push((h.deferred, 8, d));
    }
    lines.push(ink.row(&head, cols));
    let room = (area.height as usize).saturating_sub(lines.len()).max(1);
    let offset = (s.selected + 1).saturating_sub(room);
    for (i, c) in rows.iter().enumerate().skip(offset).take(room) {
        let unit = case_row::unit(app, &c.unit_id);
        let domain = lang.service_domain(&c.service_domain);
        let rank = lang.rank(c.rank, c.rank_of);
        let (score_s, score_st) = score(app, c);
        let (change_s, change_st) = change(app, c);
        let cases = lang.count(c.cases);
        let share = |k| lang.percent(clock_share(c, k));
        let fr = share(pb::SlaClock::FirstResponse);
        let on_site = share(pb::SlaClock::OnSite);
        let result = share(pb::SlaClock::Result);
        let promised = share(pb::SlaClock::Promised);
        let on_time = lang.percent(on_time_share(c));
        let fr_t = times(app, c.first_response_mean_ms, c.first_response_p90_ms);
        let res_t = times(app, c.result_mean_ms, c.result_p90_ms);
        let reopen = lang.percent(Some(c.reopen_rate));
        let deferred = lang.percent(Some(c.deferred_share));
        let mut cells: Vec<(&str, usize, Style)> = vec![(&unit, 0, Style::new())];
        if wide {
            cells.push((&domain, 14, theme::dim()));
        }
        cells.extend([
            (rank.as_str(), 5, theme::title()),
            (score_s.as_str(), 8, score_st),
            (change_s.as_str(), 7, change_st),
            (cases.as_str(), 6, Style::new()),
        ]);
        if wide {
            cells.extend([
                (fr.as_str(), 8, Style::new()),
                (on_site.as_str(), 8, Style::new()),
                (result.as_str(), 8, Style::new()),
                (promised.as_str(), 8, Style::new()),
                (fr_t.as_str(), tw, Style::new()),
                (res_t.as_str(), tw, Style::new()),
            ]);
        } else {
            cells.push((&on_time, 7, Style::new()));
        }
        cells.push((&reopen, 8, Style::new()));
        if wide {
            cells.push((&deferred, 8, Style::new()));
        }
        let mut line = ink.row(&cells, cols);
        if i == s.selected {
            line = line.patch_style(theme::selected());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// A bar of `score` (0 to 100) in `w` columns, with eighths at its end.
pub fn bar(score: f64, w: usize) -> String {
    if !score.is_finite() || score <= 0.0 || w == 0 {
        return String::new();
    }
    let eighths = ((score.min(100.0) / 100.0) * (w * 8) as f64).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(EIGHTHS[eighths % 8 - 1]);
    }
    if out.is_empty() {
        out.push('▏');
    }
    out
}

fn chart(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    s: &ScorecardsScreen,
    rows: &[&pb::UnitScorecard],
    ink: Ink,
) {
    let cols = area.width as usize;
    let mut lines = vec![ink.line(&[(app.lang.scores_chart(), theme::title())], cols)];
    let name_w = (cols / 3).clamp(10, 40);
    let bar_w = cols.saturating_sub(name_w + 11);
    let room = (area.height as usize).saturating_sub(1);
    let offset = (s.selected + 1).saturating_sub(room);
    for (i, c) in rows.iter().enumerate().skip(offset).take(room) {
        let name = case_row::unit(app, &c.unit_id);
        let (value, style) = score(app, c);
        let b = if c.scored {
            bar(c.score, bar_w)
        } else {
            String::new()
        };
        let mut line = ink.row(
            &[
                (&name, name_w, Style::new()),
                (&value, 9, style),
                (&b, bar_w, style),
            ],
            cols,
        );
        if i == s.selected {
            line = line.patch_style(theme::selected());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn drill(frame: &mut Frame, area: Rect, app: &App, d: &Drill, ink: Ink) {
    let lang = app.lang;
    let l = lang.labels();
    let cols = area.width as usize;
    let cases = match &d.cases {
        Loadable::Loading => {
            let line = ink.line(&[(l.loading, theme::dim())], cols);
            frame.render_widget(Paragraph::new(line), area);
            return;
        }
        Loadable::Failed(e) => {
            let line = ink.line(&[(&lang.list_failed(e), theme::error())], cols);
            frame.render_widget(Paragraph::new(line), area);
            return;
        }
        Loadable::Loaded(c) => c,
    };
    let dm = theme::dim();
    let h = lang.card_columns();
    let wide = cols >= 100;
    let mut head: Vec<(&str, usize, Style)> = vec![
        (l.col_number, 11, dm),
        (l.col_status, 11, dm),
        (l.topic, 0, dm),
    ];
    if wide {
        head.push((l.region, 12, dm));
        head.push((l.created, 16, dm));
    }
    head.push((h.score, 8, dm));
    let mut lines = vec![ink.row(&head, cols)];
    if cases.is_empty() {
        lines.push(ink.line(&[(l.no_cases, theme::dim())], cols));
    }
    let room = (area.height as usize).saturating_sub(1).max(1);
    let offset = (d.selected + 1).saturating_sub(room);
    for (i, c) in cases.iter().enumerate().skip(offset).take(room) {
        let (status, status_st) = case_row::status(app, c.status);
        let topic = case_row::topic(app, &c.topic_id);
        let region = case_row::region(app, c.region);
        let created = timefmt::datetime(c.created_at_ms, app.calendar, lang);
        let cb = c.call_back.unwrap_or_default();
        let value = if cb.scored {
            lang.score(cb.score)
        } else {
            "-".into()
        };
        let mut cells: Vec<(&str, usize, Style)> = vec![
            (&c.number, 11, theme::title()),
            (&status, 11, status_st),
            (&topic, 0, Style::new()),
        ];
        if wide {
            cells.push((&region, 12, Style::new()));
            cells.push((&created, 16, theme::dim()));
        }
        cells.push((&value, 8, theme::title()));
        let mut line = ink.row(&cells, cols);
        if i == d.selected {
            line = line.patch_style(theme::selected());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn score_bars_end_in_eighths_and_never_hide_a_score() {
        assert_eq!(bar(100.0, 4), "████");
        assert_eq!(bar(50.0, 4), "██");
        assert_eq!(bar(0.1, 4), "▏");
        assert_eq!(bar(0.0, 4), "");
        assert_eq!(bar(f64::NAN, 4), "");
        assert_eq!(bar(250.0, 4), "████");
    }
}
