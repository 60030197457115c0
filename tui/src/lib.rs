//! desk137: the terminal client of the 137 contact center.

pub mod app;
pub mod bidi;
pub mod config;
pub mod keymap;
pub mod messages;
pub mod timefmt;
pub mod ui;
