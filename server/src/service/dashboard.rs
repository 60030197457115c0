//! DashboardService: the supervisors' figures as the store keeps them.

use super::{Context, Error, convert};
use crate::domain::access::{Rpc, feed_view};
use crate::domain::model::CaseStatus;
use crate::store::dashboard::Kept;
use desk137_proto::convert::WireEnum;
use desk137_proto::v1 as pb;
use desk137_proto::v1::dashboard_service_server::DashboardService;
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct DashboardApi(pub Context);

impl DashboardApi {
    async fn snapshot(
        &self,
        request: &Request<pb::SnapshotRequest>,
    ) -> Result<pb::Dashboard, Error> {
        let caller = self.0.admit(request, Rpc::Snapshot)?;
        let now = self.0.clock.now_ms();
        let kept = self.0.read(move |store| store.dashboard(now)).await?;
        // The same view as the feed's: the screen applies feed events to it.
        Ok(to_pb(&kept, now, &feed_view(&caller), &self.0))
    }
}

fn to_pb(
    kept: &Kept,
    now: i64,
    view: &crate::domain::access::View,
    ctx: &Context,
) -> pb::Dashboard {
    let f = &kept.figures;
    let case = |c| convert::case_to(c, &[], view, &ctx.sla);
    pb::Dashboard {
        seq: kept.seq,
        at_ms: now,
        open_by_status: f
            .by_status
            .iter()
            .filter_map(|(code, n)| {
                CaseStatus::from_code(*code).map(|s| pb::StatusCount {
                    status: s.to_wire(),
                    count: *n,
                })
            })
            .collect(),
        urgent_open: f.urgent_open,
        urgent_warned: f.urgent_warned,
        urgent_breached: f.urgent_breached,
        breaches_today: kept.today.breaches,
        intake_per_hour: kept.today.intake.to_vec(),
        units: f
            .units
            .iter()
            .map(|(unit_id, u)| pb::UnitBacklog {
                unit_id: unit_id.clone(),
                open: u.open,
                overdue: u.overdue,
                urgent_open: u.urgent_open,
            })
            .collect(),
        regions: f
            .regions
            .iter()
            .map(|(region, r)| pb::RegionBacklog {
                region: *region,
                open: r.open,
                overdue: r.overdue,
            })
            .collect(),
        agents_today: kept
            .today
            .agents
            .iter()
            .map(|(user, n)| pb::AgentCount {
                user: user.clone(),
                logged: *n,
            })
            .collect(),
        escalations: f
            .levels
            .iter()
            .map(|(level, n)| pb::LevelCount {
                level: *level,
                open: *n,
            })
            .collect(),
        urgent_in_progress: kept.urgent.iter().map(case).collect(),
        oldest_waiting: kept.waiting.iter().map(case).collect(),
    }
}

#[tonic::async_trait]
impl DashboardService for DashboardApi {
    async fn snapshot(
        &self,
        request: Request<pb::SnapshotRequest>,
    ) -> Result<Response<pb::Dashboard>, Status> {
        Ok(Response::new(DashboardApi::snapshot(self, &request).await?))
    }
}
