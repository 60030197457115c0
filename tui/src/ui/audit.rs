//! The audit log screen: the two filters on top, then one row per entry,
//! newest first, with its time in the user's calendar (Jalali by default,
//! Tehran time). The server has already masked any number in a reason.

use crate::app::App;
use crate::app::intake::Loadable;
use crate::app::screens::AuditScreen;
use crate::app::screens::audit::Focus;
use crate::timefmt;
use crate::ui::intake::field_text;
use crate::ui::text::{Ink, width};
use crate::ui::theme;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph};

const FIELD_COLS: usize = 16;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, s: &AuditScreen, ink: Ink) {
    let lang = app.lang;
    let l = lang.audit();
    let mut title = format!(" {} · {} {} ", l.title, l.page, lang.num(s.page));
    if s.has_next() {
        title.push_str(&format!("· {}… ", l.more));
    }
    let block = Block::bordered()
        .title(Line::styled(
            ink.fit(&title, area.width as usize),
            theme::title(),
        ))
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = inner.width as usize;

    let mut spans = Vec::new();
    let mut cursor = None;
    for (focus, label, input) in [
        (Focus::Case, l.case, &s.case),
        (Focus::Staff, l.staff, &s.staff),
    ] {
        let focused = s.focus == focus;
        let label_style = if focused {
            theme::focused_label()
        } else {
            theme::label()
        };
        let label = format!("{}: ", ink.fit(label, 12));
        let at: usize = spans
            .iter()
            .map(|s: &Span| width(&s.content))
            .sum::<usize>()
            + width(&label);
        spans.push(Span::styled(label, label_style));
        let (shown, col) = field_text(input, FIELD_COLS, focused, ink);
        if focused {
            cursor = Some(at + col);
        }
        let pad = FIELD_COLS.saturating_sub(width(&shown));
        spans.push(Span::styled(
            format!("{shown}{}", " ".repeat(pad)),
            theme::chosen(),
        ));
        spans.push(Span::raw("  "));
    }
    let mut lines = vec![Line::from(spans)];
    let header = [
        (l.when, 16, theme::header()),
        (l.who, 12, theme::header()),
        (l.what, 14, theme::header()),
        (l.case_column, 11, theme::header()),
        (l.why, 0, theme::header()),
    ];
    lines.push(ink.row(&header, cols));
    match &s.entries {
        Loadable::Loading => {
            lines.push(ink.line(&[(app.lang.labels().loading, theme::dim())], cols))
        }
        Loadable::Failed(e) => lines.push(ink.line(&[(e, theme::error())], cols)),
        Loadable::Loaded(entries) if entries.is_empty() => {
            lines.push(ink.line(&[(l.empty, theme::dim())], cols));
        }
        Loadable::Loaded(entries) => {
            let room = (inner.height as usize).saturating_sub(lines.len()).max(1);
            let start = s.selected.saturating_sub(room.saturating_sub(1));
            for (i, e) in entries.iter().enumerate().skip(start).take(room) {
                let when = timefmt::datetime(e.at_ms, app.calendar, lang);
                let case = lang.digits(&e.case_number);
                let style = if i == s.selected {
                    theme::selected()
                } else {
                    ratatui::style::Style::new()
                };
                let row = [
                    (when.as_str(), 16, style),
                    (e.actor.as_str(), 12, style),
                    (lang.audit_action(e.action), 14, style),
                    (case.as_str(), 11, style),
                    (e.reason.as_str(), 0, style),
                ];
                lines.push(ink.row(&row, cols));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some(col) = cursor {
        let x = (inner.x as usize + col).min(inner.right().saturating_sub(1) as usize);
        frame.set_cursor_position(Position::new(x as u16, inner.y));
    }
}

#[cfg(test)]
mod tests {
    use crate::app::rpc::Answer;
    use crate::app::screens::audit::tests::{entry, press, supervisor};
    use crate::app::tests::{answer, sent};
    use crate::messages::Lang;
    use crate::ui;
    use crossterm::event::KeyCode;
    use desk137_proto::v1 as pb;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn render(lang: Lang) -> String {
        let mut app = supervisor(lang);
        let opened = press(&mut app, KeyCode::F(8));
        let mut role_change = entry(1, 90);
        role_change.actor = "system".into();
        role_change.role = 0;
        role_change.action = pb::AuditAction::RoleChanged as i32;
        role_change.case_number = String::new();
        role_change.reason = "user unit7: first seen with role unit".into();
        let mut read = entry(4, 0);
        read.actor = "supervisor1".into();
        read.action = pb::AuditAction::AuditRead as i32;
        read.case_number = String::new();
        read.reason = "read the audit log".into();
        answer(
            &mut app,
            &sent(&opened, "list_audit").clone(),
            Answer::ListAudit(Ok(pb::ListAuditResponse {
                entries: vec![read, entry(3, 2), entry(2, 45), role_change],
                next_page_token: "t".into(),
            })),
        );
        for c in "1405-12".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| ui::draw(f, &app)).unwrap();
        terminal.backend().to_string()
    }

    #[test]
    fn audit_log_80x24() {
        insta::assert_snapshot!(render(Lang::Fa));
    }

    #[test]
    fn audit_log_english_80x24() {
        insta::assert_snapshot!(render(Lang::En));
    }
}
