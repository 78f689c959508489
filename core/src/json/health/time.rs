//! [`UtcDateTime`]: Unix seconds to and from a civil UTC date and time, and
//! its ISO 8601 form (`2018-01-17T03:36:48Z`), for the health document's `time`.
//!
//! The conversion is Howard Hinnant's `civil_from_days` / `days_from_civil`
//! (proleptic Gregorian calendar, 400-year eras), limited to years 0000..=9999
//! so the text always has four year digits and no arithmetic can overflow.

use crate::wire::{Overflow, Writer};

/// The first representable second: 0000-01-01T00:00:00Z.
pub const MIN_UNIX_SECS: i64 = -62_167_219_200;
/// The last representable second: 9999-12-31T23:59:59Z.
pub const MAX_UNIX_SECS: i64 = 253_402_300_799;

const SECS_PER_DAY: i64 = 86_400;
/// Days from 0000-03-01 to 1970-01-01.
const EPOCH_SHIFT: i64 = 719_468;
const DAYS_PER_ERA: i64 = 146_097;

/// A UTC date and time to the second, years 0000..=9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UtcDateTime {
    /// Year, 0..=9999.
    pub year: u16,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of the month, 1..=31.
    pub day: u8,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=59 (Unix time has no leap seconds).
    pub second: u8,
}

impl UtcDateTime {
    /// The date and time `secs` seconds after 1970-01-01T00:00:00Z, or `None`
    /// outside [`MIN_UNIX_SECS`]..=[`MAX_UNIX_SECS`].
    pub fn from_unix_secs(secs: i64) -> Option<Self> {
        if !(MIN_UNIX_SECS..=MAX_UNIX_SECS).contains(&secs) {
            return None;
        }
        let days = secs.div_euclid(SECS_PER_DAY);
        let of_day = secs.rem_euclid(SECS_PER_DAY);
        // civil_from_days: with |days| < 3e6 nothing below can overflow.
        let z = days + EPOCH_SHIFT;
        let era = z.div_euclid(DAYS_PER_ERA);
        let doe = z - era * DAYS_PER_ERA; // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], from March 1st
        let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
        let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
        let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
        let year = yoe + era * 400 + i64::from(month <= 2);
        Some(Self {
            year: u16::try_from(year).ok()?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
            hour: u8::try_from(of_day / 3600).ok()?,
            minute: u8::try_from(of_day % 3600 / 60).ok()?,
            second: u8::try_from(of_day % 60).ok()?,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z (`days_from_civil`). Fields out of
    /// their ranges give a meaningless but panic-free result.
    pub fn to_unix_secs(self) -> i64 {
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let yoe = year - era * 400; // [0, 399]
        let mp = if month > 2 { month - 3 } else { month + 9 }; // March = 0
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
        days * SECS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Writes `YYYY-MM-DDTHH:MM:SSZ`.
    ///
    /// # Errors
    /// [`Overflow`] when it does not fit.
    pub fn write_iso8601(&self, w: &mut Writer<'_>) -> Result<(), Overflow> {
        w.put_fmt(format_args!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(secs: i64) -> std::string::String {
        let mut buf = [0u8; 32];
        let mut w = Writer::new(&mut buf);
        UtcDateTime::from_unix_secs(secs)
            .unwrap()
            .write_iso8601(&mut w)
            .unwrap();
        std::string::String::from_utf8(w.written().to_vec()).unwrap()
    }

    #[test]
    fn epoch_and_the_drafts_example_time() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_516_160_208), "2018-01-17T03:36:48Z");
    }

    #[test]
    fn leap_days_are_placed_correctly() {
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00Z"); // 2000 is a leap year
        assert_eq!(iso(951_868_800), "2000-03-01T00:00:00Z");
        assert_eq!(iso(1_709_164_800), "2024-02-29T00:00:00Z");
        assert_eq!(iso(4_107_542_400), "2100-03-01T00:00:00Z"); // 2100 is not
        assert_eq!(iso(4_107_542_399), "2100-02-28T23:59:59Z");
    }

    #[test]
    fn times_past_2038_and_before_1970_work() {
        assert_eq!(iso(2_147_483_647), "2038-01-19T03:14:07Z");
        assert_eq!(iso(2_147_483_648), "2038-01-19T03:14:08Z");
        assert_eq!(iso(32_503_680_000), "3000-01-01T00:00:00Z");
        assert_eq!(iso(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn range_ends_are_four_digit_years_and_beyond_is_refused() {
        assert_eq!(iso(MIN_UNIX_SECS), "0000-01-01T00:00:00Z");
        assert_eq!(iso(MAX_UNIX_SECS), "9999-12-31T23:59:59Z");
        assert_eq!(UtcDateTime::from_unix_secs(MAX_UNIX_SECS + 1), None);
        assert_eq!(UtcDateTime::from_unix_secs(MIN_UNIX_SECS - 1), None);
        assert_eq!(UtcDateTime::from_unix_secs(i64::MIN), None);
    }

    #[test]
    fn civil_conversion_round_trips_over_every_day_of_four_centuries() {
        let mut secs = 946_684_800; // 2000-01-01
        let mut previous = UtcDateTime::from_unix_secs(secs - 1).unwrap();
        for _ in 0..146_097 {
            let t = UtcDateTime::from_unix_secs(secs).unwrap();
            assert_eq!(t.to_unix_secs(), secs);
            assert!(t > previous);
            previous = t;
            secs += SECS_PER_DAY;
        }
    }
}
