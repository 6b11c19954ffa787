//! Dates and times as a person in Brazil writes them: RFC 3339, or a
//! date (`2024-06-30`, `30/06/2024`) with an optional time (`30/06/2024
//! 18:00`) in Brasília time, with a message that shows the accepted forms.
//!
//! Brasília time is America/Sao_Paulo, UTC-03:00 all year since Brazil
//! dropped daylight saving in 2019: a fixed offset says it exactly for any
//! date from then on.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

pub const EXAMPLE: &str = "2024-05-31T18:00:00-03:00";

/// What every date-time flag's help adds.
pub const HELP: &str = "Also a date, 2024-06-30 or 30/06/2024, with an optional time, \
     30/06/2024 18:00: a date or time without a zone is Brasília time, -03:00 \
     (America/Sao_Paulo, no daylight saving since 2019).";

/// What the help of the end of a range (`--created-at-to`) adds.
pub const END_HELP: &str = "A date alone means the end of that day, 23:59:59.999.";

/// Brasília time: UTC-03:00.
pub fn brasilia() -> FixedOffset {
    FixedOffset::west_opt(3 * 3600).expect("-03:00 is a valid offset")
}

/// Which instant of its day a date alone stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DayEdge {
    /// 00:00:00: `--created-at-from 2024-06-01`, `--due-date 2024-06-30`.
    Start,
    /// 23:59:59.999: `--created-at-to 2024-06-30` takes the whole day in.
    End,
}

/// The forms accepted besides RFC 3339, without a zone.
const DATE_TIMES: [&str; 8] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S%.f",
    "%d/%m/%Y %H:%M",
    "%d/%m/%YT%H:%M:%S%.f",
    "%d/%m/%YT%H:%M",
];
const DATES: [&str; 2] = ["%Y-%m-%d", "%d/%m/%Y"];

/// `text` as an instant: RFC 3339 as written; else a date and time, or a
/// date alone (its start or end, as `edge` says), in Brasília time.
pub fn parse(text: &str, edge: DayEdge) -> Result<DateTime<FixedOffset>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at);
    }
    let local = DATE_TIMES
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .or_else(|| {
            naive_date(text).map(|date| match edge {
                DayEdge::Start => date.and_time(NaiveTime::MIN),
                DayEdge::End => date.and_time(
                    NaiveTime::from_hms_milli_opt(23, 59, 59, 999).expect("a valid time"),
                ),
            })
        })
        .ok_or_else(|| {
            format!(
                "expected a date-time like {EXAMPLE}, or a date like 2024-05-31 or \
                 31/05/2024 with an optional time like 31/05/2024 18:00 (Brasília time, \
                 -03:00)"
            )
        })?;
    check_year(local.date())?;
    local
        .and_local_timezone(brasilia())
        .single()
        .ok_or_else(|| "this date-time cannot be written at -03:00".to_owned())
}

/// A date, `2024-05-31` or `31/05/2024`, with a four-digit year.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let date = naive_date(text.trim())
        .ok_or_else(|| "expected a date like 2024-05-31 or 31/05/2024".to_owned())?;
    check_year(date)?;
    Ok(date)
}

fn naive_date(text: &str) -> Option<NaiveDate> {
    DATES
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
}

/// `31/05/24` would be the year 24: the year is written with four digits.
fn check_year(date: NaiveDate) -> Result<(), String> {
    use chrono::Datelike;
    if (1000..=9999).contains(&date.year()) {
        Ok(())
    } else {
        Err("write the year with four digits, e.g. 31/05/2024".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(text: &str, edge: DayEdge) -> Result<String, String> {
        parse(text, edge).map(|at| {
            at.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        })
    }

    #[test]
    fn dates_and_times_without_a_zone_are_brasilia_time() {
        let start = |text: &str| utc(text, DayEdge::Start);
        let ok = |text: &str| Ok(text.to_owned());
        assert_eq!(start("2024-06-30"), ok("2024-06-30T03:00:00Z"));
        assert_eq!(start("30/06/2024"), ok("2024-06-30T03:00:00Z"));
        assert_eq!(start(" 30/06/2024 18:00 "), ok("2024-06-30T21:00:00Z"));
        assert_eq!(start("30/06/2024 18:00:30"), ok("2024-06-30T21:00:30Z"));
        assert_eq!(start("2024-06-30 18:00"), ok("2024-06-30T21:00:00Z"));
        assert_eq!(start("2024-06-30T18:00:00"), ok("2024-06-30T21:00:00Z"));
        assert_eq!(start("1/6/2024"), ok("2024-06-01T03:00:00Z"));
        // In January too: no daylight saving.
        assert_eq!(start("15/01/2025 09:00"), ok("2025-01-15T12:00:00Z"));
        // RFC 3339 keeps its zone.
        assert_eq!(
            start("2024-05-31T18:00:00-03:00"),
            ok("2024-05-31T21:00:00Z")
        );
        assert_eq!(start("2024-05-31T21:00:00Z"), ok("2024-05-31T21:00:00Z"));
    }

    #[test]
    fn a_date_alone_ends_a_range_at_the_end_of_its_day() {
        let end = |text: &str| utc(text, DayEdge::End);
        assert_eq!(end("30/06/2024"), Ok("2024-07-01T02:59:59.999Z".to_owned()));
        assert_eq!(end("2024-06-30"), Ok("2024-07-01T02:59:59.999Z".to_owned()));
        // A time given is kept.
        assert_eq!(
            end("30/06/2024 18:00"),
            Ok("2024-06-30T21:00:00Z".to_owned())
        );
    }

    #[test]
    fn what_is_not_a_date_is_refused() {
        for text in [
            "31/02/2024",
            "2024-13-01",
            "30/06/24",
            "06/30/2024",
            "yesterday",
            "30/06/2024 25:00",
            "",
            "30-06-2024",
        ] {
            assert!(parse(text, DayEdge::Start).is_err(), "{text}");
        }
        assert!(
            parse("30/06/24", DayEdge::Start)
                .unwrap_err()
                .contains("four digits")
        );
        assert_eq!(parse_date("31/05/2024").unwrap().to_string(), "2024-05-31");
    }

    proptest! {
        #![proptest_config(crate::proptest_config())]

        /// A day written either way is the same instant, 03:00 UTC of that
        /// day; its end is a millisecond short of the next day's start.
        #[test]
        fn both_date_forms_are_the_same_instant(days in 0i64..(200 * 366)) {
            let date = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(days);
            let iso = date.format("%Y-%m-%d").to_string();
            let br = date.format("%d/%m/%Y").to_string();
            let start = parse(&iso, DayEdge::Start).unwrap();
            prop_assert_eq!(parse(&br, DayEdge::Start).unwrap(), start);
            prop_assert_eq!(start.with_timezone(&chrono::Utc).naive_utc(), date.and_hms_opt(3, 0, 0).unwrap());
            let end = parse(&br, DayEdge::End).unwrap();
            prop_assert_eq!(end + chrono::Duration::milliseconds(1), start + chrono::Duration::days(1));
        }
    }
}
