//! Keys and what they do. The shipped keymap is compiled in; the user's file is
//! merged on top of it, so an upgrade that adds a binding reaches everyone who
//! has not rebound that key.

use crate::messages::Lang;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/default.toml");

/// The word that frees a key in a user's keymap.
const UNBOUND: &str = "unbound";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    NewCall,
    Save,
    ToggleUrgent,
    NextField,
    PrevField,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Accept,
    Back,
    Refresh,
    CharLeft,
    CharRight,
    WordLeft,
    WordRight,
    LineStart,
    LineEnd,
    DeleteCharBack,
    DeleteCharForward,
    DeleteWordBack,
    DeleteWordForward,
    DeleteToStart,
    DeleteToEnd,
    Yank,
    Acknowledge,
    Arrive,
    Respond,
    Resolve,
    Defer,
    Reject,
    Transfer,
    Reroute,
    AssignFollowUp,
    AddNote,
    Escalate,
    Reopen,
    CloseCase,
    Resume,
    OpenNumber,
    FilterState,
    FilterUnit,
    FilterRegion,
    FilterLevel,
    ClearFilters,
    SwitchRole,
    AdvanceClock,
    OpenAudit,
    Sort,
    OpenCases,
    OpenScorecards,
    PrevQuarter,
    NextQuarter,
    RecordConsent,
    WithdrawConsent,
    RevealPhone,
    ToggleShahrban,
    ClearFalseReport,
    OpenFeedback,
    Rate1,
    Rate2,
    Rate3,
    Rate4,
    Rate5,
    AskCorrection,
    Unreachable,
    OpenAttachment,
}

impl Action {
    pub const ALL: [Action; 71] = [
        Action::Quit,
        Action::Help,
        Action::NewCall,
        Action::Save,
        Action::ToggleUrgent,
        Action::NextField,
        Action::PrevField,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::First,
        Action::Last,
        Action::Accept,
        Action::Back,
        Action::Refresh,
        Action::CharLeft,
        Action::CharRight,
        Action::WordLeft,
        Action::WordRight,
        Action::LineStart,
        Action::LineEnd,
        Action::DeleteCharBack,
        Action::DeleteCharForward,
        Action::DeleteWordBack,
        Action::DeleteWordForward,
        Action::DeleteToStart,
        Action::DeleteToEnd,
        Action::Yank,
        Action::Acknowledge,
        Action::Arrive,
        Action::Respond,
        Action::Resolve,
        Action::Defer,
        Action::Reject,
        Action::Transfer,
        Action::Reroute,
        Action::AssignFollowUp,
        Action::AddNote,
        Action::Escalate,
        Action::Reopen,
        Action::CloseCase,
        Action::Resume,
        Action::OpenNumber,
        Action::FilterState,
        Action::FilterUnit,
        Action::FilterRegion,
        Action::FilterLevel,
        Action::ClearFilters,
        Action::SwitchRole,
        Action::AdvanceClock,
        Action::OpenAudit,
        Action::Sort,
        Action::OpenCases,
        Action::OpenScorecards,
        Action::PrevQuarter,
        Action::NextQuarter,
        Action::RecordConsent,
        Action::WithdrawConsent,
        Action::RevealPhone,
        Action::ToggleShahrban,
        Action::ClearFalseReport,
        Action::OpenFeedback,
        Action::Rate1,
        Action::Rate2,
        Action::Rate3,
        Action::Rate4,
        Action::Rate5,
        Action::AskCorrection,
        Action::Unreachable,
        Action::OpenAttachment,
    ];

    /// What the action does, for the help screen.
    pub fn help(self, lang: Lang) -> &'static str {
        let (fa, en) = match self {
            Action::Quit => ("خروج از برنامه", "Quit desk137"),
            Action::Help => ("نمایش یا بستن این راهنما", "Show or close this help"),
            Action::NewCall => ("تماس جدید: پاک کردن فرم", "New call: clear the form"),
            Action::Save => ("ثبت پرونده", "Save the case"),
            Action::ToggleUrgent => (
                "فوری یا عادی؛ فوری به مرکز هماهنگی عملیات هم می‌رود",
                "Urgent or normal; urgent also goes to the Operations Coordination Center",
            ),
            Action::NextField => ("خانهٔ بعدی", "Next field"),
            Action::PrevField => ("خانهٔ قبلی", "Previous field"),
            Action::Up => ("پیشنهاد یا ردیف بالاتر", "Previous suggestion or row"),
            Action::Down => ("پیشنهاد یا ردیف پایین‌تر", "Next suggestion or row"),
            Action::PageUp => ("یک صفحه بالاتر", "One page up"),
            Action::PageDown => ("یک صفحه پایین‌تر", "One page down"),
            Action::First => ("اولین ردیف", "First row"),
            Action::Last => ("آخرین ردیف", "Last row"),
            Action::Accept => (
                "انتخاب پیشنهاد و رفتن به خانهٔ بعد؛ باز کردن پرونده؛ تأیید",
                "Pick the suggestion and go on; open the case; confirm",
            ),
            Action::Back => (
                "بستن پیشنهادها، راهنما یا پرسش؛ بازگشت",
                "Close suggestions, help or question; go back",
            ),
            Action::Refresh => ("تازه‌سازی فهرست", "Refresh the list"),
            Action::CharLeft => ("یک حرف به چپ", "One character left"),
            Action::CharRight => ("یک حرف به راست", "One character right"),
            Action::WordLeft => ("یک کلمه به چپ", "One word left"),
            Action::WordRight => ("یک کلمه به راست", "One word right"),
            Action::LineStart => ("ابتدای خانه", "Start of the field"),
            Action::LineEnd => ("انتهای خانه", "End of the field"),
            Action::DeleteCharBack => ("پاک کردن حرف قبل", "Delete the character before"),
            Action::DeleteCharForward => ("پاک کردن حرف بعد", "Delete the character after"),
            Action::DeleteWordBack => ("پاک کردن کلمهٔ قبل", "Delete the word before"),
            Action::DeleteWordForward => ("پاک کردن کلمهٔ بعد", "Delete the word after"),
            Action::DeleteToStart => ("پاک کردن تا ابتدای خانه", "Delete to the start"),
            Action::DeleteToEnd => ("پاک کردن تا انتهای خانه", "Delete to the end"),
            Action::Yank => (
                "برگرداندن آخرین متن پاک‌شده",
                "Put back the last deleted text",
            ),
            Action::Acknowledge => (
                "پذیرش پرونده توسط واحد",
                "Acknowledge: the unit takes the case",
            ),
            Action::Arrive => ("اعلام حضور در محل", "Report arrival on site"),
            Action::Respond => (
                "پاسخ اول: انجام شد، یا نیاز به زمان با تاریخ وعده",
                "First response: done, or needs time with a promised date",
            ),
            Action::Resolve => ("اعلام نتیجه با پیوست", "Report the result, with attachments"),
            Action::Defer => (
                "معوق: نیاز به بودجه یا طرح",
                "Defer: needs budget or a plan",
            ),
            Action::Reject => (
                "رد: گزارش کذب، غیرشهرداری یا تکراری",
                "Reject: false report, not municipal, or a duplicate",
            ),
            Action::Transfer => (
                "ارجاع به سازمان دیگر",
                "Transfer to an external organisation",
            ),
            Action::Reroute => (
                "ارجاع مجدد به واحد یا موضوع دیگر",
                "Re-route to another unit or topic",
            ),
            Action::AssignFollowUp => ("تعیین پیگیر مرکز هماهنگی", "Assign an OCC follow-up"),
            Action::AddNote => ("افزودن یادداشت", "Add a note"),
            Action::Escalate => ("ارتقای پیگیری با دلیل", "Escalate, with a reason"),
            Action::Reopen => (
                "بازگشایی به درخواست شهروند",
                "Reopen on the citizen's request",
            ),
            Action::CloseCase => ("بستن پرونده با یادداشت", "Close the case with a note"),
            Action::Resume => (
                "ازسرگیری پروندهٔ معوق یا ارجاع‌شده",
                "Resume a deferred or transferred case",
            ),
            Action::OpenNumber => ("باز کردن پرونده با شماره", "Open a case by its number"),
            Action::FilterState => ("صافی وضعیت", "Filter by state"),
            Action::FilterUnit => ("صافی واحد", "Filter by unit"),
            Action::FilterRegion => ("صافی منطقه", "Filter by region"),
            Action::FilterLevel => ("صافی سطح پیگیری", "Filter by escalation level"),
            Action::ClearFilters => ("برداشتن صافی‌ها", "Clear the filters"),
            Action::SwitchRole => ("نمایشی: ورود با نقش بعدی", "Demo: sign in as the next role"),
            Action::AdvanceClock => (
                "نمایشی: یک ساعت جلو بردن ساعت سرور",
                "Demo: move the server's clock one hour on",
            ),
            Action::OpenAudit => (
                "گزارش ممیزی: چه کسی شمارهٔ چه شهروندی را دید",
                "The audit log: who saw whose number",
            ),
            Action::Sort => (
                "ترتیب جدول‌های مانده: بیشترین باز، بیشترین دیرکرد، نام",
                "Order the backlog tables: most open, most overdue, by name",
            ),
            Action::OpenCases => (
                "فهرست همهٔ پرونده‌های باز با صافی‌ها",
                "The list of every open case, with its filters",
            ),
            Action::OpenScorecards => (
                "کارنامهٔ فصلی واحدها: امتیاز، رتبه و زمان‌ها",
                "The units' quarterly scorecards: score, rank and times",
            ),
            Action::PrevQuarter => ("فصل قبل", "The quarter before"),
            Action::NextQuarter => ("فصل بعد", "The quarter after"),
            Action::RecordConsent => (
                "ثبت رضایت شهروند برای دیدن شماره توسط واحد (چه کسی و چرا)",
                "Record the citizen's consent that the unit may see the number (who and why)",
            ),
            Action::WithdrawConsent => ("پس‌گرفتن رضایت شهروند", "Withdraw the citizen's consent"),
            Action::RevealPhone => (
                "دیدن شمارهٔ شهروند با رضایت او، با دلیل (ثبت در ممیزی)",
                "See the citizen's number, with their consent and a reason (audited)",
            ),
            Action::ToggleShahrban => (
                "گذاشتن یا برداشتن نشان شهربان، با دلیل",
                "Set or clear the Shahrban mark, with a reason",
            ),
            Action::ClearFalseReport => (
                "برداشتن نشان گزارش کذب پس از اعتراض، با دلیل",
                "Clear a false-report mark on appeal, with a reason",
            ),
            Action::OpenFeedback => (
                "تماس نظرسنجی: پروندهٔ بعدی که باید با شهروند تماس گرفت",
                "Call-backs: the next case whose citizen is to be called",
            ),
            Action::Rate1 => (
                "رضایت ۱ (کم‌ترین)، با نظر",
                "Satisfaction 1 (lowest), with a comment",
            ),
            Action::Rate2 => ("رضایت ۲، با نظر", "Satisfaction 2, with a comment"),
            Action::Rate3 => ("رضایت ۳، با نظر", "Satisfaction 3, with a comment"),
            Action::Rate4 => ("رضایت ۴، با نظر", "Satisfaction 4, with a comment"),
            Action::Rate5 => (
                "رضایت ۵ (بیشترین)، با نظر",
                "Satisfaction 5 (highest), with a comment",
            ),
            Action::AskCorrection => (
                "شهروند اصلاح می‌خواهد: بازگشت به واحد با سخن شهروند",
                "The citizen asks for a correction: back to the unit, in their words",
            ),
            Action::Unreachable => (
                "پاسخ نداد: تماس دوباره پس از مدتی؛ بار سوم بسته می‌شود",
                "Unreachable: called again later; the third try closes it",
            ),
            Action::OpenAttachment => (
                "باز کردن پیوست انتخاب‌شده با نمایشگر سیستم",
                "Open the selected attachment with the system's viewer",
            ),
        };
        match lang {
            Lang::Fa => fa,
            Lang::En => en,
        }
    }
}

impl Action {
    /// A word or two for the key hints of the bottom bar.
    pub fn short(self, lang: Lang) -> &'static str {
        let (fa, en) = match self {
            Action::Quit => ("خروج", "quit"),
            Action::Help => ("راهنما", "help"),
            Action::NewCall => ("تماس جدید", "new call"),
            Action::Save => ("ثبت", "save"),
            Action::ToggleUrgent => ("فوری", "urgent"),
            Action::NextField => ("بعدی", "next"),
            Action::PrevField => ("قبلی", "previous"),
            Action::Accept => ("باز کردن", "open"),
            Action::Back => ("بازگشت", "back"),
            Action::Refresh => ("تازه‌سازی", "refresh"),
            Action::Acknowledge => ("پذیرش", "take"),
            Action::Arrive => ("در محل", "on site"),
            Action::Respond => ("پاسخ اول", "respond"),
            Action::Resolve => ("نتیجه", "result"),
            Action::Defer => ("معوق", "defer"),
            Action::Reject => ("رد", "reject"),
            Action::Transfer => ("برون‌سازمانی", "transfer"),
            Action::Reroute => ("ارجاع مجدد", "re-route"),
            Action::AssignFollowUp => ("پیگیر", "follow-up"),
            Action::AddNote => ("یادداشت", "note"),
            Action::Escalate => ("ارتقا", "escalate"),
            Action::Reopen => ("بازگشایی", "reopen"),
            Action::CloseCase => ("بستن", "close"),
            Action::Resume => ("ازسرگیری", "resume"),
            Action::OpenNumber => ("شماره", "by number"),
            Action::FilterState => ("وضعیت", "state"),
            Action::FilterUnit => ("واحد", "unit"),
            Action::FilterRegion => ("منطقه", "region"),
            Action::FilterLevel => ("سطح", "level"),
            Action::ClearFilters => ("بی‌صافی", "no filter"),
            Action::SwitchRole => ("نقش", "role"),
            Action::AdvanceClock => ("+۱ ساعت", "+1 hour"),
            Action::OpenAudit => ("ممیزی", "audit"),
            Action::Sort => ("ترتیب", "sort"),
            Action::OpenCases => ("فهرست", "all cases"),
            Action::OpenScorecards => ("کارنامه", "scores"),
            Action::PrevQuarter => ("فصل قبل", "prev quarter"),
            Action::NextQuarter => ("فصل بعد", "next quarter"),
            Action::RecordConsent => ("رضایت", "consent"),
            Action::WithdrawConsent => ("لغو رضایت", "withdraw"),
            Action::RevealPhone => ("شماره", "number"),
            Action::ToggleShahrban => ("شهربان", "Shahrban"),
            Action::ClearFalseReport => ("لغو کذب", "clear false"),
            Action::OpenFeedback => ("نظرسنجی", "call-backs"),
            Action::Rate1 => ("رضایت ۱", "rate 1"),
            Action::Rate2 => ("رضایت ۲", "rate 2"),
            Action::Rate3 => ("رضایت ۳", "rate 3"),
            Action::Rate4 => ("رضایت ۴", "rate 4"),
            Action::Rate5 => ("رضایت ۵", "rate 5"),
            Action::AskCorrection => ("اصلاح", "correction"),
            Action::Unreachable => ("پاسخ نداد", "unreachable"),
            Action::OpenAttachment => ("پیوست", "open file"),
            _ => return self.help(lang),
        };
        match lang {
            Lang::Fa => fa,
            Lang::En => en,
        }
    }
}

/// Where a key is looked up: a table of the keymap, named as in the file.
/// Each screen has a table of its own and falls back to a shared one
/// ([`EDIT`] or [`LIST`]), then to [`GLOBAL`].
pub type Context = &'static str;

pub const GLOBAL: Context = "global";
/// The keys of text fields.
pub const EDIT: Context = "edit";
/// The keys of lists and read-only pages.
pub const LIST: Context = "list";
/// The shared tables, in the order the help shows them.
pub const SHARED: [Context; 3] = [GLOBAL, EDIT, LIST];

/// Every table a keymap file may have: the shared ones and one per screen.
pub fn contexts() -> impl Iterator<Item = Context> {
    SHARED
        .into_iter()
        .chain(crate::app::screens::SCREEN_CONTEXTS.iter().copied())
}

/// A key as bindings see it. Shift is folded into the character it produced,
/// so "shift-g" and "G" are one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyName,
    ctrl: bool,
    alt: bool,
    shift: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyName {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
}

impl Key {
    fn normalized(mut self) -> Self {
        match self.code {
            KeyName::Char(c) => {
                if self.shift {
                    self.code = KeyName::Char(c.to_uppercase().next().unwrap_or(c));
                }
                self.shift = false;
            }
            KeyName::BackTab => self.shift = false,
            KeyName::Tab if self.shift => {
                self.code = KeyName::BackTab;
                self.shift = false;
            }
            _ => {}
        }
        self
    }

    pub fn from_event(ev: &KeyEvent) -> Option<Self> {
        let code = match ev.code {
            KeyCode::Char(c) => KeyName::Char(c),
            KeyCode::F(n) => KeyName::F(n),
            KeyCode::Enter => KeyName::Enter,
            KeyCode::Esc => KeyName::Esc,
            KeyCode::Tab => KeyName::Tab,
            KeyCode::BackTab => KeyName::BackTab,
            KeyCode::Backspace => KeyName::Backspace,
            KeyCode::Delete => KeyName::Delete,
            KeyCode::Insert => KeyName::Insert,
            KeyCode::Home => KeyName::Home,
            KeyCode::End => KeyName::End,
            KeyCode::PageUp => KeyName::PageUp,
            KeyCode::PageDown => KeyName::PageDown,
            KeyCode::Up => KeyName::Up,
            KeyCode::Down => KeyName::Down,
            KeyCode::Left => KeyName::Left,
            KeyCode::Right => KeyName::Right,
            _ => return None,
        };
        let m = ev.modifiers;
        Some(
            Key {
                code,
                ctrl: m.contains(KeyModifiers::CONTROL),
                alt: m.contains(KeyModifiers::ALT) || m.contains(KeyModifiers::META),
                shift: m.contains(KeyModifiers::SHIFT),
            }
            .normalized(),
        )
    }

    /// The character this key types into a field, if it types one.
    pub fn typed_char(ev: &KeyEvent) -> Option<char> {
        let m = ev.modifiers;
        match ev.code {
            // AltGr arrives as Ctrl+Alt on some terminals and types a character.
            KeyCode::Char(c)
                if !m.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    || m.contains(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                (!c.is_control()).then_some(c)
            }
            _ => None,
        }
    }
}

impl std::str::FromStr for Key {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut rest = s.trim();
        let mut flags = [false; 3];
        // "-" alone, or after a modifier, is the minus key.
        'strip: loop {
            for (flag, m) in flags.iter_mut().zip(["ctrl-", "alt-", "shift-"]) {
                if rest.len() > m.len()
                    && rest
                        .get(..m.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(m))
                {
                    *flag = true;
                    rest = &rest[m.len()..];
                    continue 'strip;
                }
            }
            break;
        }
        let [ctrl, alt, shift] = flags;
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyName::Char(if ctrl || alt {
                c.to_ascii_lowercase()
            } else {
                c
            }),
            (None, _) => return Err(format!("{s:?} names no key")),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyName::Enter,
                "esc" | "escape" => KeyName::Esc,
                "tab" => KeyName::Tab,
                "backtab" => KeyName::BackTab,
                "backspace" => KeyName::Backspace,
                "delete" | "del" => KeyName::Delete,
                "insert" | "ins" => KeyName::Insert,
                "home" => KeyName::Home,
                "end" => KeyName::End,
                "pageup" | "pgup" => KeyName::PageUp,
                "pagedown" | "pgdn" => KeyName::PageDown,
                "up" => KeyName::Up,
                "down" => KeyName::Down,
                "left" => KeyName::Left,
                "right" => KeyName::Right,
                "space" => KeyName::Char(' '),
                f => match f.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    Some(n @ 1..=12) => KeyName::F(n),
                    _ => return Err(format!("{s:?} names no key")),
                },
            },
        };
        Ok(Key {
            code,
            ctrl,
            alt,
            shift,
        }
        .normalized())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        if self.shift {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyName::Char(' ') => f.write_str("Space"),
            KeyName::Char(c) if (self.ctrl || self.alt) && c.is_ascii_lowercase() => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyName::Char(c) if c.is_ascii_uppercase() => write!(f, "Shift-{c}"),
            KeyName::Char(c) => write!(f, "{c}"),
            KeyName::F(n) => write!(f, "F{n}"),
            KeyName::Enter => f.write_str("Enter"),
            KeyName::Esc => f.write_str("Esc"),
            KeyName::Tab => f.write_str("Tab"),
            KeyName::BackTab => f.write_str("Shift-Tab"),
            KeyName::Backspace => f.write_str("Backspace"),
            KeyName::Delete => f.write_str("Delete"),
            KeyName::Insert => f.write_str("Insert"),
            KeyName::Home => f.write_str("Home"),
            KeyName::End => f.write_str("End"),
            KeyName::PageUp => f.write_str("PageUp"),
            KeyName::PageDown => f.write_str("PageDown"),
            KeyName::Up => f.write_str("Up"),
            KeyName::Down => f.write_str("Down"),
            KeyName::Left => f.write_str("Left"),
            KeyName::Right => f.write_str("Right"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("{source_name}: {message}")]
    Syntax {
        source_name: String,
        message: String,
    },
    #[error("{source_name}: [{context}] {key:?}: {message}")]
    Entry {
        source_name: String,
        context: String,
        key: String,
        message: String,
    },
    #[error("{source_name}: [{context}]: no screen has this key table (there are: {known})")]
    UnknownContext {
        source_name: String,
        context: String,
        known: String,
    },
    #[error("{key} is bound in [global] to {global:?} and in [{context}] to {other:?}")]
    Conflict {
        key: String,
        context: String,
        global: Action,
        other: Action,
    },
}

/// A keymap file as written: each table maps key strings to action names.
type KeymapFile = BTreeMap<String, BTreeMap<String, String>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<Context, BTreeMap<Key, Action>>,
}

impl Keymap {
    /// The shipped keymap alone.
    pub fn shipped() -> Result<Self, KeymapError> {
        let mut map = Keymap {
            bindings: BTreeMap::new(),
        };
        map.merge("default keymap", DEFAULT_KEYMAP)?;
        map.check()?;
        Ok(map)
    }

    /// The shipped keymap with a user's file merged on top.
    pub fn with_user(source_name: &str, text: &str) -> Result<Self, KeymapError> {
        let mut map = Keymap {
            bindings: BTreeMap::new(),
        };
        map.merge("default keymap", DEFAULT_KEYMAP)?;
        map.merge(source_name, text)?;
        map.check()?;
        Ok(map)
    }

    fn merge(&mut self, source_name: &str, text: &str) -> Result<(), KeymapError> {
        let file: KeymapFile = toml::from_str(text).map_err(|e| KeymapError::Syntax {
            source_name: source_name.to_owned(),
            message: e.to_string(),
        })?;
        for (table_name, table) in &file {
            let Some(ctx) = contexts().find(|c| c == table_name) else {
                return Err(KeymapError::UnknownContext {
                    source_name: source_name.to_owned(),
                    context: table_name.clone(),
                    known: contexts().collect::<Vec<_>>().join(", "),
                });
            };
            // Two spellings of one key in one table ("ctrl-s", "Ctrl-S") would
            // make the result depend on table order.
            let mut seen: BTreeMap<Key, &str> = BTreeMap::new();
            for (key_text, action_text) in table {
                let entry_error = |message: String| KeymapError::Entry {
                    source_name: source_name.to_owned(),
                    context: ctx.to_owned(),
                    key: key_text.clone(),
                    message,
                };
                let key: Key = key_text.parse().map_err(entry_error)?;
                if let Some(first) = seen.insert(key, key_text) {
                    return Err(entry_error(format!("the same key as {first:?}")));
                }
                let bound = self.bindings.entry(ctx).or_default();
                if action_text == UNBOUND {
                    bound.remove(&key);
                    continue;
                }
                let action = parse_action(action_text)
                    .ok_or_else(|| entry_error(format!("no action is called {action_text:?}")))?;
                bound.insert(key, action);
            }
        }
        Ok(())
    }

    /// A key bound in [global] and in a screen's table would be shadowed on
    /// that screen: refuse it rather than surprise.
    fn check(&self) -> Result<(), KeymapError> {
        let Some(global) = self.bindings.get(GLOBAL) else {
            return Ok(());
        };
        for (ctx, table) in &self.bindings {
            if *ctx == GLOBAL {
                continue;
            }
            for (key, action) in table {
                if let Some(g) = global.get(key) {
                    return Err(KeymapError::Conflict {
                        key: key.to_string(),
                        context: (*ctx).to_owned(),
                        global: *g,
                        other: *action,
                    });
                }
            }
        }
        Ok(())
    }

    fn get(&self, ctx: Context, key: Key) -> Option<Action> {
        self.bindings.get(ctx)?.get(&key).copied()
    }

    /// The action of a key on a screen whose tables are `contexts`, the most
    /// particular first; [global] is tried last.
    pub fn action(&self, contexts: &[Context], key: Key) -> Option<Action> {
        contexts
            .iter()
            .chain([&GLOBAL])
            .find_map(|ctx| self.get(ctx, key))
    }

    /// Every key of an action in one table, in a stable order.
    pub fn keys_of(&self, ctx: Context, action: Action) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .bindings
            .get(ctx)
            .into_iter()
            .flatten()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| *k)
            .collect();
        // Function keys first: they work whatever keyboard layout is active.
        keys.sort_by_key(|k| !matches!(k.code, KeyName::F(_)));
        keys
    }

    /// The first key of an action on a screen, for the hints in the bottom
    /// bar: one that does this action there, not shadowed by a table before it.
    pub fn hint(&self, contexts: &[Context], action: Action) -> Option<Key> {
        let mut keys: Vec<Key> = contexts
            .iter()
            .chain([&GLOBAL])
            .flat_map(|ctx| self.keys_of(ctx, action))
            .filter(|k| self.action(contexts, *k) == Some(action))
            .collect();
        keys.sort_by_key(|k| !matches!(k.code, KeyName::F(_)));
        keys.first().copied()
    }

    /// (action, its keys) for every bound action of a table, in the order of
    /// [`Action::ALL`].
    pub fn table(&self, ctx: Context) -> Vec<(Action, Vec<Key>)> {
        Action::ALL
            .iter()
            .map(|&a| (a, self.keys_of(ctx, a)))
            .filter(|(_, keys)| !keys.is_empty())
            .collect()
    }
}

fn parse_action(name: &str) -> Option<Action> {
    use serde::de::IntoDeserializer;
    let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        name.into_deserializer();
    Action::deserialize(de).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyEventKind, KeyEventState};

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_keymap_parses_and_has_no_duplicate_keys() {
        let map = Keymap::shipped().unwrap();
        // A duplicate within a table is refused by merge, across [global] and a
        // screen table by check; prove both run on the shipped text.
        let file: KeymapFile = toml::from_str(DEFAULT_KEYMAP).unwrap();
        for (name, table) in &file {
            let mut keys: Vec<Key> = table.keys().map(|k| key(k)).collect();
            let n = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), n, "a key appears twice in [{name}]");
        }
        let global = &map.bindings[GLOBAL];
        for (ctx, table) in &map.bindings {
            if *ctx != GLOBAL {
                for k in table.keys() {
                    assert!(!global.contains_key(k), "[{ctx}] {k}");
                }
            }
        }
    }

    #[test]
    fn every_action_has_help_and_a_key() {
        let map = Keymap::shipped().unwrap();
        for a in Action::ALL {
            for lang in [Lang::Fa, Lang::En] {
                assert!(!a.help(lang).trim().is_empty(), "{a:?}");
            }
            let bound = contexts().any(|c| !map.keys_of(c, a).is_empty());
            assert!(bound, "{a:?} has no key");
        }
    }

    #[test]
    fn the_spec_keys_do_what_they_say() {
        let map = Keymap::shipped().unwrap();
        let g = |s: &str| map.action(&[EDIT], key(s));
        assert_eq!(g("ctrl-s"), Some(Action::Save));
        assert_eq!(g("f2"), Some(Action::NewCall));
        assert_eq!(g("ctrl-n"), Some(Action::NewCall));
        assert_eq!(g("f4"), Some(Action::ToggleUrgent));
        assert_eq!(g("alt-u"), Some(Action::ToggleUrgent));
        // The same physical key on the Persian layout.
        let alt_ain = KeyEvent::new(KeyCode::Char('ع'), KeyModifiers::ALT);
        assert_eq!(
            map.action(&[EDIT], Key::from_event(&alt_ain).unwrap()),
            Some(Action::ToggleUrgent)
        );
        assert_eq!(g("f9"), Some(Action::Save));
        assert_eq!(g("f1"), Some(Action::Help));
        assert_eq!(g("ctrl-q"), Some(Action::Quit));
        assert_eq!(g("esc"), Some(Action::Back));
        assert_eq!(g("tab"), Some(Action::NextField));
        assert_eq!(g("shift-tab"), Some(Action::PrevField));
        assert_eq!(g("ctrl-w"), Some(Action::DeleteWordBack));
        assert_eq!(g("alt-b"), Some(Action::WordLeft));
        assert_eq!(g("ctrl-right"), Some(Action::WordRight));
        // Letters type into fields; they act only on lists.
        assert_eq!(g("j"), None);
        assert_eq!(map.action(&[LIST], key("j")), Some(Action::Down));
    }

    #[test]
    fn events_and_strings_name_the_same_keys() {
        let cases = [
            (ev(KeyCode::Char('s'), KeyModifiers::CONTROL), "ctrl-s"),
            (
                ev(
                    KeyCode::Char('S'),
                    KeyModifiers::CONTROL | KeyModifiers::SHIFT,
                ),
                "ctrl-shift-s",
            ),
            (ev(KeyCode::Char('u'), KeyModifiers::ALT), "Alt-U"),
            (ev(KeyCode::BackTab, KeyModifiers::SHIFT), "shift-tab"),
            (ev(KeyCode::Char('G'), KeyModifiers::SHIFT), "shift-g"),
            (ev(KeyCode::Char('G'), KeyModifiers::SHIFT), "G"),
            (ev(KeyCode::F(4), KeyModifiers::NONE), "F4"),
            (ev(KeyCode::Left, KeyModifiers::CONTROL), "ctrl-left"),
            (ev(KeyCode::Char('-'), KeyModifiers::NONE), "-"),
        ];
        for (e, s) in cases {
            assert_eq!(Key::from_event(&e), Some(key(s)), "{s}");
        }
        assert_eq!(key("shift-tab").to_string(), "Shift-Tab");
        assert_eq!(key("ctrl-s").to_string(), "Ctrl-S");
        assert_eq!(key("f12").to_string(), "F12");
        assert!("f13".parse::<Key>().is_err());
        assert!("ctrl--".parse::<Key>().is_ok(), "ctrl and the minus key");
        assert!("ctrl-".parse::<Key>().is_err());
        assert!("hyper-x".parse::<Key>().is_err());
    }

    #[test]
    fn a_user_file_rebinds_and_unbinds_on_top() {
        let user = r#"
            [global]
            "ctrl-s" = "unbound"
            "f9" = "unbound"
            "f11" = "save"
            "ctrl-n" = "refresh"
            [list]
            "x" = "accept"
        "#;
        let map = Keymap::with_user("mine.toml", user).unwrap();
        assert_eq!(map.action(&[EDIT], key("ctrl-s")), None);
        assert_eq!(map.action(&[EDIT], key("f11")), Some(Action::Save));
        assert_eq!(map.action(&[EDIT], key("ctrl-n")), Some(Action::Refresh));
        assert_eq!(map.action(&[LIST], key("x")), Some(Action::Accept));
        // What the user did not touch stays.
        assert_eq!(map.action(&[EDIT], key("f2")), Some(Action::NewCall));
        assert_eq!(map.hint(&[EDIT], Action::Save), Some(key("f11")));
    }

    #[test]
    fn a_user_file_binds_a_key_in_one_screens_table() {
        let user = r#"
            [queue]
            "o" = "accept"
            "j" = "up"
        "#;
        let map = Keymap::with_user("mine.toml", user).unwrap();
        let queue = ["queue", LIST];
        let detail = ["detail", LIST];
        assert_eq!(map.action(&queue, key("o")), Some(Action::Accept));
        // The screen's own table comes before the shared list table...
        assert_eq!(map.action(&queue, key("j")), Some(Action::Up));
        // ...and reaches no other screen: there "o" keeps its own meaning.
        assert_eq!(map.action(&detail, key("o")), Some(Action::Arrive));
        assert_eq!(map.action(&detail, key("j")), Some(Action::Down));
        // The screen's own key is the one its bar names.
        assert_eq!(map.hint(&queue, Action::Accept), Some(key("o")));
        // A hint never names a key the screen's table took for something else.
        assert_eq!(map.hint(&queue, Action::Down), Some(key("down")));
        let clash = "[queue]\n\"f1\" = \"refresh\"\n";
        assert!(matches!(
            Keymap::with_user("mine.toml", clash),
            Err(KeymapError::Conflict { .. })
        ));
    }

    #[test]
    fn a_bad_user_file_says_where() {
        let err = Keymap::with_user("mine.toml", "[global]\n\"ctrl-s\" = \"sav\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "mine.toml: [global] \"ctrl-s\": no action is called \"sav\""
        );
        let err = Keymap::with_user(
            "mine.toml",
            "[global]\n\"ctrl-s\" = \"save\"\n\"Ctrl-S\" = \"quit\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("the same key"), "{err}");
        let err = Keymap::with_user("mine.toml", "[edit]\n\"f1\" = \"yank\"\n").unwrap_err();
        assert!(matches!(err, KeymapError::Conflict { .. }), "{err}");
        let err = Keymap::with_user("mine.toml", "[screens]\n").unwrap_err();
        assert!(matches!(err, KeymapError::UnknownContext { .. }), "{err}");
        assert!(err.to_string().contains("queue"), "names the tables: {err}");
        let err = Keymap::with_user("mine.toml", "global = 1\n").unwrap_err();
        assert!(matches!(err, KeymapError::Syntax { .. }), "{err}");
    }

    #[test]
    fn typed_characters() {
        assert_eq!(
            Key::typed_char(&ev(KeyCode::Char('س'), KeyModifiers::NONE)),
            Some('س')
        );
        assert_eq!(
            Key::typed_char(&ev(KeyCode::Char('A'), KeyModifiers::SHIFT)),
            Some('A')
        );
        assert_eq!(
            Key::typed_char(&ev(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            None
        );
        assert_eq!(
            Key::typed_char(&ev(KeyCode::Char('b'), KeyModifiers::ALT)),
            None
        );
        assert_eq!(
            Key::typed_char(&ev(KeyCode::Enter, KeyModifiers::NONE)),
            None
        );
    }
}
