//! Spawns the real application on an ephemeral port over a fresh database (SQLite file or a new
//! PostgreSQL database), with users of every role, and talks to it over HTTP.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use domain::Role;
use serde_json::{Value, json};
use store::{Backend, Db, NewUser};

pub const PASSWORD: &str = "correct horse battery";

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Sqlite,
    Postgres,
}

pub async fn backend(kind: Kind) -> Arc<dyn Backend> {
    match kind {
        Kind::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir").keep();
            Arc::new(store_sqlite::open(&dir.join("fangkong.db")).await.expect("sqlite"))
        }
        Kind::Postgres => {
            let url = store_postgres::testing::fresh_database().await.expect("PostgreSQL for tests");
            Arc::new(store_postgres::connect(&url).await.expect("postgres"))
        }
    }
}

/// One Argon2 hash per test binary: hashing is deliberately slow.
fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| web::auth::hash_password(PASSWORD).expect("hash")).clone()
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub client: reqwest::Client,
    /// The app's health-code keys, to verify its tokens offline.
    pub keys: Arc<token::Keyring>,
}

/// A fresh directory for an app's health-code keys.
fn keys_dir() -> std::path::PathBuf {
    tempfile::tempdir().expect("temp dir").keep()
}

/// The users every test app has: (username, role, jurisdiction).
pub const USERS: &[(&str, Role, &str)] = &[
    ("admin", Role::Admin, "411700"),
    ("officer", Role::AreaOfficer, "411702"),
    ("xiping", Role::AreaOfficer, "411721"),
    ("grid", Role::GridWorker, "411702001001"),
    ("checkpoint", Role::CheckpointStaff, "411702"),
    ("medic", Role::MedicalStaff, "411702"),
    ("enterprise", Role::EnterpriseContact, "411702"),
    ("inspector", Role::Inspector, "411700"),
    ("citizen", Role::Citizen, "411702"),
];

impl TestApp {
    pub async fn spawn(kind: Kind) -> TestApp {
        TestApp::spawn_with(kind, web::Options::default()).await
    }

    pub async fn spawn_with(kind: Kind, options: web::Options) -> TestApp {
        let db = Db::open(backend(kind).await, store::system_clock()).await.expect("open db");
        for (username, role, area) in USERS {
            db.create_user(NewUser {
                username: (*username).into(),
                display_name: (*username).into(),
                password_hash: password_hash(),
                role: *role,
                area_code: (*area).into(),
            })
            .await
            .expect("user");
        }
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let keys = Arc::new(token::Keyring::open_or_create(&keys_dir()).expect("health-code keys"));
        tokio::spawn(web::serve_with(db.clone(), keys.clone(), listener, options));
        TestApp { base, db, client: reqwest::Client::new(), keys }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn token(&self, username: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/v1/session"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 200, "login of {username}");
        response.json::<Value>().await.expect("json")["token"].as_str().expect("token").to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let response = self.client.get(self.url(path)).bearer_auth(token).send().await.expect("get");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        let response = self.client.post(self.url(path)).bearer_auth(token).json(&body).send().await.expect("post");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Registers a person and opens a key-person record for it; returns (person id, record id).
    pub async fn key_person(&self, token: &str, id_number: &str, name: &str, area: &str) -> (i64, i64) {
        let (status, person) = self
            .post(
                token,
                "/api/v1/persons",
                json!({"id_number": id_number, "name": name, "phone": "13800001111", "area_code": area}),
            )
            .await;
        assert!(status == 201 || status == 200, "{status} {person}");
        let person_id = person["id"].as_i64().expect("person id");
        let (status, record) = self
            .post(
                token,
                "/api/v1/key-persons",
                json!({"person_id": person_id, "class": "close_contact", "source": "tracing"}),
            )
            .await;
        assert_eq!(status, 201, "{record}");
        (person_id, record["id"].as_i64().expect("record id"))
    }

    /// A close contact put under home isolation (on the follow-up sheet); returns the record id.
    pub async fn home_isolated(&self, token: &str, id_number: &str, name: &str, area: &str) -> i64 {
        let (_, record) = self.key_person(token, id_number, name, area).await;
        let (status, body) = self
            .post(
                token,
                &format!("/api/v1/key-persons/{record}/transitions"),
                json!({"to": "home_observation", "reason": "密接，居家隔离"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        record
    }
}

/// A valid resident ID in `region`, unique by `serial`.
pub fn id_number(region: &str, serial: u32) -> String {
    let first17 = format!("{region}19900101{:03}", serial % 1000);
    format!("{first17}{}", domain::check_digit(&first17).expect("digits"))
}

/// Runs one async story against SQLite and against PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both_backends {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $story() { super::$story(super::common::Kind::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $story() { super::$story(super::common::Kind::Postgres).await } )*
        }
    };
}
