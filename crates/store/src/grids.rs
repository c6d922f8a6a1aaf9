//! The grid tree, households and grid workers.

use async_trait::async_trait;
use domain::{GridCode, PersonName, Phone, Scope};

use crate::error::Result;
use crate::*;

#[derive(Debug, Clone)]
pub struct NewGrid {
    pub code: GridCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: u8,
    pub name: String,
    pub households: u64,
    pub workers: Vec<GridWorker>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridWorker {
    pub name: String,
    pub phone: String,
    pub user_id: Option<UserId>,
}

#[derive(Debug, Clone)]
pub struct NewGridWorker {
    pub grid: GridCode,
    pub name: PersonName,
    pub phone: Phone,
    pub user_id: Option<UserId>,
}

#[derive(Debug, Clone)]
pub struct NewHousehold {
    pub grid: GridCode,
    pub address: String,
}

/// The grid tree (网格) with its households and workers.
#[async_trait]
pub trait GridStore: Send + Sync {
    async fn grid(&self, scope: &Scope, code: &str) -> Result<Grid>;

    async fn grid_children(&self, scope: &Scope, code: &str) -> Result<Vec<Grid>>;
}
