//! One frame of the intake screen in the middle of a call (suggestions open,
//! the caller's history and the agent's recent cases filled) at 200×50.

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use desk137_domain::catalog::Catalog;
use desk137_domain::sla::SlaPolicy;
use desk137_proto::convert;
use desk137_proto::v1 as pb;
use desk137_tui::app::rpc::{Answer, Call};
use desk137_tui::app::{App, Command, Msg, Request, Settings, update};
use desk137_tui::config::Calendar;
use desk137_tui::keymap::Keymap;
use desk137_tui::messages::Lang;
use desk137_tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const NOW: i64 = 1_795_860_120_000;

fn key(app: &mut App, code: KeyCode) {
    let ev = KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    };
    update(app, Msg::Key(ev));
}

fn sends(cmds: Vec<Command>) -> Vec<Request> {
    cmds.into_iter()
        .filter_map(|c| match c {
            Command::Send(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn cases(catalog: &Catalog, n: u64) -> Vec<pb::Case> {
    (0..n)
        .map(|i| {
            let t = &catalog.topics[(i as usize * 7) % catalog.topics.len()];
            pb::Case {
                id: 1000 + i,
                number: format!("1405-{:06}", 1000 + i),
                topic_id: t.id.clone(),
                status: (1 + (i % 9)) as i32,
                urgency: if i % 5 == 0 { 2 } else { 1 },
                region: 1 + (i % 15) as u32,
                unit_id: format!("r{:02}-urban_services", 1 + i % 15),
                coordination: i % 5 == 0,
                address: "خیابان چهارباغ عباسی، کوچه ۱۲".into(),
                created_at_ms: NOW - i as i64 * 3_600_000,
                created_by: "agent1".into(),
                ..Default::default()
            }
        })
        .collect()
}

fn filled_app() -> App {
    let catalog = Catalog::default_catalog().expect("the shipped catalog");
    let settings = Settings {
        lang: Lang::Fa,
        calendar: Calendar::Jalali,
        bidi: false,
        keymap: Keymap::shipped().expect("the shipped keymap"),
        id_prefix: "bench".into(),
    };
    let mut app = App::new(settings, NOW);
    let mut asked: Vec<Request> = sends(app.start());
    let mut answered = 0;
    // Answer every request as the server would, until none is left.
    while let Some(req) = asked.pop() {
        let answer = match &req.call {
            Call::ListTopics(_) => Answer::ListTopics(Ok(pb::ListTopicsResponse {
                topics: catalog
                    .topics
                    .iter()
                    .map(|t| convert::topic_to_pb(t, 3))
                    .collect(),
            })),
            Call::ListRegions(_) => Answer::ListRegions(Ok(pb::ListRegionsResponse {
                regions: catalog.regions.iter().map(convert::region_to_pb).collect(),
            })),
            Call::ListUnits(_) => Answer::ListUnits(Ok(pb::ListUnitsResponse {
                units: catalog.units.iter().map(convert::unit_to_pb).collect(),
            })),
            Call::WhoAmI(_) => Answer::WhoAmI(Ok(pb::WhoAmIResponse {
                sla: Some((&SlaPolicy::default()).into()),
                user: "agent1".into(),
                role: pb::Role::Agent as i32,
                unit_id: String::new(),
                demo: true,
                server_time_ms: NOW,
            })),
            Call::ListCases(_) => Answer::ListCases(Ok(pb::ListCasesResponse {
                cases: cases(&catalog, 50),
                next_page_token: String::new(),
            })),
            _ => continue,
        };
        answered += 1;
        asked.extend(sends(update(&mut app, Msg::reply(req, answer))));
    }
    assert_eq!(answered, 5, "the session's first answers");
    let mut history = Vec::new();
    for c in "09131234567".chars() {
        history.extend(sends(update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        )));
    }
    for req in history {
        update(
            &mut app,
            Msg::reply(
                req,
                Answer::CallerHistory(Ok(pb::CallerHistoryResponse {
                    cases: cases(&catalog, 20),
                    total: 20,
                    open: 12,
                    ..Default::default()
                })),
            ),
        );
    }
    key(&mut app, KeyCode::Tab);
    for c in "وانت میوه فروشی پیاده رو را بسته".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    app
}

fn frame(c: &mut Criterion) {
    let app = filled_app();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("a test terminal");
    c.bench_function("intake frame 200x50", |b| {
        b.iter(|| {
            terminal
                .draw(|f| ui::draw(f, black_box(&app)))
                .expect("drawn");
        })
    });
    let mut bidi = filled_app();
    bidi.bidi = true;
    c.bench_function("intake frame 200x50 bidi", |b| {
        b.iter(|| {
            terminal
                .draw(|f| ui::draw(f, black_box(&bidi)))
                .expect("drawn");
        })
    });
}

criterion_group!(benches, frame);
criterion_main!(benches);
