//! Every bad field of CreateCase is refused with INVALID_ARGUMENT naming it,
//! and nothing is written.

use desk137_tests::{TestServer, obstruction, pb};
use tonic::Code;

type Change = Box<dyn Fn(&mut pb::CreateCaseRequest)>;

fn bad_requests() -> Vec<(&'static str, Change)> {
    vec![
        ("request_id", Box::new(|r| r.request_id = String::new())),
        ("request_id", Box::new(|r| r.request_id = "x".repeat(65))),
        (
            "request_id",
            Box::new(|r| r.request_id = "شناسه با فاصله".into()),
        ),
        ("topic_id", Box::new(|r| r.topic_id = String::new())),
        ("topic_id", Box::new(|r| r.topic_id = "T999999".into())),
        ("description", Box::new(|r| r.description = " ا ".into())),
        (
            "description",
            Box::new(|r| r.description = "س".repeat(2001)),
        ),
        ("phone", Box::new(|r| r.phone = String::new())),
        ("phone", Box::new(|r| r.phone = "12345".into())),
        ("phone", Box::new(|r| r.phone = "0913-abc-4567".into())),
        ("region", Box::new(|r| r.region = 0)),
        ("region", Box::new(|r| r.region = 16)),
        ("address", Box::new(|r| r.address = String::new())),
        ("address", Box::new(|r| r.address = "آ".repeat(301))),
        ("landmark", Box::new(|r| r.landmark = "آ".repeat(201))),
        (
            "urgency",
            Box::new(|r| {
                r.kind = pb::Kind::Informational.into();
                r.urgency = pb::Urgency::Urgent.into();
            }),
        ),
        ("urgency", Box::new(|r| r.urgency = 9)),
        ("channel", Box::new(|r| r.channel = 99)),
        ("kind", Box::new(|r| r.kind = -3)),
    ]
}

#[tokio::test]
async fn each_bad_field_is_named_and_nothing_is_written() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    for (i, (field, change)) in bad_requests().into_iter().enumerate() {
        let mut request = obstruction(&format!("bad-{i}"));
        change(&mut request);
        let err = agent.cases.create_case(request).await.unwrap_err();
        assert_eq!(
            err.code(),
            Code::InvalidArgument,
            "{field}: {}",
            err.message()
        );
        let prefix = format!("{field}: ");
        assert!(
            err.message().starts_with(&prefix),
            "expected {field}, got {}",
            err.message()
        );
        assert!(err.message().len() > prefix.len(), "no reason for {field}");
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
