//! The screens on the feed, end to end: a real server, the real event loop
//! and gRPC client. A supervisor's dashboard and a unit's queue show a case
//! the moment another client saves it, with no key pressed and nothing read
//! on a timer; the supervisor drills into the unit's row and back; the
//! server is stopped and started again on the same store, the screen says it
//! is reconnecting, resumes after the last sequence it saw, and shows the
//! next case once, with nothing seen twice.

mod common;

use common::Keys;
use crossterm::event::KeyCode;
use desk137_domain::clock::{SharedClock, SystemClock};
use desk137_proto::v1 as pb;
use desk137_proto::v1::case_service_client::CaseServiceClient;
use desk137_proto::v1::catalog_service_client::CatalogServiceClient;
use desk137_server::app::{RunningServer, ServerConfig, start};
use desk137_tui::app::App;
use desk137_tui::app::Settings;
use desk137_tui::app::feed::FeedState;
use desk137_tui::app::screens::Screen;
use desk137_tui::client::Client;
use desk137_tui::config::Calendar;
use desk137_tui::keymap::Keymap;
use desk137_tui::messages::Lang;
use desk137_tui::run::run;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::UnboundedReceiverStream;

#[derive(Debug, Clone, Default)]
struct Seen {
    screen: String,
    feed: Option<FeedState>,
    last_seq: u64,
    /// The urgent cases on the dashboard, by number, as many times as shown.
    urgent: Vec<String>,
    /// The rows of the queue on top, by number.
    queue: Vec<String>,
    on_dashboard: bool,
    /// Reads of the dashboard's figures answered so far.
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
    let dashboard = app.screens().iter().find_map(|s| match s {
        Screen::Dashboard(d) => Some(d),
        _ => None,
    });
    let urgent = dashboard
        .and_then(|d| d.board.as_ref())
        .map(|b| {
            b.urgent_in_progress
                .iter()
                .map(|c| c.number.clone())
                .collect()
        })
        .unwrap_or_default();
    let queue = match app.screen() {
        Screen::Queue(q) => q.list.rows.iter().map(|c| c.number.clone()).collect(),
        _ => Vec::new(),
    };
    Seen {
        screen,
        feed: Some(app.feed.state),
        last_seq: app.feed.last_seq,
        urgent,
        queue,
        on_dashboard: matches!(app.screen(), Screen::Dashboard(_)),
        ready: app.session.is_some()
            && app.catalog.is_complete()
            && dashboard.is_none_or(|d| d.board.is_some()),
    }
}

async fn wait_for(rx: &mut watch::Receiver<Seen>, what: &str, ok: impl Fn(&Seen) -> bool) -> Seen {
    let found = tokio::time::timeout(Duration::from_secs(30), rx.wait_for(|s| ok(s)))
        .await
        .ok()
        .and_then(Result::ok)
        .map(|s| s.clone());
    found.unwrap_or_else(|| {
        panic!(
            "timed out waiting for {what}; feed {:?}; screen:\n{}",
            rx.borrow().feed,
            rx.borrow().screen
        )
    })
}

fn settings() -> Settings {
    Settings {
        lang: Lang::Fa,
        calendar: Calendar::Jalali,
        bidi: false,
        keymap: Keymap::shipped().unwrap(),
        id_prefix: "live".into(),
    }
}

/// The loop as `user` on a `w`×`h` terminal, and a script beside it.
async fn session<F, Fut>(server: &str, user: &str, (w, h): (u16, u16), script: F)
where
    F: FnOnce(Keys, watch::Receiver<Seen>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let clock: SharedClock = Arc::new(SystemClock);
    let (reply_tx, mut reply_rx) = mpsc::unbounded_channel();
    let client = Client::new(server, user, reply_tx).unwrap();
    let mut app = App::new(settings(), clock.now_ms());
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
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

/// A land subsidence in region 3, saved by an agent on another client: the
/// coordination center follows it, and the region's unit for it.
async fn register_urgent(url: &str, request_id: &str) -> pb::Case {
    register(url, request_id, "فرونشست زمین", pb::Urgency::Urgent).await
}

async fn register(url: &str, request_id: &str, title: &str, urgency: pb::Urgency) -> pb::Case {
    let mut catalog = CatalogServiceClient::connect(url.to_owned()).await.unwrap();
    let topics = catalog
        .list_topics(authed("agent1", pb::ListTopicsRequest {}))
        .await
        .unwrap()
        .into_inner()
        .topics;
    let topic = topics
        .iter()
        .find(|t| t.title_fa == title)
        .expect("the catalog has the topic");
    let mut cases = CaseServiceClient::connect(url.to_owned()).await.unwrap();
    cases
        .create_case(authed(
            "agent1",
            pb::CreateCaseRequest {
                request_id: request_id.into(),
                channel: pb::Channel::Phone as i32,
                kind: pb::Kind::Executive as i32,
                urgency: urgency as i32,
                topic_id: topic.id.clone(),
                description: "زمین جلوی مدرسه نشست کرده".into(),
                phone: "09131234567".into(),
                region: 3,
                address: "خیابان هزارجریب، کوچه ۱۲".into(),
                landmark: String::new(),
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .case
        .expect("the case")
}

fn config(data_dir: PathBuf, listen: SocketAddr) -> ServerConfig {
    ServerConfig {
        data_dir: Some(data_dir),
        listen,
        demo: true,
        ..ServerConfig::default()
    }
}

async fn serve(data_dir: PathBuf, listen: SocketAddr) -> RunningServer {
    let clock: SharedClock = Arc::new(SystemClock);
    start(config(data_dir, listen), clock)
        .await
        .expect("the server")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_and_a_unit_see_a_new_case_without_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        dir.path().to_owned(),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await;
    let url = format!("http://{}", server.addr);

    // The unit: its queue is empty, then the case arrives by itself.
    let unit = session(&url, "unit1", (80, 24), |keys, mut rx| {
        let url = url.clone();
        async move {
            wait_for(&mut rx, "the unit's queue, live", |s| {
                s.ready && s.feed == Some(FeedState::Live)
            })
            .await;
            // A sidewalk obstruction in region 3: the demo unit's.
            let case = register(&url, "live-unit-1", "سد معبر", pb::Urgency::Normal).await;
            let s = wait_for(&mut rx, "the case in the unit's queue", |s| {
                s.queue.contains(&case.number)
            })
            .await;
            assert!(s.screen.contains(&case.number), "{}", s.screen);
            assert!(!s.screen.contains("0913"), "a unit never sees the phone");
            keys.ctrl('q');
        }
    });
    unit.await;

    // The supervisor: the dashboard, then a new case on it, then a drill
    // into the unit's backlog and back.
    session(&url, "supervisor1", (80, 24), |keys, mut rx| {
        let url = url.clone();
        async move {
            let s = wait_for(&mut rx, "the dashboard, live", |s| {
                s.ready && s.on_dashboard && s.feed == Some(FeedState::Live)
            })
            .await;
            assert!(
                s.screen
                    .contains(Lang::Fa.panel(desk137_tui::app::screens::dashboard::Panel::Urgent)),
                "{}",
                s.screen
            );
            let before = s.urgent.len();
            let case = register_urgent(&url, "live-super-1").await;
            let s = wait_for(&mut rx, "the new case on the dashboard", |s| {
                s.urgent.contains(&case.number) && s.screen.contains(&case.number)
            })
            .await;
            assert_eq!(s.urgent.len(), before + 1);
            keys.press(KeyCode::Tab);
            keys.press(KeyCode::Enter);
            let s = wait_for(&mut rx, "the unit's open cases", |s| {
                !s.on_dashboard && s.queue.contains(&case.number)
            })
            .await;
            assert!(s.screen.contains(&case.number), "{}", s.screen);
            keys.press(KeyCode::Esc);
            wait_for(&mut rx, "back on the dashboard", |s| s.on_dashboard).await;
            keys.ctrl('q');
        }
    })
    .await;
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_reconnects_after_a_restart_and_resumes_from_its_last_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        dir.path().to_owned(),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await;
    let addr = server.addr;
    let url = format!("http://{addr}");
    let (stop_tx, mut stop_rx) = mpsc::unbounded_channel::<()>();
    let (restarted_tx, mut restarted_rx) = mpsc::unbounded_channel::<()>();
    let data = dir.path().to_owned();
    // The server is stopped and started again beside the screen.
    let admin = tokio::spawn(async move {
        stop_rx.recv().await;
        server.shutdown().await.unwrap();
        stop_rx.recv().await;
        let again = serve(data, addr).await;
        restarted_tx.send(()).unwrap();
        stop_rx.recv().await;
        again.shutdown().await.unwrap();
    });
    session(&url, "supervisor1", (80, 24), |keys, mut rx| {
        let url = url.clone();
        async move {
            wait_for(&mut rx, "the dashboard, live", |s| {
                s.ready && s.feed == Some(FeedState::Live)
            })
            .await;
            let first = register_urgent(&url, "live-restart-1").await;
            let s = wait_for(&mut rx, "the first case", |s| {
                s.urgent.contains(&first.number)
            })
            .await;
            let seq_before = s.last_seq;
            assert!(seq_before > 0);

            stop_tx.send(()).unwrap();
            wait_for(&mut rx, "reconnecting", |s| {
                s.feed == Some(FeedState::Reconnecting)
            })
            .await;
            stop_tx.send(()).unwrap();
            restarted_rx.recv().await;
            let second = register_urgent(&url, "live-restart-2").await;
            let s = wait_for(&mut rx, "the second case after the restart", |s| {
                s.feed == Some(FeedState::Live) && s.urgent.contains(&second.number)
            })
            .await;
            assert!(s.last_seq > seq_before, "resumed after {seq_before}");
            for n in [&first.number, &second.number] {
                assert_eq!(
                    s.urgent.iter().filter(|u| *u == n).count(),
                    1,
                    "{n} once: {:?}",
                    s.urgent
                );
            }
            keys.ctrl('q');
        }
    })
    .await;
    // The script's end dropped the last stop: the second server goes too.
    admin.await.unwrap();
}
