//! Opening cases and reading them back over gRPC.

use anyhow::Context as _;
use desk137_tests::{
    HOUR_MS, SIM_JALALI_YEAR, SIM_START_MS, TestServer, obstruction, pb, topic_id,
};
use pb::get_case_request::Key;
use tonic::Code;

fn case_of(response: pb::CreateCaseResponse) -> anyhow::Result<pb::Case> {
    response
        .r#case
        .context("CreateCase answered without a case")
}

fn actions(case: &pb::Case) -> Vec<(&str, &str)> {
    case.events
        .iter()
        .map(|e| (e.action.as_str(), e.note.as_str()))
        .collect()
}

#[tokio::test]
async fn a_case_is_written_and_read_back_every_way() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let created = agent
        .cases
        .create_case(obstruction("req-1"))
        .await?
        .into_inner();
    assert!(!created.replayed);
    let case = case_of(created)?;
    assert_eq!(case.number, format!("{SIM_JALALI_YEAR}-000001"));
    assert_eq!(case.status(), pb::CaseStatus::Referred);
    assert_eq!(case.kind(), pb::Kind::Executive);
    assert_eq!(case.urgency(), pb::Urgency::Normal);
    assert_eq!(case.unit_id, "r03-urban_services");
    assert!(!case.coordination);
    // Whole only in the history and the opened case: a create answers it masked.
    assert_eq!(case.phone, "0913***4567");
    assert_eq!(case.address, "خیابان چهارباغ عباسی، نبش کوچه ۱۲");
    assert_eq!(case.created_at_ms, SIM_START_MS);
    assert_eq!(case.created_by, "agent1");
    assert_eq!(case.first_response_due_ms, SIM_START_MS + 120 * HOUR_MS);
    assert_eq!((case.on_site_due_ms, case.result_due_ms), (0, 0));
    assert_eq!(
        actions(&case),
        [("registered", ""), ("referred", "r03-urban_services")]
    );

    let by_id = agent
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Id(case.id)),
        })
        .await?
        .into_inner();
    // The agent opening the case reads the whole number; elsewhere it is masked.
    assert_eq!(by_id.phone, "09131234567");
    assert_eq!(unmasked(by_id, &case), case);
    let by_number = agent
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Number(case.number.clone())),
        })
        .await?
        .into_inner();
    assert_eq!(unmasked(by_number, &case), case);

    let listed = agent
        .cases
        .list_cases(pb::ListCasesRequest::default())
        .await?
        .into_inner();
    assert_eq!(listed.cases, std::slice::from_ref(&case));
    assert_eq!(listed.next_page_token, "");

    let history = agent
        .cases
        .caller_history(pb::CallerHistoryRequest {
            phone: "+98 913 123 4567".into(),
            limit: 0,
        })
        .await?
        .into_inner();
    assert_eq!(history.cases.len(), 1);
    assert_eq!(history.cases[0].phone, "09131234567");
    assert_eq!(unmasked(history.cases[0].clone(), &case), case);
    assert_eq!((history.total, history.open), (1, 1));
    server.shutdown().await
}

#[tokio::test]
async fn a_missing_case_and_a_missing_key_are_told_apart() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let missing = agent
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Number("1405-999999".into())),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    let no_key = agent
        .cases
        .get_case(pb::GetCaseRequest { key: None })
        .await
        .unwrap_err();
    assert_eq!(no_key.code(), Code::InvalidArgument);
    assert!(no_key.message().starts_with("key:"), "{}", no_key.message());
    server.shutdown().await
}

#[tokio::test]
async fn cases_survive_a_restart_and_numbering_goes_on() -> anyhow::Result<()> {
    let mut server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let first = case_of(
        agent
            .cases
            .create_case(obstruction("a"))
            .await?
            .into_inner(),
    )?;
    let second = case_of(
        agent
            .cases
            .create_case(obstruction("b"))
            .await?
            .into_inner(),
    )?;

    server.restart().await?;
    let mut agent = server.as_user("agent1").await?;
    for case in [&first, &second] {
        let back = agent
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(Key::Id(case.id)),
            })
            .await?
            .into_inner();
        assert_eq!(&unmasked(back, case), case);
    }
    let third = case_of(
        agent
            .cases
            .create_case(obstruction("c"))
            .await?
            .into_inner(),
    )?;
    assert_eq!(third.number, format!("{SIM_JALALI_YEAR}-000003"));
    // The request id is remembered across the restart too.
    let retry = agent
        .cases
        .create_case(obstruction("a"))
        .await?
        .into_inner();
    assert!(retry.replayed);
    assert_eq!(case_of(retry)?, first);
    let listed = agent
        .cases
        .list_cases(pb::ListCasesRequest::default())
        .await?
        .into_inner();
    assert_eq!(
        listed.cases.iter().map(|c| c.id).collect::<Vec<_>>(),
        [third.id, second.id, first.id]
    );
    server.shutdown().await
}

#[tokio::test]
async fn a_retry_returns_the_same_case_and_never_a_second() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let agent = server.as_user("agent1").await?;
    // Ten clients retry at once; one writes, the rest get the replay.
    let mut calls = Vec::new();
    for _ in 0..10 {
        let mut cases = agent.cases.clone();
        calls.push(tokio::spawn(async move {
            cases.create_case(obstruction("retry-1")).await
        }));
    }
    let mut ids = Vec::new();
    let mut fresh = 0;
    for call in calls {
        let response = call.await??.into_inner();
        fresh += usize::from(!response.replayed);
        ids.push(case_of(response)?.id);
    }
    assert_eq!(fresh, 1);
    assert!(ids.iter().all(|&id| id == ids[0]));

    // A retry after the clock moved on is still the same request.
    server.clock.advance(HOUR_MS);
    let mut cases = agent.cases.clone();
    let later = cases
        .create_case(obstruction("retry-1"))
        .await?
        .into_inner();
    assert!(later.replayed);
    assert_eq!(case_of(later)?.created_at_ms, SIM_START_MS);

    let listed = cases
        .list_cases(pb::ListCasesRequest::default())
        .await?
        .into_inner();
    assert_eq!(listed.cases.len(), 1);
    server.shutdown().await
}

#[tokio::test]
async fn the_same_request_id_with_other_content_is_refused() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    agent.cases.create_case(obstruction("dup")).await?;
    let mut other = obstruction("dup");
    other.description = "یک شکایت دیگر درباره سد معبر".into();
    let err = agent.cases.create_case(other).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(
        err.message().starts_with("request_id:"),
        "{}",
        err.message()
    );
    let listed = agent
        .cases
        .list_cases(pb::ListCasesRequest::default())
        .await?
        .into_inner();
    assert_eq!(listed.cases.len(), 1);
    server.shutdown().await
}

#[tokio::test]
async fn an_informational_case_is_answered_and_closed_at_once() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let request = pb::CreateCaseRequest {
        topic_id: topic_id("استعلام عوارض نوسازی"),
        description: "عوارض نوسازی خانه‌ام چقدر است؟".into(),
        region: 0,
        address: String::new(),
        landmark: String::new(),
        ..obstruction("info-1")
    };
    let case = case_of(agent.cases.create_case(request).await?.into_inner())?;
    assert_eq!(case.status(), pb::CaseStatus::Closed);
    assert_eq!(case.kind(), pb::Kind::Informational);
    assert_eq!(case.unit_id, "");
    assert!(!case.coordination);
    assert_eq!(
        (
            case.first_response_due_ms,
            case.on_site_due_ms,
            case.result_due_ms
        ),
        (0, 0, 0)
    );
    let names: Vec<&str> = actions(&case).into_iter().map(|(a, _)| a).collect();
    assert_eq!(names, ["registered", "answered"]);
    let open = agent
        .cases
        .list_cases(pb::ListCasesRequest {
            open_only: true,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(open.cases.is_empty());
    server.shutdown().await
}

#[tokio::test]
async fn an_urgent_case_goes_to_the_unit_and_the_coordination_center() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    server.clock.advance(3 * HOUR_MS);
    let now = SIM_START_MS + 3 * HOUR_MS;
    let mut agent = server.as_user("agent1").await?;
    let request = pb::CreateCaseRequest {
        topic_id: topic_id("فرونشست زمین"),
        description: "زمین جلوی خانه نشست کرده و گودال باز شده".into(),
        region: 5,
        ..obstruction("urgent-1")
    };
    let case = case_of(agent.cases.create_case(request).await?.into_inner())?;
    // The topic's default urgency applies when the request leaves it unset.
    assert_eq!(case.urgency(), pb::Urgency::Urgent);
    assert_eq!(case.status(), pb::CaseStatus::Referred);
    assert!(case.coordination);
    assert!(case.unit_id.starts_with("r05-"), "{}", case.unit_id);
    assert_eq!(case.on_site_due_ms, now + 2 * HOUR_MS);
    assert_eq!(case.result_due_ms, now + 24 * HOUR_MS);
    assert_eq!(case.first_response_due_ms, 0);
    let units = agent
        .catalog
        .list_units(pb::ListUnitsRequest {})
        .await?
        .into_inner()
        .units;
    let occ = units
        .iter()
        .find(|u| u.kind() == pb::UnitKind::Coordination)
        .context("no coordination unit")?;
    assert_eq!(
        actions(&case),
        [
            ("registered", ""),
            ("referred", case.unit_id.as_str()),
            ("coordination", occ.id.as_str())
        ]
    );
    assert!(case.events.iter().all(|e| e.at_ms == now));
    server.shutdown().await
}

#[tokio::test]
async fn the_number_carries_the_jalali_year_of_the_clock() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let before = case_of(
        agent
            .cases
            .create_case(obstruction("y1"))
            .await?
            .into_inner(),
    )?;
    assert_eq!(before.number, "1405-000001");
    // 2027-03-22 12:00 UTC is 2 Farvardin 1406: the sequence starts again.
    server.clock.set(1_805_716_800_000);
    let after = case_of(
        agent
            .cases
            .create_case(obstruction("y2"))
            .await?
            .into_inner(),
    )?;
    assert_eq!(after.number, "1406-000001");
    let again = case_of(
        agent
            .cases
            .create_case(obstruction("y3"))
            .await?
            .into_inner(),
    )?;
    assert_eq!(again.number, "1406-000002");
    server.shutdown().await
}

#[tokio::test]
async fn lists_page_newest_first_and_filter() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let mut made = Vec::new();
    for i in 0..5 {
        let mut request = obstruction(&format!("p{i}"));
        if i % 2 == 1 {
            request.region = 7;
        }
        made.push(case_of(agent.cases.create_case(request).await?.into_inner())?.id);
        server.clock.advance(60_000);
    }
    made.reverse();

    let mut seen = Vec::new();
    let mut token = String::new();
    for _ in 0..10 {
        let page = agent
            .cases
            .list_cases(pb::ListCasesRequest {
                page_size: 2,
                page_token: token.clone(),
                ..Default::default()
            })
            .await?
            .into_inner();
        assert!(page.cases.len() <= 2);
        seen.extend(page.cases.iter().map(|c| c.id));
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(seen, made);

    let huge = agent
        .cases
        .list_cases(pb::ListCasesRequest {
            page_size: 100_000,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(huge.cases.len(), 5);

    let region7 = agent
        .cases
        .list_cases(pb::ListCasesRequest {
            region: 7,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(region7.cases.len(), 2);
    assert!(region7.cases.iter().all(|c| c.region == 7));
    let by_unit = agent
        .cases
        .list_cases(pb::ListCasesRequest {
            unit_id: "r03-urban_services".into(),
            status: pb::CaseStatus::Referred.into(),
            created_by: "agent1".into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(by_unit.cases.len(), 3);

    let bad_token = agent
        .cases
        .list_cases(pb::ListCasesRequest {
            page_token: "not-a-token".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_token.code(), Code::InvalidArgument);
    assert!(
        bad_token.message().starts_with("page_token:"),
        "{}",
        bad_token.message()
    );
    let bad_status = agent
        .cases
        .list_cases(pb::ListCasesRequest {
            status: 42,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        bad_status.message().starts_with("status:"),
        "{}",
        bad_status.message()
    );
    server.shutdown().await
}

#[tokio::test]
async fn caller_history_counts_and_refuses_a_bad_number() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    for i in 0..3 {
        agent
            .cases
            .create_case(obstruction(&format!("h{i}")))
            .await?;
    }
    let info = pb::CreateCaseRequest {
        topic_id: topic_id("استعلام عوارض نوسازی"),
        description: "ساعت کاری دفتر عوارض".into(),
        region: 0,
        address: String::new(),
        ..obstruction("h-info")
    };
    agent.cases.create_case(info).await?;
    let mut stranger = obstruction("h-other");
    stranger.phone = "09120000000".into();
    agent.cases.create_case(stranger).await?;

    let history = agent
        .cases
        .caller_history(pb::CallerHistoryRequest {
            phone: "09131234567".into(),
            limit: 2,
        })
        .await?
        .into_inner();
    assert_eq!((history.total, history.open), (4, 3));
    assert_eq!(history.cases.len(), 2);
    assert_eq!(history.cases[0].request_id, "h-info");
    assert!(history.cases.iter().all(|c| c.phone == "09131234567"));

    let bad = agent
        .cases
        .caller_history(pb::CallerHistoryRequest {
            phone: "0913-abc".into(),
            limit: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert!(bad.message().starts_with("phone:"), "{}", bad.message());
    server.shutdown().await
}

#[tokio::test]
async fn topics_carry_their_use_count() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    for i in 0..3 {
        agent
            .cases
            .create_case(obstruction(&format!("u{i}")))
            .await?;
    }
    // A replay is not another use.
    agent.cases.create_case(obstruction("u0")).await?;
    let topics = agent
        .catalog
        .list_topics(pb::ListTopicsRequest {})
        .await?
        .into_inner()
        .topics;
    let obstruction_id = topic_id("سد معبر");
    for t in &topics {
        let expected = if t.id == obstruction_id { 3 } else { 0 };
        assert_eq!(t.use_count, expected, "{}", t.id);
    }
    let regions = agent
        .catalog
        .list_regions(pb::ListRegionsRequest {})
        .await?
        .into_inner()
        .regions;
    assert_eq!(regions.len(), 15);
    server.shutdown().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_agents_at_once_get_distinct_consecutive_numbers() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let agent = server.as_user("agent1").await?;
    let mut calls = Vec::new();
    for i in 0..200 {
        let mut cases = agent.cases.clone();
        calls.push(tokio::spawn(async move {
            cases.create_case(obstruction(&format!("burst-{i}"))).await
        }));
    }
    let mut numbers = Vec::new();
    for call in calls {
        numbers.push(case_of(call.await??.into_inner())?.number);
    }
    numbers.sort();
    let expected: Vec<String> = (1..=200)
        .map(|n| format!("{SIM_JALALI_YEAR}-{n:06}"))
        .collect();
    assert_eq!(numbers, expected);
    server.shutdown().await
}

/// `got` with the phone as `want` shows it: a case opened by an agent holds
/// the whole number where other answers mask it.
fn unmasked(got: pb::Case, want: &pb::Case) -> pb::Case {
    pb::Case {
        phone: want.phone.clone(),
        ..got
    }
}
