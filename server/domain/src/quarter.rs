//! Jalali quarters, the period a unit's scorecard and its staff's bonus are
//! counted over: spring is Farvardin to Khordad, summer Tir to Shahrivar,
//! autumn Mehr to Azar, winter Dey to Esfand, in Tehran time.

use crate::clock::Millis;
use crate::jalali::{JalaliDateTime, from_jalali, to_jalali};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1 (spring) to 4 (winter).
    pub q: u8,
}

impl Quarter {
    pub fn new(year: i32, q: u8) -> Option<Self> {
        ((1..=4).contains(&q) && (1..=9999).contains(&year)).then_some(Self { year, q })
    }

    /// The quarter an instant falls in, by the Tehran calendar.
    pub fn of(ms: Millis) -> Self {
        let j = to_jalali(ms);
        Self {
            year: j.year,
            q: j.month.saturating_sub(1) / 3 + 1,
        }
    }

    /// `1405-3`, in any digits; also `1405/3` and `1405-Q3`.
    pub fn parse(text: &str) -> Option<Self> {
        let ascii = crate::text::ascii_digits(text.trim());
        let (year, q) = ascii.split_once(['-', '/'])?;
        let q = q.trim_start_matches(['Q', 'q']);
        if year.len() != 4 || q.len() != 1 {
            return None;
        }
        Self::new(year.parse().ok()?, q.parse().ok()?)
    }

    pub fn previous(self) -> Self {
        if self.q == 1 {
            Self {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Self {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    pub fn next(self) -> Self {
        if self.q == 4 {
            Self {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Self {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    /// Its first instant: midnight of its first day in Tehran.
    pub fn start_ms(self) -> Option<Millis> {
        from_jalali(JalaliDateTime {
            year: self.year,
            month: (self.q - 1) * 3 + 1,
            day: 1,
            hour: 0,
            minute: 0,
        })
    }

    /// Four bytes that sort as quarters do: the store's keys use them.
    pub fn key(self) -> [u8; 4] {
        let y = u16::try_from(self.year.clamp(0, 9999))
            .unwrap_or(0)
            .to_be_bytes();
        [y[0], y[1], self.q, 0]
    }

    pub fn from_key(key: &[u8]) -> Option<Self> {
        let [a, b, q, 0, ..] = *key else {
            return None;
        };
        Self::new(i32::from(u16::from_be_bytes([a, b])), q)
    }

    pub fn name_fa(self) -> &'static str {
        ["بهار", "تابستان", "پاییز", "زمستان"][usize::from(self.q.clamp(1, 4) - 1)]
    }

    pub fn name_en(self) -> &'static str {
        ["spring", "summer", "autumn", "winter"][usize::from(self.q.clamp(1, 4) - 1)]
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.year, self.q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spring_is_farvardin_to_khordad_in_tehran_time() {
        let first = Quarter::new(1405, 1).unwrap().start_ms().unwrap();
        assert_eq!(Quarter::of(first), Quarter::new(1405, 1).unwrap());
        // A minute before Nowruz in Tehran is still winter of the year before.
        assert_eq!(Quarter::of(first - 60_000), Quarter::new(1404, 4).unwrap());
        let autumn = Quarter::new(1405, 3).unwrap();
        let mehr = autumn.start_ms().unwrap();
        assert_eq!(to_jalali(mehr).month, 7);
        assert_eq!(Quarter::of(mehr - 1), Quarter::new(1405, 2).unwrap());
        assert_eq!(
            autumn.next().start_ms().map(Quarter::of),
            Some(autumn.next())
        );
    }

    #[test]
    fn quarters_parse_in_any_digits_and_sort_by_key() {
        assert_eq!(Quarter::parse("۱۴۰۵-۳"), Quarter::new(1405, 3));
        assert_eq!(Quarter::parse("1405/Q2"), Quarter::new(1405, 2));
        for bad in ["1405-5", "1405-0", "1405", "05-3", "1405-33", ""] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
        let (a, b) = (
            Quarter::new(1404, 4).unwrap(),
            Quarter::new(1405, 1).unwrap(),
        );
        assert_eq!(a.next(), b);
        assert_eq!(b.previous(), a);
        assert!(a.key() < b.key());
        assert_eq!(Quarter::from_key(&b.key()), Some(b));
        assert_eq!(b.to_string(), "1405-1");
    }
}
