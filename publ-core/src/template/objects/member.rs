//! Publ's callable-proxy convention (spec E14): a member such as
//! `entry.body` prints as a value and can also be called with arguments.

use std::fmt;
use std::sync::{Arc, OnceLock};

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, State, Value};

type Compute = dyn Fn(&[Value]) -> Result<Value, Error> + Send + Sync;

pub struct Member {
    name: &'static str,
    compute: Box<Compute>,
    default: OnceLock<Result<Value, (minijinja::ErrorKind, String)>>,
}

impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<member {}>", self.name)
    }
}

impl Member {
    /// `compute` receives the call's arguments (none when used as a value).
    pub fn value_of<F>(name: &'static str, compute: F) -> Value
    where
        F: Fn(&[Value]) -> Result<Value, Error> + Send + Sync + 'static,
    {
        Value::from_object(Member {
            name,
            compute: Box::new(compute),
            default: OnceLock::new(),
        })
    }

    /// The value it has when not called.
    pub fn value(&self) -> Result<Value, Error> {
        // minijinja errors are not Clone: keep what rebuilds one.
        match self
            .default
            .get_or_init(|| (self.compute)(&[]).map_err(|e| (e.kind(), e.to_string())))
        {
            Ok(v) => Ok(v.clone()),
            Err((kind, msg)) => Err(Error::new(*kind, msg.clone())),
        }
    }

    fn value_or_undefined(&self) -> Value {
        self.value().unwrap_or(Value::UNDEFINED)
    }
}

/// A plain template function that takes Python-style keyword arguments
/// (minijinja's own functions reject unknown keywords).
pub struct Function {
    name: &'static str,
    call: Box<Compute>,
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<function {}>", self.name)
    }
}

impl Function {
    pub fn value_of<F>(name: &'static str, call: F) -> Value
    where
        F: Fn(&super::args::CallArgs) -> Result<Value, Error> + Send + Sync + 'static,
    {
        Value::from_object(Function {
            name,
            call: Box::new(move |args| call(&super::args::CallArgs::parse(args)?)),
        })
    }
}

impl Object for Function {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        (self.call)(args)
    }
}

/// A member of `obj` computed by `f` from the call's arguments.
pub fn bind<T: Send + Sync + 'static>(
    obj: &Arc<T>,
    name: &'static str,
    f: fn(&T, &super::args::CallArgs) -> Result<Value, Error>,
) -> Value {
    let obj = obj.clone();
    Member::value_of(name, move |args| {
        f(&obj, &super::args::CallArgs::parse(args)?)
    })
}

/// Follows members to the value they stand for.
pub fn resolve(value: &Value) -> Result<Value, Error> {
    match value.downcast_object_ref::<Member>() {
        Some(member) => member.value(),
        None => Ok(value.clone()),
    }
}

impl Object for Member {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match self.value_or_undefined().kind() {
            minijinja::value::ValueKind::Seq | minijinja::value::ValueKind::Iterable => {
                ObjectRepr::Seq
            }
            minijinja::value::ValueKind::Map => ObjectRepr::Map,
            _ => ObjectRepr::Plain,
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let value = self.value().ok()?;
        value.get_item(key).ok().filter(|v| !v.is_undefined())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self
            .value()
            .ok()
            .and_then(|v| v.try_iter().ok().map(|i| i.collect::<Vec<_>>()))
        {
            Some(items) if self.repr() != ObjectRepr::Plain => Enumerator::Values(items),
            _ => Enumerator::NonEnumerable,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        self.value().ok().and_then(|v| v.len())
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.value().map(|v| v.is_true()).unwrap_or(false)
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        if args.is_empty() {
            return self.value();
        }
        (self.compute)(args)
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        self.value()?.call_method(state, method, args)
    }

    fn custom_cmp(
        self: &Arc<Self>,
        other: &minijinja::value::DynObject,
    ) -> Option<std::cmp::Ordering> {
        let other = other.downcast_ref::<Member>()?;
        self.value().ok()?.partial_cmp(&other.value().ok()?)
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            Ok(v) => fmt::Display::fmt(&v, f),
            Err(_) => Err(fmt::Error),
        }
    }
}
