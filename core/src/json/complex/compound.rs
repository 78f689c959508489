//! Settings whose value is an object or array: HTTP headers, expected statuses,
//! an exec command.

use super::error::{ConfigError, Expected};
use super::fields::{Fields, integer_of, syntax_error};
use crate::check::spec::{
    Argv, Command, DeviceBinding, Headers, HeartbeatSpec, SpecError, StatusItem, StatusList,
};
use crate::json::scan::{Value, ValueKind};
use crate::json::scratch::Scratch;

/// `key` holds an object of header name → value strings.
pub(crate) fn headers<'a, const N: usize>(
    f: &Fields<'a, N>,
    key: &'static str,
    scratch: &mut Scratch<'a>,
) -> Result<Headers<'a>, ConfigError<'a>> {
    let mut headers = Headers::new();
    let Some(v) = f.value(key) else {
        return Ok(headers);
    };
    let ValueKind::Object(object) = v.kind else {
        return Err(f.expected(&v, key, Expected::StringObject));
    };
    for member in object.members() {
        let member = member.map_err(syntax_error)?;
        let ValueKind::String(value) = member.value.kind else {
            return Err(f.expected(&member.value, key, Expected::StringObject));
        };
        let name = f.decode(key, &member.value, member.key, scratch)?;
        let value = f.decode(key, &member.value, value, scratch)?;
        headers
            .push(name, value)
            .map_err(|e| f.invalid_at(member.key_offset, key, e))?;
    }
    Ok(headers)
}

/// `key` holds an object of device name → process namespec strings, bound
/// into `spec` in order.
pub(crate) fn device_bindings<'a, const N: usize>(
    f: &Fields<'a, N>,
    key: &'static str,
    spec: &mut HeartbeatSpec<'a>,
    scratch: &mut Scratch<'a>,
) -> Result<(), ConfigError<'a>> {
    let Some(v) = f.value(key) else {
        return Ok(());
    };
    let ValueKind::Object(object) = v.kind else {
        return Err(f.expected(&v, key, Expected::StringObject));
    };
    for member in object.members() {
        let member = member.map_err(syntax_error)?;
        let ValueKind::String(value) = member.value.kind else {
            return Err(f.expected(&member.value, key, Expected::StringObject));
        };
        let device = f.decode(key, &member.value, member.key, scratch)?;
        let process = f.decode(key, &member.value, value, scratch)?;
        DeviceBinding::new(device, process)
            .and_then(|binding| spec.bind(binding))
            .map_err(|e| f.invalid_at(member.key_offset, key, e))?;
    }
    Ok(())
}

/// `key` holds a status code, a pattern, or a non-empty array of those.
pub(crate) fn status_list<'a, const N: usize>(
    f: &Fields<'a, N>,
    key: &'static str,
    scratch: &mut Scratch<'a>,
) -> Result<StatusList<'a>, ConfigError<'a>> {
    let mut list = StatusList::new();
    let Some(v) = f.value(key) else {
        return Ok(list);
    };
    let ValueKind::Array(array) = v.kind else {
        let item = status_item(f, key, &v, scratch)?;
        list.push(item)
            .map_err(|e| f.invalid_at(v.offset, key, e))?;
        return Ok(list);
    };
    for element in array.elements() {
        let element = element.map_err(syntax_error)?;
        let item = status_item(f, key, &element, scratch)?;
        list.push(item)
            .map_err(|e| f.invalid_at(element.offset, key, e))?;
    }
    if list.is_empty() {
        return Err(f.invalid(Some(key), SpecError::Empty));
    }
    Ok(list)
}

fn status_item<'a, const N: usize>(
    f: &Fields<'a, N>,
    key: &'static str,
    v: &Value<'a>,
    scratch: &mut Scratch<'a>,
) -> Result<StatusItem<'a>, ConfigError<'a>> {
    let item = match v.kind {
        ValueKind::Number {
            text,
            integer: true,
        } => StatusItem::code(integer_of(text).unwrap_or(i64::MAX)),
        ValueKind::String(s) => StatusItem::pattern(f.decode(key, v, s, scratch)?),
        _ => return Err(f.expected(v, key, Expected::StatusList)),
    };
    item.map_err(|e| f.invalid_at(v.offset, key, e))
}

/// `key` (required) holds a shell command line or an argv array of strings.
pub(crate) fn command<'a, const N: usize>(
    f: &Fields<'a, N>,
    key: &'static str,
    scratch: &mut Scratch<'a>,
) -> Result<Command<'a>, ConfigError<'a>> {
    let v = f.required(key, f.value(key))?;
    match v.kind {
        ValueKind::String(s) => {
            Command::shell(f.decode(key, &v, s, scratch)?).map_err(|e| f.invalid(Some(key), e))
        }
        ValueKind::Array(array) => {
            let mut argv = Argv::new();
            for element in array.elements() {
                let element = element.map_err(syntax_error)?;
                let ValueKind::String(s) = element.kind else {
                    return Err(f.expected(&element, key, Expected::Command));
                };
                let arg = f.decode(key, &element, s, scratch)?;
                argv.push(arg)
                    .map_err(|e| f.invalid_at(element.offset, key, e))?;
            }
            Command::argv(argv).map_err(|e| f.invalid(Some(key), e))
        }
        _ => Err(f.expected(&v, key, Expected::Command)),
    }
}
