//! Signed values made exactly as Python's itsdangerous makes them, so the
//! bearer tokens and session cookies of a site moved from Python Publ keep
//! working here, and ours there (spec N2, N11).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};

type HmacSha1 = Hmac<Sha1>;

/// itsdangerous' `Signer` with SHA-1, its default digest.
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    /// The "django-concat" key derivation, itsdangerous' default (Publ's
    /// tokens: `URLSafeSerializer(secret_key + context)`).
    pub fn concat(secret: &str, salt: &str) -> Signer {
        let mut digest = Sha1::new();
        digest.update(salt.as_bytes());
        digest.update(b"signer");
        digest.update(secret.as_bytes());
        Signer {
            key: digest.finalize().to_vec(),
        }
    }

    /// The "hmac" key derivation (Flask's session cookie).
    pub fn hmac(secret: &str, salt: &str) -> Signer {
        Signer {
            key: mac(secret.as_bytes())
                .chain_update(salt)
                .finalize()
                .into_bytes()
                .to_vec(),
        }
    }

    pub fn sign(&self, value: &str) -> String {
        let signature = mac(&self.key).chain_update(value).finalize().into_bytes();
        format!("{value}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// The value `signed` carries, if its signature is this signer's.
    pub fn unsign<'a>(&self, signed: &'a str) -> Option<&'a str> {
        let (value, signature) = signed.rsplit_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        // Constant time: a guessed signature learns nothing from timing.
        mac(&self.key)
            .chain_update(value)
            .verify_slice(&signature)
            .ok()?;
        Some(value)
    }

    /// itsdangerous' `TimestampSigner.sign`: the value, the time, then the
    /// signature over both.
    pub fn sign_timestamped(&self, value: &str, now: i64) -> String {
        let bytes = now.max(0).to_be_bytes();
        let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        self.sign(&format!(
            "{value}.{}",
            URL_SAFE_NO_PAD.encode(&bytes[first..])
        ))
    }

    /// The value of a [`sign_timestamped`](Signer::sign_timestamped) text
    /// signed at most `max_age` seconds before `now`.
    pub fn unsign_timestamped<'a>(
        &self,
        signed: &'a str,
        now: i64,
        max_age: i64,
    ) -> Option<&'a str> {
        let (value, stamp) = self.unsign(signed)?.rsplit_once('.')?;
        let stamp = URL_SAFE_NO_PAD.decode(stamp).ok()?;
        if stamp.len() > 8 {
            return None;
        }
        let signed_at = stamp.iter().fold(0i64, |n, b| (n << 8) | i64::from(*b));
        let age = now - signed_at;
        (0..=max_age).contains(&age).then_some(value)
    }
}

fn mac(key: &[u8]) -> HmacSha1 {
    // HMAC takes keys of any length.
    match HmacSha1::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts any key length"),
    }
}

/// The payload of itsdangerous' URL-safe serializers: compact JSON in
/// base64, zlib-compressed (and marked with a leading `.`) when that is
/// shorter.
pub fn dump_json(value: &serde_json::Value) -> String {
    use std::io::Write;
    let json = value.to_string();
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let compressed = encoder
        .write_all(json.as_bytes())
        .and_then(|()| encoder.finish())
        .ok();
    match compressed {
        Some(c) if c.len() + 1 < json.len() => format!(".{}", URL_SAFE_NO_PAD.encode(c)),
        _ => URL_SAFE_NO_PAD.encode(json),
    }
}

pub fn load_json(payload: &str) -> Option<serde_json::Value> {
    use std::io::Read;
    let bytes = match payload.strip_prefix('.') {
        Some(compressed) => {
            let compressed = URL_SAFE_NO_PAD.decode(compressed).ok()?;
            let mut json = Vec::new();
            // A signed payload is ours, but a bound keeps a bad key from
            // costing memory.
            flate2::read::ZlibDecoder::new(compressed.as_slice())
                .take(1 << 20)
                .read_to_end(&mut json)
                .ok()?;
            json
        }
        None => URL_SAFE_NO_PAD.decode(payload).ok()?,
    };
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Made by itsdangerous 2.x (Python Publ 0.8.19's venv) with the secret
    // "sekrit": `URLSafeSerializer('sekrit').dumps(({'me': 'test:alice'},
    // 4102444800))` and Flask's session serializer for {'me': 'test:bob'}.
    const PY_TOKEN: &str =
        "W3sibWUiOiJ0ZXN0OmFsaWNlIn0sNDEwMjQ0NDgwMF0.vJ26qYtQxCkey5Q1cwGxzRy-Bbw";
    const PY_SESSION: &str = "eyJtZSI6InRlc3Q6Ym9iIn0.awZ4Rw.jOI5XA3tN5hoTKqtsXdCwHQxaVk";

    #[test]
    fn reads_python_tokens_and_makes_the_same() {
        let signer = Signer::concat("sekrit", "itsdangerous");
        let payload = signer.unsign(PY_TOKEN).expect("valid signature");
        assert_eq!(
            load_json(payload),
            Some(json!([{"me": "test:alice"}, 4102444800u64]))
        );
        let ours = signer.sign(&dump_json(&json!([{"me": "test:alice"}, 4102444800u64])));
        assert_eq!(ours, PY_TOKEN);
        assert!(Signer::concat("other", "itsdangerous")
            .unsign(PY_TOKEN)
            .is_none());
        let tampered = PY_TOKEN.replacen('W', "X", 1);
        assert!(signer.unsign(&tampered).is_none());
    }

    #[test]
    fn reads_flask_sessions_within_their_age() {
        let signer = Signer::hmac("sekrit", "cookie-session");
        // "awZ4Rw", the time the cookie was signed.
        let signed_at = 0x6b06_7847;
        let payload = signer
            .unsign_timestamped(PY_SESSION, signed_at + 10, 3600)
            .expect("fresh session");
        assert_eq!(load_json(payload), Some(json!({"me": "test:bob"})));
        assert!(signer
            .unsign_timestamped(PY_SESSION, signed_at + 3601, 3600)
            .is_none());
        assert!(signer
            .unsign_timestamped(PY_SESSION, signed_at - 5, 3600)
            .is_none());
        let again = signer.sign_timestamped(payload, signed_at);
        assert_eq!(again, PY_SESSION);
    }

    #[test]
    fn long_payloads_are_compressed() {
        let long = json!({"me": "x".repeat(500)});
        let dumped = dump_json(&long);
        assert!(dumped.starts_with('.'), "{dumped}");
        assert_eq!(load_json(&dumped), Some(long));
        assert_eq!(load_json("!!"), None);
    }
}
