//! Sizes as `site.toml` writes them (`"5 MB"`, `500000`) and as messages show them.
//!
//! Pure text ↔ number conversions for the `[build]` size limits; no configuration types.

/// A size for people: `1.2 MB`, `850 KB`, `312 bytes` (decimal units, as the limits are written).
pub(crate) fn describe_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "KB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let tenths = (bytes * 10 + unit / 2) / unit;
            return if tenths.is_multiple_of(10) {
                format!("{} {name}", tenths / 10)
            } else {
                format!("{}.{} {name}", tenths / 10, tenths % 10)
            };
        }
    }
    format!("{bytes} bytes")
}

/// Reads a size as `site.toml` writes it: a number of bytes (`5000000`) or a number with a
/// unit (`"5 MB"`, `"500KB"`, `"1.5 GB"`, `"2 MiB"`). KB, MB and GB are powers of 1000;
/// KiB, MiB and GiB powers of 1024; units are case-insensitive.
pub(super) fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let not_a_size = || {
        format!(
            "{text:?} is not a size: write a number of bytes or a number with a unit, such as \"10 MB\" or \"500 KB\""
        )
    };
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = (&text[..split], text[split..].trim());
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" | "byte" | "bytes" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return Err(not_a_size()),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || whole.len() > 12 || fraction.len() > 6 {
        return Err(not_a_size());
    }
    let whole: u64 = whole.parse().map_err(|_| not_a_size())?;
    let fraction_value: u64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| not_a_size())?
    };
    let scale = 10u64.pow(fraction.len() as u32);
    let bytes = whole
        .checked_mul(multiplier)
        .and_then(|bytes| bytes.checked_add(fraction_value.checked_mul(multiplier)? / scale))
        .ok_or_else(not_a_size)?;
    if bytes == 0 {
        return Err(format!(
            "{text:?} would publish nothing; give a size above zero"
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_bytes_and_decimal_and_binary_units() {
        assert_eq!(parse_size("5 MB"), Ok(5_000_000));
        assert_eq!(parse_size("500KB"), Ok(500_000));
        assert_eq!(parse_size("1.5 gb"), Ok(1_500_000_000));
        assert_eq!(parse_size("2 MiB"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_size("1024"), Ok(1024));
        for bad in ["", "MB", "5 parsecs", "0", "1.2.3 MB", "99999999999999 GB"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sizes_are_described_in_decimal_units() {
        assert_eq!(describe_size(312), "312 bytes");
        assert_eq!(describe_size(2_000), "2 KB");
        assert_eq!(describe_size(1_250_000), "1.3 MB");
        assert_eq!(describe_size(150_000_000), "150 MB");
    }
}
