//! Any bytes as the JSON body of a public endpoint (check-in, the citizen's own code, a code to
//! verify, login), decoded and its fields checked as the handlers do: a problem naming the
//! field, or a request, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use web::api::{checkins, fields, health_codes, session};

fuzz_target!(|data: &[u8]| {
    if let Ok(body) = web::json::decode::<checkins::CheckinBody>(data) {
        let _ = checkins::checkin_request(&body);
    }
    if let Ok(body) = web::json::decode::<health_codes::OwnCodeBody>(data) {
        let _ = fields::id_number(&body.id_number);
        let _ = fields::name("name", &body.name);
        let _ = fields::optional_phone("phone", Some(&body.phone));
    }
    let _ = web::json::decode::<health_codes::CodeVerificationBody>(data);
    let _ = web::json::decode::<session::LoginRequest>(data);
});
