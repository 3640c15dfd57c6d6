//! Finding nisshi 0.8.1 on this machine, and installing it with cargo when it is missing.
//!
//! The install takes ~20 minutes on 2 cores, and parallel test binaries may all find nisshi
//! missing at once, so [`install`] holds an exclusive file lock beside the install root: the
//! first process installs, the others wait for it and then reuse its binary.

use std::{
    collections::VecDeque,
    env,
    ffi::{OsStr, OsString},
    fs::{self, File, OpenOptions, TryLockError},
    io::{self, BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    thread,
    time::Duration,
};

use crate::{Error, Result, VERSION};

/// The command that installs the nisshi this crate runs.
///
/// `--ignore-rust-version`: nisshi 0.8.1 declares a newer rustc than the machines have (through
/// a dependency) but builds and runs with it.
pub const INSTALL_COMMAND: &str =
    "cargo install nisshi --locked --version 0.8.1 --ignore-rust-version";

const INSTALL_ARGS: [&str; 6] = [
    "install",
    "nisshi",
    "--locked",
    "--version",
    VERSION,
    "--ignore-rust-version",
];

/// How many of cargo's last lines an install error quotes.
const TAIL_LINES: usize = 30;

/// Finds nisshi [`VERSION`].
///
/// Looks at `$NISSHI_BIN` when it is set, and then nowhere else: a person who names a binary
/// wants that one or an error, not a silent fallback. Otherwise looks for `nisshi` on `PATH`,
/// then in cargo's install directories (`$CARGO_INSTALL_ROOT/bin`, `$CARGO_HOME/bin`,
/// `~/.cargo/bin`), and returns the first whose `--version` names [`VERSION`]; binaries of
/// other versions are skipped and named in [`Error::NotInstalled`].
pub fn find() -> Result<PathBuf> {
    find_with(|name| env::var_os(name))
}

/// Finds nisshi [`VERSION`] with [`find`], or installs it with [`install`] when it is not on
/// this machine. `on_line` receives the install's progress, one line at a time, so a caller
/// can tell a person why it is waiting.
///
/// A wrong `$NISSHI_BIN` is an error, not a reason to install.
pub fn ensure_installed(on_line: impl FnMut(&str)) -> Result<PathBuf> {
    match find() {
        Err(Error::NotInstalled { .. }) => install(on_line),
        found => found,
    }
}

/// Installs nisshi [`VERSION`] with [`INSTALL_COMMAND`] into cargo's install root and returns
/// the installed binary, streaming cargo's progress lines (and this function's own notes) to
/// `on_line`.
///
/// Several processes may call it at once: they take turns on a lock file in the install root,
/// and whoever comes second finds the binary the first installed and returns it without
/// running cargo.
pub fn install(on_line: impl FnMut(&str)) -> Result<PathBuf> {
    let lookup = |name: &str| env::var_os(name);
    let root = install_root(&lookup).ok_or_else(|| {
        Error::io(
            "decide where to install nisshi",
            io::Error::new(
                io::ErrorKind::NotFound,
                "none of CARGO_INSTALL_ROOT, CARGO_HOME and HOME is set",
            ),
        )
    })?;
    // Under `cargo test` or `cargo run`, the cargo that runs us; elsewhere the one on PATH.
    let cargo = lookup("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    install_into(&root, &cargo, on_line)
}

/// [`install`] into a given root with a given cargo, so tests can use a stand-in for both.
pub(crate) fn install_into(
    root: &Path,
    cargo: &OsStr,
    mut on_line: impl FnMut(&str),
) -> Result<PathBuf> {
    fs::create_dir_all(root)
        .map_err(|source| Error::io(format!("create {}", root.display()), source))?;
    let installed = root.join("bin").join("nisshi");

    let lock_path = root.join(format!(".orders-nisshi-{VERSION}-install.lock"));
    let lock = lock_install(&lock_path, &mut on_line)?;

    if verify(&installed).is_ok() {
        on_line(&format!(
            "nisshi {VERSION} is already installed at {}",
            installed.display()
        ));
        return Ok(installed);
    }

    on_line(&format!(
        "nisshi {VERSION} is not installed; running `{INSTALL_COMMAND} --root {}` \
         (~20 minutes on 2 cores)",
        root.display()
    ));
    let mut child = Command::new(cargo)
        .args(INSTALL_ARGS)
        .arg("--root")
        .arg(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| Error::Spawn {
            program: PathBuf::from(cargo),
            source,
        })?;

    // cargo writes its progress to stderr; stdout carries nothing a person needs here.
    let mut tail = VecDeque::with_capacity(TAIL_LINES);
    if let Some(stderr) = child.stderr.take() {
        let mut reader = BufReader::new(stderr);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buffer);
                    let line = line.trim_end();
                    on_line(line);
                    if tail.len() == TAIL_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(line.to_owned());
                }
            }
        }
    }
    let status = child
        .wait()
        .map_err(|source| Error::io("wait for cargo install", source))?;
    drop(lock);

    if !status.success() {
        return Err(Error::Install {
            status,
            tail: Vec::from(tail).join("\n"),
        });
    }
    verify(&installed)?;
    on_line(&format!(
        "installed nisshi {VERSION} at {}",
        installed.display()
    ));
    Ok(installed)
}

/// Checks that `path` is nisshi [`VERSION`], by what its `--version` prints.
pub fn verify(path: &Path) -> Result<()> {
    let output = version_output(path)?;
    if names_version(&output) {
        Ok(())
    } else {
        Err(Error::WrongVersion {
            path: path.to_path_buf(),
            found: output,
        })
    }
}

fn lock_install(path: &Path, on_line: &mut impl FnMut(&str)) -> Result<File> {
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|source| Error::io(format!("open the lock file {}", path.display()), source))?;
    match lock.try_lock() {
        Ok(()) => return Ok(lock),
        Err(TryLockError::WouldBlock) => on_line(&format!(
            "another process is installing nisshi {VERSION}; waiting for it (lock {})",
            path.display()
        )),
        Err(TryLockError::Error(source)) => {
            return Err(Error::io(format!("lock {}", path.display()), source));
        }
    }
    lock.lock()
        .map_err(|source| Error::io(format!("lock {}", path.display()), source))?;
    Ok(lock)
}

/// [`find`] with the environment given as a lookup function, so tests can search an
/// environment of their own: `set_var` is `unsafe` in edition 2024 and races other threads.
pub(crate) fn find_with(var: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf> {
    if let Some(path) = non_empty(var("NISSHI_BIN")) {
        let path = PathBuf::from(path);
        verify(&path)?;
        return Ok(path);
    }

    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(path) = var("PATH") {
        candidates.extend(
            env::split_paths(&path)
                .filter(|dir| !dir.as_os_str().is_empty())
                .map(|dir| dir.join("nisshi")),
        );
    }
    candidates.extend(install_bins(&var).into_iter().map(|bin| bin.join("nisshi")));

    let mut searched = Vec::new();
    let mut others = Vec::new();
    for candidate in candidates {
        if searched.contains(&candidate) {
            continue;
        }
        searched.push(candidate.clone());
        if !candidate.is_file() {
            continue;
        }
        match verify(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(Error::WrongVersion { path, found }) => {
                others.push(format!("{} ({found})", path.display()));
            }
            Err(error) => others.push(format!("{} ({error})", candidate.display())),
        }
    }
    Err(Error::NotInstalled { searched, others })
}

/// Where `cargo install` puts binaries by default, in cargo's own order of precedence.
fn install_root(var: &impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    non_empty(var("CARGO_INSTALL_ROOT"))
        .map(PathBuf::from)
        .or_else(|| non_empty(var("CARGO_HOME")).map(PathBuf::from))
        .or_else(|| non_empty(var("HOME")).map(|home| PathBuf::from(home).join(".cargo")))
}

/// Every directory a default `cargo install` may have used, not only the current one: a
/// CARGO_HOME set for a build does not mean that nisshi was installed under it.
fn install_bins(var: &impl Fn(&str) -> Option<OsString>) -> Vec<PathBuf> {
    [
        non_empty(var("CARGO_INSTALL_ROOT")).map(PathBuf::from),
        non_empty(var("CARGO_HOME")).map(PathBuf::from),
        non_empty(var("HOME")).map(|home| PathBuf::from(home).join(".cargo")),
    ]
    .into_iter()
    .flatten()
    .map(|root| root.join("bin"))
    .collect()
}

fn non_empty(value: Option<OsString>) -> Option<OsString> {
    value.filter(|value| !value.is_empty())
}

fn version_output(path: &Path) -> Result<String> {
    let mut attempts = 0;
    let output = loop {
        match Command::new(path)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
        {
            // A binary that cargo (or a test) has just written can be briefly busy while
            // another thread's fork still holds its write descriptor; it clears within
            // milliseconds.
            Err(error) if error.kind() == io::ErrorKind::ExecutableFileBusy && attempts < 50 => {
                attempts += 1;
                thread::sleep(Duration::from_millis(10));
            }
            Err(source) => {
                return Err(Error::VersionCheck {
                    path: path.to_path_buf(),
                    source,
                });
            }
            Ok(output) => break output,
        }
    };
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    if text.trim().is_empty() {
        text = String::from_utf8_lossy(&output.stderr).into_owned();
    }
    Ok(text.trim().to_owned())
}

/// Whether a `--version` output names [`VERSION`] as a whole word, so that 0.8.10 or 10.8.1
/// do not pass for it.
fn names_version(output: &str) -> bool {
    output
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .any(|word| word.strip_prefix('v').unwrap_or(word) == VERSION)
}

#[cfg(test)]
mod tests {
    use std::{
        ffi::OsString,
        path::{Path, PathBuf},
    };

    use std::{fs, sync::Barrier, thread};

    use super::{find_with, install_into, names_version};
    use crate::Error;

    /// Committed scripts that print a version, rather than scripts written at run time, which
    /// another test thread's fork can leave "text file busy".
    fn fixtures(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    #[test]
    fn a_version_output_must_name_the_version_as_a_whole_word() {
        assert!(names_version("nisshi 0.8.1"));
        assert!(names_version("nisshi v0.8.1\n"));
        assert!(!names_version("nisshi 0.8.10"));
        assert!(!names_version("nisshi 10.8.1"));
        assert!(!names_version(""));
    }

    #[test]
    fn a_nisshi_bin_of_another_version_is_rejected_with_what_it_printed() {
        let old = fixtures("old/nisshi");

        let error = find_with(|name| (name == "NISSHI_BIN").then(|| old.clone().into()))
            .expect_err("a 0.7.0 binary must not be accepted");

        match &error {
            Error::WrongVersion { path, found } => {
                assert_eq!(path, &old);
                assert_eq!(found, "nisshi 0.7.0");
            }
            other => panic!("expected WrongVersion, got {other:?}"),
        }
        assert!(error.to_string().contains("NISSHI_BIN"), "{error}");
    }

    #[test]
    fn a_nisshi_bin_is_used_without_looking_anywhere_else() {
        let current = fixtures("current/nisshi");
        let path = OsString::from(fixtures("old"));

        let found = find_with(|name| match name {
            "NISSHI_BIN" => Some(current.clone().into()),
            "PATH" => Some(path.clone()),
            _ => None,
        })
        .unwrap();

        assert_eq!(found, current);
    }

    #[test]
    fn another_version_on_path_is_skipped_and_named_in_the_error() {
        let home = tempfile::tempdir().unwrap();
        let path = OsString::from(fixtures("old"));
        let home_dir = OsString::from(home.path());

        let error = find_with(|name| match name {
            "PATH" => Some(path.clone()),
            "HOME" => Some(home_dir.clone()),
            _ => None,
        })
        .expect_err("only a 0.7.0 binary is there");

        match &error {
            Error::NotInstalled { searched, others } => {
                assert_eq!(searched.len(), 2, "{searched:?}");
                assert_eq!(others.len(), 1, "{others:?}");
                assert!(others[0].contains("0.7.0"), "{others:?}");
            }
            other => panic!("expected NotInstalled, got {other:?}"),
        }
        assert!(
            error.to_string().contains("cargo install nisshi"),
            "{error}"
        );
    }

    #[test]
    fn the_first_binary_of_the_right_version_wins_over_later_ones() {
        let path = std::env::join_paths([fixtures("old"), fixtures("current")]).unwrap();

        let found = find_with(|name| (name == "PATH").then(|| path.clone())).unwrap();

        assert_eq!(found, fixtures("current/nisshi"));
    }

    #[test]
    fn parallel_installs_run_cargo_once_and_all_return_the_binary() {
        let root = tempfile::tempdir().unwrap();
        let cargo = fixtures("fake-cargo");
        let start = Barrier::new(3);

        let results: Vec<_> = thread::scope(|scope| {
            let installs: Vec<_> = (0..3)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        let mut lines = Vec::new();
                        let path = install_into(root.path(), cargo.as_os_str(), |line| {
                            lines.push(line.to_owned());
                        });
                        (path, lines)
                    })
                })
                .collect();
            installs.into_iter().map(|t| t.join().unwrap()).collect()
        });

        let installed = root.path().join("bin/nisshi");
        for (path, _) in &results {
            assert_eq!(path.as_ref().unwrap(), &installed);
        }
        let calls = fs::read_to_string(root.path().join("cargo-calls")).unwrap();
        assert_eq!(
            calls.lines().count(),
            1,
            "cargo ran more than once: {calls}"
        );
        assert!(
            calls.starts_with(
                "install nisshi --locked --version 0.8.1 --ignore-rust-version --root"
            ),
            "{calls}"
        );
        let streamed = results
            .iter()
            .flat_map(|(_, lines)| lines)
            .filter(|line| line.contains("Compiling nisshi v0.8.1"))
            .count();
        assert_eq!(streamed, 1, "cargo's progress reaches the one that ran it");
    }

    #[test]
    fn a_failed_install_quotes_cargos_last_lines() {
        let root = tempfile::tempdir().unwrap();

        let error =
            install_into(root.path(), fixtures("failing-cargo").as_os_str(), |_| {}).unwrap_err();

        match &error {
            Error::Install { status, tail } => {
                assert_eq!(status.code(), Some(101));
                assert!(tail.contains("could not compile"), "{tail}");
            }
            other => panic!("expected Install, got {other:?}"),
        }
    }
}
