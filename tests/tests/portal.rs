//! CitizenService over gRPC: the portal's token and no other, each citizen
//! their own cases only, the timeline as the citizen reads it, their
//! documents, a correction that reopens and feedback that closes, and no
//! phone number in any answer or log line.

use desk137_tests::{
    Clients, Spawned, TestServer, download_my_document, move_of, obstruction, pb, refused_field,
    the_case,
};
use pb::get_my_case_request::Key;
use prost::Message;
use tonic::Code;

/// The two citizens: the obstruction's caller, and a neighbour.
const P1: &str = "09131234567";
const P2: &str = "09137654321";
/// Their numbers' ten digits after the leading 0.
const DIGITS: [&str; 2] = ["9131234567", "9137654321"];

const STAFF: [&str; 5] = ["agent1", "dispatcher1", "unit1", "supervisor1", "admin1"];
const INTERNAL_NOTE: &str = "یادداشت داخلی: با پیمانکار هماهنگ شد";
const RESULT: &str = "سد معبر برداشته شد";
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
/// Another document: files are kept by their content.
const OTHER_PDF: &[u8] = b"%PDF-1.4\n% the neighbour's\ntrailer << >>\n%%EOF\n";

/// Does `bytes` hold either number, in any script, however separated?
fn holds_number(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let folded: String = text
        .chars()
        .filter(|c| {
            !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{00A0}' | '/' | '_')
                && !desk137_domain::text::is_invisible_mark(*c)
        })
        .map(|c| desk137_domain::text::ascii_digit(c).unwrap_or(c))
        .collect();
    DIGITS.iter().any(|d| folded.contains(d))
}

fn no_number<T: Message>(what: &str, m: &T) {
    assert!(
        !holds_number(&m.encode_to_vec()),
        "{what}: a phone number in the answer"
    );
}

fn list(phone: &str) -> pb::ListMyCasesRequest {
    pb::ListMyCasesRequest {
        phone: phone.into(),
        ..Default::default()
    }
}

fn get(phone: &str, case_id: u64) -> pb::GetMyCaseRequest {
    pb::GetMyCaseRequest {
        phone: phone.into(),
        key: Some(Key::CaseId(case_id)),
    }
}

/// Two citizens' cases: the first resolved by its unit with a document and
/// an internal note, the second open with a document of its own.
struct World {
    first: pb::Case,
    second: pb::Case,
    first_doc: pb::Attachment,
    second_doc: pb::Attachment,
}

async fn world(agent: &mut Clients, staff: &mut [Clients; 2], tag: &str) -> anyhow::Result<World> {
    let [dispatcher, unit] = staff;
    let first = the_case(
        agent
            .cases
            .create_case(obstruction(&format!("{tag}-1")))
            .await?
            .into_inner()
            .r#case,
    )?;
    let mut other = obstruction(&format!("{tag}-2"));
    other.phone = "۰۹۱۳ ۷۶۵ ۴۳۲۱".into();
    other.description = "دست‌فروش جلوی در خانه؛ شماره‌ام ۰۹۱۳۷۶۵۴۳۲۱".into();
    let second = the_case(agent.cases.create_case(other).await?.into_inner().r#case)?;
    let first_doc = unit
        .upload(first.id, "report.pdf", "application/pdf", PDF)
        .await?;
    let second_doc = unit
        .upload(second.id, "other.pdf", "application/pdf", OTHER_PDF)
        .await?;
    let fresh = the_case(Some(
        agent
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(pb::get_case_request::Key::Id(first.id)),
            })
            .await?
            .into_inner(),
    ))?;
    let mut note = move_of(&fresh, pb::Move::Note, &format!("{tag}-note"));
    note.note = INTERNAL_NOTE.into();
    let noted = the_case(dispatcher.cases.move_case(note).await?.into_inner().r#case)?;
    let mut done = move_of(&noted, pb::Move::Respond, &format!("{tag}-done"));
    done.response = pb::FirstResponse::Done.into();
    done.note = RESULT.into();
    let first = the_case(unit.cases.move_case(done).await?.into_inner().r#case)?;
    assert_eq!(first.status(), pb::CaseStatus::Resolved);
    Ok(World {
        first,
        second,
        first_doc,
        second_doc,
    })
}

async fn demo_world(server: &TestServer, tag: &str) -> anyhow::Result<World> {
    let mut agent = server.as_user("agent1").await?;
    let mut staff = [
        server.as_user("dispatcher1").await?,
        server.as_user("unit1").await?,
    ];
    world(&mut agent, &mut staff, tag).await
}

#[tokio::test]
async fn only_the_portals_token_opens_the_service() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    for token in [None, Some("nobody"), Some("portal")] {
        let mut c = server.clients(token).await?;
        let refused = c.portal.list_my_cases(list(P1)).await.unwrap_err();
        assert_eq!(refused.code(), Code::Unauthenticated, "{token:?}");
    }
    for name in STAFF {
        let mut c = server.as_user(name).await?;
        let refused = c.portal.list_my_cases(list(P1)).await.unwrap_err();
        assert_eq!(refused.code(), Code::PermissionDenied, "{name}");
        let refused = c.portal.get_my_case(get(P1, 1)).await.unwrap_err();
        assert_eq!(refused.code(), Code::PermissionDenied, "{name}");
    }
    // The portal's token opens no staff service.
    let mut portal = server.as_user("portal1").await?;
    let refused = portal
        .cases
        .list_cases(pb::ListCasesRequest::default())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied);
    let refused = portal
        .session
        .who_am_i(pb::WhoAmIRequest {})
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied);
    let refused = portal
        .cases
        .caller_history(pb::CallerHistoryRequest {
            phone: P1.into(),
            limit: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied);
    // With the right token, a number that never called has nothing.
    let none = portal.portal.list_my_cases(list("09130000000")).await?;
    assert!(none.into_inner().cases.is_empty());
    server.shutdown().await
}

#[tokio::test]
async fn each_citizen_reads_their_own_cases_as_a_citizen_should() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let w = demo_world(&server, "own").await?;
    let mut portal = server.as_user("portal1").await?;
    let mut staff = server.as_user("supervisor1").await?;

    let mine = portal.portal.list_my_cases(list(P1)).await?.into_inner();
    let theirs = portal
        .portal
        .list_my_cases(list("+98 913 765 4321"))
        .await?
        .into_inner();
    no_number("ListMyCases", &mine);
    no_number("ListMyCases", &theirs);
    let ids = |l: &pb::ListMyCasesResponse| l.cases.iter().map(|c| c.case_id).collect::<Vec<_>>();
    assert_eq!(ids(&mine), [w.first.id]);
    assert_eq!(ids(&theirs), [w.second.id]);

    // Another's case is refused exactly as one that does not exist.
    let other = portal
        .portal
        .get_my_case(get(P1, w.second.id))
        .await
        .unwrap_err();
    let missing = portal
        .portal
        .get_my_case(get(P1, 99_999))
        .await
        .unwrap_err();
    assert_eq!(
        (other.code(), missing.code()),
        (Code::NotFound, Code::NotFound)
    );
    assert_eq!(other.message(), missing.message());
    let by_number = portal
        .portal
        .get_my_case(pb::GetMyCaseRequest {
            phone: P1.into(),
            key: Some(Key::Number(w.second.number.clone())),
        })
        .await
        .unwrap_err();
    assert_eq!(by_number.message(), missing.message());

    // The timeline: the unit's result in words, nobody on the staff, no note.
    let case = portal
        .portal
        .get_my_case(get(P1, w.first.id))
        .await?
        .into_inner();
    no_number("GetMyCase", &case);
    assert_eq!(case, mine.cases[0]);
    let bytes = String::from_utf8_lossy(&case.encode_to_vec()).into_owned();
    for name in STAFF.iter().chain(&["portal1"]) {
        assert!(!bytes.contains(name), "{name} reached the citizen");
    }
    assert!(
        !bytes.contains(INTERNAL_NOTE),
        "the internal note reached the citizen"
    );
    let result = case
        .steps
        .iter()
        .find(|s| s.kind() == pb::EventKind::Resolved)
        .expect("the result is a step");
    assert_eq!(result.text, RESULT);
    assert_eq!(result.status(), pb::CaseStatus::Resolved);
    assert!(!result.title_fa.is_empty() && !result.title_en.is_empty());
    assert!(case.steps.iter().all(|s| s.kind() != pb::EventKind::Note));
    let referred = case
        .steps
        .iter()
        .find(|s| s.kind() == pb::EventKind::Referred)
        .expect("the referral is a step");
    assert!(!referred.unit_fa.is_empty());
    assert_eq!(case.status(), pb::CaseStatus::Resolved);
    assert!(case.feedback_open);
    assert_eq!(case.revision, w.first.revision);

    // The expected dates are the case's clocks, as staff see them.
    let open = portal
        .portal
        .get_my_case(get(P2, w.second.id))
        .await?
        .into_inner();
    no_number("GetMyCase", &open);
    assert!(!open.feedback_open);
    for (public, id) in [(&case, w.first.id), (&open, w.second.id)] {
        let seen = staff
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(pb::get_case_request::Key::Id(id)),
            })
            .await?
            .into_inner();
        assert_eq!(
            (
                public.expected_first_response_ms,
                public.expected_on_site_ms,
                public.expected_result_ms,
                public.promised_ms
            ),
            (
                seen.first_response_due_ms,
                seen.on_site_due_ms,
                seen.result_due_ms,
                seen.promised_ms
            )
        );
    }
    assert!(
        open.expected_first_response_ms > 0,
        "a running clock has a date"
    );
    // The neighbour typed their number into the description: hidden.
    assert!(open.description.contains('*'), "{}", open.description);

    // Documents: listed, downloadable, the other number's refused.
    assert_eq!(case.documents.len(), 1);
    let doc = &case.documents[0];
    assert_eq!(
        (doc.id.as_str(), doc.added_by.as_str()),
        (w.first_doc.id.as_str(), "")
    );
    let (record, content) = download_my_document(
        &mut portal.portal,
        pb::DownloadMyDocumentRequest {
            phone: P1.into(),
            case_id: w.first.id,
            attachment_id: doc.id.clone(),
        },
    )
    .await?;
    assert_eq!(content, PDF);
    assert_eq!(&record, doc);
    for (case_id, attachment_id) in [
        (w.second.id, w.second_doc.id.clone()),
        (w.second.id, w.first_doc.id.clone()),
    ] {
        let refused = download_my_document(
            &mut portal.portal,
            pb::DownloadMyDocumentRequest {
                phone: P1.into(),
                case_id,
                attachment_id,
            },
        )
        .await
        .unwrap_err();
        assert_eq!(refused.code(), Code::NotFound);
        assert_eq!(refused.message(), missing.message());
    }
    let wrong_file = download_my_document(
        &mut portal.portal,
        pb::DownloadMyDocumentRequest {
            phone: P1.into(),
            case_id: w.first.id,
            attachment_id: w.second_doc.id.clone(),
        },
    )
    .await;
    assert_eq!(wrong_file.unwrap_err().code(), Code::NotFound);

    // Paging, as the other lists do.
    let mut agent = server.as_user("agent1").await?;
    agent.cases.create_case(obstruction("own-3")).await?;
    let page = portal
        .portal
        .list_my_cases(pb::ListMyCasesRequest {
            phone: P1.into(),
            page_size: 1,
            page_token: String::new(),
        })
        .await?
        .into_inner();
    assert_eq!(page.cases.len(), 1);
    assert!(!page.next_page_token.is_empty());
    let rest = portal
        .portal
        .list_my_cases(pb::ListMyCasesRequest {
            phone: P1.into(),
            page_size: 1,
            page_token: page.next_page_token,
        })
        .await?
        .into_inner();
    assert_eq!(ids(&rest), [w.first.id]);
    assert!(rest.next_page_token.is_empty());
    server.shutdown().await
}

#[tokio::test]
async fn a_correction_reopens_and_feedback_closes() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let w = demo_world(&server, "moves").await?;
    let mut portal = server.as_user("portal1").await?;
    let mut supervisor = server.as_user("supervisor1").await?;
    let mut unit = server.as_user("unit1").await?;
    let staff_case = |c: &mut Clients, id: u64| {
        let mut cases = c.cases.clone();
        async move {
            cases
                .get_case(pb::GetCaseRequest {
                    key: Some(pb::get_case_request::Key::Id(id)),
                })
                .await
                .map(|r| r.into_inner())
        }
    };

    let correction =
        |request_id: &str, revision: u64, comment: &str| pb::RequestCorrectionRequest {
            request_id: request_id.into(),
            phone: P1.into(),
            case_id: w.first.id,
            revision,
            comment: comment.into(),
        };
    // Every field is checked, and named.
    for (request, field) in [
        (correction("c-1", w.first.revision, ""), "comment"),
        (
            correction("c-1", w.first.revision, "درست\u{202E}نشد"),
            "comment",
        ),
        (
            correction("", w.first.revision, "هنوز بسته است"),
            "request_id",
        ),
        (
            pb::RequestCorrectionRequest {
                phone: "0913".into(),
                ..correction("c-1", w.first.revision, "هنوز بسته است")
            },
            "phone",
        ),
    ] {
        let refused = portal.portal.request_correction(request).await.unwrap_err();
        assert_eq!(refused_field(&refused)?.field, field);
    }
    // Another number's correction is no case at all.
    let refused = portal
        .portal
        .request_correction(pb::RequestCorrectionRequest {
            phone: P2.into(),
            ..correction("c-x", w.first.revision, "هنوز بسته است")
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::NotFound);
    // A stale revision is told so.
    let stale = portal
        .portal
        .request_correction(correction("c-0", w.first.revision - 1, "هنوز بسته است"))
        .await
        .unwrap_err();
    assert_eq!(stale.code(), Code::Aborted);

    let mut feed = supervisor
        .feed
        .watch(pb::WatchRequest { after_seq: 0 })
        .await?
        .into_inner();
    // The snapshot first: what follows it are the changes after it.
    while let Some(answer) = feed.message().await? {
        if let Some(pb::watch_response::Item::Resync(pb::Resync { last: true, .. })) = answer.item {
            break;
        }
    }
    let asked = correction(
        "c-1",
        w.first.revision,
        "هنوز بسته است؛ با ۰۹۱۳۱۲۳۴۵۶۷ تماس بگیرید",
    );
    let reopened = portal
        .portal
        .request_correction(asked.clone())
        .await?
        .into_inner();
    no_number("RequestCorrection", &reopened);
    assert!(!reopened.replayed);
    let public = reopened.r#case.clone().unwrap_or_default();
    assert_eq!(public.status(), pb::CaseStatus::Reopened);
    assert!(!public.feedback_open);
    let step = public.steps.last().unwrap();
    assert_eq!(step.kind(), pb::EventKind::Reopened);
    assert!(step.text.starts_with("هنوز بسته است"), "{}", step.text);
    let again = portal.portal.request_correction(asked).await?.into_inner();
    assert!(again.replayed);
    assert_eq!(again.r#case, reopened.r#case);
    // The portal's move reaches the live feed like any other.
    let on_feed = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(answer) = feed.message().await? {
            if let Some(pb::watch_response::Item::Event(e)) = answer.item {
                let kind = e.event.as_ref().map(|ev| ev.kind());
                if e.case.as_ref().map(|c| c.id) == Some(w.first.id)
                    && kind == Some(pb::EventKind::Reopened)
                {
                    return Ok::<_, tonic::Status>(true);
                }
            }
        }
        Ok(false)
    })
    .await??;
    assert!(on_feed, "the correction never reached the feed");
    let seen = staff_case(&mut supervisor, w.first.id).await?;
    assert_eq!(seen.status(), pb::CaseStatus::Reopened);
    assert_eq!(seen.call_back.unwrap_or_default().reopens, 1);
    let last = seen.events.last().unwrap();
    assert_eq!(
        (last.kind(), last.r#move(), last.role()),
        (pb::EventKind::Reopened, pb::Move::Reopen, pb::Role::Portal)
    );

    // Nothing to judge while the unit works on it again.
    let early = portal
        .portal
        .give_feedback(pb::GiveFeedbackRequest {
            request_id: "f-0".into(),
            phone: P1.into(),
            case_id: w.first.id,
            revision: public.revision,
            satisfaction: 5,
            comment: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(early.code(), Code::FailedPrecondition);

    let mut done = move_of(&seen, pb::Move::Resolve, "moves-again");
    done.note = "دوباره برداشته شد".into();
    let resolved = the_case(unit.cases.move_case(done).await?.into_inner().r#case)?;
    let feedback = |request_id: &str, satisfaction: u32| pb::GiveFeedbackRequest {
        request_id: request_id.into(),
        phone: P1.into(),
        case_id: w.first.id,
        revision: resolved.revision,
        satisfaction,
        comment: "ممنون".into(),
    };
    for satisfaction in [0, 6] {
        let refused = portal
            .portal
            .give_feedback(feedback("f-bad", satisfaction))
            .await
            .unwrap_err();
        assert_eq!(
            refused_field(&refused)?.field,
            "satisfaction",
            "{satisfaction}"
        );
    }
    let given = portal
        .portal
        .give_feedback(feedback("f-1", 5))
        .await?
        .into_inner();
    no_number("GiveFeedback", &given);
    assert!(!given.replayed);
    let public = given.r#case.clone().unwrap_or_default();
    assert_eq!(
        (public.status(), public.satisfaction, public.feedback_open),
        (pb::CaseStatus::Closed, 5, false)
    );
    let step = public
        .steps
        .iter()
        .find(|s| s.kind() == pb::EventKind::Feedback)
        .unwrap();
    assert_eq!(step.text, "ممنون");
    let again = portal
        .portal
        .give_feedback(feedback("f-1", 5))
        .await?
        .into_inner();
    assert!(again.replayed);
    assert_eq!(again.r#case, given.r#case);
    let seen = staff_case(&mut supervisor, w.first.id).await?;
    let cb = seen.call_back.unwrap_or_default();
    assert_eq!(
        (seen.status(), cb.satisfaction),
        (pb::CaseStatus::Closed, 5)
    );
    // The scorecard counts it, as it counts the call-back's.
    let cards = supervisor
        .scorecards
        .scorecards(pb::ScorecardsRequest::default())
        .await?
        .into_inner();
    let card = cards
        .units
        .iter()
        .find(|u| u.unit_id == desk137_server::auth::DEMO_UNIT)
        .expect("the unit has a scorecard");
    assert_eq!(card.scored_cases, 1);
    assert!(
        card.reopen_rate > 0.0,
        "the correction counts against the unit"
    );

    // A closed case is 137's to reopen, not the portal's.
    let late = portal
        .portal
        .request_correction(correction("c-2", seen.revision, "باز هم"))
        .await
        .unwrap_err();
    assert_eq!(late.code(), Code::FailedPrecondition);
    server.shutdown().await
}

#[tokio::test]
async fn the_servers_log_holds_no_number_for_the_portals_calls() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Spawned::start(dir.path(), desk137_tests::SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut staff = [
        server.as_user("dispatcher1").await?,
        server.as_user("unit1").await?,
    ];
    let w = world(&mut agent, &mut staff, "log").await?;
    let before = server.log.lock().map(|l| l.len()).unwrap_or(0);
    let mut portal = server.as_user("portal1").await?;
    portal.portal.list_my_cases(list(P1)).await?;
    portal.portal.get_my_case(get(P2, w.second.id)).await?;
    let _ = portal.portal.get_my_case(get(P2, w.first.id)).await;
    download_my_document(
        &mut portal.portal,
        pb::DownloadMyDocumentRequest {
            phone: P1.into(),
            case_id: w.first.id,
            attachment_id: w.first_doc.id.clone(),
        },
    )
    .await?;
    let _ = portal
        .portal
        .give_feedback(pb::GiveFeedbackRequest {
            request_id: "log-f".into(),
            phone: P1.into(),
            case_id: w.first.id,
            revision: w.first.revision,
            satisfaction: 9,
            comment: String::new(),
        })
        .await;
    portal
        .portal
        .request_correction(pb::RequestCorrectionRequest {
            request_id: "log-c".into(),
            phone: P1.into(),
            case_id: w.first.id,
            revision: w.first.revision,
            comment: "شماره‌ام ۰۹۱۳۱۲۳۴۵۶۷ است".into(),
        })
        .await?;
    // The move's line is written before its answer leaves.
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    let portal_lines: Vec<&String> = log[before..].iter().collect();
    assert!(
        portal_lines
            .iter()
            .any(|l| l.contains(&w.first.number) && l.contains("portal1")),
        "the portal's move is logged by case number: {portal_lines:?}"
    );
    for line in &log {
        assert!(
            !holds_number(line.as_bytes()),
            "a number in the log: {line}"
        );
    }
    server.kill()
}

/// The README's grpcurl calls name methods of CitizenService and fields of
/// their requests as the contract spells them, with the portal's demo token.
#[test]
fn the_readmes_calls_match_the_contract() -> anyhow::Result<()> {
    let readme = include_str!("../../README.md");
    let proto = include_str!("../../proto/proto/desk137/v1/desk137.proto");
    let section = readme
        .split("## Citizens' portal")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .ok_or_else(|| anyhow::anyhow!("the README has no Citizens' portal section"))?;
    assert!(section.contains("Bearer portal1"));
    let service = proto
        .split("service CitizenService {")
        .nth(1)
        .and_then(|s| s.split('}').next())
        .ok_or_else(|| anyhow::anyhow!("no CitizenService in the contract"))?;
    // Each call: its JSON body, then the method it goes to.
    let calls: Vec<&str> = section.split("grpcurl ").skip(1).collect();
    let mut methods = Vec::new();
    for call in calls {
        let body = call
            .split("-d '")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .ok_or_else(|| anyhow::anyhow!("a call without a body: {call}"))?;
        let method = call
            .split("desk137.v1.CitizenService/")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .ok_or_else(|| anyhow::anyhow!("a call without a method: {call}"))?;
        let request = service
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("rpc {method}(")))
            .and_then(|l| l.split(')').next())
            .ok_or_else(|| anyhow::anyhow!("{method} is not a CitizenService method"))?;
        let message = proto
            .split(&format!("message {request} {{"))
            .nth(1)
            .and_then(|s| s.split("\n}").next())
            .ok_or_else(|| anyhow::anyhow!("no message {request}"))?;
        let fields: Vec<&str> = message
            .lines()
            .filter_map(|l| l.split('=').next())
            .filter_map(|l| l.split_whitespace().last())
            .collect();
        let json: serde_json::Value = serde_json::from_str(body)?;
        let keys = json
            .as_object()
            .ok_or_else(|| anyhow::anyhow!("{method}: the body is not an object"))?;
        for key in keys.keys() {
            assert!(
                fields.contains(&key.as_str()),
                "{method}: {key} is no field of {request}"
            );
        }
        assert!(keys.contains_key("phone"), "{method} names no phone");
        methods.push(method);
    }
    methods.sort_unstable();
    assert_eq!(
        methods,
        [
            "DownloadMyDocument",
            "GetMyCase",
            "GiveFeedback",
            "ListMyCases",
            "RequestCorrection"
        ]
    );
    Ok(())
}
