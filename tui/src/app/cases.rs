//! Lists of cases: the agent's recent ones, and the read-only queues of
//! dispatchers, units and supervisors with a case's detail.

use crate::app::intake::Loadable;
use crate::app::msg::{ListKind, Request, RpcResult};
use desk137_proto::v1 as pb;

/// Rows fetched per page.
pub const PAGE_SIZE: u32 = 100;

#[derive(Debug, Clone, PartialEq)]
pub struct CaseList {
    pub kind: ListKind,
    pub rows: Vec<pb::Case>,
    pub selected: usize,
    pub next_page: Option<String>,
    pub loading: bool,
    pub error: Option<String>,
    /// When the list was last asked for, to refresh it on a timer.
    pub asked_ms: i64,
}

impl CaseList {
    pub fn new(kind: ListKind) -> Self {
        Self {
            kind,
            rows: Vec::new(),
            selected: 0,
            next_page: None,
            loading: false,
            error: None,
            asked_ms: 0,
        }
    }

    /// The request for the first page (or the next one).
    pub fn request(
        &mut self,
        user: &str,
        unit_id: &str,
        append: bool,
        now_ms: i64,
    ) -> Option<Request> {
        let page_token = if append {
            self.next_page.clone()?
        } else {
            String::new()
        };
        let mut request = pb::ListCasesRequest {
            page_size: PAGE_SIZE,
            page_token,
            ..Default::default()
        };
        match self.kind {
            ListKind::Recent => {
                request.created_by = user.to_owned();
                request.page_size = 50;
            }
            ListKind::UrgentOpen => {
                request.urgency = pb::Urgency::Urgent as i32;
                request.open_only = true;
            }
            ListKind::UnitQueue => {
                request.unit_id = unit_id.to_owned();
                request.open_only = true;
            }
            ListKind::AllOpen => request.open_only = true,
        }
        self.loading = true;
        self.asked_ms = now_ms;
        Some(Request::ListCases {
            list: self.kind,
            append,
            request,
        })
    }

    pub fn arrived(&mut self, append: bool, result: RpcResult<pb::ListCasesResponse>) {
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

/// One case opened from a list, with its timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub id: u64,
    pub number: String,
    pub case: Loadable<pb::Case>,
    pub scroll: u16,
}

/// The read-only queue of a dispatcher, a unit or a supervisor.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    pub list: CaseList,
    pub detail: Option<Detail>,
}
