//! A case as its citizen reads it on the portal: what happened and when,
//! in words written for them. Staff names and roles, internal notes,
//! follow-ups, escalations, service-level alarms and the internals of a
//! reroute never reach this view; free text is shown with every phone-like
//! number hidden, the citizen's own included, since the portal already
//! knows it and an answer that carries it is one more place to leak it.

use crate::catalog::Catalog;
use crate::clock::Millis;
use crate::event::{Event, EventKind};
use crate::model::{Case, CaseStatus, Kind};
use crate::phone::mask_numbers_in_text;

/// One step of the public timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub at_ms: Millis,
    pub kind: EventKind,
    /// Where the case stood after the step.
    pub status: CaseStatus,
    pub title_fa: &'static str,
    pub title_en: &'static str,
    /// The unit's answer or the citizen's own words, numbers hidden; empty
    /// for every other step.
    pub text: String,
    /// The unit or organisation the step names, in Persian.
    pub unit_fa: String,
}

/// What a citizen may read of one event: its titles and whether its note
/// was written for them. `None`: the event is internal.
fn shown(kind: &EventKind) -> Option<(&'static str, &'static str, bool)> {
    Some(match kind {
        EventKind::Registered => ("ثبت درخواست", "Request registered", false),
        EventKind::Answered => ("پاسخ داده شد", "Answered", false),
        EventKind::Referred { .. } => ("ارجاع به واحد اجرایی", "Referred to the unit", false),
        EventKind::Acknowledged => ("پذیرش در واحد", "Taken up by the unit", false),
        EventKind::OnSite => ("حضور در محل", "The crew is on site", false),
        EventKind::InProgress { .. } => (
            "پاسخ اولیه: نیاز به زمان بیشتر",
            "First response: more time is needed",
            true,
        ),
        EventKind::Resolved => ("اعلام نتیجه", "Result reported", true),
        EventKind::Feedback { .. } => ("نظر شما", "Your feedback", true),
        EventKind::Reopened => ("درخواست اصلاح", "Correction requested", true),
        EventKind::Rejected { .. } => ("رد درخواست", "Request rejected", true),
        EventKind::Deferred => (
            "موکول به بودجه یا طرح",
            "Deferred: needs a budget or a plan",
            true,
        ),
        EventKind::Transferred { .. } => (
            "ارسال به سازمان مسئول",
            "Sent to the organisation in charge",
            false,
        ),
        EventKind::Rerouted { .. } => ("ارجاع به واحد دیگر", "Referred to another unit", false),
        EventKind::Resumed => ("ادامه رسیدگی", "Work resumed", false),
        EventKind::Closed => ("بسته شد", "Closed", false),
        EventKind::Coordination { .. }
        | EventKind::FollowUp { .. }
        | EventKind::Note
        | EventKind::Escalated { .. }
        | EventKind::SlaWarning { .. }
        | EventKind::SlaBreached { .. }
        | EventKind::SlaChanged { .. }
        | EventKind::Attachment
        | EventKind::Unreachable { .. } => return None,
    })
}

/// The state an event leaves a case in; `None`: it stays where it was.
fn status_after(kind: &EventKind, before: CaseStatus, resume_to: CaseStatus) -> CaseStatus {
    match kind {
        EventKind::Registered => CaseStatus::Registered,
        EventKind::Answered => CaseStatus::Answered,
        EventKind::Referred { .. } | EventKind::Rerouted { .. } => CaseStatus::Referred,
        EventKind::Acknowledged => CaseStatus::Acknowledged,
        EventKind::OnSite => CaseStatus::OnSite,
        EventKind::InProgress { .. } => CaseStatus::InProgress,
        EventKind::Resolved => CaseStatus::Resolved,
        EventKind::Feedback { .. } | EventKind::Closed => CaseStatus::Closed,
        EventKind::Reopened => CaseStatus::Reopened,
        EventKind::Rejected { .. } => CaseStatus::Rejected,
        EventKind::Deferred => CaseStatus::Deferred,
        EventKind::Transferred { .. } => CaseStatus::Transferred,
        EventKind::Resumed => resume_to,
        EventKind::Unreachable { .. } => CaseStatus::AwaitingFeedback,
        EventKind::Coordination { .. }
        | EventKind::FollowUp { .. }
        | EventKind::Note
        | EventKind::Escalated { .. }
        | EventKind::SlaWarning { .. }
        | EventKind::SlaBreached { .. }
        | EventKind::SlaChanged { .. }
        | EventKind::Attachment => before,
    }
}

fn unit_name(catalog: &Catalog, id: &str) -> String {
    catalog
        .unit(id)
        .map_or_else(String::new, |u| u.name_fa.clone())
}

/// The steps of `case` its citizen sees, oldest first, from its timeline
/// `events` (oldest first).
pub fn steps(case: &Case, events: &[Event], catalog: &Catalog) -> Vec<Step> {
    let mut out = Vec::new();
    let mut status = CaseStatus::Registered;
    // Where a resume goes back to: the state before the last deferral or
    // transfer.
    let mut before_pause = CaseStatus::Registered;
    for (i, e) in events.iter().enumerate() {
        if matches!(e.kind, EventKind::Deferred | EventKind::Transferred { .. }) {
            before_pause = status;
        }
        status = status_after(&e.kind, status, before_pause);
        if i + 1 == events.len() {
            // The last step leaves the case where it is now, whatever the
            // replay guessed (an unreachable call that closed it, say).
            status = case.status;
        }
        let Some((title_fa, title_en, with_text)) = shown(&e.kind) else {
            continue;
        };
        let unit_fa = match &e.kind {
            EventKind::Referred { unit_id } | EventKind::Transferred { unit_id } => {
                unit_name(catalog, unit_id)
            }
            EventKind::Rerouted {
                from_unit_id,
                unit_id,
                ..
            } => {
                // A change of topic alone is the center's bookkeeping.
                if unit_id == from_unit_id || unit_id.is_empty() {
                    continue;
                }
                unit_name(catalog, unit_id)
            }
            _ => String::new(),
        };
        out.push(Step {
            at_ms: e.at_ms,
            kind: e.kind.clone(),
            status,
            title_fa,
            title_en,
            text: if with_text {
                mask_numbers_in_text(&e.note)
            } else {
                String::new()
            },
            unit_fa,
        });
    }
    out
}

/// The dates the service levels set for a case, as its clocks run now; 0
/// where none applies or the clock was met.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expected {
    pub first_response_ms: Millis,
    pub on_site_ms: Millis,
    pub result_ms: Millis,
    /// The date the unit promised, if it did.
    pub promised_ms: Millis,
}

/// The expected dates of `case`, from the deadlines its clocks keep.
pub fn expected(case: &Case) -> Expected {
    Expected {
        first_response_ms: case.deadlines.first_response_ms,
        on_site_ms: case.deadlines.on_site_ms,
        result_ms: case.deadlines.result_ms,
        promised_ms: case.promised_ms,
    }
}

/// The result is in and awaits the citizen's word: feedback, or a request
/// for a correction. Only executive cases get a result to judge.
pub fn feedback_open(case: &Case) -> bool {
    case.kind == Kind::Executive
        && matches!(
            case.status,
            CaseStatus::Resolved | CaseStatus::AwaitingFeedback
        )
}

/// Free text of the citizen's own (a description, an address) as the portal
/// shows it back.
pub fn text(s: &str) -> String {
    mask_numbers_in_text(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Role, Urgency};
    use crate::moves::Move;

    fn catalog() -> Catalog {
        Catalog::default_catalog().unwrap()
    }

    fn case(status: CaseStatus) -> Case {
        let mut c = crate::moves::tests::case(status, Urgency::Normal);
        c.unit_id = "r03-urban_services".into();
        c
    }

    fn ev(at: Millis, actor: &str, kind: EventKind, note: &str) -> Event {
        Event::new(at, actor, kind, note)
    }

    #[test]
    fn the_citizen_reads_the_units_answer_and_nothing_internal() {
        let c = catalog();
        let unit = "r03-urban_services";
        let events = vec![
            ev(1, "agent1", EventKind::Registered, "تماس‌گیرنده عصبانی بود"),
            ev(
                2,
                "system",
                EventKind::Referred {
                    unit_id: unit.into(),
                },
                "",
            ),
            ev(
                3,
                "dispatcher1",
                EventKind::Note,
                "یادداشت داخلی: با آقای رضایی هماهنگ شد",
            ),
            ev(
                4,
                "system",
                EventKind::FollowUp {
                    user: "dispatcher1".into(),
                },
                "",
            ),
            ev(
                5,
                "system",
                EventKind::Escalated {
                    level: 1,
                    recipient: "مدیر منطقه".into(),
                    letter: "نامه".into(),
                    clock: None,
                    due_ms: 9,
                },
                "دیر شد",
            ),
            ev(6, "unit1", EventKind::Acknowledged, "به اکیپ دادم"),
            ev(
                7,
                "unit1",
                EventKind::Resolved,
                "چاله پر شد؛ پرسش: ۰۹۱۳۱۲۳۴۵۶۷",
            )
            .by(Role::Unit, Move::Resolve),
        ];
        let steps = steps(&case(CaseStatus::Resolved), &events, &c);
        let kinds: Vec<&'static str> = steps.iter().map(|s| s.title_en).collect();
        assert_eq!(
            kinds,
            [
                "Request registered",
                "Referred to the unit",
                "Taken up by the unit",
                "Result reported"
            ]
        );
        // Only the answer carries words, and its number is hidden.
        assert_eq!(steps[0].text, "");
        assert_eq!(steps[2].text, "");
        assert!(steps[3].text.starts_with("چاله پر شد"));
        assert!(!steps[3].text.contains("۱۲۳۴۵۶۷"), "{}", steps[3].text);
        assert_eq!(steps[1].unit_fa, c.unit(unit).unwrap().name_fa);
        assert_eq!(steps[1].status, CaseStatus::Referred);
        assert_eq!(steps[3].status, CaseStatus::Resolved);
        let all: String = steps
            .iter()
            .map(|s| format!("{} {} {} {}", s.title_fa, s.title_en, s.text, s.unit_fa))
            .collect();
        for secret in [
            "agent1",
            "unit1",
            "dispatcher1",
            "رضایی",
            "عصبانی",
            "نامه",
            "اکیپ",
        ] {
            assert!(!all.contains(secret), "{secret} reached the citizen");
        }
    }

    #[test]
    fn corrections_deferrals_and_rejections_carry_their_words() {
        let c = catalog();
        let events = vec![
            ev(1, "agent1", EventKind::Registered, ""),
            ev(2, "unit1", EventKind::Deferred, "نیاز به بودجه سال بعد"),
            ev(3, "unit1", EventKind::Resumed, ""),
            ev(4, "unit1", EventKind::Resolved, "انجام شد"),
            ev(5, "portal1", EventKind::Reopened, "هنوز خراب است"),
            ev(
                6,
                "unit1",
                EventKind::Rejected {
                    reject_kind: None,
                    duplicate_of: String::new(),
                },
                "خارج از وظایف شهرداری",
            ),
        ];
        let steps = steps(&case(CaseStatus::Rejected), &events, &c);
        let texts: Vec<&str> = steps.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "",
                "نیاز به بودجه سال بعد",
                "",
                "انجام شد",
                "هنوز خراب است",
                "خارج از وظایف شهرداری"
            ]
        );
        // A resume goes back where the case was before it was deferred.
        assert_eq!(steps[1].status, CaseStatus::Deferred);
        assert_eq!(steps[2].status, CaseStatus::Registered);
        assert_eq!(steps[4].status, CaseStatus::Reopened);
        assert_eq!(steps[5].status, CaseStatus::Rejected);
    }

    #[test]
    fn a_reroute_shows_only_a_new_unit() {
        let c = catalog();
        let reroute = |from: &str, to: &str| EventKind::Rerouted {
            from_unit_id: from.into(),
            unit_id: to.into(),
            from_topic_id: "T1".into(),
            topic_id: "T2".into(),
        };
        let events = vec![
            ev(1, "agent1", EventKind::Registered, ""),
            ev(
                2,
                "dispatcher1",
                reroute("r03-urban_services", "r03-urban_services"),
                "موضوع اشتباه",
            ),
            ev(
                3,
                "dispatcher1",
                reroute("r03-urban_services", "r05-traffic"),
                "واحد اشتباه",
            ),
        ];
        let steps = steps(&case(CaseStatus::Referred), &events, &c);
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].unit_fa, c.unit("r05-traffic").unwrap().name_fa);
        assert_eq!(steps[1].text, "");
        // The last step says where the case stands now.
        assert_eq!(steps[1].status, CaseStatus::Referred);
    }

    #[test]
    fn expected_dates_and_feedback_follow_the_case() {
        let mut c = case(CaseStatus::InProgress);
        c.deadlines.first_response_ms = 10;
        c.deadlines.result_ms = 30;
        c.promised_ms = 40;
        assert_eq!(
            expected(&c),
            Expected {
                first_response_ms: 10,
                on_site_ms: 0,
                result_ms: 30,
                promised_ms: 40
            }
        );
        assert!(!feedback_open(&c));
        for status in [CaseStatus::Resolved, CaseStatus::AwaitingFeedback] {
            c.status = status;
            assert!(feedback_open(&c));
        }
        c.kind = Kind::Informational;
        assert!(!feedback_open(&c));
        c.kind = Kind::Executive;
        c.status = CaseStatus::Closed;
        assert!(!feedback_open(&c));
        assert_eq!(text("تماس ۰۹۱۳۱۲۳۴۵۶۷ پلاک ۱۲"), "تماس *********** پلاک ۱۲");
    }
}
