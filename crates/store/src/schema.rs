//! The schemas' versions: the migrations compiled into this binary for each service's
//! database, and the decision whether a database may be used by it.
//!
//! Each service has a database of its own (database per service), with its own
//! migrations, numbered in a range of its own (orders below 1,000,000, inventory from
//! 1,000,001, payments from 2,000,001, notifications from 3,000,001), so that a database
//! that holds another service's schema is recognised and refused by name instead of being
//! migrated over.
//!
//! sqlx's migrator alone is not enough. Given a database migrated by a newer binary it
//! fails with `VersionMissing`, a message about a "missing" migration that reads like
//! this binary's fault, and with `ignore_missing` set it would happily run against a
//! schema it does not know. So the versions are read first and a newer database is
//! refused with [`Error::SchemaTooNew`], which tells the operator to upgrade.

use crate::Backend;
use crate::error::{Error, Result, store_error};
use sqlx::migrate::{MigrateError, Migrator};

static ORDERS_SQLITE: Migrator = sqlx::migrate!("migrations/orders/sqlite");
static ORDERS_POSTGRES: Migrator = sqlx::migrate!("migrations/orders/postgres");
static INVENTORY_SQLITE: Migrator = sqlx::migrate!("migrations/inventory/sqlite");
static INVENTORY_POSTGRES: Migrator = sqlx::migrate!("migrations/inventory/postgres");
static PAYMENTS_SQLITE: Migrator = sqlx::migrate!("migrations/payments/sqlite");
static PAYMENTS_POSTGRES: Migrator = sqlx::migrate!("migrations/payments/postgres");
static NOTIFICATIONS_SQLITE: Migrator = sqlx::migrate!("migrations/notifications/sqlite");
static NOTIFICATIONS_POSTGRES: Migrator = sqlx::migrate!("migrations/notifications/postgres");

/// Whose database: each service's schema is its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Orders,
    Inventory,
    Payments,
    Notifications,
}

impl Service {
    pub const ALL: [Service; 4] = [
        Service::Orders,
        Service::Inventory,
        Service::Payments,
        Service::Notifications,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Orders => "orders",
            Self::Inventory => "inventory",
            Self::Payments => "payments",
            Self::Notifications => "notifications",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|service| service.as_str() == s)
    }

    /// The versions this service's migrations are numbered in.
    fn versions(self) -> std::ops::Range<i64> {
        match self {
            Self::Orders => 1..1_000_000,
            Self::Inventory => 1_000_000..2_000_000,
            Self::Payments => 2_000_000..3_000_000,
            Self::Notifications => 3_000_000..4_000_000,
        }
    }

    fn migrator(self, backend: Backend) -> &'static Migrator {
        match (self, backend) {
            (Self::Orders, Backend::Sqlite) => &ORDERS_SQLITE,
            (Self::Orders, Backend::Postgres) => &ORDERS_POSTGRES,
            (Self::Inventory, Backend::Sqlite) => &INVENTORY_SQLITE,
            (Self::Inventory, Backend::Postgres) => &INVENTORY_POSTGRES,
            (Self::Payments, Backend::Sqlite) => &PAYMENTS_SQLITE,
            (Self::Payments, Backend::Postgres) => &PAYMENTS_POSTGRES,
            (Self::Notifications, Backend::Sqlite) => &NOTIFICATIONS_SQLITE,
            (Self::Notifications, Backend::Postgres) => &NOTIFICATIONS_POSTGRES,
        }
    }

    /// The service whose range `version` is in.
    fn owning(version: i64) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.versions().contains(&version))
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What [`crate::migrate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub backend: Backend,
    /// The migrations applied by this call, oldest first; empty when the database was
    /// already up to date.
    pub applied: Vec<AppliedMigration>,
    /// The database's schema version now.
    pub current: i64,
}

/// One migration that was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    pub version: i64,
    pub description: String,
}

/// The migrations of one service on one backend, and what to make of a database's
/// versions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schema {
    pub service: Service,
    pub backend: Backend,
    pub migrator: &'static Migrator,
}

impl Schema {
    pub(crate) fn of(service: Service, backend: Backend) -> Self {
        Self {
            service,
            backend,
            migrator: service.migrator(backend),
        }
    }

    fn known(&self) -> impl Iterator<Item = &'static sqlx::migrate::Migration> {
        self.migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
    }

    /// The newest version this binary knows.
    pub(crate) fn latest(&self) -> i64 {
        self.known().map(|m| m.version).max().unwrap_or(0)
    }

    /// Decides, from the versions recorded in the database, whether this binary may use
    /// it: never when it is newer, and when it is older only if it will be migrated.
    pub(crate) fn check(&self, recorded: &[i64], will_migrate: bool) -> Result<()> {
        if let Some(&foreign) = recorded
            .iter()
            .find(|v| !self.service.versions().contains(v))
        {
            return Err(Error::OtherService {
                expected: self.service.as_str(),
                found: Service::owning(foreign).map_or("unknown", Service::as_str),
            });
        }
        let binary = self.latest();
        let database = recorded.iter().copied().max();
        if let Some(database) = database.filter(|&v| v > binary) {
            return Err(Error::SchemaTooNew { database, binary });
        }
        let missing = self.known().any(|m| !recorded.contains(&m.version));
        if missing && !will_migrate {
            return Err(Error::SchemaTooOld { database, binary });
        }
        Ok(())
    }

    /// Interprets the migrator's outcome, given the versions recorded before it ran.
    pub(crate) fn finish(
        &self,
        outcome: std::result::Result<(), MigrateError>,
        recorded: &[i64],
    ) -> Result<MigrationReport> {
        outcome.map_err(|error| match error {
            // Another binary migrated the database between our check and our run.
            MigrateError::VersionMissing(version) if version > self.latest() => {
                Error::SchemaTooNew {
                    database: version,
                    binary: self.latest(),
                }
            }
            error => Error::Migrate {
                backend: self.backend,
                source: store_error(
                    self.backend,
                    "migration",
                    &sqlx::Error::Migrate(error.into()),
                ),
            },
        })?;
        let applied: Vec<_> = self
            .known()
            .filter(|m| !recorded.contains(&m.version))
            .map(|m| AppliedMigration {
                version: m.version,
                description: m.description.to_string(),
            })
            .collect();
        for migration in &applied {
            tracing::info!(
                backend = %self.backend,
                version = migration.version,
                description = %migration.description,
                "applied migration"
            );
        }
        Ok(MigrationReport {
            backend: self.backend,
            applied,
            current: self.latest(),
        })
    }

    /// An error reading the recorded versions.
    pub(crate) fn read_error(&self, error: &sqlx::Error) -> Error {
        Error::Migrate {
            backend: self.backend,
            source: store_error(self.backend, "reading the schema version", error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_know_the_same_versions_in_the_service_range() {
        let versions = |m: &Migrator| m.iter().map(|m| m.version).collect::<Vec<_>>();
        for service in Service::ALL {
            let sqlite = versions(service.migrator(Backend::Sqlite));
            assert_eq!(sqlite, versions(service.migrator(Backend::Postgres)));
            assert!(!sqlite.is_empty(), "{service}");
            assert!(
                sqlite.iter().all(|v| service.versions().contains(v)),
                "{service}"
            );
        }
    }

    #[test]
    fn a_database_of_another_service_is_refused_by_name() {
        let schema = Schema::of(Service::Orders, Backend::Sqlite);
        let error = schema.check(&[1_000_001], true).unwrap_err();
        assert!(matches!(error, Error::OtherService { .. }), "{error:?}");
    }

    #[test]
    fn a_database_from_a_newer_binary_is_refused_even_when_migrating() {
        let schema = Schema::of(Service::Orders, Backend::Sqlite);
        let binary = schema.latest();
        let error = schema.check(&[1, binary + 1], true).unwrap_err();
        assert!(
            matches!(error, Error::SchemaTooNew { database, binary: b } if database == binary + 1 && b == binary),
            "{error:?}"
        );
    }

    #[test]
    fn an_older_database_is_fine_only_if_it_will_be_migrated() {
        let schema = Schema::of(Service::Orders, Backend::Postgres);
        assert!(schema.check(&[], true).is_ok());
        assert!(matches!(
            schema.check(&[], false),
            Err(Error::SchemaTooOld { database: None, .. })
        ));
        let all: Vec<_> = schema.known().map(|m| m.version).collect();
        assert!(schema.check(&all, false).is_ok());
    }

    #[test]
    fn a_version_missing_because_it_is_newer_is_reported_as_too_new() {
        let schema = Schema::of(Service::Orders, Backend::Sqlite);
        let newer = schema.latest() + 1;
        let error = schema
            .finish(Err(MigrateError::VersionMissing(newer)), &[])
            .unwrap_err();
        assert!(matches!(error, Error::SchemaTooNew { .. }), "{error:?}");
    }
}
