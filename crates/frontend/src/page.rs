//! `GET /`: a self-contained status page, rendered on the server and
//! refreshed by the browser every five seconds (`<meta http-equiv="refresh">`):
//! no script, no external asset. One table row per process and check (state,
//! latest verdict, latency, counts, why it is not passing), then the recent
//! restarts and why.

use std::fmt::Write as _;

use super::state::{Record, unix_now};

/// The media type of the page.
pub const CONTENT_TYPE: &str = "text/html; charset=utf-8";

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse;margin-bottom:1.5em}\
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}\
th{background:#eee}.pass{color:#070}.fail{color:#b00}.error{color:#a60}\
.none{color:#888}";

/// Text with `&`, `<`, `>`, `"` and `'` escaped for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn ago(time: f64, now: f64) -> String {
    if time <= 0.0 {
        return "never".to_string();
    }
    format!("{:.0} s ago", (now - time).max(0.0))
}

/// Renders the page for `record`; `title` names the listener.
pub fn render(record: &Record, title: &str) -> String {
    let now = unix_now();
    let title = escape(title);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"5\">\
         <title>supercheck: {title}</title><style>{STYLE}</style></head><body>\
         <h1>supercheck: {title}</h1>\
         <p id=\"summary\">{} process(es), {} tick(s), last tick {}. \
         <a href=\"/health\">health</a> · <a href=\"/metrics\">metrics</a></p>",
        record.processes.len(),
        record.ticks,
        ago(record.last_tick.unwrap_or(0.0), now)
    );
    out.push_str(
        "<table id=\"processes\"><thead><tr><th>process</th><th>state</th><th>check</th>\
         <th>verdict</th><th>latency</th><th>checked</th><th>pass/fail/error</th>\
         <th>restarts</th><th>why</th></tr></thead><tbody>",
    );
    for (name, p) in record.sorted() {
        for c in &p.checks {
            let verdict = c.last.map_or("none", |k| k.name());
            let latency = c.latency.map_or_else(String::new, |d| {
                format!("{:.1} ms", d.as_secs_f64() * 1000.0)
            });
            let _ = write!(
                out,
                "<tr class=\"check\" data-process=\"{name}\" data-check=\"{kind}\">\
                 <td>{name}</td><td class=\"state\">{state}</td><td>{kind}</td>\
                 <td class=\"verdict {verdict}\">{verdict}</td><td>{latency}</td><td>{checked}</td>\
                 <td>{}/{}/{}</td><td>{}</td><td>{why}</td></tr>",
                c.passes,
                c.failures,
                c.errors,
                p.restarts,
                name = escape(name),
                kind = escape(&c.kind),
                state = p.state,
                checked = ago(c.time, now),
                why = escape(c.output.as_deref().unwrap_or("")),
            );
        }
    }
    out.push_str("</tbody></table><h2>Recent restarts</h2>");
    if record.restarts.is_empty() {
        out.push_str("<p id=\"no-restarts\">None.</p>");
    } else {
        out.push_str(
            "<table id=\"restarts\"><thead><tr><th>process</th><th>when</th><th>why</th></tr></thead><tbody>",
        );
        for r in record.restarts.iter().rev() {
            let _ = write!(
                out,
                "<tr class=\"restart\"><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&r.process),
                ago(r.time, now),
                escape(&r.reason)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_reasons_are_escaped() {
        let mut record = Record::new(vec!["<http>".into()]);
        record.restart_asked("web:<a>", "bad \"status\" & more".into());
        let page = render(&record, "t<");
        assert!(page.contains("web:&lt;a&gt;"));
        assert!(page.contains("bad &quot;status&quot; &amp; more"));
        assert!(!page.contains("<http>"));
        assert!(page.contains("<title>supercheck: t&lt;</title>"));
    }
}
