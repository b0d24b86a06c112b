//! Conversion types: purchase, sign-up, lead... in one export.
//!
//! A conversion's type comes from a `conversion_type` column (`--type-col`)
//! or, in event-level exports, from its event name (`--conversion-events`).
//! `--conversion-types` keeps some of them before journeys are built; the
//! journey stage can also build one set of journeys per type (`--by
//! conversion-type`).

use serde::Serialize;

use super::{Conversions, Events};
use crate::intern::Interner;

/// The type of a conversion whose type cell is empty (GA4's spelling).
pub const NOT_SET: &str = "(not set)";

/// The types of an input's conversions.
#[derive(Debug, Clone, Default)]
pub struct ConversionTypes {
    /// Type names (codes in first-appearance order).
    pub names: Interner,
    /// Per conversion: its type code. Parallel to the rows with inline
    /// conversions (read where the flag is set), to the conversions otherwise.
    pub code: Vec<u32>,
}

impl ConversionTypes {
    /// The types with an empty name (an empty type cell) named GA4's
    /// `(not set)`.
    pub(crate) fn with_not_set(mut self) -> Self {
        let empty = self.names.iter().position(str::is_empty);
        if let Some(empty) = empty {
            let mut renamed = Interner::new();
            for (i, name) in self.names.iter().enumerate() {
                renamed.intern(if i == empty { NOT_SET } else { name });
            }
            self.names = renamed;
        }
        self
    }

    /// Conversions read of each type, by name (before `--conversion-types`).
    pub fn counts(&self, conversions: &Conversions) -> std::collections::BTreeMap<String, u64> {
        self.tally(conversions).into_iter().map(|(t, (n, _))| (t, n)).collect()
    }

    /// Conversions and revenue of each type that has any, in name order.
    pub fn tally(&self, conversions: &Conversions) -> std::collections::BTreeMap<String, (u64, f64)> {
        let mut n = vec![(0u64, 0.0f64); self.names.len()];
        match conversions {
            Conversions::Inline { flag, value } => {
                for (row, _) in flag.iter().enumerate().filter(|(_, f)| **f) {
                    let t = &mut n[self.code[row] as usize];
                    t.0 += 1;
                    t.1 += value.get(row).copied().unwrap_or(0.0);
                }
            }
            Conversions::Separate { value, .. } => {
                for (row, &c) in self.code.iter().enumerate() {
                    let t = &mut n[c as usize];
                    t.0 += 1;
                    t.1 += value.get(row).copied().unwrap_or(0.0);
                }
            }
            Conversions::None => {}
        }
        self.names.iter().map(str::to_string).zip(n).filter(|(_, k)| k.0 > 0).collect()
    }
}

/// What `--conversion-types` removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RemovedByType {
    /// Conversions of the other types.
    pub conversions: u64,
    /// Their revenue.
    pub revenue: f64,
    /// Types asked for that no conversion has.
    #[serde(skip)]
    pub unknown: Vec<String>,
}

impl ConversionTypes {
    /// Which type codes `names` (matched case-insensitively) select, and
    /// the names that match no type.
    pub fn select(&self, names: &[String]) -> (Vec<bool>, Vec<String>) {
        let wanted: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
        let have: Vec<String> = self.names.iter().map(str::to_lowercase).collect();
        let keep = have.iter().map(|h| wanted.contains(h)).collect();
        let unknown = names
            .iter()
            .zip(&wanted)
            .filter(|(_, w)| !have.contains(w))
            .map(|(n, _)| n.clone())
            .collect();
        (keep, unknown)
    }
}

/// `--conversion-types`: removes the conversions of other types. With
/// inline conversions their rows stay as ordinary touches; conversions of
/// a separate file (or of conversion events) go.
pub fn keep_types(ev: &mut Events, names: &[String]) -> RemovedByType {
    let types = ev.types.as_mut().expect("checked by the caller: the input has conversion types");
    let (keep, unknown) = types.select(names);
    let mut removed = RemovedByType {
        unknown,
        ..Default::default()
    };
    match &mut ev.conversions {
        Conversions::Inline { flag, value } => {
            for (row, f) in flag.iter_mut().enumerate() {
                if *f && !keep[types.code[row] as usize] {
                    *f = false;
                    removed.conversions += 1;
                    removed.revenue += value[row];
                }
            }
        }
        Conversions::Separate { customer, time, value, .. } => {
            let kept: Vec<bool> = types.code.iter().map(|&c| keep[c as usize]).collect();
            removed.conversions = kept.iter().filter(|k| !**k).count() as u64;
            removed.revenue = value.iter().zip(&kept).filter(|(_, k)| !**k).map(|(v, _)| v).sum();
            retain(customer, &kept);
            retain(time, &kept);
            retain(value, &kept);
            retain(&mut types.code, &kept);
        }
        Conversions::None => {}
    }
    removed
}

/// `--milestones`: takes the conversions of the milestone types out of
/// the conversions (an inline one stays as a touch, as with
/// `--conversion-types`), keeping each one's customer, time and stage.
/// Returns them and the names that match no type.
pub fn take_milestones(ev: &mut Events, names: &[String]) -> (super::Milestones, Vec<String>) {
    let types = ev.types.as_ref().expect("checked by the caller: the input has conversion types");
    let mut stage_of = vec![None; types.names.len()];
    let mut unknown = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let (hit, missing) = types.select(std::slice::from_ref(name));
        unknown.extend(missing);
        for (code, _) in hit.iter().enumerate().filter(|(_, h)| **h) {
            stage_of[code] = Some(k as u8);
        }
    }
    let mut m = super::Milestones {
        types: names.to_vec(),
        ..Default::default()
    };
    match &ev.conversions {
        Conversions::Inline { flag, .. } => {
            for (row, _) in flag.iter().enumerate().filter(|(_, f)| **f) {
                if let Some(k) = stage_of[types.code[row] as usize] {
                    m.customer.push(ev.customer[row]);
                    m.time.push(ev.time[row]);
                    m.stage.push(k);
                }
            }
        }
        Conversions::Separate { customer, time, .. } => {
            for (i, &code) in types.code.iter().enumerate() {
                if let Some(k) = stage_of[code as usize] {
                    m.customer.push(customer[i]);
                    m.time.push(time[i]);
                    m.stage.push(k);
                }
            }
        }
        Conversions::None => {}
    }
    let others: Vec<String> = types
        .names
        .iter()
        .enumerate()
        .filter(|(code, _)| stage_of[*code].is_none())
        .map(|(_, n)| n.to_string())
        .collect();
    keep_types(ev, &others);
    (m, unknown)
}

fn retain<T>(v: &mut Vec<T>, keep: &[bool]) {
    let mut k = keep.iter();
    v.retain(|_| *k.next().expect("one flag per item"));
}
