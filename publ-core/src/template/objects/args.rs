//! Reading template call arguments the way Python keyword calls work.

use std::collections::BTreeMap;

use minijinja::value::{from_args, Kwargs, Rest};
use minijinja::{Error, ErrorKind, Value};

use super::member::resolve;

/// Positional and keyword arguments of one call.
#[derive(Debug, Default, Clone)]
pub struct CallArgs {
    pub positional: Vec<Value>,
    pub keywords: BTreeMap<String, Value>,
}

impl CallArgs {
    pub fn parse(args: &[Value]) -> Result<CallArgs, Error> {
        let (Rest(positional), kwargs): (Rest<Value>, Kwargs) = from_args(args)?;
        let mut keywords = BTreeMap::new();
        for name in kwargs.args() {
            let value: Value = kwargs.get(name)?;
            keywords.insert(name.to_string(), value);
        }
        Ok(CallArgs {
            positional,
            keywords,
        })
    }

    pub fn with_flag(name: &str, value: bool) -> CallArgs {
        let mut args = CallArgs::default();
        args.keywords.insert(name.to_string(), Value::from(value));
        args
    }

    /// Argument `name`, or positional `index` (Python's binding rule).
    pub fn get(&self, index: usize, name: &str) -> Option<Value> {
        self.keywords
            .get(name)
            .cloned()
            .or_else(|| self.positional.get(index).cloned())
            .and_then(|v| resolve(&v).ok())
            .filter(|v| !v.is_undefined())
    }

    pub fn flag(&self, index: usize, name: &str, default: bool) -> bool {
        self.get(index, name)
            .map(|v| v.is_true())
            .unwrap_or(default)
    }

    pub fn string(&self, index: usize, name: &str) -> Option<String> {
        self.get(index, name)
            .filter(|v| !v.is_none())
            .map(|v| v.to_string())
    }
}

pub fn bad_argument(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}
