//! A telecom push list to compare, and a fever self-reported at a venue.

use domain::{GridCode, PersonName, Phone};
use rand::Rng;
use rand::rngs::StdRng;

use store::{BulkPerson, Db};

use super::*;

/// A telecom push list (通信大数据) as the province sends it: residents of the grid worker's unit
/// and of 驿城区 by ID or by phone, people from elsewhere that nobody here knows, a few repeats.
/// Some leads are verified already, so the list shows its progress and the grid worker has leads
/// left to verify (SPEC §4.8). Returns the list's id and how many leads it raised.
/// Somebody the registry does not know typed a fever at a 驿城区 venue's door: not a fever
/// record (nobody vouched for that identity) but a lead on the district's self-report list.
pub(super) async fn add_self_reported_fever(
    db: &Db,
    tokens: &[String],
    venues: &[(store::VenueId, String)],
) -> anyhow::Result<()> {
    let Some(token) = venues.iter().zip(tokens).find(|((_, area), _)| area.starts_with("411702")).map(|(_, t)| t)
    else {
        return Ok(());
    };
    let first17 = "42010619920815123";
    let id_number = format!("{first17}{}", domain::check_digit(first17).unwrap_or('0'));
    db.check_in(store::CheckinRequest {
        venue_token: token.clone(),
        id_number: domain::ResidentId::parse(&id_number)?,
        name: domain::PersonName::parse("刘洋")?,
        phone: Some(domain::Phone::parse("13912345678")?),
        temperature: Some(domain::Temperature::parse("38.6")?),
        idempotency: None,
    })
    .await?;
    Ok(())
}

pub(super) async fn add_telecom_list(
    handle: &store::Handle,
    grid_unit: Option<&GridCode>,
    people: &[BulkPerson],
    person_ids: &[store::PersonId],
    taken: &std::collections::HashSet<store::PersonId>,
    rng: &mut StdRng,
) -> anyhow::Result<Option<(store::ListId, u64)>> {
    use domain::{Document, ListRow, ResidentId};
    let free = |p: &&(&BulkPerson, &store::PersonId)| !taken.contains(p.1);
    let all: Vec<(&BulkPerson, &store::PersonId)> = people.iter().zip(person_ids).collect();
    let in_unit: Vec<&BulkPerson> = match grid_unit {
        Some(unit) => {
            all.iter().filter(free).filter(|p| p.0.place.grid.as_ref() == Some(unit)).map(|p| p.0).take(8).collect()
        }
        None => Vec::new(),
    };
    let in_county: Vec<&BulkPerson> = all
        .iter()
        .filter(free)
        .filter(|p| p.0.place.area.as_str().starts_with("411702") && p.0.phone.is_some())
        .skip(100) // past the outbreak's people
        .take(40)
        .map(|p| p.0)
        .collect();
    if in_county.len() < 10 {
        return Ok(None);
    }
    let row = |id: Option<&str>, name: &str, phone: Option<&str>, address: &str| -> anyhow::Result<ListRow> {
        Ok(ListRow {
            document: id.map(ResidentId::parse).transpose()?.map(Document::Resident),
            name: Some(PersonName::parse(name)?),
            phone: phone.map(Phone::parse).transpose()?,
            area_code: None,
            address: address.to_string(),
        })
    };
    let mut rows = Vec::new();
    for p in &in_unit {
        rows.push(row(Some(&p.id_number), &p.name, p.phone.as_deref(), "驿城区")?);
    }
    for (n, p) in in_county.iter().enumerate() {
        // Half of the county's rows carry only a phone, as telecom lists often do.
        let id = (n % 2 == 0).then_some(p.id_number.as_str());
        rows.push(row(id, &p.name, p.phone.as_deref(), "驿城区")?);
    }
    // Arrivals from 武汉市武昌区 whom nobody here has registered: leads for the district.
    for serial in 0..12u32 {
        let first17 = format!(
            "420106{}{:02}{:02}{:03}",
            rng.random_range(1960..2004),
            rng.random_range(1..13),
            rng.random_range(1..29),
            100 + serial
        );
        let Some(check) = domain::check_digit(&first17) else { continue };
        let mut unknown = row(Some(&format!("{first17}{check}")), &name(rng), Some(&phone(rng)), "驻马店市驿城区")?;
        unknown.area_code = Some("411702".into());
        rows.push(unknown);
    }
    // The same person pushed twice, as lists are.
    let repeats: Vec<ListRow> = rows.iter().take(3).cloned().collect();
    rows.extend(repeats);
    let list = store::NewList {
        kind: domain::ListKind::Telecom,
        name: "3月15日通信大数据推送（武汉来驻返驻）".into(),
        file_name: "3月15日通信大数据推送.xlsx".into(),
        sha256: "d3m0".repeat(16),
        rows: rows.into_iter().enumerate().map(|(i, r)| (i + 3, r)).collect(),
    };
    let (summary, _) = handle.import_list(list).await?;
    // The county's officer has gone through part of it; the grid's own leads are left open.
    let open = handle.leads(store::LeadFilter::OfList(summary.id)).await?;
    let outside_unit = open.iter().filter(|l| grid_unit.is_none_or(|u| !l.area_code.starts_with(u.as_str())));
    for (n, lead) in outside_unit.take(20).enumerate() {
        let (outcome, note) = match n % 4 {
            0 | 1 => (domain::LeadOutcome::NoRisk, "电话核实，近期未离驻"),
            2 => (domain::LeadOutcome::NotInArea, "人在外地，已推送所在地"),
            _ => (domain::LeadOutcome::Unreachable, "电话关机，明日上门"),
        };
        let verify = store::VerifyLead { outcome, note: note.into(), class: None, arrival_risk: None };
        handle.verify_lead(lead.id, verify).await?;
    }
    Ok(Some((summary.id, summary.counts.leads)))
}
