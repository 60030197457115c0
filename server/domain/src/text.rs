//! Persian-first text normalisation.
//!
//! Records keep exactly what the user typed; everything that matches, indexes or
//! compares text goes through [`match_key`] first, so that «روشنايي» typed on an
//! Arabic keyboard finds «روشنایی», and «۰۹۱۳» equals «0913».

/// Folds one character for matching. `None` drops it.
fn fold(c: char) -> Option<char> {
    Some(match c {
        // Arabic letters that Persian writes differently.
        'ي' | 'ى' | 'ئ' => 'ی',
        'ك' => 'ک',
        'ة' | 'ۀ' | 'ہ' => 'ه',
        // Hamza and madda forms of alef, and hamza on waw: one letter in the key.
        'آ' | 'أ' | 'إ' | 'ٱ' => 'ا',
        'ؤ' => 'و',
        // Persian and Arabic-Indic digits.
        '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
        '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
        // Diacritics (harakat, tanwin, shadda, sukun, superscript alef), Quranic
        // marks and tatweel carry no meaning for matching.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | 'ـ' => return None,
        // ZWNJ joins the parts of one Persian word: «آب‌گرفتگی» is one word whether
        // typed with ZWNJ, with nothing, or (see the classifier) with a space.
        '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}' => return None,
        c if c.is_whitespace() => ' ',
        c => c,
    })
}

/// The matching key of `s`: letters folded, digits in ASCII, marks and joiners
/// removed, lower case, runs of white space made one space, trimmed.
pub fn match_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars().filter_map(fold) {
        if c == ' ' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The words of `s` in matching form: [`match_key`], split at anything that is
/// neither a letter nor a digit.
pub fn words(s: &str) -> Vec<String> {
    match_key(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// ASCII digits of any script: `۰۹۱۳`, `٠٩١٣` and fullwidth `０９１３` become
/// `0913`. Other characters are kept.
pub fn ascii_digits(s: &str) -> String {
    s.chars().map(|c| ascii_digit(c).unwrap_or(c)).collect()
}

/// The ASCII digit a digit of any script stands for.
pub fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '۰'..='۹' | '٠'..='٩' => fold(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

/// Persian digits for display: `1405` becomes `۱۴۰۵`.
pub fn persian_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32('۰' as u32 + (c as u32 - '0' as u32)).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// The most characters of a value an error message quotes.
pub const QUOTE_MAX: usize = 40;

/// A value as an error message may quote it: at most [`QUOTE_MAX`]
/// characters, cut on a character boundary, escaped, in quotes. An error
/// never repeats a whole input back: common clients drop large trailers.
pub fn quote(s: &str) -> String {
    let mut out = String::from('"');
    for (i, c) in s.chars().enumerate() {
        if i == QUOTE_MAX {
            out.push('…');
            break;
        }
        out.extend(c.escape_debug());
    }
    out.push('"');
    out
}

/// A key a person typed (a case number, an id): trimmed, digits of any
/// script made ASCII, the invisible marks of right-to-left text dropped, and
/// the dashes people type made `-`.
pub fn typed_key(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !is_invisible_mark(*c))
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => '-',
            c => ascii_digit(c).unwrap_or(c),
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Zero-width and direction marks: they change how text is drawn, not what it says.
pub fn is_invisible_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Trims the text a user typed for storage, without changing its letters.
/// Text made only of invisible marks (zero-width space, ZWNJ, ZWJ, word
/// joiner, direction marks) counts as empty.
pub fn tidy(s: &str) -> String {
    let s = s.trim();
    if s.chars().all(|c| is_invisible_mark(c) || c.is_whitespace()) {
        String::new()
    } else {
        s.to_owned()
    }
}

/// The first character of `s` that must never be stored in free text, or
/// drawn on another person's terminal: a C0 or C1 control other than tab
/// and newline (NUL, BEL, backspace, ESC, DEL, ...), or a bidi override or
/// isolate that would reorder what others read.
pub fn forbidden_char(s: &str) -> Option<char> {
    s.chars().find(|&c| is_forbidden(c))
}

/// See [`forbidden_char`].
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_letters_fold_to_persian() {
        assert_eq!(match_key("روشنايي"), "روشنایی");
        assert_eq!(match_key("كوچه"), "کوچه");
        assert_eq!(match_key("مدرسة"), "مدرسه");
        assert_eq!(match_key("مصطفى"), "مصطفی");
    }

    #[test]
    fn alef_forms_and_heh_with_yeh_fold_in_the_key() {
        assert_eq!(match_key("آب"), "اب");
        assert_eq!(match_key("أمنیت إدارة"), "امنیت اداره");
        assert_eq!(match_key("خانۀ"), "خانه");
    }

    #[test]
    fn zwnj_diacritics_and_tatweel_vanish() {
        assert_eq!(match_key("آب\u{200C}گرفتگی"), match_key("آبگرفتگی"));
        assert_eq!(match_key("مـــعبر"), "معبر");
        assert_eq!(match_key("شَهرداری"), "شهرداری");
        assert_eq!(match_key("درخت\u{0651}"), "درخت");
    }

    #[test]
    fn digits_of_every_script_are_ascii() {
        assert_eq!(match_key("۰۹۱۳ ٠٩١٣ 0913"), "0913 0913 0913");
        assert_eq!(ascii_digits("+۹۸ ۹۱۳"), "+98 913");
        assert_eq!(persian_digits("1405-000123"), "۱۴۰۵-۰۰۰۱۲۳");
    }

    #[test]
    fn spaces_collapse_and_case_folds() {
        assert_eq!(match_key("  Street\t\u{00A0} LIGHT  "), "street light");
        assert_eq!(words("چراغ، کوچه- خاموش!"), vec!["چراغ", "کوچه", "خاموش"]);
    }

    #[test]
    fn tidy_keeps_what_was_typed() {
        assert_eq!(tidy("  كوچه آب\u{200C}گرفتگی "), "كوچه آب\u{200C}گرفتگی");
    }
}
