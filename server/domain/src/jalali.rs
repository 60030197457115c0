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

/// The UTC instant of a Jalali date and Tehran wall-clock time; `None` for a
/// day the calendar does not have (31 Esfand, month 13) or an hour past 23.
pub fn from_jalali(j: JalaliDateTime) -> Option<Millis> {
    if j.hour > 23 || j.minute > 59 {
        return None;
    }
    let persian = Date::try_new_persian(j.year, j.month, j.day).ok()?;
    // A day past the month's end is "constrained" to its last day: refuse
    // it rather than promise a different date than the one typed.
    if persian.month().ordinal != j.month || persian.day_of_month().0 != j.day {
        return None;
    }
    let iso = persian.to_calendar(icu_calendar::Iso);
    let year = i16::try_from(iso.year().extended_year()).ok()?;
    let civil = jiff::civil::DateTime::new(
        year,
        i8::try_from(iso.month().ordinal).ok()?,
        i8::try_from(iso.day_of_month().0).ok()?,
        i8::try_from(j.hour).ok()?,
        i8::try_from(j.minute).ok()?,
        0,
        0,
    )
    .ok()?;
    let zoned = civil.to_zoned(tehran().clone()).ok()?;
    Some(zoned.timestamp().as_millisecond())
}

/// A date as people type it: `1405/09/12`, `۱۴۰۵/۹/۱۲` or `1405-09-12`,
/// optionally followed by a time `14:30`. Without a time it means the end
/// of that day in Tehran, the latest a promise for that date can mean.
pub fn parse_jalali(text: &str) -> Option<Millis> {
    let ascii = crate::text::ascii_digits(text.trim());
    let mut parts = ascii.split_whitespace();
    let date = parts.next()?;
    let time = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let mut ymd = date.split(['/', '-']);
    let num = |s: Option<&str>| {
        s.filter(|s| !s.is_empty() && s.len() <= 4)?
            .parse::<u32>()
            .ok()
    };
    let (year, month, day) = (num(ymd.next())?, num(ymd.next())?, num(ymd.next())?);
    if ymd.next().is_some() || !(1300..=1600).contains(&year) {
        return None;
    }
    let (hour, minute) = match time {
        None => (23, 59),
        Some(t) => {
            let (h, m) = t.split_once(':')?;
            (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?)
        }
    };
    from_jalali(JalaliDateTime {
        year: i32::try_from(year).ok()?,
        month: u8::try_from(month).ok()?,
        day: u8::try_from(day).ok()?,
        hour,
        minute,
    })
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

    #[test]
    fn typed_jalali_dates_round_trip_in_tehran_time() {
        let ms = parse_jalali("۱۴۰۵/۰۹/۰۷ ۱۳:۳۲").unwrap();
        assert_eq!(ms, utc("2026-11-28T10:02:00Z"));
        assert_eq!(parse_jalali("1405-9-7 13:32"), Some(ms));
        // A date alone is the end of that day.
        let end = parse_jalali("1405/09/07").unwrap();
        assert_eq!(format_latin(end), "1405/09/07 23:59");
        assert_eq!(from_jalali(to_jalali(ms)), Some(ms));
    }

    #[test]
    fn impossible_jalali_dates_are_refused() {
        for bad in [
            "1405/13/01",
            "1405/07/31",
            "1405/09/00",
            "1405/09",
            "09/07/1405",
            "1405/09/07 24:00",
            "1405/09/07 12:60",
            "1405/09/07 x",
            "fardā",
            "",
        ] {
            assert_eq!(parse_jalali(bad), None, "{bad}");
        }
        // Esfand has 30 days only in a leap year: 1403 was one.
        assert!(parse_jalali("1403/12/30").is_some());
        assert_eq!(parse_jalali("1404/12/30"), None);
    }
}
