//! A case's life through the screens, end to end: a real demo server on a
//! simulated clock, the real event loop and gRPC client, keys typed one by
//! one. The unit acknowledges and resolves from its queue; the agent opens
//! the case by its number, adds a note and reopens it; the demo's clock key
//! moves the server's time. Each step is checked on the server.

mod common;

use common::Keys;
use crossterm::event::KeyCode;
use desk137_domain::clock::{HOUR_MS, SharedClock, SystemClock};
use desk137_domain::text::persian_digits;
use desk137_proto::v1 as pb;
use desk137_proto::v1::case_service_client::CaseServiceClient;
use desk137_proto::v1::catalog_service_client::CatalogServiceClient;
use desk137_proto::v1::session_service_client::SessionServiceClient;
use desk137_server::app::{RunningServer, ServerConfig, start};
use desk137_tui::app::screens::Screen;
use desk137_tui::app::{App, Settings, Tone};
use desk137_tui::client::Client;
use desk137_tui::config::Calendar;
use desk137_tui::keymap::Keymap;
use desk137_tui::messages::Lang;
use desk137_tui::run::run;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::UnboundedReceiverStream;

#[derive(Debug, Clone, Default)]
struct Seen {
    screen: String,
    status: Option<(Tone, String)>,
    form_open: bool,
    /// The case the case view shows, once loaded.
    case: Option<pb::Case>,
    ready: bool,
}

fn seen(app: &App, buf: &Buffer) -> Seen {
    let mut screen = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            screen.push_str(buf[(x, y)].symbol());
        }
        screen.push('\n');
    }
    let (form_open, case) = match app.screen() {
        Screen::Queue(q) => (q.moving.is_open(), None),
        Screen::Detail(d) => (d.moving.is_open(), d.loaded().cloned()),
        _ => (false, None),
    };
    Seen {
        screen,
        status: app.status.as_ref().map(|s| (s.tone, s.text.clone())),
        form_open,
        case,
        ready: app.session.is_some() && app.catalog.is_complete(),
    }
}

async fn wait_for(rx: &mut watch::Receiver<Seen>, what: &str, ok: impl Fn(&Seen) -> bool) -> Seen {
    let found = tokio::time::timeout(Duration::from_secs(20), rx.wait_for(|s| ok(s)))
        .await
        .ok()
        .and_then(Result::ok)
        .map(|s| s.clone());
    found.unwrap_or_else(|| {
        panic!(
            "timed out waiting for {what}; status {:?}; screen:\n{}",
            rx.borrow().status,
            rx.borrow().screen
        )
    })
}

fn succeeded(s: &Seen) -> bool {
    matches!(&s.status, Some((Tone::Success, _))) && !s.form_open
}

fn settings() -> Settings {
    Settings {
        lang: Lang::Fa,
        calendar: Calendar::Jalali,
        bidi: false,
        keymap: Keymap::shipped().unwrap(),
        id_prefix: "e2e".into(),
    }
}

/// The loop as `user`, and a script beside it that types and watches.
async fn session<F, Fut>(server: &str, user: &str, script: F)
where
    F: FnOnce(Keys, watch::Receiver<Seen>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let clock: SharedClock = Arc::new(SystemClock);
    let (reply_tx, mut reply_rx) = mpsc::unbounded_channel();
    let client = Client::new(server, user, reply_tx).unwrap();
    let mut app = App::new(settings(), clock.now_ms());
    // As `desk137 demo` starts it: the role and clock keys work.
    app.demo_user = Some(user.to_owned());
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (key_tx, key_rx) = mpsc::unbounded_channel();
    let (seen_tx, seen_rx) = watch::channel(Seen::default());
    let looping = run(
        &mut terminal,
        &mut app,
        UnboundedReceiverStream::new(key_rx),
        &client,
        &mut reply_rx,
        clock.as_ref(),
        |app, buf| {
            seen_tx.send_replace(seen(app, buf));
        },
    );
    let (result, ()) = tokio::join!(looping, script(Keys(key_tx), seen_rx));
    result.expect("the loop ends cleanly");
}

fn authed<T>(token: &str, message: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    r
}

async fn case_on_server(url: &str, id: u64) -> pb::Case {
    let mut cases = CaseServiceClient::connect(url.to_owned()).await.unwrap();
    cases
        .get_case(authed(
            "admin1",
            pb::GetCaseRequest {
                key: Some(pb::get_case_request::Key::Id(id)),
            },
        ))
        .await
        .unwrap()
        .into_inner()
}

/// A sidewalk obstruction in region 3: the demo unit's.
async fn register(url: &str) -> pb::Case {
    let mut catalog = CatalogServiceClient::connect(url.to_owned()).await.unwrap();
    let topics = catalog
        .list_topics(authed("agent1", pb::ListTopicsRequest {}))
        .await
        .unwrap()
        .into_inner()
        .topics;
    let topic = topics
        .iter()
        .find(|t| t.title_fa == "سد معبر")
        .expect("the catalog has the sidewalk topic");
    let mut cases = CaseServiceClient::connect(url.to_owned()).await.unwrap();
    let created = cases
        .create_case(authed(
            "agent1",
            pb::CreateCaseRequest {
                request_id: "walk-1".into(),
                channel: pb::Channel::Phone as i32,
                kind: topic.kind,
                urgency: pb::Urgency::Normal as i32,
                topic_id: topic.id.clone(),
                description: "وانت میوه‌فروشی پیاده‌رو را بسته".into(),
                phone: "09131234567".into(),
                region: 3,
                address: "خیابان چهارباغ عباسی".into(),
                landmark: String::new(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    created.case.expect("the case")
}

fn kinds(c: &pb::Case) -> Vec<pb::EventKind> {
    c.events
        .iter()
        .filter_map(|e| pb::EventKind::try_from(e.kind).ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_resolves_and_an_agent_notes_and_reopens_through_the_screens() {
    let clock: SharedClock = Arc::new(SystemClock);
    let start_ms = clock.now_ms();
    let config = ServerConfig {
        data_dir: None,
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        demo: true,
        sim_clock: Some(start_ms),
        ..ServerConfig::default()
    };
    let server: RunningServer = start(config, clock).await.expect("the demo server");
    let url = format!("http://{}", server.addr);
    let case = register(&url).await;
    let number = case.number.clone();

    // The unit: its queue, acknowledge, then the result.
    session(&url, "unit1", |keys, mut rx| {
        let number = number.clone();
        async move {
            let s = wait_for(&mut rx, "the unit's queue", |s| {
                s.ready && s.screen.contains(&number)
            })
            .await;
            assert!(!s.screen.contains("0913"), "a unit never sees the phone");
            keys.press(KeyCode::Char('a'));
            wait_for(&mut rx, "the acknowledge form", |s| s.form_open).await;
            keys.press(KeyCode::Enter);
            wait_for(&mut rx, "acknowledged", succeeded).await;
            keys.press(KeyCode::Char('d'));
            wait_for(&mut rx, "the result form", |s| s.form_open).await;
            keys.text("بساط جمع شد و پیاده‌رو باز است");
            // Past the empty attachment path and the delay reason, then send.
            keys.press(KeyCode::Down);
            keys.press(KeyCode::Down);
            keys.press(KeyCode::Enter);
            wait_for(&mut rx, "resolved", succeeded).await;
            keys.ctrl('q');
        }
    })
    .await;
    let after_unit = case_on_server(&url, case.id).await;
    assert_eq!(after_unit.status, pb::CaseStatus::Resolved as i32);
    let k = kinds(&after_unit);
    assert!(k.contains(&pb::EventKind::Acknowledged), "{k:?}");
    assert!(k.contains(&pb::EventKind::Resolved), "{k:?}");

    // The agent: the case by its number in Persian digits, a note, a reopen.
    session(&url, "agent1", |keys, mut rx| {
        let number = number.clone();
        async move {
            wait_for(&mut rx, "the intake screen", |s| s.ready).await;
            keys.press(KeyCode::F(3));
            keys.text(&persian_digits(&number));
            keys.press(KeyCode::Enter);
            let s = wait_for(&mut rx, "the case view", |s| s.case.is_some()).await;
            assert!(s.screen.contains(&number), "{}", s.screen);
            keys.press(KeyCode::Char('n'));
            wait_for(&mut rx, "the note form", |s| s.form_open).await;
            keys.text("شهروند دوباره تماس گرفت");
            keys.press(KeyCode::Enter);
            wait_for(&mut rx, "the note added", succeeded).await;
            keys.shift('O');
            wait_for(&mut rx, "the reopen form", |s| s.form_open).await;
            keys.text("بساط دوباره پهن شده");
            keys.press(KeyCode::Enter);
            let s = wait_for(&mut rx, "reopened", |s| {
                succeeded(s)
                    && s.case
                        .as_ref()
                        .is_some_and(|c| c.status == pb::CaseStatus::Reopened as i32)
            })
            .await;
            assert!(s.screen.contains("بازگشایی"), "{}", s.screen);
            // The demo's clock key, as the demo admin.
            keys.press(KeyCode::F(7));
            wait_for(&mut rx, "the clock moved", |s| {
                matches!(&s.status, Some((Tone::Success, t)) if t.contains(Lang::Fa.clock_moved("").trim()))
            })
            .await;
            keys.ctrl('q');
        }
    })
    .await;
    let after_agent = case_on_server(&url, case.id).await;
    assert_eq!(after_agent.status, pb::CaseStatus::Reopened as i32);
    let k = kinds(&after_agent);
    assert!(k.contains(&pb::EventKind::Note), "{k:?}");
    assert!(k.contains(&pb::EventKind::Reopened), "{k:?}");
    let mut session_client = SessionServiceClient::connect(url.clone()).await.unwrap();
    let who = session_client
        .who_am_i(authed("agent1", pb::WhoAmIRequest {}))
        .await
        .unwrap()
        .into_inner();
    assert!(
        who.server_time_ms >= start_ms + HOUR_MS,
        "the simulated clock moved on an hour"
    );
    server.shutdown().await.unwrap();
}
