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
/// `0098`, `98` or `0` in front; spaces, dashes, dots, brackets and the
/// invisible direction marks of right-to-left text ignored.
pub fn normalize_phone(input: &str) -> Result<String, PhoneError> {
    let ascii = ascii_digits(input.trim());
    if ascii.is_empty() {
        return Err(PhoneError::Empty);
    }
    let mut digits = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' | '＋' if digits.is_empty() => {}
            c if is_separator(c) => {}
            c => return Err(PhoneError::BadChar(c)),
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::Empty);
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

/// What people type or paste between the digits of a number: spaces,
/// dashes, dots, brackets, and the invisible marks a right-to-left text
/// carries (ZWNJ, no-break space, the direction marks and isolates).
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{00A0}') || crate::text::is_invisible_mark(c)
}

/// The fewest digits in a run of free text that make it look like a phone
/// number: a land line without its area code has eight.
pub const NUMBER_IN_TEXT_MIN_DIGITS: usize = 8;

/// Free text with every phone-like run of digits (any script, any of the
/// separators people type between digits) hidden: each digit of the run
/// becomes `*`. Shorter runs (house numbers, alleys) stay as typed.
pub fn mask_numbers_in_text(text: &str) -> String {
    // Most text holds no run long enough: answer it without a second pass.
    let digits = text
        .chars()
        .filter(|&c| crate::text::ascii_digit(c).is_some())
        .count();
    if digits < NUMBER_IN_TEXT_MIN_DIGITS {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if crate::text::ascii_digit(chars[i]).is_none() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run: digits, with separators only between them.
        let start = i;
        let mut end = i;
        let mut digits = 0;
        let mut j = i;
        while j < chars.len() {
            if crate::text::ascii_digit(chars[j]).is_some() {
                digits += 1;
                j += 1;
                end = j;
            } else if is_separator(chars[j]) || chars[j] == '+' {
                j += 1;
            } else {
                break;
            }
        }
        for &c in &chars[start..end] {
            if digits >= NUMBER_IN_TEXT_MIN_DIGITS && crate::text::ascii_digit(c).is_some() {
                out.push('*');
            } else {
                out.push(c);
            }
        }
        i = end;
    }
    out
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
            "\u{200F}۰۹۱۳۱۲۳۴۵۶۷",
            "\u{2067}0913 123 4567\u{2069}",
            "０９１３１２３４５６７",
            "＋۹۸۹۱۳۱۲۳۴۵۶۷",
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
    fn numbers_in_free_text_are_hidden_in_any_script() {
        assert_eq!(
            mask_numbers_in_text("تماس با ۰۹۱۳ ۱۲۳ ۴۵۶۷ بعد از ظهر"),
            "تماس با **** *** **** بعد از ظهر"
        );
        assert_eq!(
            mask_numbers_in_text("call 0913-123-4567."),
            "call ****-***-****."
        );
        assert_eq!(mask_numbers_in_text("٠٣١٣٢٢٢٤٤٥٥"), "***********");
        assert_eq!(
            mask_numbers_in_text("+98\u{200F}9131234567"),
            "+**\u{200F}**********"
        );
        // House numbers and alleys stay.
        let address = "کوچه ۱۲، پلاک ۱۰۵، طبقه 3";
        assert_eq!(mask_numbers_in_text(address), address);
        assert_eq!(mask_numbers_in_text(""), "");
    }

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask_phone("09131234567"), "0913***4567");
        assert_eq!(mask_phone("123"), "***");
    }
}
