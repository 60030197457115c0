//! Times as the user reads them: Jalali (or Gregorian on request), Tehran
//! wall-clock time, in the digits of the screen's language.

use crate::config::Calendar;
use crate::messages::Lang;
use desk137_domain::clock::Millis;
use desk137_domain::jalali::to_jalali;
use std::sync::OnceLock;

/// (year, month, day, hour, minute) in Tehran.
fn parts(ms: Millis, calendar: Calendar) -> (i32, u8, u8, u8, u8) {
    match calendar {
        Calendar::Jalali => {
            let j = to_jalali(ms);
            (j.year, j.month, j.day, j.hour, j.minute)
        }
        Calendar::Gregorian => {
            static TZ: OnceLock<jiff::tz::TimeZone> = OnceLock::new();
            let tz = TZ.get_or_init(|| {
                jiff::tz::TimeZone::get("Asia/Tehran")
                    .unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(3)))
            });
            let ts = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            let d = ts.to_zoned(tz.clone()).datetime();
            (
                i32::from(d.year()),
                d.month() as u8,
                d.day() as u8,
                d.hour() as u8,
                d.minute() as u8,
            )
        }
    }
}

/// `۱۴۰۵/۰۹/۰۷ ۱۳:۳۲`
pub fn datetime(ms: Millis, calendar: Calendar, lang: Lang) -> String {
    let (y, mo, d, h, mi) = parts(ms, calendar);
    let sep = if calendar == Calendar::Jalali {
        '/'
    } else {
        '-'
    };
    lang.digits(&format!("{y:04}{sep}{mo:02}{sep}{d:02} {h:02}:{mi:02}"))
}

/// `۱۴۰۵/۰۹/۰۷`
pub fn date(ms: Millis, calendar: Calendar, lang: Lang) -> String {
    let (y, mo, d, _, _) = parts(ms, calendar);
    let sep = if calendar == Calendar::Jalali {
        '/'
    } else {
        '-'
    };
    lang.digits(&format!("{y:04}{sep}{mo:02}{sep}{d:02}"))
}

/// `۱۳:۳۲`
pub fn time(ms: Millis, calendar: Calendar, lang: Lang) -> String {
    let (_, _, _, h, mi) = parts(ms, calendar);
    lang.digits(&format!("{h:02}:{mi:02}"))
}

/// For list rows: the time alone on the day of `now`, else month, day and
/// time, so a column stays narrow.
pub fn compact(ms: Millis, now: Millis, calendar: Calendar, lang: Lang) -> String {
    let (y, mo, d, h, mi) = parts(ms, calendar);
    let (ny, nmo, nd, _, _) = parts(now, calendar);
    if (y, mo, d) == (ny, nmo, nd) {
        lang.digits(&format!("{h:02}:{mi:02}"))
    } else {
        let sep = if calendar == Calendar::Jalali {
            '/'
        } else {
            '-'
        };
        lang.digits(&format!("{mo:02}{sep}{d:02} {h:02}:{mi:02}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-28 10:02 UTC: 7 Azar 1405, 13:32 in Tehran.
    const T: Millis = 1_795_860_120_000;

    #[test]
    fn jalali_and_gregorian_in_tehran() {
        assert_eq!(datetime(T, Calendar::Jalali, Lang::Fa), "۱۴۰۵/۰۹/۰۷ ۱۳:۳۲");
        assert_eq!(datetime(T, Calendar::Jalali, Lang::En), "1405/09/07 13:32");
        assert_eq!(
            datetime(T, Calendar::Gregorian, Lang::En),
            "2026-11-28 13:32"
        );
        assert_eq!(time(T, Calendar::Jalali, Lang::Fa), "۱۳:۳۲");
    }

    #[test]
    fn compact_drops_the_date_on_the_same_day() {
        assert_eq!(compact(T - 60_000, T, Calendar::Jalali, Lang::En), "13:31");
        assert_eq!(
            compact(T - 86_400_000, T, Calendar::Jalali, Lang::En),
            "09/06 13:32"
        );
    }
}
