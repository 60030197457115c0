//! Dates as people in Isfahan read them: the Jalali (Solar Hijri) calendar in
//! Tehran time. Stored times stay UTC milliseconds.

use crate::clock::Millis;
use crate::text::persian_digits;
use icu_calendar::{Date, cal::Persian};
use jiff::{Timestamp, tz::TimeZone};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JalaliDateTime {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

fn tehran() -> &'static TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    // The bundled database makes this independent of the host's tzdata; the
    // fixed offset is the zone since Iran dropped daylight saving in 2022.
    TZ.get_or_init(|| {
        TimeZone::get("Asia/Tehran").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(3)))
    })
}

/// The Jalali date and Tehran wall-clock time of a UTC instant.
pub fn to_jalali(ms: Millis) -> JalaliDateTime {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let local = ts.to_zoned(tehran().clone()).datetime();
    let (y, m, d) = (local.year(), local.month(), local.day());
    let (year, month, day) = match Date::try_new_iso(y.into(), m as u8, d as u8) {
        Ok(iso) => {
            let p = iso.to_calendar(Persian);
            (
                p.year().extended_year(),
                p.month().ordinal,
                p.day_of_month().0,
            )
        }
        Err(_) => (0, 0, 0),
    };
    JalaliDateTime {
        year,
        month,
        day,
        hour: local.hour() as u8,
        minute: local.minute() as u8,
    }
}

/// `۱۴۰۵/۰۹/۰۷ ۱۴:۳۲`
pub fn format_fa(ms: Millis) -> String {
    persian_digits(&format_latin(ms))
}

/// `1405/09/07 14:32`, for logs and English screens.
pub fn format_latin(ms: Millis) -> String {
    let j = to_jalali(ms);
    format!(
        "{:04}/{:02}/{:02} {:02}:{:02}",
        j.year, j.month, j.day, j.hour, j.minute
    )
}

/// `۱۴:۳۲` in Tehran time.
pub fn format_time_fa(ms: Millis) -> String {
    let j = to_jalali(ms);
    persian_digits(&format!("{:02}:{:02}", j.hour, j.minute))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Millis {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn nowruz_and_tehran_offset() {
        // 2026-03-21 00:00 Tehran is the first day of 1405.
        let j = to_jalali(utc("2026-03-20T20:30:00Z"));
        assert_eq!(
            (j.year, j.month, j.day, j.hour, j.minute),
            (1405, 1, 1, 0, 0)
        );
        let before = to_jalali(utc("2026-03-20T20:29:00Z"));
        assert_eq!((before.year, before.month, before.day), (1404, 12, 29));
    }

    #[test]
    fn formats_in_persian_digits() {
        // 2026-11-28 10:02 UTC is 13:32 in Tehran, 7 Azar 1405.
        assert_eq!(format_fa(utc("2026-11-28T10:02:00Z")), "۱۴۰۵/۰۹/۰۷ ۱۳:۳۲");
        assert_eq!(
            format_latin(utc("2026-11-28T10:02:00Z")),
            "1405/09/07 13:32"
        );
    }
}
