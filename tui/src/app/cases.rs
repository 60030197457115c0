//! Lists of cases: the agent's recent ones, and the read-only queues of
//! dispatchers, units and supervisors.

use crate::app::clocks;
use crate::app::msg::{Command, ListKind, Request, RpcResult, To};
use crate::app::rpc::Call;
use crate::app::screens::Ctx;
use desk137_domain::clock::Millis;
use desk137_domain::model::Urgency;
use desk137_proto::convert::required;
use desk137_proto::v1 as pb;

/// Rows fetched per page.
pub const PAGE_SIZE: u32 = 100;

#[derive(Debug, Clone, PartialEq)]
pub struct CaseList {
    pub kind: ListKind,
    /// The screen the answers go to.
    pub owner: To,
    pub rows: Vec<pb::Case>,
    pub selected: usize,
    pub next_page: Option<String>,
    pub loading: bool,
    pub error: Option<String>,
    /// When the list was last asked for, to refresh it on a timer.
    pub asked_ms: i64,
    /// Bumped by every fresh request: pages of an older list are dropped.
    pub generation: u64,
}

impl CaseList {
    pub fn new(kind: ListKind, owner: To) -> Self {
        Self {
            kind,
            owner,
            rows: Vec::new(),
            selected: 0,
            next_page: None,
            loading: false,
            error: None,
            asked_ms: 0,
            generation: 0,
        }
    }

    /// The request for the first page (or the next one).
    pub fn request(&mut self, ctx: &Ctx, append: bool) -> Option<Command> {
        let page_token = if append {
            self.next_page.clone()?
        } else {
            self.generation += 1;
            String::new()
        };
        let mut request = pb::ListCasesRequest {
            page_size: PAGE_SIZE,
            page_token,
            ..Default::default()
        };
        match self.kind {
            ListKind::Recent => {
                request.created_by = ctx.session.user.clone();
                request.page_size = 50;
            }
            ListKind::UrgentOpen => {
                request.urgency = pb::Urgency::Urgent as i32;
                request.open_only = true;
            }
            ListKind::UnitQueue => {
                request.unit_id = ctx.session.unit_id.clone();
                request.open_only = true;
            }
            ListKind::AllOpen => request.open_only = true,
        }
        self.loading = true;
        self.asked_ms = ctx.now_ms;
        Some(Command::Send(Request::new(
            self.owner,
            self.generation,
            Call::ListCases(request),
        )))
    }

    /// A page arrived. One of an older generation than the list's is an
    /// answer to a question no longer asked, and changes nothing.
    pub fn arrived(
        &mut self,
        generation: u64,
        request: &pb::ListCasesRequest,
        result: RpcResult<pb::ListCasesResponse>,
    ) {
        if generation != self.generation {
            return;
        }
        let append = !request.page_token.is_empty();
        self.loading = false;
        match result {
            Ok(resp) => {
                self.error = None;
                // Keep the same case selected across a refresh.
                let selected_id = self.rows.get(self.selected).map(|c| c.id);
                if append {
                    self.rows.extend(resp.cases);
                } else {
                    self.rows = resp.cases;
                }
                self.next_page = (!resp.next_page_token.is_empty()).then_some(resp.next_page_token);
                self.selected = selected_id
                    .and_then(|id| self.rows.iter().position(|c| c.id == id))
                    .unwrap_or(0)
                    .min(self.rows.len().saturating_sub(1));
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Moves the selection by `delta` rows; true when the end was reached and
    /// another page is there to load.
    pub fn move_by(&mut self, delta: isize) -> bool {
        let last = self.rows.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.selected == last && self.next_page.is_some() && !self.loading
    }

    pub fn selected_case(&self) -> Option<&pb::Case> {
        self.rows.get(self.selected)
    }
}

/// A working queue's order: by the domain's queue rank (urgent first, and
/// among cases of the same urgency the Shahrban caller's first), then what
/// is due first, then the older case.
pub fn queue_order(rows: &mut [pb::Case]) {
    rows.sort_by_cached_key(|c| {
        let urgent = required::<Urgency>("urgency", c.urgency) == Ok(Urgency::Urgent);
        (
            desk137_domain::citizen::queue_rank(urgent, c.shahrban),
            clocks::next(c).map_or(Millis::MAX, |k| k.due_ms),
            c.id,
        )
    });
}

impl CaseList {
    /// A case as a feed event shows it: its row replaced (keeping the
    /// timeline read before, with the event's entry added), added when it
    /// now `belongs` (at the top: the newest), or removed when it no longer
    /// does. The selection stays on the same case.
    pub fn apply(&mut self, case: &pb::Case, entry: Option<&pb::CaseEvent>, belongs: bool) {
        let selected_id = self.selected_case().map(|c| c.id);
        let at = self.rows.iter().position(|c| c.id == case.id);
        match (at, belongs) {
            (Some(i), true) => {
                let mut events = std::mem::take(&mut self.rows[i].events);
                if let Some(e) = entry.filter(|e| !events.contains(e)) {
                    events.push(e.clone());
                }
                self.rows[i] = pb::Case {
                    events,
                    ..case.clone()
                };
            }
            (None, true) => {
                let mut row = case.clone();
                row.events.extend(entry.cloned());
                self.rows.insert(0, row);
            }
            (Some(i), false) => {
                self.rows.remove(i);
            }
            (None, false) => return,
        }
        self.selected = selected_id
            .and_then(|id| self.rows.iter().position(|c| c.id == id))
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
    }

    /// Whether `case` is one this list shows, for the user of `ctx`.
    pub fn admits(&self, case: &pb::Case, ctx: &Ctx) -> bool {
        let open = desk137_proto::convert::required::<desk137_domain::model::CaseStatus>(
            "status",
            case.status,
        )
        .is_ok_and(|s| s.is_open());
        match self.kind {
            ListKind::Recent => case.created_by == ctx.session.user,
            ListKind::UrgentOpen => open && case.urgency == pb::Urgency::Urgent as i32,
            ListKind::UnitQueue => open && case.unit_id == ctx.session.unit_id,
            ListKind::AllOpen => open,
        }
    }
}
