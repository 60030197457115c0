//! The parts of `desk137-load`: its arguments, the agents' workload, latency
//! statistics, process figures from /proc, starting a server, and the report.

pub mod args;
pub mod calls;
pub mod procstat;
pub mod report;
pub mod spawn;
pub mod stats;
pub mod workload;
