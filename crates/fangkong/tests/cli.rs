#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! The binary as an operator uses it: demo, user add, and the errors it prints.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn fangkong(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fangkong"))
        .args(args)
        .env_remove("DATABASE_URL")
        // Operators often have this set; a refusal must still read as a message, not a stack.
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fangkong");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn demo_builds_a_city_and_users_can_be_added() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_str().expect("path");
    let demo = fangkong(&["demo", "--persons", "2000", "--no-serve", "--data-dir", data], "");
    assert!(demo.status.success(), "{}", text(&demo));
    let printed = text(&demo);
    assert!(
        printed.contains("2000 persons")
            && printed.contains("fangkong-demo")
            && printed.contains("驻马店市")
            && printed.contains("under investigation (/investigations/")
            && printed.contains("a telecom list raising"),
        "{printed}"
    );
    // 驿城区's officer has leads of that list, some verified: exported as the district's ledger.
    let leads = dir.path().join("leads.csv");
    let export = fangkong(
        &["export", "--what", "leads", "--out", leads.to_str().unwrap(), "--as", "officer", "--data-dir", data],
        "",
    );
    assert!(export.status.success(), "{}", text(&export));
    let ledger = std::fs::read_to_string(&leads).unwrap();
    assert!(ledger.lines().count() > 10 && ledger.contains("身份证号比中"), "{ledger}");
    assert!(ledger.contains("已找到，无风险") && ledger.contains("电话核实"), "verified ones: {ledger}");
    // The city's statistics: counts per county, fit to publish (no ID number, no phone).
    let statistics = dir.path().join("statistics.csv");
    let export =
        fangkong(&["export", "--what", "statistics", "--out", statistics.to_str().unwrap(), "--data-dir", data], "");
    assert!(export.status.success(), "{}", text(&export));
    let table = std::fs::read_to_string(&statistics).unwrap();
    assert!(table.contains("县区代码") && table.contains("驿城区") && table.contains("现有"), "{table}");
    let identifying = table.split([',', '\n']).any(|cell| {
        let digits = cell.trim().trim_start_matches('\u{feff}');
        (digits.len() == 18 || digits.len() == 11 || digits.len() > 6) && digits.chars().all(|c| c.is_ascii_digit())
    });
    assert!(!identifying, "an ID number, phone or sub-county code in {table}");

    let added = fangkong(
        &["user", "add", "--data-dir", data, "--username", "wang", "--role", "area_officer", "--area", "411721"],
        "a-long-password\n",
    );
    assert!(added.status.success(), "{}", text(&added));
    let again = fangkong(
        &["user", "add", "--data-dir", data, "--username", "wang", "--role", "area_officer", "--area", "411721"],
        "a-long-password\n",
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("username"), "{}", text(&again));
    let short = fangkong(
        &["user", "add", "--data-dir", data, "--username", "li", "--role", "admin", "--area", "411700"],
        "short\n",
    );
    assert!(!short.status.success() && text(&short).contains("password"), "{}", text(&short));
    let role = fangkong(
        &["user", "add", "--data-dir", data, "--username", "li", "--role", "mayor", "--area", "411700"],
        "a-long-password\n",
    );
    assert!(!role.status.success() && text(&role).contains("--role"), "{}", text(&role));
    let area = fangkong(
        &["user", "add", "--data-dir", data, "--username", "li", "--role", "admin", "--area", "4117"],
        "a-long-password\n",
    );
    assert!(!area.status.success() && text(&area).contains("area_code"), "{}", text(&area));

    // Building the demo again replaces the earlier one instead of failing.
    let rebuilt = fangkong(&["demo", "--persons", "500", "--no-serve", "--data-dir", data], "");
    assert!(rebuilt.status.success(), "{}", text(&rebuilt));
}

#[test]
fn verify_accepts_a_valid_token_and_refuses_a_tampered_or_expired_one_with_the_reason() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_str().expect("path");
    let keys = token::Keyring::open_or_create(dir.path()).expect("keys");
    let now = jiff::Timestamp::now().as_second();
    let valid = keys.issue(7, domain::Colour::Yellow, now, now + 300);
    let out = fangkong(&["verify", &valid, "--data-dir", data], "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("yellow 黄码 person=7"), "{}", text(&out));

    // With only the public keys, as a checkpoint holds them.
    let public = fangkong(&["keys", "public", "--data-dir", data], "");
    assert!(public.status.success(), "{}", text(&public));
    let file = dir.path().join("public-keys.txt");
    std::fs::write(&file, &public.stdout).expect("write keys");
    let elsewhere = tempfile::tempdir().expect("dir");
    let out = fangkong(
        &["verify", &valid, "--public-key", file.to_str().unwrap(), "--data-dir", elsewhere.path().to_str().unwrap()],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));

    let mut tampered = valid.clone().into_bytes();
    tampered[40] = if tampered[40] == b'A' { b'B' } else { b'A' };
    let out = fangkong(&["verify", std::str::from_utf8(&tampered).unwrap(), "--data-dir", data], "");
    assert!(!out.status.success());
    assert!(text(&out).contains("signature does not match"), "{}", text(&out));

    let expired = keys.issue(7, domain::Colour::Green, now - 600, now - 300);
    let out = fangkong(&["verify", &expired, "--data-dir", data], "");
    assert!(!out.status.success());
    assert!(text(&out).contains("expired"), "{}", text(&out));

    // After a rotation old codes still verify and new ones are signed by the new key.
    let rotated = fangkong(&["keys", "rotate", "--data-dir", data], "");
    assert!(rotated.status.success() && text(&rotated).contains("key 2"), "{}", text(&rotated));
    let out = fangkong(&["verify", &valid, "--data-dir", data], "");
    assert!(out.status.success(), "{}", text(&out));

    let out = fangkong(&["verify", "not-a-token", "--data-dir", data], "");
    assert!(!out.status.success() && text(&out).contains("not a health-code token"), "{}", text(&out));
}

fn fixture(name: &str) -> String {
    format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn resident(region: &str, birth: &str, serial: u32) -> String {
    let first = format!("{region}{birth}{serial:03}");
    format!("{first}{}", domain::check_digit(&first).unwrap())
}

#[test]
fn import_writes_all_rows_or_none_and_export_reads_them_back() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_str().expect("path");
    let admin = fangkong(
        &["user", "add", "--data-dir", data, "--username", "admin", "--role", "admin", "--area", "411700"],
        "a-long-password\n",
    );
    assert!(admin.status.success(), "{}", text(&admin));
    // Residents: places by code, by name, or the --area default.
    let persons = dir.path().join("居民.csv");
    let rows = [
        format!("{},张三,13800000001,411702001001", resident("411702", "19850312", 1)),
        format!("{},李四,13800000002,驿城区", resident("411702", "19850312", 2)),
        format!("{},王五,13800000002,", resident("411702", "19850312", 3)),
        format!("{},赵六,13800000004,411702001001", resident("411702", "19850312", 4)),
        format!("{},钱七,,", resident("411702", "19650312", 5)),
    ];
    std::fs::write(&persons, format!("身份证号,姓名,手机号,所属区县\n{}\n", rows.join("\n"))).unwrap();
    let path = persons.to_str().unwrap();
    let imported = fangkong(&["import", "--kind", "persons", path, "--data-dir", data, "--area", "411702"], "");
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(text(&imported).contains("\"added\":5"), "{}", text(&imported));
    let again = fangkong(&["import", "--kind", "persons", path, "--data-dir", data, "--area", "411702"], "");
    assert!(
        text(&again).contains("\"added\":0") && text(&again).contains("\"already_registered\":5"),
        "{}",
        text(&again)
    );

    // A list with bad rows: exit 1, each bad row printed, the Excel report written, nothing stored.
    let report = dir.path().join("report.xlsx");
    let bad = fangkong(
        &[
            "import",
            "--kind",
            "list",
            &fixture("list-bad-rows.csv"),
            "--data-dir",
            data,
            "--report",
            report.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(!text(&bad).contains("backtrace"), "an answer, not a crash: {}", text(&bad));
    let stdout = String::from_utf8_lossy(&bad.stdout);
    let rows: Vec<&str> = stdout.lines().map(|l| l.split('\t').next().unwrap_or_default()).collect();
    assert_eq!(rows, vec!["row 3", "row 4", "row 5", "row 6"], "{stdout}");
    assert!(text(&bad).contains("nothing was imported"), "{}", text(&bad));
    assert!(std::fs::read(&report).unwrap().starts_with(b"PK"));

    // The GBK list: one JSON line with the matches by kind.
    let good = fangkong(
        &[
            "import",
            "--kind",
            "list",
            &fixture("list-gbk.csv"),
            "--data-dir",
            data,
            "--list-kind",
            "telecom",
            "--name",
            "3月15日",
        ],
        "",
    );
    assert!(good.status.success(), "{}", text(&good));
    let line: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&good.stdout).trim()).unwrap();
    assert_eq!(line["rows"], 6);
    assert_eq!(line["matches"], serde_json::json!({"id_number": 2, "phone": 1, "name_area": 1, "unmatched": 1}));
    assert_eq!((line["leads"].as_u64(), line["already_imported"].as_bool()), (Some(5), Some(false)));
    let repeat = fangkong(&["import", "--kind", "list", &fixture("list-gbk.csv"), "--data-dir", data], "");
    assert!(text(&repeat).contains("\"already_imported\":true"), "{}", text(&repeat));

    // Export: the leads as a workbook, the persons as CSV.
    let leads = dir.path().join("leads.xlsx");
    let exported = fangkong(&["export", "--what", "leads", "--out", leads.to_str().unwrap(), "--data-dir", data], "");
    assert!(exported.status.success() && text(&exported).contains("\"rows\":5"), "{}", text(&exported));
    let csv = dir.path().join("persons.csv");
    let exported = fangkong(&["export", "--what", "persons", "--out", csv.to_str().unwrap(), "--data-dir", data], "");
    assert!(exported.status.success(), "{}", text(&exported));
    let written = std::fs::read_to_string(&csv).unwrap();
    assert!(written.starts_with('\u{feff}') && written.contains("钱七") && written.lines().count() == 6, "{written}");
}

/// Starts `serve` on the data dir and returns what it printed once it served (then stops it),
/// or its output when it exited on its own.
fn serve_once(data: &str, extra: &[&str]) -> (bool, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_fangkong"))
        .args(["serve", "--data-dir", data, "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fangkong serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
    if line.contains("serving") {
        child.kill().expect("kill");
        child.wait().expect("wait");
        return (true, line);
    }
    let output = child.wait_with_output().expect("wait");
    (false, format!("{line}{}", String::from_utf8_lossy(&output.stderr)))
}

#[test]
fn a_data_dir_without_its_signing_keys_refuses_to_serve_and_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_str().expect("path");
    let demo = fangkong(&["demo", "--persons", "300", "--no-serve", "--data-dir", data], "");
    assert!(demo.status.success(), "{}", text(&demo));
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("fangkong.db")), 0o600, "the database holds personal data");
    let out = dir.path().join("persons.xlsx");
    let export = fangkong(&["export", "--what", "persons", "--out", out.to_str().unwrap(), "--data-dir", data], "");
    assert!(export.status.success(), "{}", text(&export));
    assert_eq!(mode(&out), 0o600, "an export of personal data");

    let (served, printed) = serve_once(data, &[]);
    assert!(served, "{printed}");
    // Restored without health-code-keys/: a new key would make every issued code read as forged.
    std::fs::remove_dir_all(dir.path().join("health-code-keys")).unwrap();
    let (served, printed) = serve_once(data, &[]);
    assert!(!served && printed.contains("--accept-new-keys") && !printed.contains("stack backtrace"), "{printed}");
    let (served, printed) = serve_once(data, &["--accept-new-keys"]);
    assert!(served, "{printed}");
    // From then on the new key is the one on record.
    let (served, printed) = serve_once(data, &[]);
    assert!(served, "{printed}");
}

#[test]
fn shard_needs_postgres_and_a_county_code() {
    let sqlite = fangkong(&["shard", "--county", "411702", "--to", "postgres://127.0.0.1:5433/x"], "");
    assert!(!sqlite.status.success());
    assert!(text(&sqlite).contains("SQLite has no shards"), "{}", text(&sqlite));
    let url = tokio::runtime::Runtime::new().unwrap().block_on(store_postgres::testing::fresh_database()).unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_fangkong"))
        .args(["shard", "--county", "4117", "--to", "postgres://127.0.0.1:5433/x"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(text(&bad).contains("county") && !text(&bad).contains("panicked"), "{}", text(&bad));
}
