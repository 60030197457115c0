//! The call-back screen end to end, as an agent uses it: the real `desk137`
//! binary in a tmux terminal against a real server. A case is registered,
//! a unit attaches a photo and reports the result; the agent opens the
//! feedback screen from the intake form, sees the case and the number to
//! call, opens the photo with the (configured) viewer, presses 4, types a
//! comment and sends it; the case is then closed with satisfaction 4, and
//! the screen says nobody else is due a call.

use desk137_domain::clock::{SharedClock, SystemClock};
use desk137_proto::v1 as pb;
use desk137_proto::v1::case_service_client::CaseServiceClient;
use desk137_proto::v1::catalog_service_client::CatalogServiceClient;
use desk137_server::app::{RunningServer, ServerConfig, start};
use desk137_tui::app::rpc::Prepare;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn authed<T>(token: &str, message: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    r
}

struct As(&'static str);

impl Prepare for As {
    fn prepare<T>(&self, message: T) -> tonic::Request<T> {
        authed(self.0, message)
    }
}

async fn serve(data_dir: PathBuf) -> RunningServer {
    let clock: SharedClock = Arc::new(SystemClock);
    let config = ServerConfig {
        data_dir: Some(data_dir),
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        demo: true,
        ..ServerConfig::default()
    };
    start(config, clock).await.expect("the server")
}

/// A sidewalk obstruction in region 3, registered by agent1, with a photo
/// unit1 uploaded and its result reported.
async fn resolved_with_photo(url: &str, photo: &Path) -> pb::Case {
    let topics = CatalogServiceClient::connect(url.to_owned())
        .await
        .unwrap()
        .list_topics(authed("agent1", pb::ListTopicsRequest {}))
        .await
        .unwrap()
        .into_inner()
        .topics;
    let topic = topics
        .iter()
        .find(|t| t.title_fa == "سد معبر")
        .expect("the catalog's topic");
    let mut cases = CaseServiceClient::connect(url.to_owned()).await.unwrap();
    let case = cases
        .create_case(authed(
            "agent1",
            pb::CreateCaseRequest {
                request_id: "fb-tmux-1".into(),
                channel: pb::Channel::Phone as i32,
                kind: pb::Kind::Executive as i32,
                urgency: pb::Urgency::Normal as i32,
                topic_id: topic.id.clone(),
                description: "وانت میوه‌فروشی پیاده‌رو را بسته است".into(),
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
        .expect("the case");
    let channel = tonic::transport::Endpoint::from_shared(url.to_owned())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let photo =
        desk137_tui::upload::upload(channel, &As("unit1"), case.id, photo.to_str().unwrap())
            .await
            .expect("the unit's photo");
    let case = cases
        .get_case(authed(
            "unit1",
            pb::GetCaseRequest {
                key: Some(pb::get_case_request::Key::Id(case.id)),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    cases
        .move_case(authed(
            "unit1",
            pb::MoveCaseRequest {
                request_id: "fb-tmux-done".into(),
                case_id: case.id,
                revision: case.revision,
                r#move: pb::Move::Respond.into(),
                response: pb::FirstResponse::Done.into(),
                note: "وانت جمع شد و پیاده‌رو باز است".into(),
                attachment_ids: vec![photo.id],
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .case
        .expect("the resolved case")
}

/// A tmux server of this test's own, on its own socket.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "fb"];
        args.extend(keys);
        assert!(self.cmd(&args).status.success());
    }

    /// Text typed as it is, not read as key names.
    fn text(&self, text: &str) {
        assert!(
            self.cmd(&["send-keys", "-t", "fb", "-l", text])
                .status
                .success()
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "fb"]).stdout).into_owned()
    }

    async fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < until,
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_calls_back_and_records_satisfaction_four() {
    if Command::new("tmux").arg("-V").output().is_err() {
        panic!("this test drives the terminal through tmux, which is not installed");
    }
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path().join("data")).await;
    let url = format!("http://{}", server.addr);

    let photo = dir.path().join("after.jpg");
    let mut content =
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    content.extend((0..70_000u32).map(|i| (i % 251) as u8));
    std::fs::write(&photo, &content).unwrap();
    let case = resolved_with_photo(&url, &photo).await;
    assert_eq!(case.status(), pb::CaseStatus::Resolved);

    // The viewer: a copy where the test can read it.
    let viewed = dir.path().join("viewed.jpg");
    let home = dir.path().join("home");
    let config_dir = home.join(".config").join("desk137");
    std::fs::create_dir_all(&config_dir).unwrap();
    let config = config_dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "server = {url:?}\ntoken = \"agent1\"\nopener = [\"sh\", \"-c\", \"cp \\\"$0\\\" {}\"]\n",
            viewed.display()
        ),
    )
    .unwrap();

    let tmux = Tmux {
        socket: format!("desk137-fb-{}", std::process::id()),
    };
    let bin = env!("CARGO_BIN_EXE_desk137");
    let started = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "fb",
        "-x",
        "100",
        "-y",
        "30",
        "env",
        &format!("HOME={}", home.display()),
        &format!("XDG_CONFIG_HOME={}", home.join(".config").display()),
        &format!("XDG_STATE_HOME={}", home.join(".state").display()),
        "LANG=C.UTF-8",
        "LC_ALL=C.UTF-8",
        "TERM=xterm-256color",
        bin,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(started.status.success(), "{started:?}");

    // The intake form, signed in.
    tmux.wait_for("the intake screen", |s| {
        s.contains("agent1") && s.contains("F10")
    })
    .await;
    tmux.keys(&["F10"]);
    let screen = tmux
        // The number is on the intake's recent list too: the screen's own
        // words say it is the call-back screen.
        .wait_for("the case to call", |s| {
            s.contains("تماس نظرسنجی") && s.contains("شمارهٔ تماس") && s.contains(&case.number)
        })
        .await;
    assert!(
        screen.contains("09131234567"),
        "the whole number:\n{screen}"
    );
    assert!(screen.contains("after.jpg"), "the unit's photo:\n{screen}");
    assert!(screen.contains("سد معبر"), "the topic:\n{screen}");

    // The photo, downloaded and handed to the viewer.
    tmux.keys(&["o"]);
    let until = Instant::now() + Duration::from_secs(30);
    while std::fs::read(&viewed).ok().as_deref() != Some(&content[..]) {
        assert!(
            Instant::now() < until,
            "the viewer never got the photo:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    tmux.keys(&["4"]);
    tmux.wait_for("the comment field", |s| s.contains("رضایت ۴ از ۵"))
        .await;
    let comment = "کار تمیزی بود ممنون";
    tmux.text(comment);
    tmux.wait_for("the comment typed", |s| s.contains(comment))
        .await;
    tmux.keys(&["Enter"]);
    tmux.wait_for("the queue's next answer", |s| {
        s.contains("بسته شد با رضایت ۴") && s.contains("کسی در انتظار تماس نیست")
    })
    .await;

    let closed = CaseServiceClient::connect(url.clone())
        .await
        .unwrap()
        .get_case(authed(
            "agent1",
            pb::GetCaseRequest {
                key: Some(pb::get_case_request::Key::Id(case.id)),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(closed.status(), pb::CaseStatus::Closed);
    assert_eq!(closed.call_back.unwrap_or_default().satisfaction, 4);
    let last = closed.events.last().expect("the timeline");
    assert_eq!(last.kind(), pb::EventKind::Feedback);
    assert_eq!(last.note, comment);
    assert_eq!(last.actor, "agent1");

    tmux.keys(&["Escape"]);
    tmux.wait_for("back on the intake form", |s| {
        !s.contains("کسی در انتظار تماس نیست")
    })
    .await;
    tmux.keys(&["C-q"]);
}
