//! The agent's whole intake, end to end: a real demo server on 127.0.0.1:0,
//! the real event loop and gRPC client, keys typed one by one, and the case
//! checked on the server afterwards.

mod common;

use common::Keys;
use crossterm::event::KeyCode;
use desk137_domain::clock::{SharedClock, SystemClock};
use desk137_proto::v1 as pb;
use desk137_proto::v1::case_service_client::CaseServiceClient;
use desk137_server::app::{RunningServer, ServerConfig, start};
use desk137_tui::app::intake::Loadable;
use desk137_tui::app::{App, Connection, Settings, Tone};
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

/// What the test can see of the running app after each frame.
#[derive(Debug, Clone, Default)]
struct Seen {
    screen: String,
    status: Option<(Tone, String)>,
    connection: Option<Connection>,
    ready: bool,
    history_total: Option<u32>,
    topic_chosen: bool,
    region: Option<u32>,
    saving: bool,
    dirty: bool,
    request_id: String,
}

fn seen(app: &App, buf: &Buffer) -> Seen {
    let mut screen = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            screen.push_str(buf[(x, y)].symbol());
        }
        screen.push('\n');
    }
    let form = app.form();
    Seen {
        screen,
        status: app.status.as_ref().map(|s| (s.tone, s.text.clone())),
        connection: Some(app.connection),
        ready: form.is_some() && app.catalog.is_complete(),
        history_total: form.and_then(|f| match &f.history.state {
            Some(Loadable::Loaded(h)) => Some(h.total),
            _ => None,
        }),
        topic_chosen: form.is_some_and(|f| f.topic.is_some()),
        region: form.and_then(|f| f.region),
        saving: form.is_some_and(|f| f.saving),
        dirty: form.is_some_and(|f| f.is_dirty()),
        request_id: form.map(|f| f.request_id.clone()).unwrap_or_default(),
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
            "timed out waiting for {what}; screen:\n{}",
            rx.borrow().screen
        )
    })
}

async fn demo_server(clock: SharedClock) -> RunningServer {
    let config = ServerConfig {
        data_dir: None,
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        demo: true,
        ..ServerConfig::default()
    };
    start(config, clock).await.expect("the demo server starts")
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

/// The loop and a script side by side: the script types and watches.
async fn session<F, Fut>(server: &str, script: F) -> App
where
    F: FnOnce(Keys, watch::Receiver<Seen>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let clock: SharedClock = Arc::new(SystemClock);
    let (reply_tx, mut reply_rx) = mpsc::unbounded_channel();
    let client = Client::new(server, "agent1", reply_tx).unwrap();
    let mut app = App::new(settings(), clock.now_ms());
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
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
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_types_a_call_and_the_case_is_on_the_server() {
    let clock: SharedClock = Arc::new(SystemClock);
    let server = demo_server(clock).await;
    let url = format!("http://{}", server.addr);

    let mut number = String::new();
    let number_out = &mut number;
    session(&url, |keys, mut rx| async move {
        wait_for(&mut rx, "the intake screen and catalog", |s| s.ready).await;
        keys.text("۰۹۱۳ ۱۲۳ ۴۵۶۷");
        let s = wait_for(&mut rx, "the caller's history", |s| {
            s.history_total.is_some()
        })
        .await;
        assert!(s.screen.contains("0913 123 4567"), "{}", s.screen);
        keys.press(KeyCode::Tab);
        keys.text("وانت میوه فروشی پیاده رو را بسته");
        let s = wait_for(&mut rx, "topic suggestions", |s| {
            s.screen.contains("Sidewalk")
        })
        .await;
        assert!(s.screen.contains("سد معبر"), "{}", s.screen);
        // Enter goes to the topic field, which highlights the best; Enter takes it.
        keys.press(KeyCode::Enter);
        keys.press(KeyCode::Enter);
        wait_for(&mut rx, "the topic chosen", |s| s.topic_chosen).await;
        keys.text("۳");
        keys.press(KeyCode::Enter);
        let s = wait_for(&mut rx, "region 3", |s| s.region == Some(3)).await;
        assert!(
            s.screen.contains("خدمات شهری منطقه ۳"),
            "routing shown:\n{}",
            s.screen
        );
        keys.text("خیابان چهارباغ عباسی");
        keys.press(KeyCode::Tab);
        keys.text("روبروی بانک ملی");
        let before = wait_for(&mut rx, "the landmark", |s| {
            s.screen.contains("روبروی بانک ملی")
        })
        .await;
        keys.ctrl('s');
        let s = wait_for(&mut rx, "the save", |s| {
            matches!(&s.status, Some((Tone::Success, _))) && !s.saving
        })
        .await;
        let text = s.status.clone().unwrap().1;
        let n = text
            .split_whitespace()
            .find(|w| w.len() == 11 && w.as_bytes()[4] == b'-')
            .unwrap_or_else(|| panic!("no case number in {text:?}"))
            .to_owned();
        // The screen shows it, the form is clear and has a new key.
        let s = wait_for(&mut rx, "the recent list", |s| {
            s.screen.matches(n.as_str()).count() >= 2
        })
        .await;
        assert!(!s.dirty, "the form is cleared:\n{}", s.screen);
        assert_ne!(s.request_id, before.request_id);
        *number_out = n;
        keys.ctrl('q');
    })
    .await;

    // The case is on the server, as typed, routed to region 3's unit.
    let mut cases = CaseServiceClient::connect(url.clone()).await.unwrap();
    let mut req = tonic::Request::new(pb::GetCaseRequest {
        key: Some(pb::get_case_request::Key::Number(number.clone())),
    });
    req.metadata_mut()
        .insert("authorization", "Bearer agent1".parse().unwrap());
    let c = cases
        .get_case(req)
        .await
        .expect("the case exists")
        .into_inner();
    assert_eq!(c.number, number);
    assert_eq!(c.phone, "09131234567");
    assert_eq!(c.description, "وانت میوه فروشی پیاده رو را بسته");
    assert_eq!(c.region, 3);
    assert_eq!(c.address, "خیابان چهارباغ عباسی");
    assert_eq!(c.landmark, "روبروی بانک ملی");
    assert_eq!(c.created_by, "agent1");
    assert_eq!(c.urgency, pb::Urgency::Normal as i32);
    assert!(c.unit_id.starts_with("r03-"), "{}", c.unit_id);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_while_the_server_is_down_keeps_the_form_and_the_retry_goes_through() {
    let clock: SharedClock = Arc::new(SystemClock);
    let first = demo_server(clock.clone()).await;
    let addr = first.addr;
    let url = format!("http://{addr}");
    let mut first = Some(first);
    let first_ref = &mut first;
    let clock_ref = &clock;
    let mut second: Option<RunningServer> = None;
    let second_ref = &mut second;
    session(&url, |keys, mut rx| async move {
        wait_for(&mut rx, "the intake screen and catalog", |s| s.ready).await;
        keys.text("09131234567");
        keys.press(KeyCode::Tab);
        keys.text("درخت افتاده روی خیابان");
        keys.press(KeyCode::Enter);
        keys.press(KeyCode::Enter);
        wait_for(&mut rx, "the topic chosen", |s| s.topic_chosen).await;
        keys.text("5");
        keys.press(KeyCode::Enter);
        wait_for(&mut rx, "region 5", |s| s.region == Some(5)).await;
        keys.text("خیابان هزارجریب");
        let typed = wait_for(&mut rx, "the address", |s| {
            s.screen.contains("خیابان هزارجریب")
        })
        .await;

        first_ref.take().unwrap().shutdown().await.unwrap();
        keys.ctrl('s');
        let s = wait_for(&mut rx, "the lost connection", |s| {
            s.connection == Some(Connection::Disconnected) && !s.saving
        })
        .await;
        assert!(s.dirty, "the form keeps what was typed");
        assert_eq!(s.request_id, typed.request_id);
        assert!(s.screen.contains("قطع"), "{}", s.screen);
        assert!(s.screen.contains("خیابان هزارجریب"), "{}", s.screen);
        assert!(
            matches!(s.status, Some((Tone::Error, ref t)) if t.contains("F9")),
            "{:?}",
            s.status
        );

        // The server comes back on the same address; the probe finds it.
        let config = ServerConfig {
            data_dir: None,
            listen: addr,
            demo: true,
            ..ServerConfig::default()
        };
        *second_ref = Some(
            start(config, clock_ref.clone())
                .await
                .expect("the server restarts"),
        );
        wait_for(&mut rx, "the connection back", |s| {
            s.connection == Some(Connection::Connected)
        })
        .await;
        keys.ctrl('s');
        let s = wait_for(
            &mut rx,
            "the retried save",
            |s| matches!(&s.status, Some((Tone::Success, t)) if t.contains("ثبت شد")),
        )
        .await;
        assert!(!s.dirty);
        keys.ctrl('q');
    })
    .await;
    if let Some(s) = second {
        s.shutdown().await.unwrap();
    }
}
