//! desk137: the terminal client of the 137 contact center.

pub mod app;
pub mod bidi;
pub mod classify;
pub mod client;
pub mod complete;
pub mod config;
pub mod download;
pub mod keymap;
pub mod logging;
pub mod messages;
pub mod run;
pub mod terminal;
pub mod timefmt;
pub mod ui;
pub mod upload;

#[cfg(test)]
mod snapshot_tests;
