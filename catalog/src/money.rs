//! Money as text: exact parsing of decimal strings into unscaled integers and back. Every stage
//! reads and writes amounts through these, so that none rounds on its own.

/// Parses a decimal string such as `-1234.5` into an unscaled integer at `scale`.
/// Refuses more fractional digits than the scale holds: money is never rounded silently.
pub fn parse_decimal(text: &str, scale: u32) -> Result<i128, String> {
    let trimmed = text.trim();
    // Exports write tiny costs as `4.8E-9` and DynamoDB numbers may carry an exponent: the
    // point is moved in the text, so the value stays exact.
    if let Some((mantissa, exponent)) = trimmed.split_once(['e', 'E']) {
        let exponent: i32 = exponent
            .parse()
            .map_err(|_| format!("'{text}' is not a decimal number"))?;
        let plain = shift_decimal_point(mantissa, exponent)
            .ok_or_else(|| format!("'{text}' is not a decimal number"))?;
        return parse_decimal(&plain, scale)
            .map_err(|reason| reason.replace(&format!("'{plain}'"), &format!("'{text}'")));
    }
    let (negative, digits) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(format!("'{text}' is not a decimal number"));
    }
    let significant_fraction = fraction.trim_end_matches('0');
    if significant_fraction.len() > scale as usize {
        return Err(format!("'{text}' has more than {scale} decimal places"));
    }
    if whole.len() + scale as usize > 36 {
        return Err(format!("'{text}' is too large"));
    }
    let mut unscaled: i128 = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .map_err(|_| format!("'{text}' is too large"))?
    };
    for position in 0..scale as usize {
        let digit = significant_fraction
            .as_bytes()
            .get(position)
            .map_or(0, |byte| i128::from(byte - b'0'));
        unscaled = unscaled * 10 + digit;
    }
    Ok(if negative { -unscaled } else { unscaled })
}

/// `mantissa × 10^exponent` written without exponent, or `None` past any sane magnitude.
fn shift_decimal_point(mantissa: &str, exponent: i32) -> Option<String> {
    if exponent.unsigned_abs() > 60 {
        return None;
    }
    let (sign, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = format!("{whole}{fraction}");
    let point = whole.len() as i32 + exponent;
    let shifted = if point <= 0 {
        format!(
            "0.{}{all_digits}",
            "0".repeat(point.unsigned_abs() as usize)
        )
    } else if point as usize >= all_digits.len() {
        format!(
            "{all_digits}{}",
            "0".repeat(point as usize - all_digits.len())
        )
    } else {
        let (left, right) = all_digits.split_at(point as usize);
        format!("{left}.{right}")
    };
    Some(format!("{sign}{shifted}"))
}

/// Formats an unscaled decimal at `scale`, as in `-1234.50`.
pub fn format_decimal(unscaled: i128, scale: u32) -> String {
    let divisor = 10_i128.pow(scale);
    let sign = if unscaled < 0 { "-" } else { "" };
    let magnitude = unscaled.unsigned_abs();
    if scale == 0 {
        return format!("{sign}{magnitude}");
    }
    let divisor = divisor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        magnitude / divisor,
        magnitude % divisor,
        width = scale as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly_and_refuse_extra_precision() {
        assert_eq!(parse_decimal("1234.5", 2), Ok(123450));
        assert_eq!(parse_decimal("-0.01", 2), Ok(-1));
        assert_eq!(parse_decimal("10000", 2), Ok(1_000_000));
        assert_eq!(parse_decimal("1.2300", 2), Ok(123));
        assert!(parse_decimal("1.234", 2).is_err());
        assert!(parse_decimal("12a", 2).is_err());
        assert!(parse_decimal("", 2).is_err());
        assert!(parse_decimal(".", 2).is_err());
    }

    #[test]
    fn decimals_with_an_exponent_stay_exact() {
        assert_eq!(parse_decimal("4.8E-9", 12), Ok(4_800));
        assert_eq!(parse_decimal("1e2", 2), Ok(10_000));
        assert_eq!(parse_decimal("-1.25E+1", 2), Ok(-1_250));
        assert_eq!(parse_decimal("123.456e-1", 4), Ok(123_456));
        assert!(parse_decimal("1E-9", 2)
            .unwrap_err()
            .contains("'1E-9' has more than 2 decimal places"));
        assert!(parse_decimal("1E", 2).is_err());
    }

    #[test]
    fn decimals_format_back_to_their_text() {
        assert_eq!(format_decimal(123450, 2), "1234.50");
        assert_eq!(format_decimal(-1, 2), "-0.01");
        assert_eq!(format_decimal(7, 0), "7");
    }
}
