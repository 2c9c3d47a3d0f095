//! A series of repeated measurements and its min / median / max.

use std::fmt::Write as _;

/// Repeated measurements of one figure.
#[derive(Debug, Clone, Default)]
pub(crate) struct Series {
    values: Vec<f64>,
}

impl Series {
    pub(crate) fn push(&mut self, value: f64) {
        if value.is_finite() {
            self.values.push(value);
        }
    }

    /// The values, in the order they were pushed.
    pub(crate) fn values(&self) -> &[f64] {
        &self.values
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn sorted(&self) -> Vec<f64> {
        let mut sorted = self.values.clone();
        sorted.sort_by(f64::total_cmp);
        sorted
    }

    pub(crate) fn min(&self) -> Option<f64> {
        self.sorted().first().copied()
    }

    pub(crate) fn max(&self) -> Option<f64> {
        self.sorted().last().copied()
    }

    /// The median (the mean of the two middle values for an even count).
    pub(crate) fn median(&self) -> Option<f64> {
        let sorted = self.sorted();
        let n = sorted.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(sorted[n / 2]),
            _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
        }
    }

    /// `median (min – max, n=N)` with `digits` decimals, or `not measured`.
    pub(crate) fn describe(&self, digits: usize) -> String {
        match (self.min(), self.median(), self.max()) {
            (Some(min), Some(median), Some(max)) if self.len() > 1 => format!(
                "{} ({} – {}, n={})",
                fmt_num(median, digits),
                fmt_num(min, digits),
                fmt_num(max, digits),
                self.len()
            ),
            (Some(_), Some(median), Some(_)) => format!("{} (n=1)", fmt_num(median, digits)),
            _ => "not measured".to_owned(),
        }
    }
}

/// A number with thousands separators (for large values) and `digits` decimals.
pub(crate) fn fmt_num(value: f64, digits: usize) -> String {
    let text = format!("{value:.digits$}");
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) => (int.to_owned(), Some(frac.to_owned())),
        None => (text.clone(), None),
    };
    let (sign, digits_only) = match int.strip_prefix('-') {
        Some(rest) => ("-", rest.to_owned()),
        None => ("", int),
    };
    let mut grouped = String::new();
    let len = digits_only.len();
    for (i, c) in digits_only.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let mut out = format!("{sign}{grouped}");
    if let Some(frac) = frac {
        let _ = write!(out, ".{frac}");
    }
    out
}

/// `a / b` of two medians, when both exist.
pub(crate) fn ratio(a: &Series, b: &Series) -> Option<f64> {
    match (a.median(), b.median()) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max() {
        let mut s = Series::default();
        for v in [3.0, 1.0, 2.0, f64::NAN] {
            s.push(v);
        }
        assert_eq!(
            (s.min(), s.median(), s.max()),
            (Some(1.0), Some(2.0), Some(3.0))
        );
        s.push(10.0);
        assert_eq!(s.median(), Some(2.5));
        assert_eq!(s.describe(1), "2.5 (1.0 – 10.0, n=4)");
    }

    #[test]
    fn numbers() {
        assert_eq!(fmt_num(16350.04, 0), "16,350");
        assert_eq!(fmt_num(1234.5, 1), "1,234.5");
        assert_eq!(fmt_num(-999.0, 0), "-999");
        assert_eq!(fmt_num(1234567.0, 0), "1,234,567");
        assert_eq!(fmt_num(0.123, 2), "0.12");
    }
}
