//! Iranian phone numbers: accepted as citizens and agents type them, stored in
//! one form (`09xxxxxxxxx` for mobiles, `0` + area code + number for land lines).

use crate::text::ascii_digits;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("is empty")]
    Empty,
    #[error("has a character that is not a digit: {0:?}")]
    BadChar(char),
    #[error("has {0} digits; an Iranian number has 10 after the leading 0")]
    BadLength(usize),
    #[error("is not an Iranian number: after 0 it must start with 1 to 9")]
    BadPrefix,
}

/// Normalises an Iranian number: Persian, Arabic or ASCII digits; with `+98`,
/// `0098`, `98` or `0` in front; spaces, dashes, dots and brackets ignored.
pub fn normalize_phone(input: &str) -> Result<String, PhoneError> {
    let ascii = ascii_digits(input.trim());
    if ascii.is_empty() {
        return Err(PhoneError::Empty);
    }
    let mut digits = String::with_capacity(ascii.len());
    for (i, c) in ascii.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '.' | '(' | ')' | '\u{200C}' | '\u{00A0}' => {}
            c => return Err(PhoneError::BadChar(c)),
        }
    }
    let national = if let Some(rest) = digits.strip_prefix("0098") {
        rest
    } else if let Some(rest) = digits.strip_prefix("98").filter(|r| r.len() == 10) {
        rest
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else {
        digits.as_str()
    };
    if national.len() != 10 {
        return Err(PhoneError::BadLength(national.len()));
    }
    if national.starts_with('0') {
        return Err(PhoneError::BadPrefix);
    }
    Ok(format!("0{national}"))
}

/// The number as people other than agents may see it: `0913***4567`.
pub fn mask_phone(phone: &str) -> String {
    let n = phone.chars().count();
    if n < 8 {
        return "*".repeat(n);
    }
    let head: String = phone.chars().take(4).collect();
    let tail: String = phone.chars().skip(n - 4).collect();
    format!("{head}***{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_common_form() {
        for s in [
            "09131234567",
            "9131234567",
            "+989131234567",
            "00989131234567",
            "989131234567",
            "۰۹۱۳۱۲۳۴۵۶۷",
            "٠٩١٣١٢٣٤٥٦٧",
            "0913 123 4567",
            "(0913) 123-4567",
            "+۹۸ ۹۱۳ ۱۲۳ ۴۵۶۷",
        ] {
            assert_eq!(normalize_phone(s).as_deref(), Ok("09131234567"), "{s}");
        }
        assert_eq!(
            normalize_phone("031-3222 4455").as_deref(),
            Ok("03132224455")
        );
    }

    #[test]
    fn rejects_with_a_reason() {
        assert_eq!(normalize_phone("  "), Err(PhoneError::Empty));
        assert_eq!(
            normalize_phone("0913abc4567"),
            Err(PhoneError::BadChar('a'))
        );
        assert_eq!(normalize_phone("091312345"), Err(PhoneError::BadLength(8)));
        assert_eq!(
            normalize_phone("0913123456789"),
            Err(PhoneError::BadLength(12))
        );
        assert_eq!(normalize_phone("00913123456"), Err(PhoneError::BadPrefix));
        assert_eq!(
            normalize_phone("0913+1234567"),
            Err(PhoneError::BadChar('+'))
        );
    }

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask_phone("09131234567"), "0913***4567");
        assert_eq!(mask_phone("123"), "***");
    }
}
