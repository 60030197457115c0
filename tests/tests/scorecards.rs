//! The units' scorecards over two simulated quarters: a mixed workload of
//! call-backs, late work, corrections, false reports and deferrals; the
//! figures the server keeps equal a full recount of the store, and the
//! report opens with its columns.

use desk137_domain::model::Role;
use desk137_domain::quarter::Quarter;
use desk137_server::app::ServerConfig;
use desk137_server::auth::{User, hash_token};
use desk137_server::store::{Store, StoreOptions};
use desk137_tests::{
    Bearer, Clients, HOUR_MS, SIM_START_MS, TestServer, move_of, obstruction, pb, server_binary,
    the_case,
};
use pb::feedback_service_client::FeedbackServiceClient;
use pb::scorecard_service_client::ScorecardServiceClient;
use tonic::Code;

struct World {
    admin: Clients,
    now: i64,
    agent: Clients,
    unit3: Clients,
    unit5: Clients,
    fb: FeedbackServiceClient<
        tonic::service::interceptor::InterceptedService<tonic::transport::Channel, Bearer>,
    >,
    n: u32,
}

impl World {
    fn id(&mut self) -> String {
        self.n += 1;
        format!("sc-{}", self.n)
    }

    async fn open(&mut self, region: u32) -> anyhow::Result<pb::Case> {
        let mut req = obstruction(&self.id());
        req.region = region;
        the_case(self.agent.cases.create_case(req).await?.into_inner().r#case)
    }

    fn unit(&mut self, case: &pb::Case) -> &mut Clients {
        if case.region == 5 {
            &mut self.unit5
        } else {
            &mut self.unit3
        }
    }

    /// Moves the clock through ClockService, which answers once the SLA
    /// worker has applied what fell due.
    async fn advance(&mut self, ms: i64) -> anyhow::Result<()> {
        self.now = self
            .admin
            .clock
            .advance(pb::AdvanceRequest { ms })
            .await?
            .into_inner()
            .now_ms;
        Ok(())
    }

    /// A move on the case as it is now (the SLA worker may have raised its
    /// revision).
    async fn mv(
        &mut self,
        case: &pb::Case,
        mut req: pb::MoveCaseRequest,
    ) -> anyhow::Result<pb::Case> {
        let fresh = self
            .agent
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(pb::get_case_request::Key::Id(case.id)),
            })
            .await?
            .into_inner();
        req.revision = fresh.revision;
        let unit = self.unit(case);
        the_case(unit.cases.move_case(req).await?.into_inner().r#case)
    }

    async fn resolve(&mut self, case: &pb::Case) -> anyhow::Result<pb::Case> {
        let mut done = move_of(case, pb::Move::Resolve, &self.id());
        done.note = "انجام شد".into();
        self.mv(case, done).await
    }

    /// Calls back whatever is due, answering `outcome` for `case`.
    async fn call(
        &mut self,
        case: &pb::Case,
        outcome: pb::FeedbackOutcome,
        satisfaction: u32,
    ) -> anyhow::Result<pb::Case> {
        let got = the_case(
            self.fb
                .next_call_back(pb::NextCallBackRequest {})
                .await?
                .into_inner()
                .r#case,
        )?;
        assert_eq!(got.id, case.id, "the queue hands the case just resolved");
        let req = pb::RecordFeedbackRequest {
            request_id: self.id(),
            case_id: got.id,
            revision: got.revision,
            outcome: outcome.into(),
            satisfaction,
            note: "نظر شهروند".into(),
        };
        the_case(self.fb.record_feedback(req).await?.into_inner().r#case)
    }
}

/// One quarter's mix: on time, late, unreachable three times, a
/// correction, a false report, a deferral, a promise kept, another unit.
async fn workload(w: &mut World) -> anyhow::Result<()> {
    let on_time = w.open(3).await?;
    let on_time = w.resolve(&on_time).await?;
    w.call(&on_time, pb::FeedbackOutcome::Satisfaction, 5)
        .await?;

    let late = w.open(3).await?;
    w.advance(121 * HOUR_MS).await?;
    let late = w.resolve(&late).await?;
    let late = w.call(&late, pb::FeedbackOutcome::Satisfaction, 5).await?;
    let cb = late.call_back.unwrap_or_default();
    assert!(
        cb.scored && cb.score < 100.0,
        "satisfied but late: {}",
        cb.score
    );

    let gone = w.open(3).await?;
    let gone = w.resolve(&gone).await?;
    let mut gone = gone;
    for _ in 0..3 {
        gone = w.call(&gone, pb::FeedbackOutcome::Unreachable, 0).await?;
        w.advance(4 * HOUR_MS).await?;
    }
    assert_eq!(gone.status(), pb::CaseStatus::Closed);

    let fix = w.open(3).await?;
    let fix = w.resolve(&fix).await?;
    let fix = w.call(&fix, pb::FeedbackOutcome::Correction, 0).await?;
    let fix = w.resolve(&fix).await?;
    w.call(&fix, pb::FeedbackOutcome::Satisfaction, 3).await?;

    let false_report = w.open(3).await?;
    let mut reject = move_of(&false_report, pb::Move::Reject, &w.id());
    reject.reject_kind = pb::RejectKind::FalseReport.into();
    reject.note = "گزارش واقعی نبود".into();
    w.mv(&false_report, reject).await?;

    let deferred = w.open(3).await?;
    let mut defer = move_of(&deferred, pb::Move::Defer, &w.id());
    defer.note = "نیاز به بودجه".into();
    w.mv(&deferred, defer).await?;

    let promised = w.open(3).await?;
    let mut later = move_of(&promised, pb::Move::Respond, &w.id());
    later.response = pb::FirstResponse::NeedsTime.into();
    later.promised_ms = w.now + 48 * HOUR_MS;
    let promised = w.mv(&promised, later).await?;
    w.advance(24 * HOUR_MS).await?;
    let promised = w.resolve(&promised).await?;
    w.call(&promised, pb::FeedbackOutcome::Satisfaction, 4)
        .await?;

    let other = w.open(5).await?;
    let other = w.resolve(&other).await?;
    w.call(&other, pb::FeedbackOutcome::Satisfaction, 2).await?;
    Ok(())
}

#[tokio::test]
async fn scorecards_equal_a_full_recount_over_two_quarters() -> anyhow::Result<()> {
    let mut server = TestServer::start(ServerConfig {
        demo: true,
        sim_clock: Some(SIM_START_MS),
        users: vec![User {
            name: "unit5".into(),
            role: Role::Unit,
            token_sha256: hash_token("unit5-token"),
            unit_id: Some("r05-urban_services".into()),
        }],
        ..ServerConfig::default()
    })
    .await?;
    let channel = server.channel().await?;
    let mut w = World {
        admin: server.as_user("admin1").await?,
        now: SIM_START_MS,
        agent: server.as_user("agent1").await?,
        unit3: server.as_user("unit1").await?,
        unit5: server.as_user("unit5-token").await?,
        fb: FeedbackServiceClient::with_interceptor(channel.clone(), Bearer::new(Some("agent1"))?),
        n: 0,
    };
    let autumn = Quarter::of(w.now);
    assert_eq!(autumn, Quarter::new(1405, 3).unwrap());
    workload(&mut w).await?;
    let winter_start = autumn.next().start_ms().unwrap();
    w.advance(winter_start + HOUR_MS - w.now).await?;
    workload(&mut w).await?;

    let mut cards =
        ScorecardServiceClient::with_interceptor(channel, Bearer::new(Some("supervisor1"))?);
    let q3 = cards
        .scorecards(pb::ScorecardsRequest {
            quarter: "۱۴۰۵-۳".into(),
        })
        .await?
        .into_inner();
    assert_eq!(q3.quarter, "1405-3");
    let r3 = q3
        .units
        .iter()
        .find(|u| u.unit_id == "r03-urban_services")
        .unwrap();
    assert_eq!(
        (r3.cases, r3.scored_cases, r3.unreachable, r3.false_reports),
        (7, 4, 1, 1)
    );
    assert!(r3.scored && r3.score < 100.0 && r3.score > 0.0);
    assert!((r3.reopen_rate - 1.0 / 7.0).abs() < 1e-9);
    assert!((r3.deferred_share - 1.0 / 7.0).abs() < 1e-9);
    let fr = r3
        .on_time
        .iter()
        .find(|c| c.clock() == pb::SlaClock::FirstResponse)
        .unwrap();
    assert!(fr.on_time < fr.met, "one first response was late");
    assert!(r3.first_response_p90_ms >= r3.first_response_mean_ms);
    assert!(
        r3.first_response_p90_ms >= 121 * HOUR_MS,
        "the late one sets the p90"
    );
    let r5 = q3
        .units
        .iter()
        .find(|u| u.unit_id == "r05-urban_services")
        .unwrap();
    assert!((r5.score - 40.0).abs() < 1e-9, "2/5 on time: {}", r5.score);
    assert_eq!((r3.rank, r3.rank_of, r5.rank), (1, 2, 2));
    assert!(!r3.has_change, "no quarter before");
    let q4 = cards
        .scorecards(pb::ScorecardsRequest {
            quarter: String::new(),
        })
        .await?
        .into_inner();
    assert_eq!(q4.quarter, "1405-4");
    let r3_q4 = q4
        .units
        .iter()
        .find(|u| u.unit_id == "r03-urban_services")
        .unwrap();
    assert!(r3_q4.has_change);
    assert!((r3_q4.change - (r3_q4.score - r3.score)).abs() < 1e-9);
    // The cases behind a figure.
    let behind = cards
        .scorecard_cases(pb::ScorecardCasesRequest {
            quarter: "1405-3".into(),
            unit_id: "r03-urban_services".into(),
            limit: 0,
        })
        .await?
        .into_inner();
    assert_eq!(behind.cases.len(), 7);
    assert!(
        behind.cases.windows(2).all(|p| p[0].id > p[1].id),
        "newest first"
    );
    for (q, field) in [("1405-5", "quarter"), ("x", "quarter")] {
        let status = cards
            .scorecards(pb::ScorecardsRequest { quarter: q.into() })
            .await
            .unwrap_err();
        assert_eq!(desk137_tests::refused_field(&status)?.field, field);
    }
    let mut agent_cards = ScorecardServiceClient::with_interceptor(
        server.channel().await?,
        Bearer::new(Some("agent1"))?,
    );
    let status = agent_cards
        .scorecards(pb::ScorecardsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);

    server.stop().await?;
    let kept_dir = server.dir.path().join("data");
    let dir = tempfile::tempdir()?;

    let store = Store::open(&kept_dir, StoreOptions::default())?;
    let kept = store.kept_tallies()?;
    let recounted = store.recount_tallies()?;
    assert_eq!(kept.len(), 4, "two units, two quarters");
    assert_eq!(kept, recounted, "the kept tallies are a full recount");
    store.close()?;
    drop(store);

    // The report, as the committee opens it.
    let csv = dir.path().join("scores.csv");
    let status = std::process::Command::new(server_binary()?)
        .args(["report", "scores", "--quarter", "1405-3", "--data"])
        .arg(&kept_dir)
        .arg("--out")
        .arg(&csv)
        .status()?;
    assert!(status.success());
    let bytes = std::fs::read(&csv)?;
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    let text = String::from_utf8(bytes[3..].to_vec())?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut want: Vec<&str> = desk137_server::report::COLUMNS.to_vec();
    want.push(desk137_server::report::LAST_COLUMN);
    assert_eq!(header, want);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2);
    let first = &rows[0];
    assert_eq!(first.len(), want.len());
    assert_eq!(
        (first[0], first[1], first[4], first[8]),
        ("1405-3", "r03-urban_services", "1", "7")
    );
    assert!(
        first[2].contains("منطقه"),
        "the unit's Persian name: {}",
        first[2]
    );
    let xlsx = dir.path().join("scores.xlsx");
    let status = std::process::Command::new(server_binary()?)
        .args([
            "report",
            "scores",
            "--quarter",
            "1405-3",
            "--xlsx",
            "--data",
        ])
        .arg(&kept_dir)
        .arg("--out")
        .arg(&xlsx)
        .status()?;
    assert!(status.success());
    let book = std::fs::read(&xlsx)?;
    assert!(book.starts_with(b"PK\x03\x04"), "an .xlsx is a zip");
    Ok(())
}
