#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! The storage conformance suite on a fresh PostgreSQL database per test.

use std::sync::Arc;

use store::Backend;

async fn fresh() -> Arc<dyn Backend> {
    let url = store_postgres::testing::fresh_database().await.expect("PostgreSQL for tests");
    Arc::new(store_postgres::connect(&url).await.expect("connect"))
}

store::conformance_tests!(fresh);
