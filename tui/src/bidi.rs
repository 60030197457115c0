//! Right-to-left text for terminals that do not lay it out themselves.
//!
//! With `bidi = true` every piece of text is cut to its width in logical
//! order first (so the end of a Persian sentence is what gets cut), then put
//! in visual order here with the Unicode bidi algorithm. Each piece is its own
//! paragraph: a table cell's direction does not leak into its neighbour.

use std::borrow::Cow;
use unicode_bidi::ParagraphBidiInfo;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Brackets face the other way inside right-to-left text (rule L4).
fn mirrored(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        c => c,
    }
}

/// The graphemes of `line` in visual order: (byte offset, grapheme, whether
/// it is in a right-to-left run). `None` when the line has no right-to-left
/// text and so needs no reordering.
pub fn visual_graphemes(line: &str) -> Option<Vec<(usize, &str, bool)>> {
    // Numbers, case numbers and Latin text are most cells of a screen.
    if line.is_ascii() {
        return None;
    }
    let info = ParagraphBidiInfo::new(line, None);
    if !info.has_rtl() {
        return None;
    }
    let (levels, runs) = info.visual_runs(0..line.len());
    let mut out = Vec::with_capacity(line.len() / 2);
    for run in runs {
        let text = &line[run.clone()];
        let rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
        // Whole graphemes, so a mark or ZWNJ stays with its letter.
        if rtl {
            out.extend(
                text.grapheme_indices(true)
                    .rev()
                    .map(|(i, g)| (run.start + i, g, true)),
            );
        } else {
            out.extend(
                text.grapheme_indices(true)
                    .map(|(i, g)| (run.start + i, g, false)),
            );
        }
    }
    Some(out)
}

/// Pushes a grapheme as displayed: mirrored when right-to-left.
pub fn push_grapheme(out: &mut String, g: &str, rtl: bool) {
    if rtl {
        out.extend(g.chars().map(mirrored));
    } else {
        out.push_str(g);
    }
}

/// `line` in the order a left-to-right terminal should print it.
pub fn visual(line: &str) -> Cow<'_, str> {
    let Some(graphemes) = visual_graphemes(line) else {
        return Cow::Borrowed(line);
    };
    let mut out = String::with_capacity(line.len());
    for (_, g, rtl) in graphemes {
        push_grapheme(&mut out, g, rtl);
    }
    Cow::Owned(out)
}

/// The column of the cursor at byte `cursor` of `line` once [`visual`] has
/// reordered it, counting from a blank column printed before the text: at
/// the end of right-to-left text the cursor sits left of it, where the next
/// letter will appear.
pub fn visual_cursor(line: &str, cursor: usize) -> usize {
    let Some(graphemes) = visual_graphemes(line) else {
        return 1 + line
            .get(..cursor)
            .map_or(0, |s| s.graphemes(true).map(UnicodeWidthStr::width).sum());
    };
    let mut col = 1;
    // (column of the last logical grapheme, its width, whether it is RTL)
    let mut last: Option<(usize, usize, bool)> = None;
    for (at, g, rtl) in graphemes {
        let w = g.width();
        if at == cursor {
            return col;
        }
        if at + g.len() == line.len() {
            last = Some((col, w, rtl));
        }
        col += w;
    }
    match last {
        Some((c, w, false)) => c + w,
        Some((c, _, true)) => c.saturating_sub(1),
        None => col,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_text_is_left_alone() {
        assert!(matches!(visual("Region 3 · 0913"), Cow::Borrowed(_)));
        assert_eq!(visual_cursor("abc", 1), 2);
        assert_eq!(visual_cursor("abc", 3), 4);
    }

    #[test]
    fn persian_words_are_reversed_and_numbers_are_not() {
        assert_eq!(visual("سد معبر"), "ربعم دس");
        // Digits stay in reading order inside right-to-left text.
        assert_eq!(visual("منطقه ۱۲"), "۱۲ هقطنم");
        assert_eq!(visual("پلاک 12"), "12 کالپ");
    }

    #[test]
    fn mixed_lines_keep_each_run_readable() {
        // Digits are weak: the Persian words set the direction.
        assert_eq!(visual("1405-000812 سد معبر"), "ربعم دس 1405-000812");
        assert_eq!(
            visual("Case 1405-000812 سد معبر"),
            "Case 1405-000812 ربعم دس"
        );
        assert_eq!(visual("سد معبر · Sidewalk"), "Sidewalk · ربعم دس");
    }

    #[test]
    fn brackets_are_mirrored_and_zwnj_stays_with_its_letter() {
        assert_eq!(visual("(پل)"), "(لپ)");
        let v = visual("آب\u{200C}گرفتگی");
        assert_eq!(v, "یگتفرگب\u{200C}آ");
    }

    #[test]
    fn the_cursor_follows_the_letter_it_stands_on() {
        let s = "سلام";
        // Logical start is the rightmost letter.
        assert_eq!(visual_cursor(s, 0), 4);
        // At the end, the next letter appears at the left, in the blank column.
        assert_eq!(visual_cursor(s, s.len()), 0);
        let mixed = "ab سل";
        // "ab لس": the cursor before «س» sits on it, at visual column 5.
        assert_eq!(visual_cursor(mixed, 3), 5);
        assert_eq!(visual_cursor(mixed, 0), 1);
    }
}
