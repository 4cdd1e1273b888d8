//! Kubernetes quantities as bytes (`100Mi`, `2Gi`, `1.5G`, `500k`), the subset the `Creator`
//! schema admits.

/// The number of bytes `quantity` stands for; `None` when it is not a quantity of that form.
pub fn bytes(quantity: &str) -> Option<i64> {
    let split = quantity
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(quantity.len());
    let (number, suffix) = quantity.split_at(split);
    let factor: f64 = match suffix {
        "" => 1.0,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let value: f64 = number.parse().ok()?;
    let total = (value * factor).round();
    (total.is_finite() && total >= 0.0 && total <= i64::MAX as f64).then_some(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_decimal_suffixes() {
        assert_eq!(bytes("100Mi"), Some(104_857_600));
        assert_eq!(bytes("2Gi"), Some(2_147_483_648));
        assert_eq!(bytes("1.5G"), Some(1_500_000_000));
        assert_eq!(bytes("500k"), Some(500_000));
        assert_eq!(bytes("42"), Some(42));
    }

    #[test]
    fn anything_else_is_not_a_quantity() {
        for bad in ["", "Mi", "-5Mi", "5Xi", "1.2.3G", "99999999999999Ti"] {
            assert_eq!(bytes(bad), None, "{bad}");
        }
    }
}
