#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! The storage conformance suite on a fresh PostgreSQL database per test.

use std::sync::Arc;

use store::Backend;
use store::conformance::Reopen;

async fn fresh() -> Arc<dyn Backend> {
    reopenable().await.0
}

/// A fresh database, and a way to connect to it again as a restarted process would.
async fn reopenable() -> (Arc<dyn Backend>, Reopen) {
    let url = store_postgres::testing::fresh_database().await.expect("PostgreSQL for tests");
    let backend: Arc<dyn Backend> = Arc::new(store_postgres::connect(&url).await.expect("connect"));
    let reopen: Reopen = Box::new(move || {
        let url = url.clone();
        Box::pin(async move { Arc::new(store_postgres::connect(&url).await.expect("reconnect")) as Arc<dyn Backend> })
    });
    (backend, reopen)
}

store::conformance_tests!(fresh, reopenable);
