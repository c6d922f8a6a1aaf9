#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! The binary as an operator uses it: demo, user add, and the errors it prints.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn fangkong(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fangkong"))
        .args(args)
        .env_remove("DATABASE_URL")
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
        printed.contains("2000 persons") && printed.contains("fangkong-demo") && printed.contains("驻马店市"),
        "{printed}"
    );

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
