//! What differs between the two backends, behind the same names, so that every query is
//! written once: [`on_backend!`](crate::on_backend) runs one body with `d` bound to the
//! backend's module here and `pool` to its pool.
//!
//! SQL itself is shared: `$1`-style placeholders (SQLite reads them too), `ON CONFLICT`,
//! `RETURNING`. What is not shared is representation: SQLite keeps timestamps as
//! fixed-width text (see the crate docs) and JSON as text; Postgres has `timestamptz` and
//! `jsonb`. And how a write transaction starts: SQLite takes its one write lock up front.

/// What is written once and compiled for each backend (inside its module, where
/// `Conn`, `ts`, `json` and `BACKEND` are that backend's).
macro_rules! shared {
    () => {
        /// Writes `events` to the outbox, in the transaction of the state change that
        /// causes them.
        pub(crate) async fn enqueue(
            conn: &mut Conn,
            events: &[orders_core::OutgoingEvent],
            at: chrono::DateTime<chrono::Utc>,
        ) -> Result<(), orders_core::StoreError> {
            const COLUMNS: usize = 7;
            for chunk in events.chunks(MAX_PARAMETERS / COLUMNS) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO outbox (event_id, event_type, topic, key, value, headers, created_at) ",
                );
                let mut rows = Vec::with_capacity(chunk.len());
                for event in chunk {
                    rows.push((event, crate::outbox::headers_json(&event.headers), ts(at)?));
                }
                query.push_values(rows, |mut b, (event, headers, at)| {
                    b.push_bind(event.event_id.to_string())
                        .push_bind(event.kind.as_str())
                        .push_bind(event.topic.as_str())
                        .push_bind(event.key.as_str())
                        .push_bind(event.value.as_slice())
                        .push_bind(headers)
                        .push_bind(at);
                });
                query
                    .build()
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| crate::error::store_error(BACKEND, "write the outbox", &e))?;
            }
            Ok(())
        }
    };
}
pub(crate) use shared;

/// SQLite: timestamps as `2025-12-05T21:15:00.000000Z` text, JSON as text.
pub(crate) mod sqlite {
    use crate::Backend;
    use crate::error::store_error;
    use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
    use orders_core::StoreError;
    use sqlx::sqlite::SqliteRow;
    use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool, Transaction};

    pub(crate) const BACKEND: Backend = Backend::Sqlite;
    pub(crate) type Conn = SqliteConnection;
    super::shared!();

    /// What to append to a `SELECT` that must lock its rows: nothing, since a SQLite
    /// write transaction holds the whole database.
    pub(crate) const FOR_UPDATE: &str = "";

    /// Serialises writers on `keys` until the transaction ends: nothing to do, since a
    /// SQLite write transaction holds the whole database from `BEGIN IMMEDIATE` on.
    pub(crate) async fn lock_keys(_conn: &mut Conn, _keys: &[&str]) -> Result<(), StoreError> {
        Ok(())
    }

    /// Bound parameters one statement may have (`SQLITE_MAX_VARIABLE_NUMBER` since 3.32).
    pub(crate) const MAX_PARAMETERS: usize = 32_766;

    /// Whether sqlx's migrations table exists.
    pub(crate) const MIGRATIONS_TABLE_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM sqlite_master \
         WHERE type = 'table' AND name = '_sqlx_migrations')";

    const TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";
    const TIMESTAMP_WIDTH: usize = "0000-00-00T00:00:00.000000Z".len();

    /// A write transaction that holds the write lock from its first statement, so that
    /// the busy timeout applies to taking it rather than to upgrading a read lock.
    pub(crate) async fn begin(
        pool: &SqlitePool,
        operation: &str,
    ) -> Result<Transaction<'static, Sqlite>, StoreError> {
        pool.begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| store_error(BACKEND, operation, &e))
    }

    /// A timestamp to bind. Fixed width (four-digit year, six fractional digits, `Z`),
    /// so that comparing the text compares the times.
    pub(crate) fn ts(t: DateTime<Utc>) -> Result<String, StoreError> {
        if !(0..=9999).contains(&t.year()) {
            return Err(StoreError::Failed(format!(
                "sqlite cannot keep the time {t}: outside the years 0000 to 9999"
            )));
        }
        Ok(t.format(TIMESTAMP_FORMAT).to_string())
    }

    /// Reads [`ts`]'s text back, refusing anything else, so that a row written by hand in
    /// another form (which would sort wrongly) is noticed.
    pub(crate) fn read_ts(row: &SqliteRow, column: &str) -> Result<DateTime<Utc>, String> {
        let text: String = row.try_get(column).map_err(|e| e.to_string())?;
        parse_ts(&text)
    }

    /// [`read_ts`] of a column that may be null.
    pub(crate) fn read_opt_ts(
        row: &SqliteRow,
        column: &str,
    ) -> Result<Option<DateTime<Utc>>, String> {
        let text: Option<String> = row.try_get(column).map_err(|e| e.to_string())?;
        text.as_deref().map(parse_ts).transpose()
    }

    pub(super) fn parse_ts(text: &str) -> Result<DateTime<Utc>, String> {
        NaiveDateTime::parse_from_str(text, TIMESTAMP_FORMAT)
            .ok()
            .filter(|_| text.len() == TIMESTAMP_WIDTH)
            .map(|t| t.and_utc())
            .ok_or_else(|| format!("`{text}` is not a timestamp like 2025-12-05T21:15:00.000000Z"))
    }

    /// A JSON document to bind.
    pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
        serde_json::to_string(value)
            .map_err(|e| StoreError::Failed(format!("cannot write JSON: {e}")))
    }

    /// A JSON column as the select list reads it (as text on both backends).
    pub(crate) fn json_column(column: &str) -> String {
        column.to_owned()
    }
}

/// Postgres: `timestamptz` (microseconds) and `jsonb`.
pub(crate) mod postgres {
    use crate::Backend;
    use crate::error::store_error;
    use chrono::{DateTime, Utc};
    use orders_core::StoreError;
    use sqlx::postgres::PgRow;
    use sqlx::types::Json;
    use sqlx::{PgConnection, PgPool, Postgres, Row, Transaction};

    pub(crate) const BACKEND: Backend = Backend::Postgres;
    pub(crate) type Conn = PgConnection;
    super::shared!();

    /// Locks the selected rows until the transaction ends: concurrent instances on one
    /// database then take turns on the same rows.
    pub(crate) const FOR_UPDATE: &str = " FOR UPDATE";

    /// Serialises writers on `keys` (correlation ids) until the transaction ends, so that
    /// two instances handling events of one order take turns: each reads what the other
    /// committed. Transaction-scoped advisory locks, taken in one order (by hash) so that
    /// two transactions cannot deadlock on them.
    pub(crate) async fn lock_keys(conn: &mut Conn, keys: &[&str]) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "SELECT count(pg_advisory_xact_lock(h)) FROM \
             (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY h) AS s",
        )
        .bind(keys)
        .execute(&mut *conn)
        .await
        .map_err(|e| store_error(BACKEND, "lock orders", &e))?;
        Ok(())
    }

    /// The protocol counts bind parameters in 16 bits.
    pub(crate) const MAX_PARAMETERS: usize = 65_535;

    /// Whether sqlx's migrations table exists (found through the `search_path`, as sqlx
    /// finds it).
    pub(crate) const MIGRATIONS_TABLE_EXISTS: &str =
        "SELECT to_regclass('_sqlx_migrations') IS NOT NULL";

    pub(crate) async fn begin(
        pool: &PgPool,
        operation: &str,
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        pool.begin()
            .await
            .map_err(|e| store_error(BACKEND, operation, &e))
    }

    /// A timestamp to bind: a `timestamptz`. A type of its own (not `Copy`, as SQLite's
    /// text is not), so that the shared code that binds one can clone it on both.
    #[derive(Debug, Clone, sqlx::Type)]
    #[sqlx(transparent)]
    pub(crate) struct Ts(DateTime<Utc>);

    pub(crate) fn ts(t: DateTime<Utc>) -> Result<Ts, StoreError> {
        Ok(Ts(t))
    }

    pub(crate) fn read_ts(row: &PgRow, column: &str) -> Result<DateTime<Utc>, String> {
        row.try_get(column).map_err(|e| e.to_string())
    }

    pub(crate) fn read_opt_ts(row: &PgRow, column: &str) -> Result<Option<DateTime<Utc>>, String> {
        row.try_get(column).map_err(|e| e.to_string())
    }

    pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<Json<&T>, StoreError> {
        Ok(Json(value))
    }

    pub(crate) fn json_column(column: &str) -> String {
        format!("{column}::text AS {column}")
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    #[test]
    fn sqlite_timestamps_are_fixed_width_text_that_sorts_and_round_trips_microseconds() {
        use super::sqlite::ts;
        let early =
            Utc.with_ymd_and_hms(999, 1, 2, 3, 4, 5).unwrap() + chrono::Duration::microseconds(7);
        let late = Utc.with_ymd_and_hms(2025, 12, 5, 21, 15, 0).unwrap()
            + chrono::Duration::microseconds(123_456);
        let (a, b) = (ts(early).unwrap(), ts(late).unwrap());
        assert_eq!(a, "0999-01-02T03:04:05.000007Z");
        assert_eq!(b, "2025-12-05T21:15:00.123456Z");
        assert!(a < b);
        let parse = |text: &str| super::sqlite::parse_ts(text);
        assert_eq!(parse(&a).unwrap(), early);
        assert_eq!(parse(&b).unwrap(), late);
        assert!(parse("2025-12-05T21:15:00Z").is_err());
        assert!(parse("2025-12-05 21:15:00.123456").is_err());
        let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
        assert!(ts(far).is_err());
    }
}
