//! The intake screen: the form on the left with suggestions under the field
//! being typed, the caller's history on the right, the agent's recent cases
//! below.

use crate::app::App;
use crate::app::cases::CaseList;
use crate::app::catalog::TOPIC_SUGGESTIONS;
use crate::app::intake::{Field, Intake, Suggestion};
use crate::bidi;
use crate::messages::Lang;
use crate::timefmt;
use crate::ui::text::{self, Ink, width};
use crate::ui::{case_row, history, theme};
use desk137_domain::model::{Kind, Urgency};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph};
use tui_input::Input;

/// Lines the form needs: borders, fields, suggestions, kind and deadline.
const FORM_HEIGHT: u16 = 2 + 6 + TOPIC_SUGGESTIONS as u16 + 3;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, form: &Intake, recent: &CaseList, ink: Ink) {
    // A tall terminal gives the caller's history more rows, not the form.
    let form_h = FORM_HEIGHT
        .max(area.height * 11 / 20)
        .min(area.height.saturating_sub(3))
        .max(area.height.min(10));
    let [upper, lower] =
        Layout::vertical([Constraint::Length(form_h), Constraint::Min(0)]).areas(area);
    // The caller's past earns more room as the terminal widens.
    let history_w = if upper.width >= 60 {
        (upper.width * 2 / 5).clamp(28, 90)
    } else {
        0
    };
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(history_w)]).areas(upper);
    draw_form(frame, left, app, form, ink);
    if history_w > 0 {
        history::draw(frame, right, app, form, ink);
    }
    if lower.height > 0 {
        draw_recent(frame, lower, app, recent, ink);
    }
}

fn label_width(lang: Lang) -> usize {
    Field::ALL
        .iter()
        .map(|f| width(f.label(lang)))
        .max()
        .unwrap_or(8)
        + 1
}

/// The visible part of a field and the cursor's column in it.
pub(crate) fn field_text(input: &Input, cols: usize, focused: bool, ink: Ink) -> (String, usize) {
    let value = input.value();
    if !focused {
        let shown = ink.fit(value, cols.saturating_sub(usize::from(ink.bidi)));
        return (if ink.bidi { format!(" {shown}") } else { shown }, 0);
    }
    // One column is kept free for the cursor at the end (and, with bidi on,
    // one before the text for the end of right-to-left text).
    let room = cols.saturating_sub(1 + usize::from(ink.bidi)).max(1);
    let scroll = input.visual_scroll(room);
    let (visible, start) = text::window(value, scroll, room);
    if ink.bidi {
        let cursor_byte = value
            .char_indices()
            .nth(input.cursor())
            .map_or(value.len(), |(i, _)| i)
            .saturating_sub(start);
        let col = bidi::visual_cursor(&visible, cursor_byte.min(visible.len()));
        (format!(" {}", bidi::visual(&visible)), col)
    } else {
        (visible, input.visual_cursor().saturating_sub(scroll))
    }
}

fn suggestion_line(
    app: &App,
    s: Suggestion,
    selected: bool,
    indent: usize,
    cols: usize,
    ink: Ink,
) -> Line<'static> {
    let l = app.lang.labels();
    let marker = if selected { "▸ " } else { "  " };
    let base = if selected {
        theme::selected()
    } else {
        Style::new()
    };
    let mut spans = vec![Span::raw(" ".repeat(indent)), Span::styled(marker, base)];
    let room = cols.saturating_sub(indent + 2);
    match s {
        Suggestion::Topic(hit) => {
            let Some(t) = app.catalog.topics.get(hit.index) else {
                return Line::default();
            };
            // What the topic implies, in a column of its own so titles align:
            // the word where there is room, a one-letter mark where not.
            let (word, mark, tag_style) = match (t.kind, t.default_urgency) {
                (Kind::Informational, _) => (l.informational, "i", theme::dim()),
                (_, Urgency::Urgent) => (l.urgent, "!", theme::urgent()),
                _ => ("", " ", Style::new()),
            };
            let word_w = width(l.urgent).max(width(l.informational));
            let (tag, tag_w) = if room >= 60 + word_w {
                (word, word_w)
            } else {
                (mark, 1)
            };
            let score = app.lang.digits(&format!("{:.2}", hit.score));
            let titles_w = room.saturating_sub(4 + 1 + tag_w + 1);
            // Two cells, so each title keeps its own direction.
            let fa_w = (titles_w * 2 / 3).clamp(titles_w.min(12), 30);
            let en_w = titles_w.saturating_sub(fa_w + 1);
            spans.push(Span::styled(ink.cell(tag, tag_w), tag_style.patch(base)));
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(ink.cell(&t.title_fa, fa_w), base));
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(
                ink.cell(&t.title_en, en_w),
                theme::dim().patch(base),
            ));
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(score, theme::dim().patch(base)));
        }
        Suggestion::Region(n) => {
            let (fa, en) = app
                .catalog
                .region(n)
                .map(|r| (r.name_fa.clone(), r.name_en.clone()))
                .unwrap_or_default();
            let text = format!("{} · {fa} · {en}", app.lang.num(n));
            spans.push(Span::styled(ink.cell(&text, room), base));
        }
    }
    Line::from(spans)
}

fn kind_line(app: &App, form: &Intake, cols: usize, ink: Ink) -> Line<'static> {
    let l = app.lang.labels();
    let Some(topic) = form.topic.as_deref().and_then(|id| app.catalog.topic(id)) else {
        let mut parts = vec![(l.no_topic_yet, theme::dim())];
        if form.urgency == Urgency::Urgent {
            parts.push((" · ", Style::new()));
            parts.push((l.urgent, theme::urgent()));
        }
        return ink.line(&parts, cols);
    };
    let arrow = if app.lang == Lang::Fa {
        " ← "
    } else {
        " → "
    };
    let (urgency, urgency_style) = match form.urgency {
        Urgency::Urgent => (l.urgent, theme::urgent()),
        Urgency::Normal => (l.normal, Style::new()),
    };
    if topic.kind == Kind::Informational {
        return ink.line(
            &[
                (l.informational, Style::new()),
                (" · ", theme::dim()),
                (l.answered_by_137, theme::dim()),
            ],
            cols,
        );
    }
    let unit = match form.region {
        Some(r) => app
            .catalog
            .route(&topic.id, r)
            .map(|u| case_row::unit(app, &u.id))
            // Without the full catalog the domain is what is known.
            .unwrap_or_else(|| topic.service_domain.clone()),
        None => l.no_region_yet.to_owned(),
    };
    let unit_style = if form.region.is_some() {
        theme::chosen()
    } else {
        theme::dim()
    };
    let mut parts: Vec<(&str, Style)> = vec![
        (l.executive, Style::new()),
        (" · ", theme::dim()),
        (urgency, urgency_style),
        (arrow, theme::dim()),
        (&unit, unit_style),
    ];
    if form.urgency == Urgency::Urgent {
        parts.push((" + ", theme::dim()));
        parts.push((l.occ, theme::urgent()));
    }
    // Narrow: the OCC's short name, then no kind word (a unit says executive).
    let fits = |parts: &[(&str, Style)]| parts.iter().map(|p| width(p.0)).sum::<usize>() <= cols;
    if !fits(&parts)
        && form.urgency == Urgency::Urgent
        && let Some(last) = parts.last_mut()
    {
        last.0 = l.occ_short;
    }
    if !fits(&parts) {
        parts.drain(..2);
    }
    ink.line(&parts, cols)
}

fn deadline_line(app: &App, form: &Intake, cols: usize, ink: Ink) -> Line<'static> {
    let l = app.lang.labels();
    let Some(kind) = form.kind(&app.catalog) else {
        return Line::default();
    };
    // The server's service levels; until it has said them, no figure.
    let Some(sla) = app.sla.as_ref() else {
        return Line::default();
    };
    // The same rule the server applies at registration.
    let d = sla.deadlines_for_caller(kind, form.urgency, app.now_ms, form.caller_is_shahrban());
    let when = |ms| timefmt::datetime(ms, app.calendar, app.lang);
    let label = format!("{}: ", l.deadline);
    let text = match (kind, form.urgency) {
        (Kind::Informational, _) => l.answered_at_once.to_owned(),
        (Kind::Executive, Urgency::Normal) => {
            format!("{} {}", l.first_response_by, when(d.first_response_ms))
        }
        (Kind::Executive, Urgency::Urgent) => format!(
            "{} {} · {} {}",
            l.on_site_by,
            timefmt::compact(d.on_site_ms, app.now_ms, app.calendar, app.lang),
            l.result_by,
            timefmt::compact(d.result_ms, app.now_ms, app.calendar, app.lang)
        ),
    };
    let style = if form.urgency == Urgency::Urgent && kind == Kind::Executive {
        theme::urgent()
    } else {
        Style::new()
    };
    if width(&label) + width(&text) <= cols {
        ink.line(&[(&label, theme::label()), (&text, style)], cols)
    } else {
        ink.line(&[(&text, style)], cols)
    }
}

fn draw_form(frame: &mut Frame, area: Rect, app: &App, form: &Intake, ink: Ink) {
    let l = app.lang.labels();
    let urgent = form.urgency == Urgency::Urgent;
    let mut title = vec![Span::styled(
        format!(" {} ", ink.fit(l.new_call, 30)),
        theme::title(),
    )];
    if urgent {
        title.push(Span::styled(
            format!("{} ", ink.fit(l.urgent, 20)),
            theme::urgent(),
        ));
    }
    let block = Block::bordered()
        .title(Line::from(title))
        .border_style(if urgent {
            theme::urgent()
        } else {
            Style::new()
        })
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = inner.width as usize;
    let label_w = label_width(app.lang);
    let value_w = cols.saturating_sub(label_w + 1);
    // Two lines below the fields and the room kept for suggestions say where
    // the case goes and by when; they stay put while suggestions come and go.
    let rows_for_fields = (inner.height as usize)
        .saturating_sub(2)
        .min(Field::ALL.len() + TOPIC_SUGGESTIONS + 1);
    let mut room_for_suggestions = rows_for_fields.saturating_sub(Field::ALL.len());
    let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
    let mut cursor = None;
    for f in Field::ALL {
        let focused = form.focus == f && app.overlay.is_none();
        let label_style = if focused {
            theme::focused_label()
        } else {
            theme::label()
        };
        let value_style = match f {
            Field::Topic if form.topic.is_some() => theme::chosen(),
            Field::Region if form.region.is_some() => theme::chosen(),
            Field::Topic | Field::Region if !form.value(f).trim().is_empty() => theme::pending(),
            _ => Style::new(),
        };
        let (shown, col) = field_text(form.input(f), value_w, focused, ink);
        if focused {
            cursor = Some((label_w + 1 + col, lines.len()));
        }
        lines.push(Line::from(vec![
            Span::styled(ink.cell(f.label(app.lang), label_w), label_style),
            Span::raw(" "),
            Span::styled(shown, value_style),
        ]));
        if form.suggestions.field == Some(f) {
            for (i, s) in form.suggestions.items.iter().enumerate() {
                if room_for_suggestions == 0 {
                    break;
                }
                room_for_suggestions -= 1;
                let selected = form.suggestions.selected == Some(i);
                lines.push(suggestion_line(app, *s, selected, label_w, cols, ink));
            }
        }
    }
    lines.truncate(rows_for_fields);
    while lines.len() < rows_for_fields {
        lines.push(Line::default());
    }
    lines.push(kind_line(app, form, cols, ink));
    lines.push(deadline_line(app, form, cols, ink));
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((x, y)) = cursor {
        let x = (inner.x as usize + x).min(inner.right().saturating_sub(1) as usize);
        if y < inner.height as usize {
            frame.set_cursor_position(Position::new(x as u16, inner.y + y as u16));
        }
    }
}

fn draw_recent(frame: &mut Frame, area: Rect, app: &App, recent: &CaseList, ink: Ink) {
    let l = app.lang.labels();
    let block = Block::bordered()
        .title(Line::styled(
            format!(" {} ", ink.fit(l.recent_mine, 40)),
            theme::title(),
        ))
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if recent.rows.is_empty() {
        let (text, style) = match (&recent.error, recent.loading) {
            (Some(e), _) => (app.lang.list_failed(e), theme::error()),
            (None, true) => (l.loading.to_owned(), theme::dim()),
            (None, false) => (l.recent_none.to_owned(), theme::dim()),
        };
        lines.push(ink.line(&[(&text, style)], cols));
    }
    let wide = cols >= 110;
    for c in recent.rows.iter().take(inner.height as usize) {
        let time = timefmt::compact(c.created_at_ms, app.now_ms, app.calendar, app.lang);
        let topic = case_row::topic(app, &c.topic_id);
        let (urgency, urgency_style) = case_row::urgency(app, c);
        let region = case_row::region(app, c.region);
        let (status, status_style) = case_row::status(app, c.status);
        let mut unit = case_row::unit(app, &c.unit_id);
        if c.coordination {
            unit = format!("{unit} + {}", l.occ_short);
        }
        let mut cells: Vec<(&str, usize, Style)> = vec![
            (&c.number, 11, theme::title()),
            (&time, 11, theme::dim()),
            (&topic, 0, Style::new()),
            (urgency, 6, urgency_style),
            (&region, 9, Style::new()),
        ];
        if wide {
            cells.push((&unit, 0, theme::dim()));
        }
        cells.push((&status, 12, status_style));
        lines.push(ink.row(&cells, cols));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
