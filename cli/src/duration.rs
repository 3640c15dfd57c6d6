//! Durations on the command line: `500ms`, `5s`, `2m`, `1h`, or plain seconds.

use std::time::Duration;

/// A timeout or a length of time: zero is refused, since nothing can be done in it.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let duration = parse_duration_or_zero(s)?;
    if duration.is_zero() {
        return Err(format!(
            "expected a duration longer than zero, got {:?}",
            s.trim()
        ));
    }
    Ok(duration)
}

/// A delay that may be zero (none).
pub fn parse_duration_or_zero(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("expected a duration such as 500ms, 5s or 2m, got {s:?}"))?;
    let seconds = match unit.trim() {
        "ms" => value / 1e3,
        "" | "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {s:?} (use ms, s, m or h)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("duration out of range: {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn bad_durations_name_the_problem() {
        assert!(
            parse_duration("fast")
                .unwrap_err()
                .contains("expected a duration")
        );
        assert!(
            parse_duration("5 parsecs")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(parse_duration("-1s").is_err());
        assert!(
            parse_duration("0s")
                .unwrap_err()
                .contains("longer than zero")
        );
        assert_eq!(parse_duration_or_zero("0s"), Ok(Duration::ZERO));
    }
}
