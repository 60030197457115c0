//! Checks every field of a request to open a case, and names the field that is
//! wrong.

use crate::catalog::Catalog;
use crate::model::{Channel, Kind, NewCase, Urgency};
use crate::phone::{PhoneError, normalize_phone};
use crate::text::tidy;

pub const REQUEST_ID_MAX: usize = 64;
pub const DESCRIPTION_MIN: usize = 3;
pub const DESCRIPTION_MAX: usize = 2000;
pub const ADDRESS_MIN: usize = 3;
pub const ADDRESS_MAX: usize = 300;
pub const LANDMARK_MAX: usize = 200;

/// Why a field is refused: a stable code that clients translate into their
/// own words. The name (`TOO_SHORT`, ...) goes on the wire and never changes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    /// The field is empty and must not be.
    Required,
    /// Shorter than [`FieldError::limit`] characters.
    TooShort,
    /// Longer than [`FieldError::limit`] characters.
    TooLong,
    /// Holds characters the field does not allow.
    BadCharacters,
    /// No topic of the catalog has this id.
    UnknownTopic,
    /// No region has this number.
    UnknownRegion,
    /// An enum value the contract does not define.
    UnknownValue,
    /// An informational case cannot be urgent.
    UrgentInformational,
    /// A phone number with a character that is not a digit.
    PhoneBadCharacter,
    /// A phone number with too few or too many digits.
    PhoneBadLength,
    /// A phone number that is not Iranian.
    PhoneNotIranian,
    /// A page token this server did not give.
    BadPageToken,
    /// More bytes than [`FieldError::limit`] allows.
    TooLarge,
    /// A media type that is not on the allow-list.
    UnknownMediaType,
    /// A file whose first bytes are not of the media type it declared.
    MediaMismatch,
    /// A file whose bytes do not add up to the size it declared.
    SizeMismatch,
    /// No unit of the catalog has this id.
    UnknownUnit,
    /// The unit exists but is not of the kind the move needs.
    WrongUnitKind,
    /// A date or amount outside what the field allows.
    OutOfRange,
    /// The move would change nothing.
    Unchanged,
    /// No case has this number, or it names the case itself.
    UnknownCase,
    /// No staff member of the role the field needs has this name.
    UnknownUser,
    /// The case has no attachment with this id: upload it to the case first.
    UnknownAttachment,
}

impl Reason {
    pub fn all() -> impl Iterator<Item = Reason> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One field is wrong, and why: the field's name on the wire, a stable
/// [`Reason`], the limit it broke (0 where none applies) and an English
/// sentence for people who read raw statuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct FieldError {
    pub field: &'static str,
    pub reason: Reason,
    pub limit: u32,
    pub detail: String,
}

impl FieldError {
    pub fn new(field: &'static str, reason: Reason, detail: impl Into<String>) -> Self {
        Self {
            field,
            reason,
            limit: 0,
            detail: detail.into(),
        }
    }

    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = u32::try_from(limit).unwrap_or(u32::MAX);
        self
    }

    pub fn required(field: &'static str) -> Self {
        Self::new(field, Reason::Required, "is required")
    }

    /// A phone number that does not normalise.
    pub fn phone(field: &'static str, e: &PhoneError) -> Self {
        let reason = match e {
            PhoneError::Empty => Reason::Required,
            PhoneError::BadChar(_) => Reason::PhoneBadCharacter,
            PhoneError::BadLength(_) => Reason::PhoneBadLength,
            PhoneError::BadPrefix => Reason::PhoneNotIranian,
        };
        Self::new(field, reason, e.to_string())
    }

    /// An enum value outside the contract.
    pub fn unknown_value(field: &'static str, value: i32) -> Self {
        Self::new(
            field,
            Reason::UnknownValue,
            format!("{value} is not a known value"),
        )
    }
}

/// A request as it arrived; `None` where the client left a choice unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseDraft {
    pub request_id: String,
    pub channel: Option<Channel>,
    pub kind: Option<Kind>,
    pub urgency: Option<Urgency>,
    pub topic_id: String,
    pub description: String,
    pub phone: String,
    pub region: u32,
    pub address: String,
    pub landmark: String,
}

pub fn check_len(field: &'static str, s: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let n = s.chars().count();
    if n < min {
        return Err(if min == 1 {
            FieldError::required(field)
        } else {
            FieldError::new(
                field,
                Reason::TooShort,
                format!("is too short: at least {min} characters"),
            )
            .with_limit(min)
        });
    }
    if n > max {
        return Err(FieldError::new(
            field,
            Reason::TooLong,
            format!("is too long: {n} characters, at most {max}"),
        )
        .with_limit(max));
    }
    Ok(())
}

/// Validates a draft against the catalog. Unset kind and urgency take the
/// topic's defaults. Text is stored as typed, trimmed.
pub fn validate(draft: &CaseDraft, catalog: &Catalog) -> Result<NewCase, FieldError> {
    let request_id = draft.request_id.trim();
    check_len("request_id", request_id, 1, REQUEST_ID_MAX)?;
    if !request_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
    {
        return Err(FieldError::new(
            "request_id",
            Reason::BadCharacters,
            "may hold only ASCII letters, digits and - _ . :",
        ));
    }
    let topic =
        catalog
            .topic(draft.topic_id.trim())
            .ok_or_else(|| match draft.topic_id.trim() {
                "" => FieldError::required("topic_id"),
                id => FieldError::new(
                    "topic_id",
                    Reason::UnknownTopic,
                    format!("no topic has id {}", crate::text::quote(id)),
                ),
            })?;
    let kind = draft.kind.unwrap_or(topic.kind);
    let urgency = draft.urgency.unwrap_or(topic.default_urgency);
    if kind == Kind::Informational && urgency == Urgency::Urgent {
        return Err(FieldError::new(
            "urgency",
            Reason::UrgentInformational,
            "an informational case cannot be urgent",
        ));
    }
    for (field, text) in [
        ("description", &draft.description),
        ("address", &draft.address),
        ("landmark", &draft.landmark),
    ] {
        if let Some(c) = crate::text::forbidden_char(text) {
            return Err(FieldError::new(
                field,
                Reason::BadCharacters,
                format!(
                    "holds U+{:04X}, a control or direction-override character; type plain text",
                    u32::from(c)
                ),
            ));
        }
    }
    let description = tidy(&draft.description);
    check_len(
        "description",
        &description,
        DESCRIPTION_MIN,
        DESCRIPTION_MAX,
    )?;
    let channel = draft.channel.unwrap_or_default();
    let phone = if draft.phone.trim().is_empty() && channel == Channel::Social {
        // Messages on social networks may come without a number.
        String::new()
    } else {
        normalize_phone(&draft.phone).map_err(|e| FieldError::phone("phone", &e))?
    };
    let executive = kind == Kind::Executive;
    if draft.region == 0 && executive {
        return Err(FieldError::new(
            "region",
            Reason::Required,
            "is required for an executive case",
        ));
    }
    if draft.region != 0 && catalog.region(draft.region).is_none() {
        let max = catalog.regions.iter().map(|r| r.number).max().unwrap_or(0);
        return Err(FieldError::new(
            "region",
            Reason::UnknownRegion,
            format!("no region {}; regions are 1 to {max}", draft.region),
        )
        .with_limit(max as usize));
    }
    let address = tidy(&draft.address);
    if executive {
        check_len("address", &address, ADDRESS_MIN, ADDRESS_MAX)?;
    } else {
        check_len("address", &address, 0, ADDRESS_MAX)?;
    }
    let landmark = tidy(&draft.landmark);
    check_len("landmark", &landmark, 0, LANDMARK_MAX)?;
    Ok(NewCase {
        request_id: request_id.to_owned(),
        channel,
        kind,
        urgency,
        topic_id: topic.id.clone(),
        description,
        phone,
        region: draft.region,
        address,
        landmark,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::default_catalog().unwrap()
    }

    fn good(c: &Catalog) -> CaseDraft {
        let topic = c.topics.iter().find(|t| t.title_fa == "سد معبر").unwrap();
        CaseDraft {
            request_id: "r-1".into(),
            topic_id: topic.id.clone(),
            description: "وانت میوه‌فروشی پیاده‌رو را بسته".into(),
            phone: "۰۹۱۳ ۱۲۳ ۴۵۶۷".into(),
            region: 3,
            address: " خیابان چهارباغ عباسی ".into(),
            ..CaseDraft::default()
        }
    }

    #[test]
    fn a_good_draft_takes_the_topic_defaults() {
        let c = catalog();
        let n = validate(&good(&c), &c).unwrap();
        assert_eq!(n.kind, Kind::Executive);
        assert_eq!(n.urgency, Urgency::Normal);
        assert_eq!(n.phone, "09131234567");
        assert_eq!(n.address, "خیابان چهارباغ عباسی");
        assert_eq!(n.channel, Channel::Phone);
    }

    type Change = Box<dyn Fn(&mut CaseDraft)>;

    #[test]
    fn each_bad_field_is_named() {
        let c = catalog();
        let cases: Vec<(&str, Change)> = vec![
            ("request_id", Box::new(|d| d.request_id = String::new())),
            ("request_id", Box::new(|d| d.request_id = "x".repeat(65))),
            ("request_id", Box::new(|d| d.request_id = "با فاصله".into())),
            ("topic_id", Box::new(|d| d.topic_id = "NOPE".into())),
            ("topic_id", Box::new(|d| d.topic_id = String::new())),
            ("description", Box::new(|d| d.description = " a ".into())),
            (
                "description",
                Box::new(|d| d.description = "س".repeat(2001)),
            ),
            ("phone", Box::new(|d| d.phone = "12345".into())),
            ("phone", Box::new(|d| d.phone = String::new())),
            ("region", Box::new(|d| d.region = 0)),
            ("region", Box::new(|d| d.region = 16)),
            ("address", Box::new(|d| d.address = String::new())),
            ("address", Box::new(|d| d.address = "آ".repeat(301))),
            ("landmark", Box::new(|d| d.landmark = "آ".repeat(201))),
            (
                "description",
                Box::new(|d| d.description = "چراغ\u{1b}[2J خاموش".into()),
            ),
            (
                "description",
                Box::new(|d| d.description = "\u{200b}\u{200c}\u{2060}".into()),
            ),
            ("address", Box::new(|d| d.address = "خیابان\u{0}صفه".into())),
            (
                "address",
                Box::new(|d| d.address = "خیابان \u{202E}معکوس".into()),
            ),
            ("landmark", Box::new(|d| d.landmark = "زنگ\u{7}".into())),
            ("landmark", Box::new(|d| d.landmark = "\u{9b}31m".into())),
            (
                "landmark",
                Box::new(|d| d.landmark = "\u{1b}]0;title\u{7}".into()),
            ),
            (
                "urgency",
                Box::new(|d| {
                    d.kind = Some(Kind::Informational);
                    d.urgency = Some(Urgency::Urgent);
                }),
            ),
        ];
        for (field, change) in cases {
            let mut d = good(&c);
            change(&mut d);
            let err = validate(&d, &c).unwrap_err();
            assert_eq!(err.field, field, "{err}");
            assert!(!err.detail.is_empty());
        }
    }

    #[test]
    fn informational_needs_no_place_and_social_needs_no_phone() {
        let c = catalog();
        let info = c
            .topics
            .iter()
            .find(|t| t.kind == Kind::Informational)
            .unwrap();
        let mut d = good(&c);
        d.topic_id = info.id.clone();
        d.region = 0;
        d.address.clear();
        d.channel = Some(Channel::Social);
        d.phone.clear();
        let n = validate(&d, &c).unwrap();
        assert_eq!(n.kind, Kind::Informational);
        assert_eq!(n.phone, "");
    }
}
