//! The crate finds the installed nisshi 0.8.1 and refuses binaries of other versions.

use std::process::Command;

use orders_nisshi::{Error, VERSION};

use crate::support::{fixture, nisshi};

#[test]
fn find_returns_the_installed_release() {
    nisshi();

    let found = orders_nisshi::find().unwrap();

    orders_nisshi::verify(&found).unwrap();
    let output = Command::new(&found).arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(
        version.contains(VERSION),
        "{found:?} --version printed {version:?}"
    );
}

#[test]
fn a_binary_that_prints_another_version_is_rejected() {
    let old = fixture("old/nisshi");

    let error = orders_nisshi::verify(&old).unwrap_err();

    assert!(
        matches!(&error, Error::WrongVersion { found, .. } if found == "nisshi 0.7.0"),
        "{error:?}"
    );
}

#[test]
fn ensure_installed_returns_the_installed_binary_without_running_cargo() {
    let mut lines = Vec::new();

    let path = orders_nisshi::ensure_installed(|line| lines.push(line.to_owned())).unwrap();

    assert_eq!(path, orders_nisshi::find().unwrap());
    assert!(lines.is_empty(), "{lines:?}");
}
