#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! The storage conformance suite on a fresh SQLite file per test.

use std::sync::Arc;

use store::Backend;
use store::conformance::Reopen;

async fn fresh() -> Arc<dyn Backend> {
    reopenable().await.0
}

/// A fresh file, and a way to open it again as a restarted process would.
async fn reopenable() -> (Arc<dyn Backend>, Reopen) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.keep().join("fangkong.db");
    let backend: Arc<dyn Backend> = Arc::new(store_sqlite::open(&path).await.expect("open sqlite"));
    let reopen: Reopen = Box::new(move || {
        let path = path.clone();
        Box::pin(async move { Arc::new(store_sqlite::open(&path).await.expect("reopen sqlite")) as Arc<dyn Backend> })
    });
    (backend, reopen)
}

store::conformance_tests!(fresh, reopenable);
