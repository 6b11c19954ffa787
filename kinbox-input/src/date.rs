//! Dates and times as a person in Brazil writes them: RFC 3339, or a
//! date (`2024-06-30`, `30/06/2024`) with an optional time (`30/06/2024
//! 18:00`) in a time zone, Brasília's (`America/Sao_Paulo`) unless the
//! caller gives another, with a message that shows the accepted forms.
//!
//! The zone is a [`Zone`], read from the IANA time zone database bundled
//! into this crate (jiff's copy): a machine in UTC, without
//! `/usr/share/zoneinfo`, reads and shows dates as one in São Paulo does.
//! Brazil had daylight saving time until 2019, so a date of those years
//! can fall in a gap (2018-11-04 00:00 did not exist in São Paulo: clocks
//! went from 23:59 to 01:00) or a fold (2018-02-17 23:00–23:59 happened
//! twice): a date alone is its day's first (or last) instant, and a time
//! that did not exist, or that happened twice, is refused with the offsets
//! to choose from.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike as _, Utc};
use jiff::tz::AmbiguousOffset;

pub const EXAMPLE: &str = "2024-05-31T18:00:00-03:00";

/// The zone of dates without one, unless the caller says otherwise: the
/// Kinbox app shows a workspace's dates in Brasília time.
pub const DEFAULT_ZONE: &str = "America/Sao_Paulo";

/// What every date-time flag's help adds.
pub const HELP: &str = "Also a date, 2024-06-30 or 30/06/2024, with an optional time, \
     30/06/2024 18:00: a date or time without a zone is in the time zone of --tz \
     (America/Sao_Paulo, Brasília time, unless --tz, KINBOX_TZ or the profile says otherwise).";

/// What the help of the end of a range (`--created-at-to`) adds.
pub const END_HELP: &str = "A date alone means the end of that day, 23:59:59.999.";

/// Brasília time today: UTC-03:00 (no daylight saving since 2019). For
/// dates of any year, use [`Zone::brasilia`].
pub fn brasilia() -> FixedOffset {
    FixedOffset::west_opt(3 * 3600).expect("-03:00 is a valid offset")
}

/// A time zone of the IANA database (`America/Sao_Paulo`, `UTC`,
/// `Europe/Lisbon`), with its whole history of offsets.
#[derive(Clone, Debug)]
pub struct Zone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Default for Zone {
    fn default() -> Self {
        Self::brasilia()
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl Zone {
    /// The zone named `name` (case ignored), from the bundled database; an
    /// unknown name is an error that gives examples.
    pub fn named(name: &str) -> Result<Self, String> {
        let name = name.trim();
        let db = jiff::tz::TimeZoneDatabase::bundled();
        let tz = db
            .get(name)
            .ok()
            .filter(|_| !name.is_empty())
            .ok_or_else(|| {
                format!(
                    "unknown time zone `{}`: give an IANA name, e.g. America/Sao_Paulo (Brasília), \
                 America/Manaus, America/Noronha, America/Rio_Branco, UTC or Europe/Lisbon",
                    name.escape_debug()
                )
            })?;
        // The database's spelling, whatever case was typed.
        let name = tz.iana_name().unwrap_or(name).to_owned();
        Ok(Self { name, tz })
    }

    /// `America/Sao_Paulo`.
    pub fn brasilia() -> Self {
        Self::named(DEFAULT_ZONE).expect("the bundled database has America/Sao_Paulo")
    }

    /// The IANA name, `America/Sao_Paulo`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The offset from UTC at `at`.
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        let seconds = jiff::Timestamp::new(at.timestamp(), 0)
            .map(|ts| self.tz.to_offset(ts).seconds())
            .unwrap_or(0);
        FixedOffset::east_opt(seconds).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
    }

    /// `at` in this zone.
    pub fn at(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.offset_at(at))
    }

    /// `at` as a person reads it in this zone: `30/06/2024 18:00`.
    pub fn show(&self, at: DateTime<Utc>) -> String {
        self.at(at).format("%d/%m/%Y %H:%M").to_string()
    }

    /// What a wall-clock time is in this zone: one offset, a gap (the
    /// clocks jumped over it) or a fold (it happened twice).
    fn offsets(&self, local: NaiveDateTime) -> Result<AmbiguousOffset, String> {
        use chrono::Datelike as _;
        let civil = jiff::civil::DateTime::new(
            i16::try_from(local.year()).map_err(|_| "the year is out of range".to_owned())?,
            local.month() as i8,
            local.day() as i8,
            local.hour() as i8,
            local.minute() as i8,
            local.second().min(59) as i8,
            local.nanosecond().min(999_999_999) as i32,
        )
        .map_err(|e| e.to_string())?;
        Ok(self.tz.to_ambiguous_timestamp(civil).offset())
    }
}

fn fixed(offset: jiff::tz::Offset) -> FixedOffset {
    FixedOffset::east_opt(offset.seconds()).expect("a time zone's offset is under a day")
}

fn with_offset(local: NaiveDateTime, offset: FixedOffset) -> Result<DateTime<FixedOffset>, String> {
    local
        .and_local_timezone(offset)
        .single()
        .ok_or_else(|| format!("this date-time cannot be written at {offset}"))
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

/// [`parse_in`] Brasília time.
pub fn parse(text: &str, edge: DayEdge) -> Result<DateTime<FixedOffset>, String> {
    parse_in(text, edge, &Zone::brasilia())
}

/// `text` as an instant: RFC 3339 as written; else a date and time, or a
/// date alone (its start or end, as `edge` says), in `zone`.
///
/// A date alone is the first instant of its day (or a millisecond before
/// the next day's first), even where the day did not start at midnight; a
/// time that did not exist in `zone`, or that happened twice, is refused
/// with the offsets that would say it.
pub fn parse_in(text: &str, edge: DayEdge, zone: &Zone) -> Result<DateTime<FixedOffset>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at);
    }
    if let Some(local) = DATE_TIMES
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    {
        check_year(local.date())?;
        return at_time(local, zone);
    }
    let date = naive_date(text).ok_or_else(|| {
        format!(
            "expected a date-time like {EXAMPLE}, or a date like 2024-05-31 or \
             31/05/2024 with an optional time like 31/05/2024 18:00 ({})",
            zone.name()
        )
    })?;
    check_year(date)?;
    match edge {
        DayEdge::Start => start_of_day(date, zone),
        DayEdge::End => {
            let next = date
                .succ_opt()
                .ok_or_else(|| "the date is out of range".to_owned())?;
            Ok(start_of_day(next, zone)? - chrono::Duration::milliseconds(1))
        }
    }
}

/// The first instant of `date` in `zone`: midnight, or the end of a gap
/// that swallowed it (2018-11-04 began at 01:00 in São Paulo).
fn start_of_day(date: NaiveDate, zone: &Zone) -> Result<DateTime<FixedOffset>, String> {
    let midnight = date.and_time(NaiveTime::MIN);
    match zone.offsets(midnight)? {
        AmbiguousOffset::Unambiguous { offset } => with_offset(midnight, fixed(offset)),
        // Midnight before the jump, read with the offset before it, is the
        // instant of the jump: the day's first.
        AmbiguousOffset::Gap { before, after } => {
            with_offset(midnight, fixed(before)).map(|at| at.with_timezone(&fixed(after)))
        }
        // Its first midnight.
        AmbiguousOffset::Fold { before, .. } => with_offset(midnight, fixed(before)),
    }
}

/// A wall-clock time typed with a date: exactly one instant, or an error.
fn at_time(local: NaiveDateTime, zone: &Zone) -> Result<DateTime<FixedOffset>, String> {
    let written = local.format("%d/%m/%Y %H:%M");
    let rfc = |offset: FixedOffset| {
        with_offset(local, offset)
            .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
            .unwrap_or_default()
    };
    match zone.offsets(local)? {
        AmbiguousOffset::Unambiguous { offset } => with_offset(local, fixed(offset)),
        AmbiguousOffset::Gap { before, after } => {
            // The jump: the first transition after the day before.
            let (from, to) = with_offset(local - chrono::Duration::days(1), fixed(before))
                .ok()
                .and_then(|day_before| jiff::Timestamp::new(day_before.timestamp(), 0).ok())
                .and_then(|ts| zone.tz.following(ts).next())
                .and_then(|transition| {
                    let at =
                        DateTime::<Utc>::from_timestamp(transition.timestamp().as_second(), 0)?;
                    Some((
                        at.with_timezone(&fixed(before)).format("%H:%M").to_string(),
                        at.with_timezone(&fixed(after)),
                    ))
                })
                .ok_or_else(|| format!("{written} did not exist in {zone}"))?;
            Err(format!(
                "{written} did not exist in {zone}: the clocks jumped from {from} (UTC{}) to {} \
                 (UTC{}) that night; write a time from {} on, or give an offset, e.g. {}",
                fixed(before),
                to.format("%H:%M"),
                fixed(after),
                to.format("%H:%M"),
                rfc(fixed(before)),
            ))
        }
        AmbiguousOffset::Fold { before, after } => Err(format!(
            "{written} happened twice in {zone} (the clocks went back an hour that night): \
             give its offset, {} for the first or {} for the second",
            rfc(fixed(before)),
            rfc(fixed(after)),
        )),
    }
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
    use chrono::Datelike as _;
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

    fn in_zone(text: &str, edge: DayEdge, zone: &str) -> Result<String, String> {
        parse_in(text, edge, &Zone::named(zone).unwrap()).map(|at| {
            at.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        })
    }

    fn shown(utc: &str, zone: &str) -> String {
        Zone::named(zone).unwrap().show(
            DateTime::parse_from_rfc3339(utc)
                .unwrap()
                .with_timezone(&Utc),
        )
    }

    #[test]
    fn a_date_typed_is_shown_back_as_typed_in_its_zone() {
        for zone in ["America/Sao_Paulo", "UTC", "Europe/Lisbon", "Asia/Kolkata"] {
            for typed in ["30/06/2025 00:00", "15/01/2018 09:30", "17/02/2018 22:15"] {
                let at = parse_in(typed, DayEdge::Start, &Zone::named(zone).unwrap()).unwrap();
                assert_eq!(
                    Zone::named(zone).unwrap().show(at.with_timezone(&Utc)),
                    typed,
                    "{zone}"
                );
            }
        }
        assert_eq!(
            shown("2025-06-30T03:00:00Z", "America/Sao_Paulo"),
            "30/06/2025 00:00"
        );
        assert_eq!(shown("2025-06-30T03:00:00Z", "UTC"), "30/06/2025 03:00");
    }

    #[test]
    fn the_zone_is_a_parameter_not_the_machines() {
        let start = |zone| in_zone("30/06/2025", DayEdge::Start, zone);
        assert_eq!(
            start("America/Sao_Paulo"),
            Ok("2025-06-30T03:00:00Z".to_owned())
        );
        assert_eq!(
            start("america/sao_paulo"),
            Ok("2025-06-30T03:00:00Z".to_owned())
        );
        assert_eq!(start("UTC"), Ok("2025-06-30T00:00:00Z".to_owned()));
        assert_eq!(
            start("America/Manaus"),
            Ok("2025-06-30T04:00:00Z".to_owned())
        );
        assert_eq!(
            Zone::named("america/sao_paulo").unwrap().name(),
            "America/Sao_Paulo"
        );
        assert_eq!(Zone::default(), Zone::brasilia());
    }

    #[test]
    fn an_unknown_zone_names_examples() {
        for name in ["Brasil/Fortaleza", "", "-03:00", "São Paulo"] {
            let error = Zone::named(name).unwrap_err();
            assert!(error.starts_with("unknown time zone `"), "{error}");
            assert!(error.contains("America/Sao_Paulo"), "{error}");
        }
    }

    /// Brazil's daylight saving, in its last years: from 2017-10-15 to
    /// 2018-02-18, and from 2018-11-04 to 2019-02-17, UTC-02:00.
    #[test]
    fn historic_daylight_saving_dates_are_read_with_their_offset() {
        let sp = |text: &str, edge| in_zone(text, edge, "America/Sao_Paulo");
        let ok = |text: &str| Ok(text.to_owned());
        // In summer 2018 Brasília was UTC-02:00; in winter, -03:00.
        assert_eq!(
            sp("15/01/2018 09:00", DayEdge::Start),
            ok("2018-01-15T11:00:00Z")
        );
        assert_eq!(
            sp("15/07/2018 09:00", DayEdge::Start),
            ok("2018-07-15T12:00:00Z")
        );
        assert_eq!(sp("15/01/2018", DayEdge::Start), ok("2018-01-15T02:00:00Z"));
        assert_eq!(
            shown("2018-01-15T02:00:00Z", "America/Sao_Paulo"),
            "15/01/2018 00:00"
        );
        // 2018-11-04 00:00 did not exist: the day began at 01:00 (-02:00),
        // the instant of the jump.
        assert_eq!(sp("04/11/2018", DayEdge::Start), ok("2018-11-04T03:00:00Z"));
        assert_eq!(
            shown("2018-11-04T03:00:00Z", "America/Sao_Paulo"),
            "04/11/2018 01:00"
        );
        // The day before ends a millisecond before it.
        assert_eq!(
            sp("03/11/2018", DayEdge::End),
            ok("2018-11-04T02:59:59.999Z")
        );
        let error = sp("04/11/2018 00:30", DayEdge::Start).unwrap_err();
        assert_eq!(
            error,
            "04/11/2018 00:30 did not exist in America/Sao_Paulo: the clocks jumped from 00:00 \
             (UTC-03:00) to 01:00 (UTC-02:00) that night; write a time from 01:00 on, or give \
             an offset, e.g. 2018-11-04T00:30:00-03:00"
        );
        assert_eq!(
            sp("04/11/2018 01:00", DayEdge::Start),
            ok("2018-11-04T03:00:00Z")
        );
        // 2018-02-17 23:00-23:59 happened twice: a date alone takes the
        // whole day in, from its first midnight to its second 23:59:59.999.
        assert_eq!(sp("17/02/2018", DayEdge::Start), ok("2018-02-17T02:00:00Z"));
        assert_eq!(
            sp("17/02/2018", DayEdge::End),
            ok("2018-02-18T02:59:59.999Z")
        );
        assert_eq!(sp("18/02/2018", DayEdge::Start), ok("2018-02-18T03:00:00Z"));
        let error = sp("17/02/2018 23:30", DayEdge::Start).unwrap_err();
        assert_eq!(
            error,
            "17/02/2018 23:30 happened twice in America/Sao_Paulo (the clocks went back an hour \
             that night): give its offset, 2018-02-17T23:30:00-02:00 for the first or \
             2018-02-17T23:30:00-03:00 for the second"
        );
        assert_eq!(
            sp("2018-02-17T23:30:00-03:00", DayEdge::Start),
            ok("2018-02-18T02:30:00Z")
        );
        // Either side of the fold is shown as the clock read.
        assert_eq!(
            shown("2018-02-18T01:30:00Z", "America/Sao_Paulo"),
            "17/02/2018 23:30"
        );
        assert_eq!(
            shown("2018-02-18T02:30:00Z", "America/Sao_Paulo"),
            "17/02/2018 23:30"
        );
    }

    proptest! {
        #![proptest_config(crate::proptest_config())]

        /// A day written either way is the same instant, the first of that
        /// day in São Paulo (00:00, or 01:00 where daylight saving began at
        /// midnight), shown back on that day; its end is a millisecond short
        /// of the next day's start; since 2019, -03:00 all year.
        #[test]
        fn both_date_forms_are_the_same_instant(days in 0i64..(200 * 366)) {
            let date = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(days);
            let iso = date.format("%Y-%m-%d").to_string();
            let br = date.format("%d/%m/%Y").to_string();
            let start = parse(&iso, DayEdge::Start).unwrap();
            prop_assert_eq!(parse(&br, DayEdge::Start).unwrap(), start);
            let shown = Zone::brasilia().show(start.with_timezone(&Utc));
            prop_assert!(shown == format!("{br} 00:00") || shown == format!("{br} 01:00"), "{}", shown);
            let end = parse(&br, DayEdge::End).unwrap();
            let next = parse(&(date + chrono::Duration::days(1)).format("%d/%m/%Y").to_string(), DayEdge::Start).unwrap();
            prop_assert_eq!(end + chrono::Duration::milliseconds(1), next);
            if date.year() >= 2020 {
                prop_assert_eq!(start.with_timezone(&chrono::Utc).naive_utc(), date.and_hms_opt(3, 0, 0).unwrap());
            }
        }
    }
}
