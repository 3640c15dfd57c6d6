//! What differs between the two backends, behind the same names, so that every query is
//! written once: [`on_backend!`](crate::on_backend) runs one body with `d` bound to the
//! backend's module here and `pool` to its pool.
//!
//! SQL itself is shared: `$1`-style placeholders (SQLite reads them too), `ON CONFLICT`,
//! `RETURNING`. What is not shared is representation: SQLite keeps timestamps as
//! fixed-width text (see the crate docs) and JSON as text; Postgres has `timestamptz` and
//! `jsonb`. And how a write transaction starts: SQLite takes its one write lock up front.

/// SQLite: timestamps as `2025-12-05T21:15:00.000000Z` text, JSON as text.
pub(crate) mod sqlite {
    use crate::Backend;
    use crate::error::store_error;
    use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
    use orders_core::StoreError;
    use sqlx::sqlite::SqliteRow;
    use sqlx::{Row, Sqlite, SqlitePool, Transaction};

    pub(crate) const BACKEND: Backend = Backend::Sqlite;

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
    use sqlx::{PgPool, Postgres, Row, Transaction};

    pub(crate) const BACKEND: Backend = Backend::Postgres;

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

    pub(crate) fn ts(t: DateTime<Utc>) -> Result<DateTime<Utc>, StoreError> {
        Ok(t)
    }

    pub(crate) fn read_ts(row: &PgRow, column: &str) -> Result<DateTime<Utc>, String> {
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
