//! `supercheck serve`'s settings: command line over environment over
//! `--config FILE` over defaults (HealthCheck.Server's order), its flag
//! spellings (`-ba`, `--bind_addr`), loopback by default, and mistakes that
//! exit 2 naming their source. The real binary; real sockets where it binds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/serve.rs"]
mod serve_support;
mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use serve_support::{Serve, temp};
use support::{free_port, supercheck_bin};

/// Runs `serve ARGS --print-config` with exactly `env`; the exit code, the
/// settings (`name -> (value, source)`) and stderr.
fn print_config(
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, BTreeMap<String, (String, String)>, String) {
    let mut cmd = Command::new(supercheck_bin());
    cmd.arg("serve").args(args).arg("--print-config");
    for var in [
        "BIND_ADDR",
        "PORT",
        "DEBUG",
        "SUPERCHECK_STATE_DIR",
        "SUPERCHECK_MDNS",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied()).stdin(Stdio::null());
    let out = cmd.output().unwrap();
    let settings = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (setting, source) = l.split_once("  # ")?;
            let (name, value) = setting.split_once(" = ")?;
            Some((name.to_string(), (value.to_string(), source.to_string())))
        })
        .collect();
    (
        out.status.code().unwrap_or(-1),
        settings,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_config(dir: &Path, text: &str) -> String {
    let path = dir.join("serve.conf");
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn each_setting_comes_from_the_command_line_else_the_environment_else_the_file_else_the_default() {
    let dir = temp("cfg-order");
    let file = write_config(
        dir.path(),
        "# HealthCheck.Server style, unrepr values\nport = 1111\nbind_addr = '127.0.0.3'\ndebug = True\n\
         state_dir = \"/tmp/from-file\"\nmdns = False\nwebhook = ['http://127.0.0.1:9/a', \"http://127.0.0.1:9/b\"]\n",
    );
    let env = [
        ("PORT", "2222"),
        ("BIND_ADDR", "127.0.0.2"),
        ("SUPERCHECK_STATE_DIR", "/tmp/from-env"),
    ];
    let all = [
        "--config",
        &file,
        "--port",
        "3333",
        "--state-dir",
        "/tmp/from-cli",
    ];
    let (code, s, err) = print_config(&all, &env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(s["port"], ("3333".into(), "command line".into()));
    assert_eq!(
        s["state_dir"],
        ("Some(\"/tmp/from-cli\")".into(), "command line".into())
    );
    assert_eq!(
        s["bind_addr"],
        ("127.0.0.2".into(), "environment BIND_ADDR".into())
    );
    assert_eq!(s["debug"], ("true".into(), "config file line 4".into()));
    assert_eq!(s["mdns"], ("false".into(), "config file line 6".into()));
    assert_eq!(
        s["webhook"],
        (
            "[\"http://127.0.0.1:9/a\", \"http://127.0.0.1:9/b\"]".into(),
            "config file line 7".into()
        )
    );
    assert_eq!(s["verbose"], ("false".into(), "default".into()));

    // Without the flags, the environment; without it, the file; without it, the defaults.
    let (_, s, _) = print_config(&["--config", &file], &env);
    assert_eq!(s["port"], ("2222".into(), "environment PORT".into()));
    assert_eq!(s["state_dir"].1, "environment SUPERCHECK_STATE_DIR");
    let (_, s, _) = print_config(&["--config", &file], &[]);
    assert_eq!(s["port"], ("1111".into(), "config file line 2".into()));
    assert_eq!(
        s["bind_addr"],
        ("127.0.0.3".into(), "config file line 3".into())
    );
    let (_, s, _) = print_config(&[], &[]);
    assert_eq!(s["port"], ("9876".into(), "default".into()));
    assert_eq!(
        s["bind_addr"],
        ("127.0.0.1".into(), "default".into()),
        "loopback by default"
    );
    assert_eq!(s["mdns"], ("true".into(), "default".into()));
    assert_eq!(s["state_dir"], ("None".into(), "default".into()));
    assert_eq!(s["notify_window"], ("600".into(), "default".into()));

    // The boolean switches each way, and HealthCheck.Server's spellings.
    let (_, s, _) = print_config(
        &["--no-mdns", "-d"],
        &[("SUPERCHECK_MDNS", "1"), ("DEBUG", "false")],
    );
    assert_eq!(s["mdns"], ("false".into(), "command line".into()));
    assert_eq!(s["debug"], ("true".into(), "command line".into()));
    let (_, s, _) = print_config(&[], &[("SUPERCHECK_MDNS", "0"), ("DEBUG", "True")]);
    assert_eq!(
        s["mdns"],
        ("false".into(), "environment SUPERCHECK_MDNS".into())
    );
    assert_eq!(s["debug"], ("true".into(), "environment DEBUG".into()));
    let (_, s, _) = print_config(&["-ba", "127.0.0.9"], &[]);
    assert_eq!(s["bind_addr"].0, "127.0.0.9");
    let (_, s, _) = print_config(&["-ba=127.0.0.8"], &[]);
    assert_eq!(s["bind_addr"].0, "127.0.0.8");
    let (_, s, _) = print_config(&["--bind-addr", "::1", "-p", "5"], &[]);
    assert_eq!(
        (s["bind_addr"].0.as_str(), s["port"].0.as_str()),
        ("::1", "5")
    );
}

#[test]
fn the_environment_port_beats_the_file_and_the_flag_beats_both_on_a_real_socket() {
    let dir = temp("cfg-socket");
    let (file_port, env_port) = (free_port(), free_port());
    let state = dir.path().join("env-state");
    let file = write_config(dir.path(), &format!("port = {file_port}\nmdns = False\n"));
    let env_port_text = env_port.to_string();
    let env = [
        ("PORT", env_port_text.as_str()),
        ("SUPERCHECK_STATE_DIR", state.to_str().unwrap()),
    ];
    let serve = Serve::start_exact(dir.path(), "env", &["serve", "--config", &file], &env);
    assert_eq!(serve.addr.to_string(), format!("127.0.0.1:{env_port}"));
    // SUPERCHECK_STATE_DIR from the environment is where registrations go.
    let reply = serve.post_json(
        "/v1/monitors",
        r#"{"name":"a","url":"http://127.0.0.1:9/","interval_s":300}"#,
    );
    assert_eq!(reply.status, 201);
    assert!(state.join("monitors.json").exists());
    drop(serve);
    let serve = Serve::start_exact(
        dir.path(),
        "file",
        &["serve", "--config", &file, "-ba", "127.0.0.1"],
        &[],
    );
    assert_eq!(serve.addr.port(), file_port);
    drop(serve);
    let serve = Serve::start_exact(
        dir.path(),
        "cli",
        &["serve", "--config", &file, "--port", "0"],
        &env,
    );
    assert!(
        ![0, file_port, env_port].contains(&serve.addr.port()),
        "{}",
        serve.addr
    );
    assert!(
        serve.log_text().contains("mdns: off"),
        "{}",
        serve.log_text()
    );
}

#[test]
fn configuration_mistakes_exit_2_naming_their_source() {
    let dir = temp("cfg-errors");
    type Env<'a> = &'a [(&'a str, &'a str)];
    let cases: [(&str, Env, &str); 8] = [
        (
            "colour = 'blue'\n",
            &[],
            "line 1: unknown option \"colour\"",
        ),
        (
            "port = 80\nbind_addr = localhost\n",
            &[],
            "line 2: bind_addr",
        ),
        (
            "port = '80'\n",
            &[],
            "line 1: port = \"80\" is not a valid port",
        ),
        ("port = 99999\n", &[], "is not a valid port"),
        ("", &[("PORT", "eighty")], "environment PORT=\"eighty\""),
        ("", &[("DEBUG", "maybe")], "environment DEBUG"),
        (
            "webhook = 'ftp://example.com/'\n",
            &[],
            "webhook: invalid URL",
        ),
        (
            "webhook = 'https://example.com/'\n",
            &[],
            "webhook: only http:// URLs",
        ),
    ];
    for (text, env, needle) in cases {
        let file = write_config(dir.path(), text);
        let (code, _, err) = print_config(&["--config", &file], env);
        assert_eq!(code, 2, "{text:?}: {err}");
        assert!(err.contains(needle), "{text:?}: {err}");
    }
    let (code, _, err) = print_config(&["--config", "/nonexistent/serve.conf"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/serve.conf"), "{err}");
    let (code, _, _) = print_config(&["--port", "http"], &[]);
    assert_eq!(code, 2);
}
