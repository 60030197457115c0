//! The supervisors' screen full: one frame at 80×24 and at 200×60 (50
//! urgent cases with their countdowns, 20 oldest, every unit and region,
//! 40 agents, 100 alerts), and one feed event applied to it.

use criterion::{Criterion, criterion_group, criterion_main};
use desk137_domain::catalog::Catalog;
use desk137_domain::sla::SlaPolicy;
use desk137_proto::convert;
use desk137_proto::v1 as pb;
use desk137_tui::app::rpc::{Answer, Call};
use desk137_tui::app::stream::{FEED, StreamEvent, StreamItem};
use desk137_tui::app::{App, Command, Msg, Request, Settings, update};
use desk137_tui::config::Calendar;
use desk137_tui::keymap::Keymap;
use desk137_tui::messages::Lang;
use desk137_tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const NOW: i64 = 1_795_860_120_000;
const HOUR: i64 = 3_600_000;

fn sends(cmds: Vec<Command>) -> Vec<Request> {
    cmds.into_iter()
        .filter_map(|c| match c {
            Command::Send(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn urgent(catalog: &Catalog, i: u64) -> pb::Case {
    let t = &catalog.topics[(i as usize * 7) % catalog.topics.len()];
    let created = NOW - (i as i64 % 30) * 5 * 60_000;
    pb::Case {
        id: 1000 + i,
        number: format!("1405-{:06}", 1000 + i),
        topic_id: t.id.clone(),
        status: 2,
        urgency: 2,
        region: 1 + (i % 15) as u32,
        unit_id: format!("r{:02}-urban_services", 1 + i % 15),
        created_at_ms: created,
        created_by: format!("agent{}", i % 40),
        escalation_level: (i % 3) as u32,
        clocks: vec![
            pb::CaseClock {
                clock: pb::SlaClock::OnSite as i32,
                started_at_ms: created,
                due_ms: created + 2 * HOUR,
                ..Default::default()
            },
            pb::CaseClock {
                clock: pb::SlaClock::Result as i32,
                started_at_ms: created,
                due_ms: created + 24 * HOUR,
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

fn board(catalog: &Catalog) -> pb::Dashboard {
    pb::Dashboard {
        seq: 1_000,
        at_ms: NOW,
        open_by_status: (1..=13)
            .map(|s| pb::StatusCount {
                status: s,
                count: 100 * s as u64,
            })
            .collect(),
        urgent_open: 50,
        urgent_warned: 7,
        urgent_breached: 2,
        breaches_today: 9,
        intake_per_hour: (0..24).map(|h| (h * 7 % 100) as u32).collect(),
        units: catalog
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| pb::UnitBacklog {
                unit_id: u.id.clone(),
                open: (i as u64 * 37) % 300,
                overdue: (i as u64 * 11) % 40,
                urgent_open: i as u64 % 5,
            })
            .collect(),
        regions: (1..=15)
            .map(|r| pb::RegionBacklog {
                region: r,
                open: u64::from(r) * 41 % 500,
                overdue: u64::from(r) * 7 % 60,
            })
            .collect(),
        agents_today: (0..40)
            .map(|a| pb::AgentCount {
                user: format!("agent{a}"),
                logged: 20 + a * 3 % 50,
            })
            .collect(),
        escalations: (1..=4)
            .map(|l| pb::LevelCount {
                level: l,
                open: 10 / u64::from(l),
            })
            .collect(),
        urgent_in_progress: (0..50).map(|i| urgent(catalog, i)).collect(),
        oldest_waiting: (0..20).map(|i| urgent(catalog, 100 + i)).collect(),
    }
}

fn feed(app: &mut App, item: pb::watch_response::Item) {
    update(
        app,
        Msg::Stream {
            id: FEED,
            event: StreamEvent::Item(StreamItem::Feed(Box::new(pb::WatchResponse {
                item: Some(item),
            }))),
        },
    );
}

fn breach(seq: u64, case: pb::Case) -> pb::watch_response::Item {
    pb::watch_response::Item::Event(pb::FeedEvent {
        seq,
        at_ms: NOW,
        kind: pb::FeedKind::SlaBreach as i32,
        case: Some(case),
        event: Some(pb::CaseEvent {
            at_ms: NOW,
            kind: pb::EventKind::SlaBreached as i32,
            clock: pb::SlaClock::OnSite as i32,
            ..Default::default()
        }),
        ..Default::default()
    })
}

fn supervisor() -> (App, Catalog) {
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
                user: "supervisor1".into(),
                role: pb::Role::Supervisor as i32,
                unit_id: String::new(),
                demo: true,
                server_time_ms: NOW,
            })),
            Call::Snapshot(_) => Answer::Snapshot(Ok(board(&catalog))),
            _ => continue,
        };
        asked.extend(sends(update(&mut app, Msg::reply(req, answer))));
    }
    for seq in 1_001..1_101 {
        feed(&mut app, breach(seq, urgent(&catalog, seq % 50)));
    }
    (app, catalog)
}

fn dashboard(c: &mut Criterion) {
    let (app, catalog) = supervisor();
    for (w, h) in [(80, 24), (200, 60)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
        c.bench_function(&format!("dashboard frame {w}x{h}"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| ui::draw(f, black_box(&app)))
                    .expect("drawn");
            })
        });
    }
    let (mut live, _) = supervisor();
    let mut seq = 2_000;
    c.bench_function("dashboard applies one feed event", |b| {
        b.iter(|| {
            seq += 1;
            feed(&mut live, breach(seq, urgent(&catalog, seq % 50)));
        })
    });
}

criterion_group!(benches, dashboard);
criterion_main!(benches);
