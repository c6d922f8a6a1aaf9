//! Divisions and grids: households and workers under a grid.

use std::sync::Arc;

use domain::{GridCode, PersonName, Phone, Role};

use super::*;

pub async fn grids_hold_households_and_workers(backend: Arc<dyn Backend>) {
    let f = Fixture::new(backend).await;
    let township = GridCode::parse("411702001").unwrap();
    let village = GridCode::parse("411702001001").unwrap();
    let compound = village.child(1).unwrap();
    let unit = compound.child(1).unwrap();
    let grids: Vec<_> =
        [(&township, "顺河街道"), (&village, "顺河社区"), (&compound, "幸福小区"), (&unit, "1号楼联防组")]
            .into_iter()
            .map(|(code, name)| NewGrid { code: code.clone(), name: name.into() })
            .collect();
    f.db.insert_grids(&grids).await.unwrap();
    f.db.insert_households(&[
        NewHousehold { grid: unit.clone(), address: "1号楼101".into() },
        NewHousehold { grid: unit.clone(), address: "1号楼102".into() },
    ])
    .await
    .unwrap();
    f.db.insert_grid_workers(&[NewGridWorker {
        grid: compound.clone(),
        name: PersonName::parse("蒋五").unwrap(),
        phone: Phone::parse("13900000001").unwrap(),
        user_id: None,
    }])
    .await
    .unwrap();
    let officer = f.handle("officer", Role::AreaOfficer, "411702").await;
    let top = officer.grid_children("411702").await.unwrap();
    assert_eq!(top.iter().map(|g| g.code.as_str()).collect::<Vec<_>>(), [township.as_str()]);
    assert_eq!(top[0].households, 2);
    let got = officer.grid(compound.as_str()).await.unwrap();
    assert_eq!((got.level, got.name.as_str(), got.households), (3, "幸福小区", 2));
    assert_eq!(got.workers[0].name, "蒋五");
    assert_eq!(officer.grid_children(compound.as_str()).await.unwrap()[0].code, unit.as_str());
    let worker = f.handle("worker", Role::GridWorker, unit.as_str()).await;
    assert!(worker.grid(unit.as_str()).await.is_ok());
    assert!(matches!(worker.grid(compound.as_str()).await, Err(StoreError::NotFound)));
    let elsewhere = f.handle("elsewhere", Role::AreaOfficer, "411721").await;
    assert!(matches!(elsewhere.grid(village.as_str()).await, Err(StoreError::NotFound)));
}

/// This module's cases, for [`conformance_tests!`](crate::conformance_tests): a case written
/// here and not listed fails `every_written_case_is_listed`.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_grids {
    ($fresh:path, $reopenable:path) => {
        $crate::conformance_tests!(@cases grids, $fresh, $reopenable;
            [
            grids_hold_households_and_workers,
            ];
            [
            ]
        );
    };
}
