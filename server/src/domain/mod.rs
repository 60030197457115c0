//! The rules of the 137 center as plain types and functions. They know nothing
//! of gRPC, storage or where time comes from, and the TUI uses them too.

pub mod catalog;
pub mod classify;
pub mod clock;
pub mod jalali;
pub mod model;
pub mod phone;
pub mod sla;
pub mod text;
pub mod validate;
