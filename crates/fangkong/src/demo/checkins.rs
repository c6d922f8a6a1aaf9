//! Venues in every village and three weeks of check-ins.

use std::collections::HashMap;

use rand::Rng;
use rand::rngs::StdRng;

use store::{BulkPerson, Db, Place};

use super::*;

const VENUE_NAMES: &[(&str, domain::VenueKind)] = &[
    ("便民超市", domain::VenueKind::Supermarket),
    ("农贸市场", domain::VenueKind::Market),
    ("卫生室", domain::VenueKind::Hospital),
    ("大药房", domain::VenueKind::Pharmacy),
    ("小学", domain::VenueKind::School),
    ("饭店", domain::VenueKind::Restaurant),
];

/// A venue in every village and three weeks of check-ins (one per person on average; four in five
/// in the person's own village). Trajectories are purged after the retention period, so the
/// history stays inside it.
pub(super) async fn venues_and_checkins(
    db: &Db,
    villages: &[Village],
    people: &[BulkPerson],
    person_ids: &[store::PersonId],
    rng: &mut StdRng,
) -> anyhow::Result<(Vec<String>, Vec<(store::VenueId, String)>, usize)> {
    let mut venues = Vec::with_capacity(villages.len());
    for (n, village) in villages.iter().enumerate() {
        let (suffix, kind) = VENUE_NAMES[n % VENUE_NAMES.len()];
        let village_name = divisions::get(&village.code).map(|d| d.name).unwrap_or("");
        let short =
            village_name.trim_end_matches("居民委员会").trim_end_matches("村民委员会").trim_end_matches("委员会");
        venues.push(store::NewVenue {
            token: web::api::venues::new_venue_token(),
            name: format!("{short}{suffix}"),
            kind,
            address: format!("{short}主街{}号", n % 50 + 1),
            place: Place { area: domain::AreaCode::parse(&village.code)?, grid: None },
            owner_name: None,
            owner_phone: None,
        });
    }
    let venue_ids = db.bulk_insert_venues(&venues).await?;
    let by_village: HashMap<&str, usize> = villages.iter().enumerate().map(|(i, v)| (v.code.as_str(), i)).collect();
    let now = db.now();
    let mut checkins = Vec::with_capacity(people.len());
    for _ in 0..people.len() {
        let p = rng.random_range(0..people.len());
        let home = by_village.get(people[p].place.area.as_str()).copied();
        let v = match home {
            Some(v) if rng.random_bool(0.8) => v,
            _ => rng.random_range(0..venue_ids.len()),
        };
        let t_in = now - rng.random_range(600..21 * 86_400);
        let temperature =
            rng.random_bool(0.5).then(|| domain::Temperature::from_tenths(rng.random_range(358..=372)).ok()).flatten();
        checkins.push(store::BulkCheckin {
            venue_id: venue_ids[v],
            person_id: person_ids[p],
            area_code: villages[v].code.clone(),
            t_in,
            t_out: rng.random_bool(0.7).then(|| t_in + rng.random_range(600..7200)),
            temperature,
        });
    }
    checkins.sort_by_key(|c| c.t_in);
    db.bulk_insert_checkins(&checkins).await?;
    let placed = venue_ids.iter().zip(villages).map(|(id, village)| (*id, village.code.clone())).collect();
    Ok((venues.into_iter().map(|v| v.token).collect(), placed, checkins.len()))
}
