//! Divisions and grids (SPEC §4.1) on the scoped handle.

use domain::Capability;

use super::Handle;
use crate::error::Result;
use crate::*;

impl Handle {
    pub async fn grid(&self, code: &str) -> Result<Grid> {
        self.require(Capability::ReadAreas)?;
        self.backend.grid(self.scope(), code).await
    }

    pub async fn grid_children(&self, code: &str) -> Result<Vec<Grid>> {
        self.require(Capability::ReadAreas)?;
        self.backend.grid_children(self.scope(), code).await
    }
}
