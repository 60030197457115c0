//! The real `desk137` binary in tmux against a demo server on a simulated
//! clock. A case is registered, resolved and scored through gRPC; the
//! supervisor opens the scorecards from the dashboard and finds the unit
//! and its score, and drills into the case. Then an agent records the
//! caller's consent on another case from its screen, and the unit reveals
//! the number from its own and sees it.

use desk137_domain::clock::{SharedClock, SystemClock};
use desk137_proto::v1 as pb;
use desk137_proto::v1::case_service_client::CaseServiceClient;
use desk137_proto::v1::catalog_service_client::CatalogServiceClient;
use desk137_proto::v1::feedback_service_client::FeedbackServiceClient;
use desk137_server::app::{ServerConfig, start};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn authed<T>(token: &str, message: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    r
}

/// A sidewalk obstruction in region 3: the demo unit's.
async fn register(url: &str, request_id: &str) -> pb::Case {
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
    cases
        .create_case(authed(
            "agent1",
            pb::CreateCaseRequest {
                request_id: request_id.into(),
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
        .into_inner()
        .case
        .expect("the case")
}

async fn get(url: &str, token: &str, id: u64) -> pb::Case {
    let mut cases = CaseServiceClient::connect(url.to_owned()).await.unwrap();
    cases
        .get_case(authed(
            token,
            pb::GetCaseRequest {
                key: Some(pb::get_case_request::Key::Id(id)),
            },
        ))
        .await
        .unwrap()
        .into_inner()
}

/// The unit reports the result; the agent calls back and the citizen is
/// satisfied: the case is scored 100 for its unit.
async fn resolve_and_score(url: &str, case: &pb::Case) -> pb::Case {
    let fresh = get(url, "unit1", case.id).await;
    let mut cases = CaseServiceClient::connect(url.to_owned()).await.unwrap();
    cases
        .move_case(authed(
            "unit1",
            pb::MoveCaseRequest {
                request_id: "sc-e2e-resolve".into(),
                case_id: case.id,
                revision: fresh.revision,
                r#move: pb::Move::Resolve.into(),
                note: "بساط جمع شد".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    let mut fb = FeedbackServiceClient::connect(url.to_owned())
        .await
        .unwrap();
    let handed = fb
        .next_call_back(authed("agent1", pb::NextCallBackRequest {}))
        .await
        .unwrap()
        .into_inner()
        .case
        .expect("a case to call back");
    assert_eq!(handed.id, case.id);
    fb.record_feedback(authed(
        "agent1",
        pb::RecordFeedbackRequest {
            request_id: "sc-e2e-feedback".into(),
            case_id: handed.id,
            revision: handed.revision,
            outcome: pb::FeedbackOutcome::Satisfaction.into(),
            satisfaction: 5,
            note: "راضی بود".into(),
        },
    ))
    .await
    .unwrap()
    .into_inner()
    .case
    .expect("the scored case")
}

/// The test's own tmux server (its own socket), so no other session is
/// touched; killed when dropped.
struct Tmux {
    socket: String,
    home: tempfile::TempDir,
    n: usize,
}

impl Tmux {
    fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join("config/desk137")).unwrap();
        // English words, so the pane is checked without shaping questions.
        std::fs::write(
            home.path().join("config/desk137/config.toml"),
            "lang = \"en\"\n",
        )
        .unwrap();
        Self {
            socket: format!("desk137-e2e-{}", std::process::id()),
            home,
            n: 0,
        }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `desk137` as `user` in a new window of `w`×`h`.
    fn open(&mut self, url: &str, user: &str, w: u16, h: u16) -> Pane<'_> {
        self.n += 1;
        let name = format!("s{}", self.n);
        let home: &Path = self.home.path();
        let cmd = format!(
            "env DESK137_TOKEN={user} XDG_CONFIG_HOME={cfg} XDG_STATE_HOME={state} \
             LANG=C.UTF-8 LC_ALL=C.UTF-8 {bin} --server {url}; echo desk137 ended $?; sleep 60",
            cfg = home.join("config").display(),
            state = home.join("state").display(),
            bin = env!("CARGO_BIN_EXE_desk137"),
        );
        self.tmux(&[
            "-u",
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
            &cmd,
        ]);
        Pane { tmux: self, name }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

struct Pane<'a> {
    tmux: &'a Tmux,
    name: String,
}

impl Pane<'_> {
    fn screen(&self) -> String {
        self.tmux.tmux(&["capture-pane", "-p", "-t", &self.name])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend(keys);
        self.tmux.tmux(&args);
    }

    fn text(&self, text: &str) {
        self.tmux.tmux(&["send-keys", "-t", &self.name, "-l", text]);
    }

    /// Waits until the pane shows all of `what`.
    async fn wait_for(&self, what: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if what.iter().all(|w| screen.contains(w)) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for {what:?}; the pane:\n{screen}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn close(&self) {
        self.keys(&["C-q"]);
        self.tmux.tmux(&["kill-session", "-t", &self.name]);
    }
}

fn has_tmux() -> bool {
    Command::new("tmux").arg("-V").output().is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scorecards_and_the_consented_number_through_the_binary_in_tmux() {
    assert!(has_tmux(), "this test drives the binary in tmux");
    let clock: SharedClock = Arc::new(SystemClock);
    let config = ServerConfig {
        data_dir: None,
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        demo: true,
        sim_clock: Some(clock.now_ms()),
        ..ServerConfig::default()
    };
    let server = start(config, clock).await.expect("the demo server");
    let url = format!("http://{}", server.addr);
    let scored = register(&url, "sc-e2e-1").await;
    let scored = resolve_and_score(&url, &scored).await;
    let cb = scored.call_back.unwrap_or_default();
    assert!(cb.scored && cb.score > 99.9, "{cb:?}");
    let mut tmux = Tmux::new();

    // The supervisor: the dashboard, then the scorecards, the unit's row.
    {
        let pane = tmux.open(&url, "supervisor1", 200, 60);
        pane.wait_for(&["supervisor1", "q scores"]).await;
        pane.keys(&["q"]);
        let screen = pane
            .wait_for(&["Unit scorecards", "Region 3 Urban Services", "100.0"])
            .await;
        let row = screen
            .lines()
            .find(|l| l.contains("Region 3 Urban Services") && l.contains("1/1"))
            .unwrap_or_else(|| panic!("the unit's row, ranked:\n{screen}"));
        assert!(row.contains("100.0"), "{row}");
        // The bar chart under the table.
        assert!(screen.contains("████"), "{screen}");
        // The cases behind the figures, and the case itself.
        pane.keys(&["Enter"]);
        pane.wait_for(&["cases of Region 3 Urban Services", &scored.number])
            .await;
        pane.keys(&["Enter"]);
        pane.wait_for(&["TIMELINE", &scored.number]).await;
        pane.keys(&["Escape"]);
        pane.wait_for(&["cases of Region 3 Urban Services"]).await;
        pane.close();
    }

    // The agent records the caller's consent on another case.
    let open = register(&url, "sc-e2e-2").await;
    {
        let pane = tmux.open(&url, "agent1", 200, 50);
        pane.wait_for(&["agent1"]).await;
        pane.keys(&["F3"]);
        pane.text(&open.number);
        pane.keys(&["Enter"]);
        pane.wait_for(&[&open.number, "y consent"]).await;
        pane.keys(&["y"]);
        pane.wait_for(&["Record consent"]).await;
        pane.text("the caller agreed on the call, for the site visit");
        pane.keys(&["Enter"]);
        pane.wait_for(&["consent recorded", "consent given"]).await;
        pane.close();
    }
    assert!(get(&url, "agent1", open.id).await.phone_consent);

    // The unit: its case, the number with the reason, on screen.
    {
        let pane = tmux.open(&url, "unit1", 200, 50);
        pane.wait_for(&["unit1", &open.number]).await;
        pane.keys(&["F3"]);
        pane.text(&open.number);
        pane.keys(&["Enter"]);
        let before = pane.wait_for(&["p number"]).await;
        assert!(!before.contains("0913"), "{before}");
        pane.keys(&["p"]);
        pane.wait_for(&["See the number"]).await;
        pane.text("to arrange the visit time");
        pane.keys(&["Enter"]);
        pane.wait_for(&["09131234567", "number shown, and audited"])
            .await;
        pane.close();
    }
}
