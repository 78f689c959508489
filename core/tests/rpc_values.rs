//! XML-RPC values: every type, string forms, entities, whitespace, nesting.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod rpc_support;

use rpc_support::{array, int, response, string, structure};
use supercheck_core::rpc::{Response, Text, Value};

fn value_of(body: &[u8]) -> Value<'_> {
    match Response::parse(body).unwrap() {
        Response::Value(v) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

fn text(v: Value<'_>) -> Text<'_> {
    v.as_text()
        .unwrap_or_else(|| panic!("expected a string, got {v:?}"))
}

#[test]
fn int_i4_and_i8_are_all_integers() {
    assert_eq!(
        Value::parse(b"<value><int>42</int></value>"),
        Ok(Value::Int(42))
    );
    assert_eq!(
        Value::parse(b"<value><i4>-7</i4></value>"),
        Ok(Value::Int(-7))
    );
    assert_eq!(
        Value::parse(b"<value><i8>9223372036854775807</i8></value>"),
        Ok(Value::Int(i64::MAX))
    );
    assert_eq!(
        Value::parse(b"<value><int>-9223372036854775808</int></value>"),
        Ok(Value::Int(i64::MIN))
    );
    assert_eq!(
        Value::parse(b"<value><int> +5\n</int></value>"),
        Ok(Value::Int(5))
    );
}

#[test]
fn booleans_are_one_and_zero() {
    assert_eq!(
        Value::parse(b"<value><boolean>1</boolean></value>"),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        Value::parse(b"<value><boolean>0</boolean></value>"),
        Ok(Value::Bool(false))
    );
}

#[test]
fn doubles_are_read_as_f64() {
    assert_eq!(
        Value::parse(b"<value><double>1.5</double></value>"),
        Ok(Value::Double(1.5))
    );
    assert_eq!(
        Value::parse(b"<value><double>-2e3</double></value>"),
        Ok(Value::Double(-2000.0))
    );
    assert_eq!(
        Value::parse(b"<value><double> 0.25 </double></value>"),
        Ok(Value::Double(0.25))
    );
}

#[test]
fn datetime_and_base64_keep_their_raw_text() {
    let v = Value::parse(b"<value><dateTime.iso8601>20261122T03:07:43</dateTime.iso8601></value>")
        .unwrap();
    match v {
        Value::DateTime(t) => assert_eq!(t.raw(), "20261122T03:07:43"),
        other => panic!("{other:?}"),
    }
    let v = Value::parse(b"<value><base64>aGVsbG8=\n</base64></value>").unwrap();
    match v {
        Value::Base64(t) => assert_eq!(t.raw(), "aGVsbG8=\n"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn nil_is_read_in_both_spellings() {
    assert_eq!(Value::parse(b"<value><nil/></value>"), Ok(Value::Nil));
    assert_eq!(Value::parse(b"<value><nil></nil></value>"), Ok(Value::Nil));
}

#[test]
fn untyped_value_text_is_a_string_including_its_whitespace() {
    assert_eq!(
        text(Value::parse(b"<value>plain</value>").unwrap()),
        "plain"
    );
    assert_eq!(
        text(Value::parse(b"<value> two words </value>").unwrap()),
        " two words "
    );
    assert_eq!(text(Value::parse(b"<value>  </value>").unwrap()), "  ");
}

#[test]
fn every_empty_string_form_is_an_empty_string() {
    for body in [
        &b"<value><string></string></value>"[..],
        b"<value><string/></value>",
        b"<value></value>",
        b"<value/>",
        b"<value>\n<string/>\n</value>",
    ] {
        let t = text(Value::parse(body).unwrap());
        assert!(t.is_empty(), "{}", String::from_utf8_lossy(body));
        assert_eq!(t, "");
    }
}

#[test]
fn supervisord_empty_string_member_reads_as_empty() {
    let body = response(&structure(&[("spawnerr", string(""))]));
    let s = value_of(body.as_bytes()).as_struct().unwrap();
    assert_eq!(s.get("spawnerr"), Some(Value::String(Text::EMPTY)));
}

#[test]
fn entities_and_non_ascii_text_decode_exactly() {
    let body = "<value><string>caf\u{e9} &amp; cr\u{e8}me &lt;b&gt; &quot;q&quot; &apos;a&apos; &#233;&#x1F600; \u{65e5}\u{672c}</string></value>";
    let t = text(Value::parse(body.as_bytes()).unwrap());
    let expected = "caf\u{e9} & cr\u{e8}me <b> \"q\" 'a' \u{e9}\u{1F600} \u{65e5}\u{672c}";
    assert!(t.eq_str(expected));
    let mut buf = [0u8; 128];
    assert_eq!(t.decode_into(&mut buf), Ok(expected));
    assert_eq!(t.to_string(), expected);
}

#[test]
fn python_escaped_string_round_trips_through_builder() {
    let original = "a&b<c>d \"quoted\" 'single' \u{e9}";
    let body = response(&string(original));
    assert_eq!(text(value_of(body.as_bytes())), original);
}

#[test]
fn whitespace_between_tags_is_ignored() {
    let body = b"  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n  <methodResponse>\r\n\t<params> <param>\n <value> <array> <data> <value> <int>1</int> </value>\n\t<value><struct> <member> <name>k</name> <value><boolean>1</boolean></value> </member> </struct></value> </data> </array> </value> </param> </params> </methodResponse>  \n";
    let items: Vec<Value<'_>> = value_of(body).as_array().unwrap().iter().collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0], Value::Int(1));
    assert_eq!(
        items[1].as_struct().unwrap().get("k"),
        Some(Value::Bool(true))
    );
}

#[test]
fn the_xml_declaration_is_optional() {
    let body = b"<methodResponse><params><param><value><int>3</int></value></param></params></methodResponse>";
    assert_eq!(value_of(body), Value::Int(3));
}

#[test]
fn arrays_yield_their_elements_in_order() {
    let body = response(&array(&[
        int(1),
        string("two"),
        rpc_support::boolean(false),
    ]));
    let a = value_of(body.as_bytes()).as_array().unwrap();
    assert_eq!(a.len(), 3);
    let mut it = a.iter();
    assert_eq!(it.next(), Some(Value::Int(1)));
    assert_eq!(it.next().and_then(|v| v.as_text()).unwrap(), "two");
    assert_eq!(it.next(), Some(Value::Bool(false)));
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
}

#[test]
fn empty_arrays_and_structs_have_no_elements() {
    for body in [
        &b"<value><array><data></data></array></value>"[..],
        b"<value><array><data>\n</data></array></value>",
        b"<value><array><data/></array></value>",
    ] {
        let a = Value::parse(body).unwrap().as_array().unwrap();
        assert!(a.is_empty());
        assert_eq!(a.iter().next(), None);
    }
    for body in [
        &b"<value><struct></struct></value>"[..],
        b"<value><struct/></value>",
    ] {
        let s = Value::parse(body).unwrap().as_struct().unwrap();
        assert!(s.is_empty());
        assert_eq!(s.members().next(), None);
    }
}

#[test]
fn structs_yield_members_with_names_and_offsets() {
    let body = b"<value><struct><member><name>a</name><value><int>1</int></value></member><member><name>b&amp;c</name><value>x</value></member></struct></value>";
    let s = Value::parse(body).unwrap().as_struct().unwrap();
    let members: Vec<_> = s.members().collect();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].name, "a");
    assert_eq!(members[0].value, Value::Int(1));
    assert_eq!(members[0].offset, 15);
    assert_eq!(&body[members[0].offset..members[0].offset + 8], b"<member>");
    assert_eq!(members[1].name, "b&c");
    assert_eq!(s.get("b&c").and_then(|v| v.as_text()).unwrap(), "x");
    assert_eq!(s.get("missing"), None);
}

#[test]
fn a_repeated_member_name_reads_as_the_last_one() {
    let body = b"<value><struct><member><name>k</name><value><int>1</int></value></member><member><name>k</name><value><int>2</int></value></member></struct></value>";
    let s = Value::parse(body).unwrap().as_struct().unwrap();
    assert_eq!(s.get("k"), Some(Value::Int(2)));
}

#[test]
fn nested_arrays_and_structs_are_walked_lazily() {
    // The group form of signalProcess inside a multicall-like array of arrays.
    let inner = array(&[
        structure(&[("name", string("web_8101")), ("status", int(80))]),
        structure(&[("name", string("web_8102")), ("status", int(70))]),
    ]);
    let body = response(&array(&[inner.clone(), array(&[]), inner, int(9)]));
    let outer = value_of(body.as_bytes()).as_array().unwrap();
    let shapes: Vec<&str> = outer.iter().map(|v| v.type_name()).collect();
    assert_eq!(shapes, ["array", "array", "array", "int"]);
    let first = outer.iter().next().unwrap().as_array().unwrap();
    let statuses: Vec<i64> = first
        .iter()
        .map(|v| {
            v.as_struct()
                .unwrap()
                .get("status")
                .unwrap()
                .as_int()
                .unwrap()
        })
        .collect();
    assert_eq!(statuses, [80, 70]);
    let elements: Vec<Value<'_>> = outer.iter().collect();
    assert_eq!(elements[0], elements[2], "equal contents compare equal");
    assert_ne!(elements[0], elements[1]);
}

#[test]
fn accessors_answer_only_for_their_own_type() {
    let v = Value::Int(3);
    assert_eq!(v.as_int(), Some(3));
    assert_eq!(v.as_bool(), None);
    assert_eq!(v.as_text(), None);
    assert_eq!(v.as_array(), None);
    assert_eq!(v.as_struct(), None);
    assert_eq!(v.as_f64(), None);
    assert_eq!(Value::Double(0.5).as_f64(), Some(0.5));
    assert_eq!(Value::Nil.type_name(), "nil");
}

#[test]
fn tags_with_whitespace_before_the_bracket_are_accepted() {
    assert_eq!(
        Value::parse(b"<value ><int >5</int\n></value >"),
        Ok(Value::Int(5))
    );
}
