//! The rules of the 137 center as plain types and functions. They know nothing
//! of gRPC, storage, terminals or where time comes from; the server, the TUI
//! and the test tools share them.

pub mod access;
pub mod audit;
pub mod catalog;
pub mod citizen;
pub mod classify;
pub mod clock;
pub mod clocks;
pub mod dashboard;
pub mod event;
pub mod feed;
pub mod feedback;
pub mod jalali;
pub mod lifecycle;
pub mod media;
pub mod model;
pub mod move_case;
pub mod moves;
pub mod phone;
pub mod public;
pub mod quarter;
pub mod score;
pub mod sla;
pub mod staff;
pub mod text;
pub mod validate;
