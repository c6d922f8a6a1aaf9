#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! The storage conformance suite on a fresh SQLite file per test.

use std::sync::Arc;

use store::Backend;

async fn fresh() -> Arc<dyn Backend> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.keep().join("fangkong.db");
    Arc::new(store_sqlite::open(&path).await.expect("open sqlite"))
}

store::conformance_tests!(fresh);
