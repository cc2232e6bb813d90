//! Settings from three places, in order of precedence: a flag, then a `CANDOR_*`
//! environment variable, then the TOML file named by `--config` (or
//! `CANDOR_CONFIG`), then the built-in default. The file's keys are the flags'
//! long names (`database-url = "…"`, `login-attempts-per-minute = 5`); an
//! unknown key is refused with its line. A secret can come from a file:
//! `CANDOR_X_FILE=/run/secrets/x` in the environment or `x-file = "…"` in the
//! config file stand for the value of `x`.
//!
//! File values become the arguments' defaults before clap parses, so clap's own
//! precedence (command line, then environment, then default) does the rest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Arg, ArgMatches, Command, CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// Where a setting came from, for `candor config check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    File { path: PathBuf, line: usize },
    SecretFile(PathBuf),
}

/// What the config file and secret files said, by flag name.
#[derive(Default)]
pub struct Layered {
    pub file: Option<PathBuf>,
    pub values: BTreeMap<String, (String, Source)>,
}

/// Parses the command line with the config file and secret files layered under it.
pub fn parse() -> Result<(Cli, ArgMatches, Layered)> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let command = Cli::command();
    let known = long_names(&command);
    let mut layered = Layered::default();
    if let Some(path) = config_path(&args) {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the config file {}", path.display()))?;
        for (key, value, line) in read_toml(&path, &text)? {
            let (name, value, source) = match key.strip_suffix("-file") {
                Some(secret) if !known.contains_key(&key) && known.contains_key(secret) => (
                    secret.to_owned(),
                    read_secret(Path::new(&value))?,
                    Source::SecretFile(PathBuf::from(&value)),
                ),
                _ if known.contains_key(&key) => (
                    key.clone(),
                    value,
                    Source::File {
                        path: path.clone(),
                        line,
                    },
                ),
                _ => bail!(
                    "{}:{line}: unknown key {key:?} (keys are the long names of the flags, e.g. database-url; `candor --help` and each command's --help list them)",
                    path.display()
                ),
            };
            layered.values.insert(name, (value, source));
        }
        layered.file = Some(path);
    }
    // CANDOR_X_FILE: the value of CANDOR_X, read from a file (a container secret).
    for (name, env) in &known {
        let Some(env) = env else { continue };
        if std::env::var_os(env).is_some() {
            continue;
        }
        if let Some(file) = std::env::var_os(format!("{env}_FILE")) {
            let file = PathBuf::from(file);
            let value = read_secret(&file)?;
            layered
                .values
                .insert(name.clone(), (value, Source::SecretFile(file)));
        }
    }
    let command = with_defaults(command, &layered.values);
    let matches = command.get_matches_from(args);
    let cli = Cli::from_arg_matches(&matches).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((cli, matches, layered))
}

/// `--config FILE`, `--config=FILE` or `CANDOR_CONFIG`.
fn config_path(args: &[std::ffi::OsString]) -> Option<PathBuf> {
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        let arg = arg.to_string_lossy();
        if arg == "--" {
            break;
        }
        if arg == "--config" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os("CANDOR_CONFIG").map(PathBuf::from)
}

fn read_secret(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the secret file {}", path.display()))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

/// Every flag's long name, with its environment variable, in the whole command tree.
fn long_names(command: &Command) -> BTreeMap<String, Option<String>> {
    let mut names = BTreeMap::new();
    collect(command, &mut names);
    names
}

fn collect(command: &Command, names: &mut BTreeMap<String, Option<String>>) {
    for arg in command.get_arguments() {
        if let Some(long) = arg.get_long()
            && !matches!(long, "help" | "version" | "config")
        {
            let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
            names.insert(long.to_owned(), env);
        }
    }
    for sub in command.get_subcommands() {
        collect(sub, names);
    }
}

/// The file's values as the defaults of the flags of those names, everywhere.
fn with_defaults(mut command: Command, values: &BTreeMap<String, (String, Source)>) -> Command {
    let ids: Vec<(clap::Id, String)> = command
        .get_arguments()
        .filter_map(|a| Some((a.get_id().clone(), a.get_long()?.to_owned())))
        .collect();
    for (id, long) in ids {
        if let Some((value, _)) = values.get(&long) {
            // Leaked once at start-up: clap keeps defaults as 'static strings.
            let value: &'static str = Box::leak(value.clone().into_boxed_str());
            command = command.mut_arg(id, |arg: Arg| arg.default_value(value));
        }
    }
    let subs: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subs {
        command = command.mut_subcommand(name, |sub| with_defaults(sub, values));
    }
    command
}

/// The file's settings as (key, value, line): top-level keys, or keys in
/// tables (`[serve]`, `[smtp]`), whose names only group them.
fn read_toml(path: &Path, text: &str) -> Result<Vec<(String, String, usize)>> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| anyhow::anyhow!("{}: {e}", path.display()))?;
    // The line a key is set on, for messages (the first `key =` line).
    let line_of = |key: &str| {
        text.lines()
            .position(|line| {
                let line = line.trim_start();
                let quoted = format!("\"{key}\"");
                line.strip_prefix(quoted.as_str())
                    .or_else(|| line.strip_prefix(key))
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map_or(0, |i| i + 1)
    };
    let mut out = Vec::new();
    for (key, value) in &table {
        match value {
            toml::Value::Table(group) => {
                for (key, value) in group {
                    let line = line_of(key);
                    out.push((key.clone(), scalar(path, key, value, line)?, line));
                }
            }
            value => {
                let line = line_of(key);
                out.push((key.clone(), scalar(path, key, value, line)?, line));
            }
        }
    }
    Ok(out)
}

fn scalar(path: &Path, key: &str, value: &toml::Value, line: usize) -> Result<String> {
    Ok(match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        _ => bail!(
            "{}:{line}: {key}: give a string, a number or true/false",
            path.display()
        ),
    })
}

/// `candor config check`: every setting Candor would use, where it comes
/// from, with secrets hidden. (Unknown keys never get this far.)
pub fn check(matches: &ArgMatches, layered: &Layered) -> std::process::ExitCode {
    let command = Cli::command();
    let mut rows: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut args: Vec<&Arg> = Vec::new();
    gather(&command, &mut args);
    for arg in args {
        let Some(long) = arg.get_long() else { continue };
        if matches!(long, "help" | "version") || !seen.insert(long.to_owned()) {
            continue;
        }
        let id = arg.get_id().as_str();
        // Only the global flags can be given with `config check` itself.
        let from_line = arg.is_global_set()
            && matches!(
                matches.value_source(id),
                Some(clap::parser::ValueSource::CommandLine)
            );
        let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
        let (value, source) = if from_line {
            let value = matches
                .get_raw(id)
                .and_then(|mut v| v.next())
                .map(|v| v.to_string_lossy().into_owned())
                .unwrap_or_default();
            (value, "flag".to_owned())
        } else if let Some(value) = env.as_ref().and_then(|e| std::env::var(e).ok()) {
            (value, format!("environment {}", env.unwrap_or_default()))
        } else if let Some((value, source)) = layered.values.get(long) {
            let source = match source {
                Source::File { path, line } => format!("{}:{line}", path.display()),
                Source::SecretFile(path) => format!("secret file {}", path.display()),
            };
            (value.clone(), source)
        } else if let Some(default) = arg.get_default_values().first()
            && arg.get_env().is_some()
        {
            // Defaults of settings only: a command's own options are not configuration.
            (default.to_string_lossy().into_owned(), "default".to_owned())
        } else {
            continue;
        };
        rows.insert(long.to_owned(), (redact(long, &value), source));
    }
    if let Some(file) = &layered.file {
        println!("# config file: {}", file.display());
    }
    for (name, (value, source)) in rows {
        println!("{name} = {value:?}  # {source}");
    }
    std::process::ExitCode::SUCCESS
}

fn gather<'a>(command: &'a Command, out: &mut Vec<&'a Arg>) {
    out.extend(command.get_arguments());
    for sub in command.get_subcommands() {
        gather(sub, out);
    }
}

/// A value with its secret parts hidden: passwords in URLs, and anything
/// whose name says it is a password, token or secret.
fn redact(name: &str, value: &str) -> String {
    if ["password", "token", "secret"]
        .iter()
        .any(|word| name.contains(word))
    {
        return "(hidden)".into();
    }
    match url::Url::parse(value) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("hidden"));
            url.to_string()
        }
        _ => value.to_owned(),
    }
}
