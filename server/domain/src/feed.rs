//! What the feed says happened: one kind per feed event, decided from the
//! timeline event a change appended.

use crate::event::{Event, EventKind};

/// The kinds of feed event. The numbers are stored and never change
/// meaning; new kinds take new numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
#[repr(u8)]
pub enum FeedKind {
    CaseCreated = 1,
    /// Any other step of a case's timeline: the event says which.
    CaseMoved = 2,
    SlaWarning = 3,
    SlaBreach = 4,
    Escalation = 5,
    AttachmentAdded = 6,
    StaffSignedIn = 7,
    StaffSignedOut = 8,
}

impl FeedKind {
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u32) -> Option<Self> {
        <Self as strum::IntoEnumIterator>::iter().find(|k| u32::from(k.number()) == n)
    }

    /// The kind of the feed event a timeline event of an existing case makes.
    pub fn of_step(event: &Event) -> Self {
        match event.kind {
            EventKind::SlaWarning { .. } => Self::SlaWarning,
            EventKind::SlaBreached { .. } => Self::SlaBreach,
            EventKind::Escalated { .. } => Self::Escalation,
            EventKind::Attachment => Self::AttachmentAdded,
            _ => Self::CaseMoved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clocks::ClockKind;

    #[test]
    fn steps_name_their_kind_and_numbers_round_trip() {
        let at = |kind| Event::new(0, "system", kind, "");
        let warning = at(EventKind::SlaWarning {
            clock: ClockKind::OnSite,
            due_ms: 1,
        });
        assert_eq!(FeedKind::of_step(&warning), FeedKind::SlaWarning);
        assert_eq!(
            FeedKind::of_step(&at(EventKind::Attachment)),
            FeedKind::AttachmentAdded
        );
        assert_eq!(
            FeedKind::of_step(&at(EventKind::Acknowledged)),
            FeedKind::CaseMoved
        );
        for kind in <FeedKind as strum::IntoEnumIterator>::iter() {
            assert_eq!(FeedKind::from_number(kind.number().into()), Some(kind));
        }
        assert_eq!(FeedKind::from_number(0), None);
    }
}
