//! Asia/Shanghai days. China has kept UTC+8 without daylight saving since 1991, so a fixed offset
//! is exact for every date this program handles and needs no time-zone database.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, offset};

const SHANGHAI: Offset = offset(8);

/// The Shanghai calendar date of a unix instant.
pub fn shanghai_date(unix_seconds: i64) -> Date {
    match Timestamp::from_second(unix_seconds) {
        Ok(ts) => SHANGHAI.to_datetime(ts).date(),
        Err(_) => Date::MIN,
    }
}

/// The unix instant at which `date` begins in Shanghai.
pub fn shanghai_day_start(date: Date) -> i64 {
    SHANGHAI.to_timestamp(date.at(0, 0, 0, 0)).map(jiff::Timestamp::as_second).unwrap_or(i64::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_turn_at_shanghai_midnight() {
        // 2020-01-31T16:00:00Z is 2020-02-01 00:00 in Shanghai.
        let midnight = 1_580_486_400;
        assert_eq!(shanghai_date(midnight), jiff::civil::date(2020, 2, 1));
        assert_eq!(shanghai_date(midnight - 1), jiff::civil::date(2020, 1, 31));
        assert_eq!(shanghai_day_start(jiff::civil::date(2020, 2, 1)), midnight);
        assert_eq!(shanghai_date(shanghai_day_start(jiff::civil::date(2024, 2, 29))), jiff::civil::date(2024, 2, 29));
    }
}
