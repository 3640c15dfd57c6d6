//! What can go wrong, and which failures are worth retrying.
//!
//! Two kinds of error leave this crate. [`Error`] is for setting a store up (a URL, a
//! connection, the schema) and is what `orders` reports before it starts serving.
//! [`StoreError`] is the port's error, returned once the store is running: the
//! order-service retries an `Unavailable` batch and never dead-letters it, and sets a
//! `Failed` one aside. Getting that split wrong either loses orders (a transient outage
//! dead-lettered) or wedges the pipeline (a bad row retried forever), so the classifier
//! below is deliberately explicit, code by code.

use crate::Backend;
use orders_core::StoreError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a store could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL's scheme names no backend this crate has.
    #[error(
        "unsupported database URL scheme {}: use sqlite://PATH, sqlite::memory: or \
         postgres://USER@HOST:PORT/DATABASE (postgresql:// works too)",
        describe_scheme(.scheme)
    )]
    UnsupportedUrl { scheme: String },

    /// The scheme is known but the rest of the URL is not understood.
    #[error("invalid {backend} database URL: {reason}")]
    InvalidUrl { backend: Backend, reason: String },

    /// The database could not be reached or refused the connection.
    #[error("cannot connect to the {backend} database: {source}")]
    Connect {
        backend: Backend,
        #[source]
        source: StoreError,
    },

    /// The server's TLS certificate failed the checks `sslmode` asks for (see `tls.rs`).
    #[error("cannot connect to the postgres database over verified TLS: {reason}")]
    Tls { reason: String },

    /// Reading the schema version or applying a migration failed.
    #[error("cannot migrate the {backend} database: {source}")]
    Migrate {
        backend: Backend,
        #[source]
        source: StoreError,
    },

    /// A newer `orders` has migrated this database: running an older one against it could
    /// write rows the newer schema does not expect.
    #[error(
        "the database schema is at version {database}, newer than this binary's {binary}; \
         upgrade orders"
    )]
    SchemaTooNew { database: i64, binary: i64 },

    /// The database holds another service's schema: each service needs its own.
    #[error(
        "the database holds the {found} service's schema, not the {expected} service's: give \
         each service a database of its own"
    )]
    OtherService {
        expected: &'static str,
        found: &'static str,
    },

    /// Migrations were not applied at connect (`StoreOptions::migrate` is off) and the
    /// database lacks some: every insert would fail, and fail as if the orders were bad.
    #[error(
        "the database schema is at version {}, older than this binary's {binary}; run \
         `orders db migrate` first",
        .database.map_or_else(|| "0 (no orders schema yet)".to_owned(), |v| v.to_string())
    )]
    SchemaTooOld { database: Option<i64>, binary: i64 },
}

impl Error {
    /// Whether trying again later may succeed (the database is down, starting or locked).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect { source, .. } | Self::Migrate { source, .. } => source.is_retryable(),
            _ => false,
        }
    }
}

fn describe_scheme(scheme: &str) -> String {
    if scheme.is_empty() {
        "(none)".to_owned()
    } else {
        format!("`{scheme}`")
    }
}

/// Turns a driver error into the port's error, keeping the driver's message.
pub(crate) fn store_error(backend: Backend, operation: &str, error: &sqlx::Error) -> StoreError {
    let message = format!("{backend} {operation}: {error}");
    if is_transient(backend, error) {
        StoreError::Unavailable(message)
    } else {
        StoreError::Failed(message)
    }
}

/// Whether the same call may succeed later, without anything but time changing.
fn is_transient(backend: Backend, error: &sqlx::Error) -> bool {
    use sqlx::Error as E;
    use sqlx::migrate::MigrateError as M;
    match error {
        // The socket (refused, reset, closed), TLS, or no connection to be had in time.
        E::Io(_) | E::Tls(_) | E::PoolTimedOut => true,
        // The pool is closed while the service shuts down: the batch must be redelivered
        // to the next run, not set aside.
        E::PoolClosed => true,
        // SQLite runs each connection on a worker thread; a new connection gets a new one.
        E::WorkerCrashed => true,
        E::Database(db) => {
            let code = db.code();
            match backend {
                Backend::Sqlite => code
                    .and_then(|c| c.parse::<i32>().ok())
                    .is_some_and(sqlite_code_is_transient),
                Backend::Postgres => code.is_some_and(|c| sqlstate_is_transient(&c)),
            }
        }
        E::Migrate(m) => match &**m {
            M::Execute(e) | M::ExecuteMigration(e, _) => is_transient(backend, e),
            _ => false,
        },
        _ => false,
    }
}

/// SQLite result codes that describe the moment, not the data. `code` is the extended
/// code sqlx reports; its low byte is the primary code.
pub(crate) fn sqlite_code_is_transient(code: i32) -> bool {
    const SQLITE_BUSY: i32 = 5;
    const SQLITE_LOCKED: i32 = 6;
    const SQLITE_IOERR: i32 = 10;
    const SQLITE_FULL: i32 = 13;
    const SQLITE_CANTOPEN: i32 = 14;
    matches!(
        code & 0xff,
        SQLITE_BUSY | SQLITE_LOCKED | SQLITE_IOERR | SQLITE_FULL | SQLITE_CANTOPEN
    )
}

/// PostgreSQL SQLSTATEs after which the same statement may succeed.
pub(crate) fn sqlstate_is_transient(sqlstate: &str) -> bool {
    // Class 08: connection exceptions; class 53: insufficient resources (disk full,
    // out of memory, too many connections).
    sqlstate.starts_with("08")
        || sqlstate.starts_with("53")
        || matches!(
            sqlstate,
            // admin_shutdown, crash_shutdown, cannot_connect_now (starting up, recovering)
            "57P01" | "57P02" | "57P03"
            // serialization_failure, deadlock_detected: the other transaction won
            | "40001" | "40P01"
            // lock_not_available
            | "55P03"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::error::{DatabaseError, ErrorKind};
    use std::borrow::Cow;
    use std::fmt;

    /// A database error with a chosen code, as the drivers' own cannot be built outside
    /// them.
    #[derive(Debug)]
    struct Coded(&'static str);

    impl fmt::Display for Coded {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "driver says {}", self.0)
        }
    }

    impl std::error::Error for Coded {}

    impl DatabaseError for Coded {
        fn message(&self) -> &str {
            "driver says"
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> ErrorKind {
            ErrorKind::Other
        }
    }

    fn classify(backend: Backend, error: &sqlx::Error) -> StoreError {
        store_error(backend, "insert", error)
    }

    fn database(code: &'static str) -> sqlx::Error {
        sqlx::Error::Database(Box::new(Coded(code)))
    }

    #[test]
    fn sqlite_busy_locked_io_full_and_cantopen_are_transient_with_their_extended_codes() {
        // BUSY, BUSY_SNAPSHOT, LOCKED, LOCKED_SHAREDCACHE, IOERR, IOERR_FSYNC, FULL, CANTOPEN
        for code in [5, 517, 6, 262, 10, 1034, 13, 14] {
            assert!(sqlite_code_is_transient(code), "{code}");
        }
        // ERROR, READONLY, CORRUPT, CONSTRAINT, CONSTRAINT_PRIMARYKEY, MISMATCH
        for code in [1, 8, 11, 19, 1555, 20] {
            assert!(!sqlite_code_is_transient(code), "{code}");
        }
    }

    #[test]
    fn postgres_connection_resource_shutdown_and_conflict_states_are_transient() {
        for state in [
            "08000", "08003", "08006", "08001", "53000", "53100", "53200", "53300", "57P01",
            "57P02", "57P03", "40001", "40P01", "55P03",
        ] {
            assert!(sqlstate_is_transient(state), "{state}");
        }
        // unique, not null, check, syntax, undefined table, query canceled, read only
        for state in [
            "23505", "23502", "23514", "42601", "42P01", "57014", "25006",
        ] {
            assert!(!sqlstate_is_transient(state), "{state}");
        }
    }

    #[test]
    fn database_errors_are_classified_by_the_backend_that_raised_them() {
        assert!(classify(Backend::Sqlite, &database("5")).is_retryable());
        assert!(!classify(Backend::Sqlite, &database("19")).is_retryable());
        assert!(classify(Backend::Postgres, &database("40P01")).is_retryable());
        assert!(!classify(Backend::Postgres, &database("23505")).is_retryable());
        // A SQLSTATE means nothing to SQLite and a SQLite code nothing to Postgres.
        assert!(!classify(Backend::Sqlite, &database("08006")).is_retryable());
        assert!(!classify(Backend::Postgres, &database("5")).is_retryable());
    }

    #[test]
    fn io_tls_and_pool_errors_are_transient() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for error in [
            sqlx::Error::Io(refused),
            sqlx::Error::Tls("handshake failed".into()),
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::WorkerCrashed,
        ] {
            assert!(classify(Backend::Postgres, &error).is_retryable());
        }
    }

    #[test]
    fn decoding_protocol_and_missing_rows_are_failures() {
        for error in [
            sqlx::Error::Protocol("unexpected message".into()),
            sqlx::Error::RowNotFound,
            sqlx::Error::ColumnNotFound("status".into()),
            sqlx::Error::Decode("bad".into()),
        ] {
            assert!(!classify(Backend::Sqlite, &error).is_retryable());
        }
    }

    #[test]
    fn migration_errors_are_classified_by_their_cause() {
        let busy = sqlx::migrate::MigrateError::ExecuteMigration(database("5"), 1);
        assert!(classify(Backend::Sqlite, &sqlx::Error::Migrate(Box::new(busy))).is_retryable());
        let missing = sqlx::migrate::MigrateError::VersionMissing(7);
        assert!(
            !classify(Backend::Sqlite, &sqlx::Error::Migrate(Box::new(missing))).is_retryable()
        );
    }

    #[test]
    fn the_driver_message_is_kept() {
        let error = classify(Backend::Sqlite, &database("5"));
        assert_eq!(
            error.to_string(),
            "the database is unavailable: sqlite insert: error returned from database: driver \
             says 5"
        );
    }

    #[test]
    fn an_unsupported_scheme_is_named_with_the_accepted_ones() {
        let error = Error::UnsupportedUrl {
            scheme: "mysql".into(),
        };
        assert_eq!(
            error.to_string(),
            "unsupported database URL scheme `mysql`: use sqlite://PATH, sqlite::memory: or \
             postgres://USER@HOST:PORT/DATABASE (postgresql:// works too)"
        );
    }

    #[test]
    fn schema_version_messages_say_what_to_do() {
        let newer = Error::SchemaTooNew {
            database: 3,
            binary: 1,
        };
        assert_eq!(
            newer.to_string(),
            "the database schema is at version 3, newer than this binary's 1; upgrade orders"
        );
        let older = Error::SchemaTooOld {
            database: None,
            binary: 1,
        };
        assert!(older.to_string().contains("run `orders db migrate`"));
    }
}
