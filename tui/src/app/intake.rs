//! The agent's intake form: what has been typed, what is suggested, and the
//! caller's history beside it.

use crate::app::catalog::{ClientCatalog, TopicHit};
use crate::app::msg::{FieldFault, RpcResult};
use desk137_domain::model::{Channel, Kind, Urgency};
use desk137_domain::phone::normalize_phone;
use desk137_domain::validate::{CaseDraft, FieldError, validate};
use desk137_proto::convert::WireEnum;
use desk137_proto::v1 as pb;
use tui_input::{Input, InputRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Phone,
    Description,
    Topic,
    Region,
    Address,
    Landmark,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Phone,
        Field::Description,
        Field::Topic,
        Field::Region,
        Field::Address,
        Field::Landmark,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn next(self) -> Field {
        Field::ALL[(self.index() + 1) % Field::ALL.len()]
    }

    pub fn prev(self) -> Field {
        Field::ALL[(self.index() + Field::ALL.len() - 1) % Field::ALL.len()]
    }

    /// The field a server or domain error names (`FieldError::field`).
    pub fn from_error_name(name: &str) -> Option<Field> {
        Some(match name {
            "phone" => Field::Phone,
            "description" => Field::Description,
            "topic_id" | "topic" | "kind" | "urgency" => Field::Topic,
            "region" => Field::Region,
            "address" => Field::Address,
            "landmark" => Field::Landmark,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Suggestion {
    Topic(TopicHit),
    Region(u32),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Suggestions {
    /// The field the list hangs under.
    pub field: Option<Field>,
    pub items: Vec<Suggestion>,
    pub selected: Option<usize>,
}

impl Suggestions {
    pub fn is_open(&self) -> bool {
        self.field.is_some() && !self.items.is_empty()
    }

    pub fn close(&mut self) {
        *self = Self::default();
    }

    pub fn selected_item(&self) -> Option<Suggestion> {
        self.items.get(self.selected?).copied()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    Loading,
    Loaded(T),
    Failed(String),
}

/// The earlier cases of the number being typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The normalised number the shown history belongs to.
    pub phone: Option<String>,
    pub state: Option<Loadable<pb::CallerHistoryResponse>>,
}

#[derive(Debug, Clone)]
pub struct Intake {
    pub inputs: [Input; 6],
    pub focus: Field,
    /// The chosen topic's id; typing in the topic field clears it.
    pub topic: Option<String>,
    pub region: Option<u32>,
    pub urgency: Urgency,
    /// The agent pressed urgent themselves: a topic chosen later keeps it.
    pub urgent_by_agent: bool,
    pub suggestions: Suggestions,
    pub history: History,
    /// The idempotency key of this form: kept across retries, renewed only
    /// when a save succeeds or the form is cleared.
    pub request_id: String,
    pub saving: bool,
}

/// What a change to the form asks of the outside world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    FetchHistory(String),
}

impl Intake {
    pub fn new(request_id: String) -> Self {
        Self {
            inputs: Default::default(),
            focus: Field::Phone,
            topic: None,
            region: None,
            urgency: Urgency::Normal,
            urgent_by_agent: false,
            suggestions: Suggestions::default(),
            history: History::default(),
            request_id,
            saving: false,
        }
    }

    pub fn value(&self, f: Field) -> &str {
        self.inputs[f.index()].value()
    }

    pub fn input(&self, f: Field) -> &Input {
        &self.inputs[f.index()]
    }

    /// Anything typed or chosen that a clear would lose.
    pub fn is_dirty(&self) -> bool {
        self.inputs.iter().any(|i| !i.value().trim().is_empty()) || self.urgent_by_agent
    }

    /// The kind the case will have: the chosen topic's.
    pub fn kind(&self, catalog: &ClientCatalog) -> Option<Kind> {
        self.topic
            .as_deref()
            .and_then(|id| catalog.topic(id))
            .map(|t| t.kind)
    }

    /// Applies an editing request to the focused field.
    pub fn edit(&mut self, req: InputRequest, catalog: &ClientCatalog) -> Vec<Effect> {
        let field = self.focus;
        let changed = self.inputs[field.index()]
            .handle(req)
            .is_some_and(|c| c.value);
        if changed {
            self.changed(field, catalog)
        } else {
            Vec::new()
        }
    }

    /// Pasted text goes in as typed, on one line.
    pub fn paste(&mut self, text: &str, catalog: &ClientCatalog) -> Vec<Effect> {
        let field = self.focus;
        let mut any = false;
        for c in text.chars() {
            let c = if c.is_control() { ' ' } else { c };
            any |= self.inputs[field.index()]
                .handle(InputRequest::InsertChar(c))
                .is_some_and(|s| s.value);
        }
        if any {
            self.changed(field, catalog)
        } else {
            Vec::new()
        }
    }

    fn changed(&mut self, field: Field, catalog: &ClientCatalog) -> Vec<Effect> {
        match field {
            Field::Phone => {
                let wanted = normalize_phone(self.value(Field::Phone)).ok();
                if wanted == self.history.phone {
                    return Vec::new();
                }
                // The history beside the form must be this number's or none.
                self.history = History {
                    phone: wanted.clone(),
                    state: wanted.as_ref().map(|_| Loadable::Loading),
                };
                wanted.map(Effect::FetchHistory).into_iter().collect()
            }
            Field::Description => {
                if self.topic.is_none() {
                    self.suggest_topics(
                        Field::Description,
                        self.value(Field::Description).to_owned(),
                        None,
                        catalog,
                    );
                }
                Vec::new()
            }
            Field::Topic => {
                self.topic = None;
                self.refresh_topic_field(catalog);
                Vec::new()
            }
            Field::Region => {
                self.region = None;
                self.suggest_regions(catalog);
                Vec::new()
            }
            Field::Address | Field::Landmark => Vec::new(),
        }
    }

    fn suggest_topics(
        &mut self,
        field: Field,
        query: String,
        selected: Option<usize>,
        catalog: &ClientCatalog,
    ) {
        let items: Vec<Suggestion> = catalog
            .suggest_topics(&query)
            .into_iter()
            .map(Suggestion::Topic)
            .collect();
        let selected = selected.filter(|_| !items.is_empty());
        self.suggestions = Suggestions {
            field: Some(field),
            items,
            selected,
        };
    }

    /// In the topic field the list follows what is typed there, or else the
    /// description, and the best is highlighted so Enter takes it.
    fn refresh_topic_field(&mut self, catalog: &ClientCatalog) {
        let typed = self.value(Field::Topic).trim();
        let query = if typed.is_empty() {
            self.value(Field::Description).to_owned()
        } else {
            typed.to_owned()
        };
        self.suggest_topics(Field::Topic, query, Some(0), catalog);
    }

    fn suggest_regions(&mut self, catalog: &ClientCatalog) {
        let items: Vec<Suggestion> = catalog
            .suggest_regions(self.value(Field::Region))
            .into_iter()
            .map(Suggestion::Region)
            .collect();
        let selected = (!items.is_empty()).then_some(0);
        self.suggestions = Suggestions {
            field: Some(Field::Region),
            items,
            selected,
        };
    }

    /// Moves the focus, settling the field left behind. Returns a warning
    /// about the field left, if any.
    pub fn focus_on(&mut self, to: Field, catalog: &ClientCatalog) -> Option<LeaveWarning> {
        let from = self.focus;
        let warning = if from != to {
            self.leave(from, catalog)
        } else {
            None
        };
        self.focus = to;
        self.suggestions.close();
        match to {
            Field::Topic if self.topic.is_none() => self.refresh_topic_field(catalog),
            Field::Region
                if self.region.is_none() && !self.value(Field::Region).trim().is_empty() =>
            {
                self.suggest_regions(catalog)
            }
            _ => {}
        }
        warning
    }

    fn leave(&mut self, field: Field, catalog: &ClientCatalog) -> Option<LeaveWarning> {
        match field {
            Field::Phone => {
                let typed = self.value(Field::Phone);
                if typed.trim().is_empty() {
                    return None;
                }
                normalize_phone(typed)
                    .err()
                    .map(|e| LeaveWarning::Phone(FieldFault::from(&FieldError::phone("phone", &e))))
            }
            Field::Topic if self.topic.is_none() => {
                if let Some(i) = catalog.exact_topic(self.value(Field::Topic)) {
                    self.choose_topic(i, catalog);
                }
                None
            }
            Field::Region if self.region.is_none() => {
                if let Some(n) = catalog.exact_region(self.value(Field::Region)) {
                    self.choose_region(n, catalog);
                }
                None
            }
            _ => None,
        }
    }

    pub fn choose_topic(&mut self, index: usize, catalog: &ClientCatalog) {
        let Some(t) = catalog.topics.get(index) else {
            return;
        };
        self.topic = Some(t.id.clone());
        self.inputs[Field::Topic.index()] = Input::new(t.title_fa.clone());
        self.urgency = if self.urgent_by_agent && t.kind == Kind::Executive {
            Urgency::Urgent
        } else {
            self.urgent_by_agent = false;
            t.default_urgency
        };
    }

    pub fn choose_region(&mut self, number: u32, catalog: &ClientCatalog) {
        let name = catalog
            .region(number)
            .map(|r| r.name_fa.clone())
            .unwrap_or_else(|| number.to_string());
        self.region = Some(number);
        self.inputs[Field::Region.index()] = Input::new(name);
    }

    /// Enter with a highlighted suggestion: take it and go on past the field
    /// it fills. False when nothing is highlighted.
    pub fn pick(&mut self, catalog: &ClientCatalog) -> bool {
        let Some(item) = self.suggestions.selected_item() else {
            return false;
        };
        let next = match item {
            Suggestion::Topic(hit) => {
                self.choose_topic(hit.index, catalog);
                Field::Topic.next()
            }
            Suggestion::Region(n) => {
                self.choose_region(n, catalog);
                Field::Region.next()
            }
        };
        self.suggestions.close();
        // The field left is settled already; nothing to warn about.
        self.focus = next;
        if next == Field::Region
            && self.region.is_none()
            && !self.value(Field::Region).trim().is_empty()
        {
            self.suggest_regions(catalog);
        }
        true
    }

    pub fn move_selection(&mut self, down: bool) -> bool {
        if !self.suggestions.is_open() {
            return false;
        }
        let n = self.suggestions.items.len();
        self.suggestions.selected = match (self.suggestions.selected, down) {
            (None, true) => Some(0),
            (None, false) => None,
            (Some(i), true) => Some((i + 1).min(n - 1)),
            (Some(0), false) => None,
            (Some(i), false) => Some(i - 1),
        };
        true
    }

    /// Urgent on or off. An informational topic is answered at once by 137
    /// and has no unit to hurry, so it refuses.
    pub fn toggle_urgent(
        &mut self,
        catalog: &ClientCatalog,
    ) -> Result<Urgency, InformationalNotUrgent> {
        if self.kind(catalog) == Some(Kind::Informational) {
            return Err(InformationalNotUrgent);
        }
        self.urgency = match self.urgency {
            Urgency::Normal => Urgency::Urgent,
            Urgency::Urgent => Urgency::Normal,
        };
        self.urgent_by_agent = self.urgency == Urgency::Urgent;
        Ok(self.urgency)
    }

    /// The request to send, or the first field the domain rules refuse when
    /// the whole catalog is at hand to check against.
    pub fn request(&self, catalog: &ClientCatalog) -> Result<pb::CreateCaseRequest, FieldError> {
        let kind = self.kind(catalog);
        let draft = CaseDraft {
            request_id: self.request_id.clone(),
            channel: Some(Channel::Phone),
            kind,
            urgency: Some(self.urgency),
            topic_id: self.topic.clone().unwrap_or_default(),
            description: self.value(Field::Description).to_owned(),
            phone: self.value(Field::Phone).to_owned(),
            region: self.region.unwrap_or(0),
            address: self.value(Field::Address).to_owned(),
            landmark: self.value(Field::Landmark).to_owned(),
        };
        if let Some(full) = catalog.routing() {
            validate(&draft, full)?;
        }
        Ok(pb::CreateCaseRequest {
            request_id: draft.request_id,
            channel: pb::Channel::Phone as i32,
            kind: kind.map_or(pb::Kind::Unspecified.into(), Kind::to_wire),
            urgency: self.urgency.to_wire(),
            topic_id: draft.topic_id,
            description: draft.description,
            phone: draft.phone,
            region: draft.region,
            address: draft.address,
            landmark: draft.landmark,
        })
    }

    /// The caller on the line carries the Shahrban mark, as their history
    /// says: their first response comes sooner.
    pub fn caller_is_shahrban(&self) -> bool {
        matches!(&self.history.state, Some(Loadable::Loaded(h)) if h.shahrban)
    }

    pub fn history_arrived(&mut self, phone: &str, result: RpcResult<pb::CallerHistoryResponse>) {
        // A late answer for a number since changed is dropped.
        if self.history.phone.as_deref() != Some(phone) {
            return;
        }
        self.history.state = Some(match result {
            Ok(h) => Loadable::Loaded(h),
            Err(e) => Loadable::Failed(e.to_string()),
        });
    }
}

/// An informational topic was asked to be urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InformationalNotUrgent;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaveWarning {
    Phone(FieldFault),
}
