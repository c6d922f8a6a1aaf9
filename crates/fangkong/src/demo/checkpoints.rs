//! Checkpoints at every county's highway exit and this morning's passages.

use domain::{PersonName, Phone};
use rand::Rng;
use rand::rngs::StdRng;

use store::{BulkPerson, Place};

/// A checkpoint at the highway exit of every county (检测服务站), and this morning's passages
/// there: mostly persons with their ID, every fifth a vehicle, one fever at the first checkpoint.
pub(super) async fn add_checkpoints_and_passages(
    handle: &store::Handle,
    counties: &[divisions::Division],
    people: &[BulkPerson],
    rng: &mut StdRng,
) -> anyhow::Result<usize> {
    const PLACES: &[&str] = &["郑州市", "信阳市", "漯河市", "周口市", "南阳市", "武汉市", "驻马店市区"];
    let mut count = 0;
    for (c, county) in counties.iter().enumerate() {
        let place = Place { area: domain::AreaCode::parse(county.code)?, grid: None };
        let name = format!("{}高速出口检测服务站", county.name);
        let checkpoint = handle.create_checkpoint(store::NewCheckpoint { name, place }).await?;
        for n in 0..20 {
            let subject = if n % 5 == 4 {
                let plate = format!("豫Q{:05}", rng.random_range(0..100_000));
                store::PassageSubject::Vehicle {
                    plate: domain::PlateNumber::parse(&plate)?,
                    occupants: rng.random_range(1..5),
                    cargo: rng.random_bool(0.3).then(|| "蔬菜".to_string()),
                }
            } else {
                let person = &people[rng.random_range(0..people.len())];
                store::PassageSubject::Person {
                    id_number: Some(domain::ResidentId::parse(&person.id_number)?),
                    name: PersonName::parse(&person.name)?,
                    phone: person.phone.as_deref().map(Phone::parse).transpose()?,
                }
            };
            let fever = c == 0 && n == 7;
            let tenths = if fever { 381 } else { rng.random_range(360..372) };
            handle
                .record_passage(store::NewPassage {
                    checkpoint_id: checkpoint.id,
                    direction: if n % 3 == 0 { domain::Direction::Out } else { domain::Direction::In },
                    subject,
                    origin: Some(PLACES[rng.random_range(0..PLACES.len())].to_string()),
                    destination: Some(county.name.to_string()),
                    temperature: Some(domain::Temperature::from_tenths(tenths)?),
                    pass_checked: n % 5 == 4,
                })
                .await?;
            count += 1;
        }
    }
    Ok(count)
}
