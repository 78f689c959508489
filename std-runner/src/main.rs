//! `supercheck`: health checks for services run under supervisord.

fn main() {
    eprintln!(
        "supercheck {}: the listener is not built yet",
        env!("CARGO_PKG_VERSION")
    );
    std::process::exit(2);
}
