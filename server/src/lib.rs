//! desk137: the server of the 137 municipal contact center, and the domain rules
//! that its clients share.

pub mod answers;
pub mod app;
pub mod audit_chain;
pub mod auth;
pub mod config;
pub mod crypto;
pub mod feed;
pub mod in_flight;
pub mod listener;
pub mod refusals;
pub mod report;
pub mod secrets;
/// The pure rules, from their own crate; `crate::domain::...` reads as before.
pub use desk137_domain as domain;
pub mod service;
pub mod sla_worker;
pub mod store;
