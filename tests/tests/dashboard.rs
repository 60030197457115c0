//! The dashboard's figures, kept in the writer's transactions, against a
//! full recount of the store after a mixed workload on the simulated clock.

use desk137_domain::dashboard::{DayKey, Figures};
use desk137_domain::model::CaseStatus;
use desk137_server::store::{Store, StoreOptions};
use desk137_tests::{Bearer, HOUR_MS, SIM_START_MS, Spawned, move_of, obstruction, pb};
use pb::dashboard_service_client::DashboardServiceClient;
use std::collections::BTreeMap;

async fn advance(addr: std::net::SocketAddr, ms: i64) -> anyhow::Result<i64> {
    let mut admin = desk137_tests::Clients::connect(addr, Some("admin1")).await?;
    Ok(admin
        .clock
        .advance(pb::AdvanceRequest { ms })
        .await?
        .into_inner()
        .now_ms)
}

/// The snapshot's figures in the domain's shape, to compare with a recount.
fn figures_of(d: &pb::Dashboard) -> Figures {
    use desk137_domain::dashboard::{RegionTally, UnitTally};
    let status = |wire: i32| {
        CaseStatus::all()
            .find(|s| desk137_proto::convert::WireEnum::to_wire(*s) == wire)
            .map(CaseStatus::code)
            .unwrap_or(0)
    };
    Figures {
        by_status: d
            .open_by_status
            .iter()
            .map(|s| (status(s.status), s.count))
            .collect(),
        urgent_open: d.urgent_open,
        urgent_warned: d.urgent_warned,
        urgent_breached: d.urgent_breached,
        units: d
            .units
            .iter()
            .map(|u| {
                (
                    u.unit_id.clone(),
                    UnitTally {
                        open: u.open,
                        overdue: u.overdue,
                        urgent_open: u.urgent_open,
                    },
                )
            })
            .collect(),
        regions: d
            .regions
            .iter()
            .map(|r| {
                (
                    r.region,
                    RegionTally {
                        open: r.open,
                        overdue: r.overdue,
                    },
                )
            })
            .collect(),
        levels: d.escalations.iter().map(|l| (l.level, l.open)).collect(),
    }
}

#[tokio::test]
async fn the_figures_equal_a_full_recount_after_a_mixed_workload() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let server = Spawned::start(&data, SIM_START_MS)?;
    let addr = server.addr;
    let agent = server.as_user("agent1").await?;
    let supervisor = server.as_user("supervisor1").await?;
    let mut unit = server.as_user("unit1").await?;
    let mut made = Vec::new();
    for i in 0..36 {
        let mut request = obstruction(&format!("mix-{i}"));
        request.region = [3, 5, 7][i % 3];
        if i % 4 == 0 {
            request.urgency = pb::Urgency::Urgent.into();
        }
        let mut by = if i % 5 == 0 {
            supervisor.cases.clone()
        } else {
            agent.cases.clone()
        };
        made.extend(by.create_case(request).await?.into_inner().r#case);
    }
    // The unit takes some of its cases and finishes a few.
    let ours: Vec<&pb::Case> = made
        .iter()
        .filter(|c| c.unit_id == desk137_server::auth::DEMO_UNIT)
        .collect();
    for (i, case) in ours.iter().enumerate() {
        if i % 2 == 0 {
            continue;
        }
        let taken = unit
            .cases
            .move_case(move_of(case, pb::Move::Acknowledge, &format!("ack-{i}")))
            .await?
            .into_inner()
            .r#case
            .unwrap();
        if case.urgency() == pb::Urgency::Urgent {
            unit.cases
                .move_case(move_of(&taken, pb::Move::Arrive, &format!("arr-{i}")))
                .await?;
        }
    }
    // Past the urgent arrivals' warnings and breaches, and a step of the ladder.
    advance(addr, 3 * HOUR_MS + HOUR_MS / 2).await?;
    // A rejected case takes itself out of the open figures.
    let mut sup = supervisor.cases.clone();
    let first = sup
        .get_case(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(made[1].id)),
        })
        .await?
        .into_inner();
    let mut reject = move_of(&first, pb::Move::Reject, "reject-1");
    reject.note = "کار شهرداری نیست".into();
    reject.reject_kind = pb::RejectKind::NotMunicipal.into();
    sup.move_case(reject).await?;
    // Into the next Tehran day: intake and breaches are counted per day.
    advance(addr, 12 * HOUR_MS).await?;
    let urgent = |id: String| pb::CreateCaseRequest {
        urgency: pb::Urgency::Urgent.into(),
        ..obstruction(&id)
    };
    for i in 0..6 {
        agent
            .cases
            .clone()
            .create_case(urgent(format!("late-{i}")))
            .await?;
    }
    // These breach today...
    advance(addr, 2 * HOUR_MS + HOUR_MS / 2).await?;
    for i in 0..4 {
        agent
            .cases
            .clone()
            .create_case(urgent(format!("later-{i}")))
            .await?;
    }
    // ...and these are only warned.
    advance(addr, HOUR_MS * 8 / 5).await?;

    let mut dashboard = DashboardServiceClient::with_interceptor(
        tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
            .connect()
            .await?,
        Bearer::new(Some("supervisor1"))?,
    );
    let snapshot = dashboard
        .snapshot(pb::SnapshotRequest {})
        .await?
        .into_inner();
    // Only supervisors and admins read it.
    let mut as_agent = DashboardServiceClient::with_interceptor(
        tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
            .connect()
            .await?,
        Bearer::new(Some("agent1"))?,
    );
    assert_eq!(
        as_agent
            .snapshot(pb::SnapshotRequest {})
            .await
            .unwrap_err()
            .code(),
        tonic::Code::PermissionDenied
    );
    let now = snapshot.at_ms;
    server.kill()?;

    let store = open_after_kill(&data)?;
    let kept = store.kept_dashboard()?;
    let recount = store.recount_dashboard()?;
    assert_eq!(kept, recount);
    assert_eq!(figures_of(&snapshot), recount.figures);
    let today = recount
        .days
        .get(&DayKey::of(now))
        .cloned()
        .unwrap_or_default();
    assert_eq!(snapshot.breaches_today, today.breaches);
    assert_eq!(snapshot.intake_per_hour, today.intake.to_vec());
    let agents: BTreeMap<String, u64> = snapshot
        .agents_today
        .iter()
        .map(|a| (a.user.clone(), a.logged))
        .collect();
    assert_eq!(agents, today.agents);
    // The workload reached every kind of figure.
    let f = &recount.figures;
    assert!(
        f.urgent_open > 0 && f.urgent_breached > 0 && f.urgent_warned > 0,
        "{f:?}"
    );
    assert!(
        !f.levels.is_empty() && today.breaches > 0 && recount.days.len() >= 2,
        "{recount:?}"
    );
    assert_eq!(today.agents.get("agent1"), Some(&10));
    // The lists: every open urgent case (fewer than the list holds), and
    // the waiting ones oldest first.
    assert_eq!(snapshot.urgent_in_progress.len() as u64, f.urgent_open);
    assert!(
        snapshot
            .urgent_in_progress
            .iter()
            .all(|c| { c.urgency() == pb::Urgency::Urgent && c.phone.is_empty() })
    );
    let waiting: Vec<i64> = snapshot
        .oldest_waiting
        .iter()
        .map(|c| c.created_at_ms)
        .collect();
    assert!(!waiting.is_empty() && waiting.is_sorted());
    assert_eq!(snapshot.seq, store.feed_reader().last_seq()?);
    Ok(())
}

fn open_after_kill(data: &std::path::Path) -> anyhow::Result<Store> {
    for _ in 0..100 {
        match Store::open(data, StoreOptions::default()) {
            Ok(store) => return Ok(store),
            Err(e) if e.to_string().contains("lock") => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => return Err(e.into()),
        }
    }
    anyhow::bail!("the store stays locked")
}
