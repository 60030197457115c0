//! Every bad field is refused with INVALID_ARGUMENT whose details name it and
//! give a stable reason, and nothing is written.

use anyhow::Context as _;
use desk137_domain::validate::Reason;
use desk137_tests::{TestServer, obstruction, pb, refused_field};

type Change = Box<dyn Fn(&mut pb::CreateCaseRequest)>;

/// A bad field, the reason the server must give and the limit it broke.
fn bad_requests() -> Vec<(&'static str, Reason, Option<u32>, Change)> {
    use Reason::*;
    vec![
        (
            "request_id",
            Required,
            None,
            Box::new(|r| r.request_id = String::new()),
        ),
        (
            "request_id",
            TooLong,
            Some(64),
            Box::new(|r| r.request_id = "x".repeat(65)),
        ),
        (
            "request_id",
            BadCharacters,
            None,
            Box::new(|r| r.request_id = "شناسه با فاصله".into()),
        ),
        (
            "topic_id",
            Required,
            None,
            Box::new(|r| r.topic_id = String::new()),
        ),
        (
            "topic_id",
            UnknownTopic,
            None,
            Box::new(|r| r.topic_id = "T999999".into()),
        ),
        (
            "description",
            TooShort,
            Some(3),
            Box::new(|r| r.description = " ا ".into()),
        ),
        (
            "description",
            TooLong,
            Some(2000),
            Box::new(|r| r.description = "س".repeat(2001)),
        ),
        (
            "phone",
            Required,
            None,
            Box::new(|r| r.phone = String::new()),
        ),
        (
            "phone",
            PhoneBadLength,
            None,
            Box::new(|r| r.phone = "12345".into()),
        ),
        (
            "phone",
            PhoneBadCharacter,
            None,
            Box::new(|r| r.phone = "0913-abc-4567".into()),
        ),
        (
            "phone",
            PhoneNotIranian,
            None,
            Box::new(|r| r.phone = "00123456789".into()),
        ),
        ("region", Required, None, Box::new(|r| r.region = 0)),
        (
            "region",
            UnknownRegion,
            Some(15),
            Box::new(|r| r.region = 16),
        ),
        (
            "address",
            TooShort,
            Some(3),
            Box::new(|r| r.address = String::new()),
        ),
        (
            "address",
            TooLong,
            Some(300),
            Box::new(|r| r.address = "آ".repeat(301)),
        ),
        (
            "landmark",
            TooLong,
            Some(200),
            Box::new(|r| r.landmark = "آ".repeat(201)),
        ),
        (
            "urgency",
            UrgentInformational,
            None,
            Box::new(|r| {
                r.kind = pb::Kind::Informational.into();
                r.urgency = pb::Urgency::Urgent.into();
            }),
        ),
        ("urgency", UnknownValue, None, Box::new(|r| r.urgency = 9)),
        ("channel", UnknownValue, None, Box::new(|r| r.channel = 99)),
        ("kind", UnknownValue, None, Box::new(|r| r.kind = -3)),
    ]
}

#[tokio::test]
async fn each_bad_field_is_named_and_nothing_is_written() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    for (i, (field, reason, limit, change)) in bad_requests().into_iter().enumerate() {
        let mut request = obstruction(&format!("bad-{i}"));
        change(&mut request);
        let err = agent.cases.create_case(request).await.unwrap_err();
        let refused = refused_field(&err).with_context(|| format!("{field}: {err:?}"))?;
        assert_eq!(
            (refused.field.as_str(), refused.reason, refused.limit),
            (field, reason, limit),
            "{}",
            err.message()
        );
    }
    let listed = agent
        .cases
        .list_cases(pb::ListCasesRequest::default())
        .await?
        .into_inner();
    assert!(listed.cases.is_empty());
    // The store is fine after all that: a good request still goes through.
    agent.cases.create_case(obstruction("good")).await?;
    server.shutdown().await
}

#[tokio::test]
async fn every_refused_field_of_the_reads_carries_its_reason() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let mut refusals = Vec::new();
    let no_key = agent.cases.get_case(pb::GetCaseRequest { key: None }).await;
    refusals.push(("key", Reason::Required, no_key.map(drop)));
    for (phone, reason) in [
        ("", Reason::Required),
        ("۰۹۱۳ abc", Reason::PhoneBadCharacter),
        ("0913", Reason::PhoneBadLength),
    ] {
        let got = agent
            .cases
            .caller_history(pb::CallerHistoryRequest {
                phone: phone.into(),
                limit: 0,
            })
            .await;
        refusals.push(("phone", reason, got.map(drop)));
    }
    let lists = [
        (
            "status",
            Reason::UnknownValue,
            pb::ListCasesRequest {
                status: 99,
                ..Default::default()
            },
        ),
        (
            "urgency",
            Reason::UnknownValue,
            pb::ListCasesRequest {
                urgency: -1,
                ..Default::default()
            },
        ),
        (
            "page_token",
            Reason::BadPageToken,
            pb::ListCasesRequest {
                page_token: "not-a-token".into(),
                ..Default::default()
            },
        ),
        (
            "page_token",
            Reason::BadPageToken,
            pb::ListCasesRequest {
                page_token: "020000000000000001".into(),
                ..Default::default()
            },
        ),
    ];
    for (field, reason, request) in lists {
        let got = agent.cases.list_cases(request).await;
        refusals.push((field, reason, got.map(drop)));
    }
    for (field, reason, got) in refusals {
        let err = got.err().with_context(|| format!("{field} was accepted"))?;
        let refused = refused_field(&err).with_context(|| format!("{field}: {err:?}"))?;
        assert_eq!(
            (refused.field.as_str(), refused.reason),
            (field, reason),
            "{}",
            err.message()
        );
    }
    server.shutdown().await
}

#[test]
fn every_reason_reads_back_from_its_code() {
    for reason in Reason::all() {
        assert_eq!(reason.as_str().parse::<Reason>(), Ok(reason));
    }
}

#[tokio::test]
async fn a_social_message_needs_no_phone() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let request = pb::CreateCaseRequest {
        channel: pb::Channel::Social.into(),
        phone: String::new(),
        ..obstruction("social-1")
    };
    let case = agent
        .cases
        .create_case(request)
        .await?
        .into_inner()
        .r#case
        .unwrap_or_default();
    assert_eq!(case.channel(), pb::Channel::Social);
    assert_eq!(case.phone, "");
    server.shutdown().await
}
