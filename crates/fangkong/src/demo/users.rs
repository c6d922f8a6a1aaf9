//! The demo's users: one of every role, each in its jurisdiction.

use domain::Role;

use store::{Db, NewUser};

use super::*;

pub(super) async fn add_users(db: &Db, villages: &[Village]) -> anyhow::Result<(store::UserId, String)> {
    let hash = web::auth::hash_password(DEMO_PASSWORD)?;
    let grid = villages
        .first()
        .and_then(|v| v.units.first())
        .map(|u| u.as_str().to_string())
        .unwrap_or_else(|| "411702".into());
    let users = [
        ("admin", "指挥部值班员", Role::Admin, CITY.to_string()),
        ("officer", "驿城区防控办", Role::AreaOfficer, "411702".to_string()),
        ("xiping", "西平县防控办", Role::AreaOfficer, "411721".to_string()),
        ("medic", "市中心医院", Role::MedicalStaff, "411702".to_string()),
        ("inspector", "市督查组", Role::Inspector, CITY.to_string()),
        ("grid", "人民街道中山街社区网格员", Role::GridWorker, grid),
        ("checkpoint", "驿城东卡口值守", Role::CheckpointStaff, "411702".to_string()),
    ];
    let mut admin = store::UserId::new(0);
    for (username, display_name, role, area_code) in users {
        let id = db
            .create_user(NewUser {
                username: username.into(),
                display_name: display_name.into(),
                password_hash: hash.clone(),
                role,
                area_code,
            })
            .await?;
        if role == Role::Admin {
            admin = id;
        }
    }
    Ok((admin, "admin".into()))
}
