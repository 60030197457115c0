//! A case's service-level clocks. Each clock is a short log (started, met,
//! paused, resumed); its deadline is derived from the log and the policy in
//! force, so paused time extends it and a changed policy moves it.

use crate::clock::Millis;
use serde::{Deserialize, Serialize};

/// The clocks a case may run; the numbers are stored and never change meaning.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
#[repr(u8)]
pub enum ClockKind {
    FirstResponse = 1,
    OnSite = 2,
    Result = 3,
    Promised = 4,
}

impl ClockKind {
    pub fn all() -> impl Iterator<Item = ClockKind> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u32) -> Option<Self> {
        Self::all().find(|c| u32::from(c.number()) == n)
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One entry of a clock's log.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
#[repr(u8)]
pub enum Mark {
    Started = 1,
    Met = 2,
    Paused = 3,
    Resumed = 4,
}

impl Mark {
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u32) -> Option<Self> {
        <Self as strum::IntoEnumIterator>::iter().find(|m| u32::from(m.number()) == n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub at_ms: Millis,
    pub mark: Mark,
}

/// One clock: its log and what the system has already said about it, so
/// nothing is said twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockLog {
    pub kind: ClockKind,
    /// A deadline the unit set (the promised date); 0: the policy's allowance.
    pub fixed_due_ms: Millis,
    /// A result clock started by a reopen takes the reopen allowance.
    pub after_reopen: bool,
    pub entries: Vec<Entry>,
    pub warned: bool,
    pub breached: bool,
    /// Escalations this clock has caused: the breach, then each step.
    pub escalations: u32,
}

/// Every clock a case has run, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clocks(pub Vec<ClockLog>);
