//! Markov transition counts: `from,to,count[,value]`, as `mta sql --output
//! transitions` writes them (and `mta markov --transitions`, whose extra
//! `probability` column is ignored).
//!
//! A state is `(start)`, `(conversion)`, `(null)` or channel names joined
//! by the separator (`" > "`), as many as the chain's order; `value` is the
//! revenue of the conversions whose last state is `from`, so only rows into
//! `(conversion)` carry it. Rows with the same `from` and `to` add up: the
//! counts of several files (partitions of the customers) are one chain.

use crate::error::Result;
use crate::input::format::table::Table;
use crate::input::format::{Ask, or_stdin, read_table, table_stats};
use crate::input::rejects::{self, OnError, Reason, Rejection};
use crate::input::schema::ColumnRequest;
use crate::input::{FileStats, Source};
use crate::intern::Interner;

/// `from` of the transitions that begin every walk.
pub const START: &str = "(start)";
/// `to` of a walk that converts.
pub const CONVERSION: &str = "(conversion)";
/// `to` of a walk that ends without a conversion.
pub const NULL: &str = "(null)";

/// One end of a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// `(start)`.
    Start,
    /// `(conversion)`.
    Conversion,
    /// `(null)`.
    Null,
    /// A channel state: channel codes, first touch first.
    State(Vec<u32>),
}

/// One row read (rows with the same ends are not merged yet).
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// Where the walks come from.
    pub from: Node,
    /// Where they go.
    pub to: Node,
    /// Weight of the walks (journeys) taking the transition.
    pub count: f64,
    /// Revenue of their conversions (rows into `(conversion)` only).
    pub value: f64,
}

/// Every transition of the inputs, channels coded in name order.
#[derive(Debug, Default)]
pub struct TransitionTable {
    /// Channel names, sorted (code = rank).
    pub channels: Interner,
    /// The rows, in file order.
    pub rows: Vec<Transition>,
    /// Whether some file had no `value` column (its revenue is unknown).
    pub missing_value: bool,
    /// Per file: rows read.
    pub files: Vec<FileStats>,
    /// Rows skipped by `--on-error skip`, in file order.
    pub rejections: Vec<Rejection>,
}

/// Reads transition count files; `sep` separates channels within a state,
/// which has at most `order` channels (the order the counts were written with).
pub fn load(sources: &[Source], dialect: &crate::input::Dialect, sep: &str, order: usize, on_error: OnError) -> Result<TransitionTable> {
    let format = "transition counts have the columns `from,to,count[,value]` (`mta sql --output transitions`)";
    let requests = [
        ColumnRequest::described("from", format),
        ColumnRequest::described("to", format),
        ColumnRequest::described("count", format),
        ColumnRequest::optional("value", ""),
    ];
    let ask = Ask {
        dialect,
        columns: &requests,
        what: "transition",
        on_error,
    };
    let mut names = Interner::new();
    let mut out = TransitionTable::default();
    for source in or_stdin(sources) {
        let table = read_table(source, ask)?;
        let (mut counts, mut values) = (Vec::new(), Vec::new());
        table.amounts(2, "a transition count", Reason::InvalidCount, &mut counts)?;
        match table.columns[3] {
            Some(_) => table.amounts(3, "a conversion value", Reason::InvalidValue, &mut values)?,
            None => {
                out.missing_value = true;
                values.resize(table.height, 0.0);
            }
        }
        let [from, to] = nodes(&table, sep, order, &mut names)?;
        for (row, ((from, to), (&count, &value))) in from.into_iter().zip(to).zip(counts.iter().zip(&values)).enumerate() {
            if let Some((col, expected)) = walk_problem(&from, &to, value) {
                let found = match col {
                    0 => node_text(&from, &names, sep),
                    1 => node_text(&to, &names, sep),
                    _ => value.to_string(),
                };
                table.reject(col, row, &found, expected, Reason::InvalidTransition)?;
            }
            out.rows.push(Transition { from, to, count, value });
        }
        let drop = table.dropped_rows();
        let first = out.rows.len() - table.height;
        rejects::retain_tail(&mut out.rows, first, &drop);
        out.files.push(table_stats(&table, &mut out.rejections));
    }
    out.channels = renumber_by_name(&names, &mut out.rows);
    Ok(out)
}

/// The `from` and `to` nodes of every row of `table`: the special states,
/// or channels separated by `sep`, at most `order` of them.
fn nodes(table: &Table, sep: &str, order: usize, names: &mut Interner) -> Result<[Vec<Node>; 2]> {
    let sep = if sep.trim().is_empty() { sep } else { sep.trim() };
    let mut ends: [Vec<Node>; 2] = [Vec::with_capacity(table.height), Vec::with_capacity(table.height)];
    for (col, nodes) in ends.iter_mut().enumerate() {
        table.for_each_text(col, "a state", Reason::InvalidTransition, |row, text| {
            let node = match text {
                START => Node::Start,
                CONVERSION => Node::Conversion,
                NULL => Node::Null,
                "" => Node::State(Vec::new()),
                _ => {
                    let codes: Vec<u32> = text.split(sep).map(str::trim).map(|n| names.intern(n)).collect();
                    let empty = text.split(sep).any(|n| n.trim().is_empty());
                    if empty || codes.len() > order {
                        let why = if empty {
                            format!("channel names separated by `{sep}` (an empty name: a doubled or trailing separator?)")
                        } else {
                            format!("a state of at most {order} channels (`--markov-order {order}`; pass the order the transitions were written with)")
                        };
                        table.reject(col, row, text, why, Reason::InvalidTransition)?;
                    }
                    Node::State(codes)
                }
            };
            nodes.push(node);
            Ok(())
        })?;
    }
    Ok(ends)
}

/// What is wrong with a transition no walk takes, if anything: the column
/// at fault (0 from, 1 to, 3 value) and what it should have held.
fn walk_problem(from: &Node, to: &Node, value: f64) -> Option<(usize, &'static str)> {
    match (from, to) {
        (Node::Conversion | Node::Null, _) => Some((
            0,
            "a state walks leave: `(start)` or channels (`(conversion)` and `(null)` end a walk)",
        )),
        (_, Node::Start) => Some((
            1,
            "a state walks enter: channels, `(conversion)` or `(null)` (`(start)` begins a walk)",
        )),
        (Node::Start, Node::Conversion | Node::Null) => Some((
            1,
            "channels: a walk from `(start)` enters a channel state first (a conversion without touches has no path)",
        )),
        (_, Node::Conversion) => None,
        _ if value > 0.0 => Some((3, "0: only rows into `(conversion)` carry revenue")),
        _ => None,
    }
}

/// The channels of the rows kept, in name order as journeys number their
/// channels (names seen only on skipped rows left out); the rows' codes
/// renumbered to match.
fn renumber_by_name(names: &Interner, rows: &mut [Transition]) -> Interner {
    let mut used = vec![false; names.len()];
    for t in rows.iter() {
        for node in [&t.from, &t.to] {
            if let Node::State(codes) = node {
                codes.iter().for_each(|&c| used[c as usize] = true);
            }
        }
    }
    let mut kept: Vec<(&str, u32)> = (0..names.len() as u32)
        .filter(|&c| used[c as usize])
        .map(|c| (names.name(c), c))
        .collect();
    kept.sort_unstable();
    let mut channels = Interner::new();
    let mut code = vec![0u32; names.len()];
    for (rank, &(name, old)) in kept.iter().enumerate() {
        code[old as usize] = rank as u32;
        channels.intern(name);
    }
    for t in rows.iter_mut() {
        for node in [&mut t.from, &mut t.to] {
            if let Node::State(codes) = node {
                codes.iter_mut().for_each(|c| *c = code[*c as usize]);
            }
        }
    }
    channels
}

/// A node as written in the file.
fn node_text(node: &Node, names: &Interner, sep: &str) -> String {
    match node {
        Node::Start => START.into(),
        Node::Conversion => CONVERSION.into(),
        Node::Null => NULL.into(),
        Node::State(codes) => codes.iter().map(|&c| names.name(c)).collect::<Vec<_>>().join(sep),
    }
}
