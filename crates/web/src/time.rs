//! Instants are shown in Asia/Shanghai (UTC+8, no DST since 1991).

use jiff::Timestamp;
use jiff::tz::{Offset, offset};

const SHANGHAI: Offset = offset(8);

fn format(unix_seconds: i64, pattern: &str) -> String {
    match Timestamp::from_second(unix_seconds) {
        Ok(ts) => SHANGHAI.to_datetime(ts).strftime(pattern).to_string(),
        Err(_) => unix_seconds.to_string(),
    }
}

/// RFC 3339 with the +08:00 offset, for the API.
pub fn instant_text(unix_seconds: i64) -> String {
    format(unix_seconds, "%Y-%m-%dT%H:%M:%S+08:00")
}

/// "2020-02-01 08:00", for pages.
pub fn shanghai_text(unix_seconds: i64) -> String {
    format(unix_seconds, "%Y-%m-%d %H:%M")
}
