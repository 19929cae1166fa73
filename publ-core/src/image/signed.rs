//! Signed `/_img/` tokens (spec M23): the source, scale and rendition
//! arguments of a pending rendition, so that only renditions our own pages
//! asked for can be rendered. HMAC-SHA256 with the site's `secret_key`
//! (a per-process random key without one: pending URLs then last as long
//! as the process, and the files they render stay).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::args::Args;
use crate::markup::arglist::Literal;

pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub fn new(secret: Option<&str>) -> Signer {
        let key = match secret {
            Some(s) if !s.is_empty() => s.as_bytes().to_vec(),
            _ => uuid::Uuid::new_v4().as_bytes().to_vec(),
        };
        Signer { key }
    }

    fn mac(&self, payload: &str) -> Hmac<Sha256> {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            // HMAC takes keys of any length; this arm is unreachable.
            Err(_) => unreachable!("HMAC accepts any key length"),
        };
        mac.update(b"publ-rs image v1\0");
        mac.update(payload.as_bytes());
        mac
    }

    pub fn sign(&self, source: &str, scale: f64, args: &Args) -> String {
        let spec: serde_json::Map<String, Value> = args
            .iter()
            .map(|(k, v)| (k.to_string(), to_json(v)))
            .collect();
        let payload = URL_SAFE_NO_PAD.encode(json!([source, scale, spec]).to_string());
        let sig = URL_SAFE_NO_PAD.encode(self.mac(&payload).finalize().into_bytes());
        format!("{payload}.{sig}")
    }

    pub fn open(&self, token: &str) -> Option<(String, f64, Args)> {
        let (payload, sig) = token.split_once('.')?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        self.mac(payload).verify_slice(&sig).ok()?;
        let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let Value::Array(parts) = serde_json::from_slice(&bytes).ok()? else {
            return None;
        };
        let [Value::String(source), scale, Value::Object(spec)] = parts.as_slice() else {
            return None;
        };
        let args = spec
            .iter()
            .map(|(k, v)| (k.clone(), from_json(v)))
            .collect();
        Some((source.clone(), scale.as_f64()?, args))
    }
}

fn to_json(value: &Literal) -> Value {
    match value {
        Literal::None => Value::Null,
        Literal::Bool(b) => json!(b),
        Literal::Int(i) => json!(i),
        Literal::Float(f) => json!(f),
        Literal::Str(s) => json!(s),
        Literal::Tuple(items) | Literal::List(items) | Literal::Set(items) => {
            Value::Array(items.iter().map(to_json).collect())
        }
        Literal::Dict(pairs) => Value::Object(
            pairs
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), to_json(v))))
                .collect(),
        ),
    }
}

fn from_json(value: &Value) -> Literal {
    match value {
        Value::Null => Literal::None,
        Value::Bool(b) => Literal::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Literal::Int(i),
            None => Literal::Float(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => Literal::Str(s.clone()),
        Value::Array(items) => Literal::Tuple(items.iter().map(from_json).collect()),
        Value::Object(map) => Literal::Dict(
            map.iter()
                .map(|(k, v)| (Literal::Str(k.clone()), from_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_tampering() {
        // spec M23
        let signer = Signer::new(Some("secret"));
        let args: Args = [
            ("width".to_string(), Literal::Int(320)),
            (
                "crop".to_string(),
                Literal::Tuple(vec![Literal::Int(1), Literal::Int(2)]),
            ),
            ("format".to_string(), Literal::Str("png".into())),
        ]
        .into_iter()
        .collect();
        let token = signer.sign("blog/cat.jpg", 2.0, &args);
        let (source, scale, back) = signer.open(&token).expect("valid token");
        assert_eq!(source, "blog/cat.jpg");
        assert_eq!(scale, 2.0);
        for (k, v) in args.iter() {
            assert_eq!(back.get(k), Some(v), "{k}");
        }
        assert_eq!(back.iter().count(), 3);
        let other = Signer::new(Some("other"));
        assert!(other.open(&token).is_none());
        let (payload, sig) = token.split_once('.').expect("dot");
        let forged = format!("{}A.{sig}", payload);
        assert!(signer.open(&forged).is_none());
        assert!(signer.open("garbage").is_none());
        assert!(signer.open("").is_none());
    }
}
