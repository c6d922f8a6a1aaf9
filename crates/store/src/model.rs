//! The records every capability shares: ids, the caller, places, pages, idempotency keys.

use domain::{AreaCode, GridCode, Role, Scope, UserId};

/// Unix seconds, UTC. Converted to Asia/Shanghai only at the edges.
pub type Instant = i64;

/// The authenticated caller: every scoped read and write is done on its behalf and within `scope`.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    pub scope: Scope,
    /// Where the request came from, for the audit log.
    pub remote_addr: Option<String>,
}

/// Where a record lives: a division, optionally narrowed to a grid below it. The stored
/// `area_code` column is the most specific code (the grid's when there is one), so a single
/// prefix range serves officers and grid workers alike; its first six digits are the county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub area: AreaCode,
    pub grid: Option<GridCode>,
}

impl Place {
    pub fn location_code(&self) -> &str {
        match &self.grid {
            Some(grid) => grid.as_str(),
            None => self.area.as_str(),
        }
    }
}

/// The outcome of a create: the record's id and whether this call made it (false when it already
/// existed, or when an idempotent request was replayed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created<I> {
    pub id: I,
    pub created: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub const MAX_PER_PAGE: u32 = 200;

    pub fn new(page: u32, per_page: u32) -> PageRequest {
        PageRequest { page: page.max(1), per_page: per_page.clamp(1, Self::MAX_PER_PAGE) }
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }

    /// [`Self::offset`] as SQL binds it; a u32 page times a u32 size always fits.
    pub fn sql_offset(&self) -> i64 {
        i64::try_from(self.offset()).unwrap_or(i64::MAX)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest::new(1, 50)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    /// The page `request` asked for, of a list that holds nothing.
    pub fn empty(request: PageRequest) -> Page<T> {
        Page { items: Vec::new(), total: 0, page: request.page, per_page: request.per_page }
    }
}

/// An `Idempotency-Key` with a digest of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_digest: String,
}
