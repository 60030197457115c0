//! What the screen tests share: keys typed one by one into the event loop.
// Each test binary uses the keys its script needs.
#![allow(dead_code)]

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use std::io;
use tokio::sync::mpsc;

/// The keyboard of a test: each key goes to the app as a terminal would
/// send it.
pub struct Keys(pub mpsc::UnboundedSender<io::Result<Event>>);

impl Keys {
    pub fn key(&self, code: KeyCode, modifiers: KeyModifiers) {
        let ev = KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        };
        self.0.send(Ok(Event::Key(ev))).unwrap();
    }

    pub fn press(&self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }

    pub fn ctrl(&self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    pub fn shift(&self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::SHIFT);
    }

    pub fn text(&self, s: &str) {
        for c in s.chars() {
            self.press(KeyCode::Char(c));
        }
    }
}
