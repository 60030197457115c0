//! What a hostile or careless client tries, over real gRPC: each test is one
//! finding of the hardening review, and fails on the code before its fix.

use desk137_tests::{TestServer, obstruction, pb};
use pb::get_case_request::Key;
use std::collections::HashSet;
use tonic::Code;

async fn created(clients: &mut desk137_tests::Clients, req: pb::CreateCaseRequest) -> pb::Case {
    clients
        .cases
        .create_case(req)
        .await
        .expect("the case is created")
        .into_inner()
        .r#case
        .expect("a case in the answer")
}

/// Finding 1: a supervisor sees a masked number and could replay the case's
/// request id with guesses until one answered "replayed". A request id now
/// belongs to its sender and is shown to no one else.
#[tokio::test]
async fn a_replayed_request_id_is_no_oracle_for_the_masked_number() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let case = created(&mut agent, obstruction("call-1")).await;
    let mut supervisor = server.as_user("supervisor1").await?;
    let seen = supervisor
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Id(case.id)),
        })
        .await?
        .into_inner();
    assert_eq!(seen.phone, "0913***4567");
    assert_eq!(
        seen.request_id, "",
        "another user never sees the request id"
    );
    // Even knowing the id, guesses all answer alike: each makes a case of
    // the supervisor's own, the right guess included.
    let mut answers = HashSet::new();
    for guess in ["09131234567", "09130004567", "09139994567"] {
        let mut replay = obstruction("call-1");
        replay.phone = guess.into();
        let r = supervisor.cases.create_case(replay).await;
        let r = r.map(|r| r.into_inner());
        answers.insert(match r {
            Ok(r) => ("ok", r.replayed, r.r#case.is_some_and(|c| c.id == case.id)),
            Err(s) => (
                if s.code() == Code::AlreadyExists {
                    "exists"
                } else {
                    "error"
                },
                false,
                false,
            ),
        });
    }
    // The first guess made the supervisor's own case; the others, with the
    // same key but other content, conflict with that one, never with the
    // agent's: no answer depends on whether a guess was the agent's number.
    assert!(!answers.contains(&("ok", true, true)), "{answers:?}");
    // The agent's own retry still replays.
    let again = agent
        .cases
        .create_case(obstruction("call-1"))
        .await?
        .into_inner();
    assert!(again.replayed);
    assert_eq!(again.r#case.map(|c| c.id), Some(case.id));
    assert_eq!(
        agent
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(Key::Id(case.id))
            })
            .await?
            .into_inner()
            .request_id,
        "call-1"
    );
    server.shutdown().await
}

/// Finding 3: a number said on the call and typed into free text never
/// reaches those who may not see the caller's number.
#[tokio::test]
async fn a_number_typed_into_free_text_is_masked_for_units_and_supervisors() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let mut req = obstruction("text-1");
    req.description = "وانت پیاده‌رو را بسته، با ۰۹۱۳-۱۲۳-۴۵۶۷ تماس بگیرید".into();
    req.landmark = "کنار مغازه، تلفن ٠٣١٣٢٢٢٤٤٥٥".into();
    let case = created(&mut agent, req.clone()).await;
    // Stored as typed: the agent opening the case reads it whole.
    let opened = agent
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Id(case.id)),
        })
        .await?
        .into_inner();
    assert_eq!(
        opened.description, req.description,
        "the agent sees what was typed"
    );
    for user in ["unit1", "supervisor1", "dispatcher1"] {
        let mut other = server.as_user(user).await?;
        let seen = other
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(Key::Id(case.id)),
            })
            .await?
            .into_inner();
        for text in [&seen.description, &seen.landmark] {
            let digits = text.chars().filter(|c| c.is_numeric()).count();
            assert_eq!(digits, 0, "{user} reads {text}");
        }
        assert!(seen.description.contains("تماس بگیرید"));
    }
    server.shutdown().await
}

/// Finding 4: control characters and bidi overrides are refused by name.
#[tokio::test]
async fn control_characters_are_refused_naming_the_field() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    for (field, text) in [
        ("description", "چراغ\u{1b}[2J خاموش است"),
        ("address", "خیابان\u{202e}معکوس"),
        ("landmark", "\u{1b}]0;title\u{7}"),
    ] {
        let mut req = obstruction(&format!("ctl-{field}"));
        match field {
            "description" => req.description = text.into(),
            "address" => req.address = text.into(),
            _ => req.landmark = text.into(),
        }
        let status = agent.cases.create_case(req).await.unwrap_err();
        let refused = desk137_tests::refused_field(&status)?;
        assert_eq!(refused.field, field);
        assert_eq!(
            refused.reason,
            desk137_server::domain::validate::Reason::BadCharacters
        );
    }
    server.shutdown().await
}

/// Finding 5: an error quotes at most a short prefix of what was sent.
#[tokio::test]
async fn errors_never_repeat_a_long_input() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let mut req = obstruction("long-1");
    req.topic_id = "س".repeat(10_000);
    let status = agent.cases.create_case(req).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().chars().count() < 200,
        "{}",
        status.message()
    );
    let status = agent
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Number("\u{1}".repeat(100_000))),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert!(status.message().len() < 200);
    server.shutdown().await
}

/// Finding 6: the number as the Persian screens show it finds the case.
#[tokio::test]
async fn a_case_number_in_persian_digits_is_found() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let case = created(&mut agent, obstruction("fa-1")).await;
    let persian = desk137_server::domain::text::persian_digits(&case.number);
    for typed in [
        persian.clone(),
        format!("\u{200f}{persian} "),
        case.number.replace('-', "–"),
    ] {
        let found = agent
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(Key::Number(typed.clone())),
            })
            .await?
            .into_inner();
        assert_eq!(found.id, case.id, "{typed}");
    }
    server.shutdown().await
}

/// Finding 11: two credentials are refused, and a message that does not
/// decode is the client's fault.
#[tokio::test]
async fn two_authorization_headers_and_garbage_messages_are_refused() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let channel = server.channel().await?;
    let mut request = tonic::Request::new(pb::WhoAmIRequest {});
    for token in ["Bearer agent1", "Bearer admin1"] {
        request
            .metadata_mut()
            .append("authorization", token.parse()?);
    }
    let status = pb::session_service_client::SessionServiceClient::new(channel.clone())
        .who_am_i(request)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);

    // A Region (field 1 a varint) sent where CreateCase expects field 1 a string.
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await?;
    let mut request = tonic::Request::new(pb::Region {
        number: 5,
        ..Default::default()
    });
    request
        .metadata_mut()
        .insert("authorization", "Bearer agent1".parse()?);
    let path =
        tonic::codegen::http::uri::PathAndQuery::from_static("/desk137.v1.CaseService/CreateCase");
    let status = grpc
        .unary::<_, pb::CreateCaseResponse, _>(request, path, tonic_prost::ProstCodec::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    server.shutdown().await
}
