//! The call-back screen: whom to call and what to tell them on top, pinned;
//! the request, the unit's report, its files and the timeline under it; the
//! outcome's comment field over the bottom while it is open.

use crate::app::App;
use crate::app::intake::Loadable;
use crate::app::screens::FeedbackScreen;
use crate::app::screens::feedback::{Outcome, OutcomeForm};
use crate::keymap::Action;
use crate::ui::intake::field_text;
use crate::ui::text::{Ink, width, wrap};
use crate::ui::{case_row, detail, theme};
use desk137_proto::v1 as pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};

/// The rows the comment form takes, borders included.
const FORM_HEIGHT: u16 = 5;

/// The key of `action` on this screen, as the bottom bar names keys.
fn key_of(app: &App, action: Action) -> String {
    let ctx = [crate::app::screens::feedback::CONTEXT, crate::keymap::LIST];
    app.keymap
        .hint(&ctx, action)
        .map(|k| k.to_string())
        .unwrap_or_default()
}

/// The unit's last word on the result: the note of its last resolve.
fn report(c: &pb::Case) -> Option<&pb::CaseEvent> {
    c.events
        .iter()
        .rev()
        .find(|e| e.kind == pb::EventKind::Resolved as i32)
}

fn pinned(
    app: &App,
    s: &FeedbackScreen,
    c: &pb::Case,
    until: i64,
    cols: usize,
    ink: Ink,
) -> Vec<Line<'static>> {
    let lang = app.lang;
    let left = until - app.now_ms;
    let (lease, lease_style) = if left > 0 {
        (lang.fb_lease(left), theme::dim())
    } else {
        (lang.fb_lease_over().to_owned(), theme::warn())
    };
    let (status, status_style) = case_row::status(app, c.status);
    let (urgency, urgency_style) = case_row::urgency(app, c);
    let mut out = vec![ink.line(
        &[
            (&c.number, theme::title()),
            (" · ", theme::dim()),
            (&status, status_style),
            (" · ", theme::dim()),
            (urgency, urgency_style),
            (" · ", theme::dim()),
            (&lease, lease_style),
        ],
        cols,
    )];
    // The agent dials it: whole, bold, on a line of its own.
    let (number, number_style) = if c.phone.is_empty() {
        (lang.fb_no_number().to_owned(), theme::warn())
    } else {
        (
            c.phone.clone(),
            theme::ok().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )
    };
    out.push(ink.line(
        &[
            (lang.fb_call(), theme::label()),
            ("  ", Style::new()),
            (&format!(" {number} "), number_style),
            ("   ", Style::new()),
            (&lang.fb_waiting(s.waiting), theme::dim()),
        ],
        cols,
    ));
    let rates = format!(
        "{}…{} {}",
        key_of(app, Action::Rate1),
        key_of(app, Action::Rate5),
        lang.fb_rate()
    );
    let mut keys: Vec<(String, Style)> = vec![
        (format!("{}: ", lang.fb_outcomes()), theme::label()),
        (rates, theme::key()),
    ];
    for (a, word) in [
        (Action::AskCorrection, lang.fb_correction()),
        (Action::Unreachable, lang.fb_unreachable()),
    ] {
        keys.push((" · ".to_owned(), theme::dim()));
        keys.push((format!("{} {word}", key_of(app, a)), theme::key()));
    }
    let parts: Vec<(&str, Style)> = keys.iter().map(|(t, st)| (t.as_str(), *st)).collect();
    out.push(ink.line(&parts, cols));
    out
}

fn body(app: &App, s: &FeedbackScreen, c: &pb::Case, cols: usize, ink: Ink) -> Vec<Line<'static>> {
    let lang = app.lang;
    let l = lang.labels();
    let labels = [
        l.topic,
        lang.fb_request(),
        lang.fb_report(),
        lang.fb_files(),
        l.col_unit,
    ];
    let label_w = labels.iter().map(|t| width(t)).max().unwrap_or(8) + 1;
    let value_w = cols.saturating_sub(label_w + 1).max(10);
    let field = |label: &str, value: &str, style: Style| {
        ink.row(&[(label, label_w, theme::label()), (value, 0, style)], cols)
    };
    let wrapped = |out: &mut Vec<Line<'static>>, label: &str, text: &str, style: Style| {
        for (i, part) in wrap(text, value_w).iter().enumerate() {
            out.push(field(if i == 0 { label } else { "" }, part, style));
        }
    };
    let mut out = vec![Line::raw("")];
    out.push(field(
        l.topic,
        &case_row::topic(app, &c.topic_id),
        theme::title(),
    ));
    if !c.unit_id.is_empty() {
        out.push(field(
            l.col_unit,
            &case_row::unit(app, &c.unit_id),
            Style::new(),
        ));
    }
    wrapped(&mut out, lang.fb_request(), &c.description, Style::new());
    match report(c).filter(|e| !e.note.is_empty()) {
        Some(e) => wrapped(&mut out, lang.fb_report(), &e.note, theme::ok()),
        None => out.push(field(lang.fb_report(), lang.fb_no_report(), theme::dim())),
    }
    if let Some(cb) = &c.call_back
        && (cb.tries > 0 || cb.reopens > 0)
    {
        out.push(field(
            "",
            &lang.fb_tries(cb.tries, cb.reopens),
            theme::warn(),
        ));
    }
    for (i, a) in c.attachments.iter().enumerate() {
        let chosen = i == s.selected;
        let text = format!(
            "{} {} · {} · {}",
            if chosen { "›" } else { " " },
            a.name,
            a.media_type,
            lang.num(a.size)
        );
        let style = if chosen {
            theme::selected()
        } else {
            Style::new()
        };
        out.push(field(
            if i == 0 { lang.fb_files() } else { "" },
            &text,
            style,
        ));
    }
    if let Some(open) =
        Some(key_of(app, Action::OpenAttachment)).filter(|_| !c.attachments.is_empty())
    {
        let hint = format!("↑/↓ · {open} {}", Action::OpenAttachment.short(lang));
        out.push(field("", &hint, theme::dim()));
    }
    out.push(Line::raw(""));
    out.push(ink.line(&[(l.timeline, theme::title())], cols));
    out.extend(detail::timeline(app, &c.events, cols, ink));
    out
}

fn empty(app: &App, s: &FeedbackScreen, area: Rect, ink: Ink) -> Vec<Line<'static>> {
    let lang = app.lang;
    let cols = area.width as usize;
    let pad = (area.height as usize).saturating_sub(3) / 2;
    let mut out = vec![Line::raw(""); pad];
    out.push(
        ink.line(&[(lang.fb_nobody(), theme::title())], cols)
            .centered(),
    );
    out.push(
        ink.line(&[(&lang.fb_waiting(s.waiting), theme::dim())], cols)
            .centered(),
    );
    out.push(
        ink.line(&[(lang.fb_nobody_hint(), theme::dim())], cols)
            .centered(),
    );
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, s: &FeedbackScreen, ink: Ink) {
    let lang = app.lang;
    let title = Line::styled(
        format!(" {} ", ink.fit(lang.fb_title(), 30)),
        theme::title(),
    );
    let block = Block::bordered()
        .title(title)
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = inner.width as usize;
    match &s.queue {
        Loadable::Loading => {
            let line = ink.line(&[(lang.labels().loading, theme::dim())], cols);
            frame.render_widget(Paragraph::new(line), inner);
        }
        Loadable::Failed(e) => {
            let lines: Vec<Line> = wrap(e, cols.max(10))
                .iter()
                .map(|p| ink.line(&[(p, theme::error())], cols))
                .collect();
            frame.render_widget(Paragraph::new(lines), inner);
        }
        Loadable::Loaded(None) => {
            frame.render_widget(Paragraph::new(empty(app, s, inner, ink)), inner);
        }
        Loadable::Loaded(Some(h)) => {
            let top = pinned(app, s, &h.case, h.lease_until_ms, cols, ink);
            let [head, rest] =
                Layout::vertical([Constraint::Length(top.len() as u16), Constraint::Min(0)])
                    .areas(inner);
            frame.render_widget(Paragraph::new(top), head);
            let lines = body(app, s, &h.case, cols, ink);
            let max_scroll = lines.len().saturating_sub(rest.height as usize);
            let scroll = (s.scroll as usize).min(max_scroll) as u16;
            frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), rest);
            if let Some(form) = &s.form {
                draw_form(frame, area, app, &h.case, form, ink);
            }
        }
    }
}

fn draw_form(frame: &mut Frame, area: Rect, app: &App, c: &pb::Case, form: &OutcomeForm, ink: Ink) {
    let lang = app.lang;
    let h = FORM_HEIGHT.min(area.height);
    let rect = Rect {
        x: area.x,
        y: area.bottom().saturating_sub(h),
        width: area.width,
        height: h,
    };
    frame.render_widget(Clear, rect);
    let (what, label) = match form.outcome {
        Outcome::Satisfaction(n) => (lang.fb_satisfaction(n), lang.fb_comment()),
        Outcome::Correction => (lang.fb_correction().to_owned(), lang.fb_words()),
        Outcome::Unreachable => (lang.fb_unreachable().to_owned(), lang.fb_note()),
    };
    let title = format!(" {} · {} ", ink.fit(&what, 30), c.number);
    let block = Block::bordered()
        .title(Line::styled(title, theme::title()))
        .border_style(theme::key())
        .padding(Padding::horizontal(1));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let cols = inner.width as usize;
    let label_w = width(label) + 1;
    let value_w = cols.saturating_sub(label_w + 1);
    let focused = app.overlay.is_none() && !form.sending;
    let (shown, col) = field_text(&form.comment, value_w, focused, ink);
    let label_style = if form.outcome.needs_words() && form.comment.value().trim().is_empty() {
        theme::warn()
    } else {
        theme::focused_label()
    };
    let keys = |a: Action| {
        app.keymap
            .hint(&[crate::keymap::EDIT], a)
            .map(|k| k.to_string())
            .unwrap_or_default()
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(ink.cell(label, label_w), label_style),
            Span::raw(" "),
            Span::raw(shown),
        ]),
        Line::default(),
    ];
    let help = if form.sending {
        (lang.fb_sending().to_owned(), theme::dim())
    } else {
        (
            format!(
                "{} / {} {} · {} {}",
                keys(Action::Accept),
                keys(Action::Save),
                lang.fb_send(),
                keys(Action::Back),
                lang.fb_cancel()
            ),
            theme::dim(),
        )
    };
    lines.push(ink.line(&[(&help.0, help.1)], cols));
    frame.render_widget(Paragraph::new(lines), inner);
    if focused {
        let x =
            (inner.x as usize + label_w + 1 + col).min(inner.right().saturating_sub(1) as usize);
        frame.set_cursor_position(Position::new(x as u16, inner.y));
    }
}
