//! ScorecardService: the units' standing per Jalali quarter, read from the
//! tallies the writer keeps (no scan of cases), and the cases behind them.

use super::{Context, Error, convert};
use crate::domain::access::{Rpc, View};
use crate::domain::catalog::Catalog;
use crate::domain::clocks::ClockKind;
use crate::domain::quarter::Quarter;
use crate::domain::score::{self, Scorecard};
use crate::domain::validate::{FieldError, Reason};
use crate::store::{Store, StoreError};
use desk137_proto::convert::WireEnum;
use desk137_proto::v1 as pb;
use desk137_proto::v1::scorecard_service_server::ScorecardService;
use tonic::{Request, Response, Status};

pub const CASES_DEFAULT: usize = 50;
pub const CASES_MAX: usize = 500;

#[derive(Debug, Clone)]
pub struct ScorecardApi(pub Context);

/// The scorecards of `quarter`: its tallies, ranked within each service
/// domain, with the change since the quarter before.
pub fn build(
    store: &Store,
    catalog: &Catalog,
    quarter: Quarter,
) -> Result<Vec<Scorecard>, StoreError> {
    let now = store.quarter_tallies(quarter)?;
    let before = store.quarter_tallies(quarter.previous())?;
    let domain = |unit: &str| {
        catalog
            .unit(unit)
            .map(|u| u.service_domain.clone())
            .unwrap_or_default()
    };
    let now = now
        .into_iter()
        .map(|(unit, t)| {
            let d = domain(&unit);
            (unit, d, t)
        })
        .collect();
    Ok(score::scorecards(now, &before))
}

/// `1405-3`, or the quarter of `now` when empty.
pub fn quarter_of(text: &str, now: i64) -> Result<Quarter, FieldError> {
    if text.trim().is_empty() {
        return Ok(Quarter::of(now));
    }
    Quarter::parse(text).ok_or_else(|| {
        FieldError::new(
            "quarter",
            Reason::OutOfRange,
            "give a Jalali year and quarter 1 to 4, such as 1405-3",
        )
    })
}

pub fn to_pb(c: &Scorecard) -> pb::UnitScorecard {
    let t = &c.tally;
    let score = t.score();
    pb::UnitScorecard {
        unit_id: c.unit_id.clone(),
        service_domain: c.service_domain.clone(),
        scored: score.is_some(),
        score: score.unwrap_or(0.0),
        cases: t.cases,
        scored_cases: t.scored,
        unreachable: t.unreachable,
        false_reports: t.false_reports,
        on_time: ClockKind::all()
            .map(|k| {
                let i = usize::from(k.number() - 1).min(3);
                pb::ClockOnTime {
                    clock: k.to_wire(),
                    met: t.clock_met[i],
                    on_time: t.clock_on_time[i],
                }
            })
            .filter(|c| c.met > 0)
            .collect(),
        first_response_mean_ms: score::mean_ms(t.first_response_sum_ms, t.first_response_count)
            .unwrap_or(0),
        first_response_p90_ms: score::p90_ms(&t.first_response_hist).unwrap_or(0),
        result_mean_ms: score::mean_ms(t.result_sum_ms, t.result_count).unwrap_or(0),
        result_p90_ms: score::p90_ms(&t.result_hist).unwrap_or(0),
        reopen_rate: score::share(t.reopened, t.cases).unwrap_or(0.0),
        deferred_share: score::share(t.deferred, t.cases).unwrap_or(0.0),
        rank: c.rank,
        rank_of: c.of,
        has_change: c.change.is_some(),
        change: c.change.unwrap_or(0.0),
    }
}

impl ScorecardApi {
    async fn cards(
        &self,
        request: Request<pb::ScorecardsRequest>,
    ) -> Result<pb::ScorecardsResponse, Error> {
        let ctx = &self.0;
        ctx.admit(&request, Rpc::Scorecards)?;
        let quarter = quarter_of(&request.get_ref().quarter, ctx.clock.now_ms())?;
        let catalog = ctx.catalog.clone();
        let cards = ctx.read(move |s| build(s, &catalog, quarter)).await?;
        Ok(pb::ScorecardsResponse {
            quarter: quarter.to_string(),
            units: cards.iter().map(to_pb).collect(),
        })
    }

    async fn cases(
        &self,
        request: Request<pb::ScorecardCasesRequest>,
    ) -> Result<pb::ScorecardCasesResponse, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::ScorecardCases)?;
        let r = request.into_inner();
        let quarter = quarter_of(&r.quarter, ctx.clock.now_ms())?;
        let unit = r.unit_id.trim().to_owned();
        if unit.is_empty() {
            return Err(FieldError::required("unit_id").into());
        }
        if ctx.catalog.unit(&unit).is_none() {
            return Err(
                FieldError::new("unit_id", Reason::UnknownUnit, "no unit has this id").into(),
            );
        }
        let limit = match usize::try_from(r.limit) {
            Ok(0) => CASES_DEFAULT,
            Ok(n) => n.min(CASES_MAX),
            Err(_) => CASES_MAX,
        };
        let cases = ctx
            .read(move |s| s.quarter_cases(&unit, quarter, limit))
            .await?;
        let view = View::of(&caller, Rpc::ScorecardCases);
        Ok(pb::ScorecardCasesResponse {
            cases: cases
                .iter()
                .map(|c| {
                    let mut p = convert::case_to(c, &[], &view, &ctx.sla);
                    if let Some(cb) = p.call_back.as_mut() {
                        let s = score::case_score(&score::input_of(c), &ctx.score);
                        cb.scored = s.is_some();
                        cb.score = s.map_or(0.0, |s| s * 100.0);
                    }
                    p
                })
                .collect(),
        })
    }
}

#[tonic::async_trait]
impl ScorecardService for ScorecardApi {
    async fn scorecards(
        &self,
        request: Request<pb::ScorecardsRequest>,
    ) -> Result<Response<pb::ScorecardsResponse>, Status> {
        Ok(Response::new(self.cards(request).await?))
    }

    async fn scorecard_cases(
        &self,
        request: Request<pb::ScorecardCasesRequest>,
    ) -> Result<Response<pb::ScorecardCasesResponse>, Status> {
        Ok(Response::new(self.cases(request).await?))
    }
}
