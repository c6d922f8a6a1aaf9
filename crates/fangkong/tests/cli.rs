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
        printed.contains("2000 persons")
            && printed.contains("fangkong-demo")
            && printed.contains("驻马店市")
            && printed.contains("under investigation (/investigations/"),
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
