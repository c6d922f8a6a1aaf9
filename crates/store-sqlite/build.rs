//! `sqlx::migrate!` embeds the migrations at compile time, but stable Rust cannot tell Cargo to
//! watch the directory from a macro: a migration added without touching the sources would be
//! left out of the build.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
