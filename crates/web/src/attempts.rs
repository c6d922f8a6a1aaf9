//! Failed guesses, counted per client address: a staff password or a citizen's identity (ID
//! number, name and mobile together) cannot be guessed faster than the limit allows.
//!
//! Only failures count, so a busy checkpoint or a load test of lookups is never slowed. A success
//! does not reset the count: one address trying many accounts is stopped as well. The count is per
//! address, never per username, so nobody can lock a commander out by mistyping their name on
//! purpose. Behind a reverse proxy every client shares the proxy's address; put the limit in the
//! proxy there (ARCHITECTURE.md).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// What is being guessed: each has its own count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guess {
    /// A staff login (page or API).
    Login,
    /// A citizen's own health code, by ID number, name and mobile number.
    CitizenIdentity,
}

/// Failures allowed from one address within one window, before it must wait.
pub const FAILURES_PER_WINDOW: u32 = 10;
/// The window, in seconds: 15 minutes.
pub const WINDOW_SECONDS: i64 = 15 * 60;
/// Above this many addresses the expired windows are dropped, so memory stays bounded.
const PRUNE_ABOVE: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: i64,
    /// Failures (guesses) or writes (public writes) within it.
    count: u32,
}

/// The window of `key` at `now`, begun afresh once `length` seconds have passed since it
/// started; above `PRUNE_ABOVE` keys the expired windows are dropped, so memory stays bounded.
fn current<K: Eq + std::hash::Hash>(windows: &mut HashMap<K, Window>, key: K, now: i64, length: i64) -> &mut Window {
    if windows.len() > PRUNE_ABOVE {
        windows.retain(|_, w| now < w.started + length);
    }
    let window = windows.entry(key).or_insert(Window { started: now, count: 0 });
    if now >= window.started + length {
        *window = Window { started: now, count: 0 };
    }
    window
}

/// The counts of one server process (a restart forgets them: the limit slows guessing, it is not
/// a record).
#[derive(Debug, Default)]
pub struct Attempts {
    windows: Mutex<HashMap<(Guess, Option<IpAddr>), Window>>,
}

/// Refused until the window ends: seconds to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooMany {
    pub retry_after: i64,
}

impl TooMany {
    /// The wait in whole minutes, rounded up, as people are told it.
    pub fn minutes(self) -> i64 {
        (self.retry_after + 59) / 60
    }
}

/// The unit an address is counted by: an IPv4 address, or an IPv6 /64 network — one household
/// or phone is handed a whole /64 and could otherwise step through it.
fn counted_as(addr: Option<IpAddr>) -> Option<IpAddr> {
    match addr? {
        IpAddr::V4(v4) => Some(IpAddr::V4(v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Some(IpAddr::V4(v4)),
            None => Some(IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX)))),
        },
    }
}

impl Attempts {
    /// Whether `addr` may try now.
    pub fn check(&self, guess: Guess, addr: Option<IpAddr>, now: i64) -> Result<(), TooMany> {
        let windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match windows.get(&(guess, counted_as(addr))) {
            Some(window) if now < window.started + WINDOW_SECONDS && window.count >= FAILURES_PER_WINDOW => {
                Err(TooMany { retry_after: window.started + WINDOW_SECONDS - now })
            }
            _ => Ok(()),
        }
    }

    /// Counts one failed try from `addr`.
    pub fn failed(&self, guess: Guess, addr: Option<IpAddr>, now: i64) {
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let window = current(&mut windows, (guess, counted_as(addr)), now, WINDOW_SECONDS);
        window.count = window.count.saturating_add(1);
    }
}

/// Public writes (check-ins) per address and minute: every one counts, accepted or not, so no
/// address can write in bulk. A venue's door sends at most a few a second; the default ceiling
/// (`Options::public_writes_per_minute`, 600) leaves a shared tablet or a mall's Wi-Fi room.
#[derive(Debug)]
pub struct PublicWrites {
    per_minute: u32,
    windows: Mutex<HashMap<Option<IpAddr>, Window>>,
}

/// The window of the public-write count, in seconds.
const WRITE_WINDOW_SECONDS: i64 = 60;

impl PublicWrites {
    /// At most `per_minute` writes per address and minute; 0 is no limit.
    pub fn new(per_minute: u32) -> PublicWrites {
        PublicWrites { per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts one write from `addr`, or says how long it must wait.
    pub fn admit(&self, addr: Option<IpAddr>, now: i64) -> Result<(), TooMany> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let window = current(&mut windows, counted_as(addr), now, WRITE_WINDOW_SECONDS);
        if window.count >= self.per_minute {
            return Err(TooMany { retry_after: window.started + WRITE_WINDOW_SECONDS - now });
        }
        window.count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_writes_stop_at_the_ceiling_per_address_and_minute() {
        let writes = PublicWrites::new(3);
        for _ in 0..3 {
            assert_eq!(writes.admit(addr(1), 10), Ok(()));
        }
        assert_eq!(writes.admit(addr(1), 30), Err(TooMany { retry_after: 40 }));
        assert_eq!(writes.admit(addr(2), 30), Ok(()), "another address has its own count");
        assert_eq!(writes.admit(addr(1), 70), Ok(()), "a new minute");
        let unlimited = PublicWrites::new(0);
        for _ in 0..10_000 {
            assert_eq!(unlimited.admit(addr(1), 0), Ok(()));
        }
    }

    fn addr(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn the_limit_stops_an_address_until_its_window_ends() {
        let attempts = Attempts::default();
        for second in 0..i64::from(FAILURES_PER_WINDOW) {
            assert_eq!(attempts.check(Guess::Login, addr(1), second), Ok(()), "try {second}");
            attempts.failed(Guess::Login, addr(1), second);
        }
        assert_eq!(attempts.check(Guess::Login, addr(1), 100), Err(TooMany { retry_after: WINDOW_SECONDS - 100 }));
        // Others, and the other kind of guess, are not affected.
        assert_eq!(attempts.check(Guess::Login, addr(2), 100), Ok(()));
        assert_eq!(attempts.check(Guess::CitizenIdentity, addr(1), 100), Ok(()));
        // The window ends: a fresh count.
        assert_eq!(attempts.check(Guess::Login, addr(1), WINDOW_SECONDS), Ok(()));
        attempts.failed(Guess::Login, addr(1), WINDOW_SECONDS);
        assert_eq!(attempts.check(Guess::Login, addr(1), WINDOW_SECONDS + 1), Ok(()));
    }

    #[test]
    fn an_ipv6_network_counts_as_one_address() {
        let attempts = Attempts::default();
        let in_one_64 = |last: u16| Some(IpAddr::from([0x2408, 0x8200, 1, 2, 0, 0, 0, last]));
        for n in 0..FAILURES_PER_WINDOW {
            attempts.failed(Guess::CitizenIdentity, in_one_64(u16::try_from(n).unwrap()), 0);
        }
        assert!(attempts.check(Guess::CitizenIdentity, in_one_64(999), 1).is_err(), "stepping through the /64");
        let next_64 = Some(IpAddr::from([0x2408, 0x8200, 1, 3, 0, 0, 0, 1]));
        assert_eq!(attempts.check(Guess::CitizenIdentity, next_64, 1), Ok(()));
        // An IPv4 client seen through an IPv6 socket is still its IPv4 address.
        let mapped = Some(IpAddr::from(std::net::Ipv4Addr::new(10, 0, 0, 9).to_ipv6_mapped()));
        attempts.failed(Guess::Login, mapped, 0);
        assert_eq!(counted_as(mapped), Some(IpAddr::from([10, 0, 0, 9])));
    }

    #[test]
    fn one_failure_short_of_the_limit_still_tries() {
        let attempts = Attempts::default();
        for second in 0..i64::from(FAILURES_PER_WINDOW - 1) {
            attempts.failed(Guess::CitizenIdentity, None, second);
        }
        assert_eq!(attempts.check(Guess::CitizenIdentity, None, 60), Ok(()));
        attempts.failed(Guess::CitizenIdentity, None, 61);
        assert!(attempts.check(Guess::CitizenIdentity, None, 62).is_err());
    }
}
