//! Text cut to a width, wrapped, and put in visual order when asked: always
//! in that order, so the logical end of a sentence is what gets cut.

use crate::bidi;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns `s` takes on screen, grapheme by grapheme as the terminal and
/// ratatui lay it out. Not `str::width`: that counts «لا» as one ligature
/// column, which a terminal does not draw.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// What may reach the terminal of `s`: a control character (ESC, BEL,
/// backspace, ...) becomes a visible `�`, and the bidi overrides and isolates,
/// which would reorder what the reader sees, become `�` too. Text stored
/// before the server refused them, or sent by another server, is drawn
/// harmless whatever it holds. Tab and newline are layout, not content.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = desk137_domain::text::is_forbidden;
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| if bad(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

/// `s` cut to `max` columns, ending in "…" when cut.
pub fn fit(s: &str, max: usize) -> String {
    let s = &*visible(s);
    if width(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// The graphemes of `s` that fall in columns `skip .. skip + max`.
pub fn window(s: &str, skip: usize, max: usize) -> (String, usize) {
    let s = &*visible(s);
    let mut out = String::new();
    let mut col = 0;
    let mut start_byte = s.len();
    for (i, g) in s.grapheme_indices(true) {
        let w = g.width();
        if col >= skip {
            if col + w > skip + max {
                break;
            }
            if out.is_empty() {
                start_byte = i;
            }
            out.push_str(g);
        }
        col += w;
    }
    (out, start_byte.min(s.len()))
}

/// Word-wraps `s` to lines of at most `max` columns, in logical order.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let s = &*visible(s);
    let max = max.max(1);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for word in para.split_word_bounds() {
            if width(&line) + width(word) > max && !line.trim().is_empty() {
                lines.push(line.trim_end().to_owned());
                line.clear();
            }
            if line.is_empty() && word.trim().is_empty() {
                continue;
            }
            if width(word) > max {
                // A word longer than the line is cut where it must be.
                for g in word.graphemes(true) {
                    if width(&line) + g.width() > max {
                        lines.push(std::mem::take(&mut line));
                    }
                    line.push_str(g);
                }
            } else {
                line.push_str(word);
            }
        }
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// How text reaches the screen: in logical order for terminals that lay out
/// right-to-left text, reordered for those that do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ink {
    pub bidi: bool,
}

impl Ink {
    /// `s` cut to `max` columns and put in display order.
    pub fn fit(&self, s: &str, max: usize) -> String {
        let cut = fit(s, max);
        if self.bidi {
            bidi::visual(&cut).into_owned()
        } else {
            cut
        }
    }

    /// Like [`Ink::fit`], padded with spaces to exactly `cols` columns.
    pub fn cell(&self, s: &str, cols: usize) -> String {
        let mut out = self.fit(s, cols);
        let w = width(&out);
        out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
        out
    }

    pub fn span(&self, s: &str, max: usize, style: Style) -> Span<'static> {
        Span::styled(self.fit(s, max), style)
    }

    /// A sentence of styled parts, cut to `max` columns in logical order and
    /// then, with bidi on, reordered as one paragraph with its styles.
    pub fn line(&self, parts: &[(&str, Style)], max: usize) -> Line<'static> {
        let mut cut: Vec<(String, Style)> = Vec::with_capacity(parts.len());
        let total: usize = parts.iter().map(|p| width(p.0)).sum();
        let mut room = if total > max {
            max.saturating_sub(1)
        } else {
            max
        };
        for (text, style) in parts {
            if room == 0 {
                break;
            }
            let w = width(text);
            if w <= room {
                cut.push(((*text).to_owned(), *style));
                room -= w;
            } else {
                let (head, _) = window(text, 0, room);
                cut.push((head, *style));
                room = 0;
            }
        }
        if total > max && max > 0 {
            let style = cut.last().map(|c| c.1).unwrap_or_default();
            cut.push(("…".to_owned(), style));
        }
        if !self.bidi {
            return Line::from(
                cut.into_iter()
                    .map(|(t, s)| Span::styled(t, s))
                    .collect::<Vec<_>>(),
            );
        }
        let mut text = String::new();
        let mut starts = Vec::with_capacity(cut.len());
        for (t, s) in &cut {
            starts.push((text.len(), *s));
            text.push_str(t);
        }
        let Some(graphemes) = bidi::visual_graphemes(&text) else {
            return Line::from(
                cut.into_iter()
                    .map(|(t, s)| Span::styled(t, s))
                    .collect::<Vec<_>>(),
            );
        };
        let style_at = |byte: usize| {
            let i = starts.partition_point(|(start, _)| *start <= byte);
            starts
                .get(i.saturating_sub(1))
                .map(|s| s.1)
                .unwrap_or_default()
        };
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut current = String::new();
        let mut current_style = None;
        for (at, g, rtl) in graphemes {
            let style = style_at(at);
            if current_style.is_some_and(|s| s != style) {
                spans.push(Span::styled(
                    std::mem::take(&mut current),
                    current_style.unwrap_or_default(),
                ));
            }
            current_style = Some(style);
            bidi::push_grapheme(&mut current, g, rtl);
        }
        if !current.is_empty() {
            spans.push(Span::styled(current, current_style.unwrap_or_default()));
        }
        Line::from(spans)
    }

    /// A row of fixed-width cells separated by one space; a cell of width 0
    /// takes what the others leave.
    pub fn row(&self, cells: &[(&str, usize, Style)], total: usize) -> Line<'static> {
        let fixed: usize = cells.iter().map(|c| c.1).sum::<usize>() + cells.len().saturating_sub(1);
        let flex_count = cells.iter().filter(|c| c.1 == 0).count().max(1);
        let flex = total.saturating_sub(fixed) / flex_count;
        let mut spans = Vec::with_capacity(cells.len() * 2);
        for (i, (text, w, style)) in cells.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" "));
            }
            let w = if *w == 0 { flex } else { *w };
            spans.push(Span::styled(self.cell(text, w), *style));
        }
        Line::from(spans)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn stored_control_characters_never_reach_the_terminal() {
        let hostile = "چراغ\u{1b}[2J\u{1b}]0;owned\u{7} خاموش\u{202e}است\u{8}";
        for drawn in [
            fit(hostile, 80),
            window(hostile, 0, 80).0,
            wrap(hostile, 80).concat(),
        ] {
            assert!(!drawn.contains(|c: char| c.is_control()), "{drawn:?}");
            assert!(!drawn.contains('\u{202e}'), "{drawn:?}");
            assert!(drawn.contains('\u{FFFD}'), "{drawn:?}");
        }
        assert_eq!(fit("خط\tیک", 80), "خط\tیک");
    }

    use super::*;

    #[test]
    fn lam_alef_takes_two_columns_in_either_order() {
        // «ال» reversed is «لا», which str::width counts as one column.
        assert_eq!(width("اشغال"), 5);
        assert_eq!(width("لاغشا"), 5);
        let ink = Ink { bidi: true };
        assert_eq!(width(&ink.cell("اشغال", 8)), 8);
    }

    #[test]
    fn fit_cuts_by_columns_and_marks_the_cut() {
        assert_eq!(fit("سد معبر", 10), "سد معبر");
        assert_eq!(fit("روشنایی معابر", 6), "روشنا…");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("آب\u{200C}گرفتگی", 3), "آب\u{200C}…");
    }

    #[test]
    fn bidi_reorders_after_cutting() {
        let ink = Ink { bidi: true };
        // The cut keeps the start of the sentence; then it is reversed.
        assert_eq!(ink.fit("سد معبر بزرگ", 7), "…بعم دس");
        assert_eq!(ink.cell("سد", 4), "دس  ");
        assert_eq!(Ink { bidi: false }.cell("سد", 4), "سد  ");
    }

    #[test]
    fn a_styled_sentence_is_reordered_whole_with_its_styles() {
        let ink = Ink { bidi: true };
        let red = Style::new().fg(ratatui::style::Color::Red);
        let line = ink.line(&[("اجرایی · ", Style::new()), ("فوری", red)], 40);
        let texts: Vec<(String, Style)> = line
            .spans
            .iter()
            .map(|s| (s.content.to_string(), s.style))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("یروف".to_owned(), red),
                (" · ییارجا".to_owned(), Style::new())
            ]
        );
        let plain = Ink { bidi: false }.line(&[("abc", Style::new()), ("def", red)], 4);
        assert_eq!(plain.to_string(), "abc…");
    }

    #[test]
    fn wrap_breaks_at_words() {
        assert_eq!(
            wrap("وانت میوه فروشی پیاده رو را بسته", 12),
            vec!["وانت میوه", "فروشی پیاده", "رو را بسته"]
        );
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 5), vec![""]);
    }

    #[test]
    fn window_takes_the_visible_columns() {
        assert_eq!(window("abcdef", 2, 3), ("cde".to_owned(), 2));
        assert_eq!(window("سلام", 1, 10), ("لام".to_owned(), 2));
    }
}
