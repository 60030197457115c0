//! One case with its timeline. The phone appears only for roles that may see
//! it, and then only as the server sent it.

use crate::app::App;
use crate::app::clocks;
use crate::app::intake::Loadable;
use crate::app::screens::DetailScreen;
use crate::timefmt;
use crate::ui::text::{Ink, wrap};
use crate::ui::{case_row, theme};
use desk137_domain::event::EventCode;
use desk137_domain::model::Role;
use desk137_proto::convert::required;
use desk137_proto::v1 as pb;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Padding, Paragraph};

fn case_lines(
    app: &App,
    c: &pb::Case,
    revealed: Option<&str>,
    cols: usize,
    ink: Ink,
) -> Vec<Line<'static>> {
    let l = app.lang.labels();
    let when = |ms: i64| timefmt::datetime(ms, app.calendar, app.lang);
    let label_w = [
        l.topic,
        l.region,
        l.col_unit,
        l.address,
        l.landmark,
        l.description,
        l.phone,
        l.created,
        l.deadline,
    ]
    .iter()
    .map(|s| crate::ui::text::width(s))
    .max()
    .unwrap_or(8)
        + 1;
    let field = |label: &str, value: &str, style: Style| {
        ink.row(&[(label, label_w, theme::label()), (value, 0, style)], cols)
    };
    let mut out = Vec::new();
    let (status, status_style) = case_row::status(app, c.status);
    let (urgency, urgency_style) = case_row::urgency(app, c);
    let mut head = vec![
        (c.number.as_str(), theme::title()),
        (" · ", theme::dim()),
        (status.as_str(), status_style),
        (" · ", theme::dim()),
        (urgency, urgency_style),
    ];
    if c.shahrban {
        head.extend([(" · ", theme::dim()), (app.lang.shahrban(), theme::warn())]);
    }
    out.push(ink.line(&head, cols));
    out.push(field(
        l.topic,
        &case_row::topic(app, &c.topic_id),
        Style::new(),
    ));
    out.push(field(
        l.region,
        &case_row::region(app, c.region),
        Style::new(),
    ));
    let mut unit = if c.unit_id.is_empty() {
        l.answered_by_137.to_owned()
    } else {
        case_row::unit(app, &c.unit_id)
    };
    if c.coordination {
        unit = format!("{unit} + {}", l.occ);
    }
    out.push(field(
        l.col_unit,
        &unit,
        if c.coordination {
            theme::urgent()
        } else {
            Style::new()
        },
    ));
    out.push(field(l.address, &c.address, Style::new()));
    if !c.landmark.is_empty() {
        out.push(field(l.landmark, &c.landmark, Style::new()));
    }
    let desc_w = cols.saturating_sub(label_w + 1);
    for (i, part) in wrap(&c.description, desc_w).iter().enumerate() {
        out.push(field(
            if i == 0 { l.description } else { "" },
            part,
            Style::new(),
        ));
    }
    let sees_phone = app.session.as_ref().is_some_and(|s| s.role != Role::Unit);
    let consent = if c.phone_consent {
        format!(" · ✓ {}", app.lang.consent_given())
    } else {
        String::new()
    };
    if sees_phone && !c.phone.is_empty() {
        out.push(field(
            l.phone,
            &format!("{}{consent}", c.phone),
            theme::dim(),
        ));
    } else if c.phone_consent {
        out.push(field(
            l.phone,
            consent.trim_start_matches(" · "),
            theme::ok(),
        ));
    }
    // The number a unit asked for with the citizen's consent: this screen
    // only, gone when it closes.
    if let Some(number) = revealed {
        out.push(field(
            l.phone,
            &format!("{number} · {}", app.lang.revealed_number()),
            theme::warn(),
        ));
    }
    out.push(field(
        l.created,
        &format!(
            "{} · {} {}",
            when(c.created_at_ms),
            l.created_by,
            c.created_by
        ),
        theme::dim(),
    ));
    let mut due = Vec::new();
    for which in [
        pb::SlaClock::FirstResponse,
        pb::SlaClock::OnSite,
        pb::SlaClock::Promised,
        pb::SlaClock::Result,
    ] {
        if let Some(k) = clocks::clock(c, which) {
            let (left, _) = case_row::countdown(app, Some(k));
            // A met clock says when; a running one its deadline and what is left.
            let at = match (k.met, k.met_at_ms > 0, k.due_ms > 0) {
                (true, true, _) => when(k.met_at_ms),
                (false, _, true) => when(k.due_ms),
                _ => String::new(),
            };
            let text = [app.lang.clock(which), &at, &left]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            due.push(text);
        }
    }
    if !due.is_empty() {
        out.push(field(l.deadline, &due.join(" · "), Style::new()));
    }
    let mut more = Vec::new();
    if c.escalation_level > 0 {
        more.push(app.lang.escalation(c.escalation_level));
    }
    if !c.follow_up.is_empty() {
        more.push(app.lang.follow_up_by(&c.follow_up));
    }
    if c.promised_ms > 0 {
        more.push(app.lang.promised_on(&when(c.promised_ms)));
    }
    if let Ok(
        k
        @ (pb::RejectKind::FalseReport | pb::RejectKind::NotMunicipal | pb::RejectKind::Duplicate),
    ) = pb::RejectKind::try_from(c.reject_kind)
    {
        more.push(app.lang.reject_kind(k).to_owned());
    }
    if !c.duplicate_of.is_empty() {
        more.push(app.lang.duplicate_of(&c.duplicate_of));
    }
    if !c.transferred_to.is_empty() {
        more.push(format!("→ {}", case_row::unit(app, &c.transferred_to)));
    }
    if !more.is_empty() {
        out.push(field("", &more.join(" · "), theme::warn()));
    }
    for a in &c.attachments {
        out.push(field(
            "",
            &format!(
                "📎 {} · {} · {}",
                a.name,
                a.media_type,
                app.lang.num(a.size)
            ),
            theme::dim(),
        ));
    }
    out.push(Line::raw(""));
    out.push(ink.line(&[(l.timeline, theme::title())], cols));
    out.extend(timeline(app, &c.events, cols, ink));
    out
}

/// The timeline's steps, oldest first, a step's text wrapped beside its time.
pub(super) fn timeline(
    app: &App,
    events: &[pb::CaseEvent],
    cols: usize,
    ink: Ink,
) -> Vec<Line<'static>> {
    let when = |ms: i64| timefmt::datetime(ms, app.calendar, app.lang);
    let mut out = Vec::new();
    for e in events {
        let time = when(e.at_ms);
        let text = event_text(app, e);
        let style = match pb::EventKind::try_from(e.kind) {
            Ok(pb::EventKind::SlaBreached | pb::EventKind::Escalated) => theme::error(),
            Ok(pb::EventKind::SlaWarning) => theme::warn(),
            _ => Style::new(),
        };
        let lines = wrap(&text, cols.saturating_sub(17).max(10));
        for (i, part) in lines.iter().enumerate() {
            let t = if i == 0 { time.as_str() } else { "" };
            out.push(ink.row(&[(t, 16, theme::dim()), (part, 0, style)], cols));
        }
    }
    out
}

/// One timeline step: who, what, and what it carries (from → to, the clock
/// and its deadline, the level and its recipient, the promised date, why).
fn event_text(app: &App, e: &pb::CaseEvent) -> String {
    let lang = app.lang;
    let when = |ms: i64| timefmt::datetime(ms, app.calendar, app.lang);
    // A kind this client does not know is shown as a question mark, never
    // as another kind.
    let name = required::<EventCode>("events.kind", e.kind).map_or("?", |k| lang.event(k));
    let mut parts = vec![format!("{} · {name}", e.actor)];
    let unit = (!e.unit_id.is_empty()).then(|| case_row::unit(app, &e.unit_id));
    let kind = pb::EventKind::try_from(e.kind).unwrap_or(pb::EventKind::Unspecified);
    match kind {
        pb::EventKind::Rerouted => {
            let mut moved = Vec::new();
            if !e.from_unit_id.is_empty() || unit.is_some() {
                moved.push(format!(
                    "{} → {}",
                    case_row::unit(app, &e.from_unit_id),
                    unit.clone().unwrap_or_default()
                ));
            }
            if !e.from_topic_id.is_empty() || !e.topic_id.is_empty() {
                moved.push(format!(
                    "{} → {}",
                    case_row::topic(app, &e.from_topic_id),
                    case_row::topic(app, &e.topic_id)
                ));
            }
            parts.extend(moved);
        }
        pb::EventKind::SlaWarning | pb::EventKind::SlaBreached | pb::EventKind::SlaChanged => {
            let clock = pb::SlaClock::try_from(e.clock).unwrap_or(pb::SlaClock::Unspecified);
            let due = if e.due_ms > 0 {
                when(e.due_ms)
            } else {
                String::new()
            };
            parts.push(lang.clock_due(clock, &due));
        }
        pb::EventKind::Escalated => parts.push(lang.level_for(e.level, &e.recipient)),
        pb::EventKind::FollowUp if !e.follow_up.is_empty() => {
            parts.push(lang.follow_up_by(&e.follow_up));
        }
        pb::EventKind::Rejected => {
            if let Ok(k) = pb::RejectKind::try_from(e.reject_kind)
                && k != pb::RejectKind::Unspecified
            {
                parts.push(lang.reject_kind(k).to_owned());
            }
            if !e.duplicate_of.is_empty() {
                parts.push(lang.duplicate_of(&e.duplicate_of));
            }
        }
        _ => {
            if let Some(u) = &unit {
                parts.push(u.clone());
            }
        }
    }
    if e.promised_ms > 0 {
        parts.push(lang.promised_on(&when(e.promised_ms)));
    }
    if let Ok(r) = pb::DelayReason::try_from(e.delay_reason)
        && r != pb::DelayReason::Unspecified
    {
        parts.push(lang.delay_reason(r).to_owned());
    }
    if !e.attachment_ids.is_empty() {
        parts.push(lang.attachments(e.attachment_ids.len()));
    }
    // A note only repeating the unit (older servers wrote it so) is said once.
    if !e.note.is_empty() && e.note != e.unit_id && unit.as_ref() != Some(&e.note) {
        parts.push(e.note.clone());
    }
    if !e.letter.is_empty() {
        parts.push(e.letter.clone());
    }
    parts.join(" — ")
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, d: &DetailScreen, ink: Ink) {
    let l = app.lang.labels();
    let title = Line::styled(
        format!(" {} {} ", ink.fit(l.case_title, 20), d.number),
        theme::title(),
    );
    let block = Block::bordered()
        .title(title)
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = inner.width as usize;
    let lines = match &d.case {
        Loadable::Loading => vec![ink.line(&[(l.loading, theme::dim())], cols)],
        Loadable::Failed(e) => vec![ink.line(&[(e, theme::error())], cols)],
        Loadable::Loaded(c) => case_lines(app, c, d.revealed.as_deref(), cols, ink),
    };
    let max_scroll = lines.len().saturating_sub(inner.height as usize);
    let scroll = (d.scroll as usize).min(max_scroll) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}
