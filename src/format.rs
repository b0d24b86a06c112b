//! Numbers as people read them: fixed decimals that never show `-0.00`,
//! thousands separators. Shared by the stderr summary, the report's
//! messages and every exporter, so that a figure reads the same everywhere.

use std::fmt::Write;

/// Appends `x` with `places` decimals; never `-0.000`.
pub fn push_fixed(buf: &mut String, x: f64, places: usize) {
    let start = buf.len();
    let _ = write!(buf, "{x:.places$}");
    if buf[start..].starts_with('-') && buf[start + 1..].bytes().all(|b| b == b'0' || b == b'.') {
        buf.remove(start);
    }
}

/// Fixed-point text with `places` decimals; never prints `-0.000`.
pub fn fixed(x: f64, places: usize) -> String {
    let mut s = String::new();
    push_fixed(&mut s, x, places);
    s
}

/// `1234567.891` with 2 places -> `1,234,567.89`: figures for people
/// (the stderr summary, the HTML report).
pub fn thousands(x: f64, places: usize) -> String {
    let s = fixed(x, places);
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::from(sign);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A count for people: no decimals when whole, else 2, with separators.
pub fn count(x: f64) -> String {
    thousands(x, if x.fract() == 0.0 { 0 } else { 2 })
}

/// A count in JSON: an integer when whole (path aggregates' weights may
/// not be), else the number.
pub fn serialize_count<S: serde::Serializer>(x: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        s.serialize_i64(*x as i64)
    } else {
        s.serialize_f64(*x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_never_prints_negative_zero() {
        assert_eq!(fixed(-0.0000001, 6), "0.000000");
        assert_eq!(fixed(-1.5, 2), "-1.50");
        assert_eq!(fixed(2.0 / 3.0, 6), "0.666667");
        assert_eq!(fixed(-0.0, 0), "0");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1234567.891, 2), "1,234,567.89");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(count(88387.0), "88,387");
        assert_eq!(count(2.5), "2.50");
    }
}
