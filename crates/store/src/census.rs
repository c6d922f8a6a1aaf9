//! What a database holds, as a backup's manifest records it and a restore checks it: the last
//! schema migration applied and the rows of every table.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Census {
    /// The version of the last migration applied (`_sqlx_migrations`).
    pub migration: i64,
    /// Rows per table (a partitioned table counts its partitions' rows once, under its own name).
    pub tables: BTreeMap<String, u64>,
}

impl Census {
    /// The first table whose count differs from `expected`'s, as (table, expected, found).
    pub fn first_difference(&self, expected: &Census) -> Option<(String, u64, u64)> {
        let names: std::collections::BTreeSet<&String> = self.tables.keys().chain(expected.tables.keys()).collect();
        names.into_iter().find_map(|name| {
            let want = expected.tables.get(name).copied().unwrap_or(0);
            let got = self.tables.get(name).copied().unwrap_or(0);
            (want != got).then(|| (name.clone(), want, got))
        })
    }
}
