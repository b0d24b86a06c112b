//! Touchpoint events: the rows of every touchpoint file (and of a
//! conversions file) read chunk by chunk into typed columns kept in step,
//! rows left out (bad, anonymous, repeated orders) dropped from all of them
//! at once, conversions told apart (a flag, conversion events, a file),
//! customers interned; out of core, rows sent to partition files as soon as
//! they pass the budget.

use super::super::accounts::{AccountKeys, AccountSource};
use super::super::format::schema::{ColumnMap, ColumnRequest};
use super::super::format::table::{Table, ThousandsCheck, TimeColumn};
use super::super::format::{Ask, or_stdin, read_tables, table_stats};
use super::super::parted::partitioned;
use super::super::{
    ConversionTypes, Conversions, ConversionsFile, ConversionsFrom, Events, FileStats, InputSpec, Loaded, MergedIds, OutOfCore, Reason,
    Source, conversion_types, progress, rejects, spill,
};
use super::ga4;
use crate::channels;
use crate::error::{Error, Result};
use crate::intern::{Interner, customers};

/// Bytes of typed columns per row while reading, besides the id: time,
/// channel, flag, value, type and channel-rule codes.
const ROW_BYTES: usize = 8 + 4 + 1 + 8 + 4 + 4;

/// Reads every touchpoint source (and the conversions file, if any), out
/// of core when `can_partition` and the typed columns pass the budget.
pub(crate) fn read(spec: &InputSpec, can_partition: bool) -> Result<Loaded> {
    if let Some(identity) = spec.ga4 {
        let mut ev = ga4::load(spec, identity)?;
        keep_conversion_types(&mut ev, spec)?;
        return Ok(Loaded::Whole(ev));
    }
    let slots = Slots::new(spec);
    let mut reader = EventReader::new(spec, &slots, can_partition)?;
    let sources = or_stdin(&spec.sources);
    for source in sources.iter().chain(spec.conversions.as_ref().map(|c| &c.source)) {
        if let Source::File(p) = source {
            let len = std::fs::metadata(p).map_or(0, |m| m.len());
            progress::expect(len);
            reader.input_bytes += len;
        }
    }
    for source in sources {
        // `--time-format auto` reads a file's times by its first one, in every chunk.
        let mut first_time: Option<String> = None;
        let ask = Ask {
            dialect: &spec.dialect,
            columns: &slots.requests,
            what: "touchpoint",
            on_error: spec.on_error,
        };
        let file = read_tables(source, ask, spec.chunk_bytes(), |table| reader.table(table, &mut first_time))?;
        reader.ev.files.push(file);
    }
    reader.finish()
}

/// How the touchpoint files carry conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A conversion flag (and value) on the converting touch.
    Inline,
    /// `--conversion-events`: rows of the named events are conversions.
    Events,
    /// `--conversions FILE`: the touchpoint files hold touches only.
    Separate,
}

/// The columns asked of every touchpoint file, and where each is among
/// the requests (`None`: not asked in this mode).
struct Slots<'a> {
    requests: Vec<ColumnRequest<'a>>,
    mode: Mode,
    /// Without channel rules: the channel column (optional: source and
    /// medium may stand in).
    channel: Option<usize>,
    flag: Option<usize>,
    event: Option<usize>,
    value: Option<usize>,
    kind: Option<usize>,
    order: Option<usize>,
    /// `--account-col`: the account column.
    account: Option<usize>,
    /// Source, medium, campaign.
    utm: [usize; 3],
}

/// Customer id and timestamp are always the first two requests.
const CUSTOMER: usize = 0;
const TIME: usize = 1;

impl<'a> Slots<'a> {
    fn new(spec: &'a InputSpec) -> Self {
        let cols = &spec.columns;
        let mode = match (&spec.conversions, &spec.conversion_events) {
            (Some(_), _) => Mode::Separate,
            (None, Some(_)) => Mode::Events,
            (None, None) => Mode::Inline,
        };
        let explicit_rules = spec.channel_rules.is_some();
        let mut requests = vec![
            ColumnRequest::required(&cols.customer, "--customer-col"),
            ColumnRequest::required(&cols.timestamp, "--time-col"),
        ];
        let mut add = |wanted: bool, r: ColumnRequest<'a>| {
            wanted.then(|| {
                requests.push(r);
                requests.len() - 1
            })
        };
        let channel = add(!explicit_rules, ColumnRequest::optional(&cols.channel, "--channel-col"));
        let flag = add(
            mode == Mode::Inline,
            ColumnRequest {
                advice: Some(
                    "or give conversions in a separate file with `--conversions FILE`, or name conversion events with `--conversion-events`",
                ),
                required: !spec.touches_only,
                ..ColumnRequest::required(&cols.conversion, "--conversion-col")
            },
        );
        let event = add(mode == Mode::Events, ColumnRequest::required(&cols.event, "--event-col"));
        let value = add(
            mode != Mode::Separate,
            ColumnRequest {
                required: cols.value_required,
                ..ColumnRequest::optional(&cols.value, "--value-col")
            },
        );
        let kind = add(
            mode == Mode::Inline,
            ColumnRequest {
                required: cols.type_required,
                ..ColumnRequest::optional(&cols.conversion_type, "--type-col")
            },
        );
        let order = match (&cols.order, mode) {
            (Some(name), Mode::Inline | Mode::Events) => add(true, ColumnRequest::required(name, "--order-col")),
            _ => None,
        };
        let account = match spec.accounts.as_ref().map(|a| &a.source) {
            Some(AccountSource::Column { touches, .. }) => add(true, ColumnRequest::required(touches, "--account-col")),
            _ => None,
        };
        let utm = [
            (&cols.source, "--source-col", explicit_rules, "utm_source"),
            (&cols.medium, "--medium-col", explicit_rules, "utm_medium"),
            (&cols.campaign, "--campaign-col", false, "utm_campaign"),
        ]
        .map(|(name, flag, required, utm)| {
            let request = ColumnRequest {
                required,
                fallback: cols.utm_fallback.then_some(utm),
                ..ColumnRequest::optional(name, flag)
            };
            add(true, request).expect("added")
        });
        Slots {
            requests,
            mode,
            channel,
            flag,
            event,
            value,
            kind,
            order,
            account,
            utm,
        }
    }
}

/// The touchpoint files' per-row columns, kept in step: each column in use
/// holds one value per row kept so far (one not used in this mode stays
/// empty), and rows are dropped from all of them at once.
#[derive(Default)]
struct RowColumns {
    ids: customers::RowIds,
    time: Vec<i64>,
    channel: Vec<u32>,
    /// Inline and event mode: whether the row is a conversion.
    flag: Vec<bool>,
    /// Inline and event mode: the row's revenue.
    value: Vec<f64>,
    /// Inline rows of files with a type column: the conversion type's code.
    kind: Vec<u32>,
    /// Event mode: the event name's code.
    event: Vec<u32>,
    /// `--order-col`: the order id's code.
    order: Vec<u32>,
}

impl RowColumns {
    fn len(&self) -> usize {
        self.ids.len()
    }

    /// Drops rows `drop` (sorted, relative to `start`) from every column in use.
    fn drop_rows(&mut self, start: usize, drop: &[usize]) {
        fn tail<T>(v: &mut Vec<T>, start: usize, drop: &[usize]) {
            if v.len() > start {
                rejects::retain_tail(v, start, drop);
            }
        }
        if drop.is_empty() {
            return;
        }
        self.ids.retain_tail(start, drop);
        tail(&mut self.time, start, drop);
        tail(&mut self.channel, start, drop);
        tail(&mut self.flag, start, drop);
        tail(&mut self.value, start, drop);
        tail(&mut self.kind, start, drop);
        tail(&mut self.event, start, drop);
        tail(&mut self.order, start, drop);
        debug_assert!(self.in_step(), "columns out of step");
    }

    /// Every column in use has one value per row.
    fn in_step(&self) -> bool {
        let n = self.len();
        [
            self.time.len(),
            self.channel.len(),
            self.flag.len(),
            self.value.len(),
            self.kind.len(),
            self.event.len(),
            self.order.len(),
        ]
        .iter()
        .all(|&len| len == 0 || len == n)
    }

    /// Drops every row (the memory is kept for the next ones).
    fn clear(&mut self) {
        self.ids.clear();
        self.time.clear();
        self.channel.clear();
        self.flag.clear();
        self.value.clear();
        self.kind.clear();
        self.event.clear();
        self.order.clear();
    }

    /// Bytes held.
    fn heap_bytes(&self) -> usize {
        self.ids.heap_bytes() + self.len() * ROW_BYTES
    }

    /// `--order-col`: drops the conversions repeating an earlier one's
    /// order id (codes in `orders`), keeping each order's first in time
    /// (ties by customer, channel name and value); returns how many.
    fn drop_repeated_orders(&mut self, orders: &Interner, channels: &Interner) -> u64 {
        let repeats = repeated_orders(
            &self.order,
            orders,
            |r| self.flag[r],
            |r| {
                (
                    self.time[r],
                    self.ids.get(r).to_string(),
                    channels.name(self.channel[r]).to_string(),
                    self.value[r].to_bits(),
                )
            },
        );
        self.drop_rows(0, &repeats);
        repeats.len() as u64
    }
}

/// Reads touchpoint tables (chunks of files) into [`RowColumns`] and, out
/// of core, into partition files.
struct EventReader<'a> {
    spec: &'a InputSpec,
    slots: &'a Slots<'a>,
    can_partition: bool,
    /// Bytes of every input file, to reserve the columns once.
    input_bytes: u64,
    reserved: bool,
    ev: Events,
    rows: RowColumns,
    /// Channels from source / medium / campaign, when the input has no
    /// channel column or rules were given.
    derivation: Option<channels::Derivation>,
    /// Conversion types of inline rows, when a file has the column.
    types: Interner,
    type_seen: bool,
    /// Event names (event mode).
    event_names: Interner,
    /// Order ids (`--order-col`).
    orders: Interner,
    /// Files already warned about (the value column).
    warned: std::collections::BTreeSet<String>,
    /// Per file, values of the value column shaped like `45.000`.
    thousands: std::collections::BTreeMap<String, ThousandsCheck>,
    /// Per file, the currency of its amounts (see `Table::currency`).
    currencies: std::collections::BTreeMap<String, Option<(String, String)>>,
    /// Out of core: once the typed columns pass the budget, every table's
    /// rows go to partition files as soon as they are read.
    spill: Option<spill::Spill>,
    used_channels: Vec<bool>,
    inline_conversions: u64,
    /// `--accounts` / `--account-col`: the rows' account keys so far.
    keys: AccountKeys,
    /// The current table's rows of people without an account.
    without_account: Vec<usize>,
}

impl<'a> EventReader<'a> {
    fn new(spec: &'a InputSpec, slots: &'a Slots<'a>, can_partition: bool) -> Result<Self> {
        let derivation = spec.channel_rules.clone().map(channels::Derivation::new);
        Ok(EventReader {
            spec,
            slots,
            can_partition,
            input_bytes: 0,
            reserved: false,
            ev: Events::default(),
            rows: RowColumns::default(),
            derivation,
            types: Interner::new(),
            type_seen: false,
            event_names: Interner::new(),
            orders: Interner::new(),
            warned: Default::default(),
            thousands: Default::default(),
            currencies: Default::default(),
            spill: None,
            used_channels: Vec::new(),
            inline_conversions: 0,
            keys: AccountKeys::default(),
            without_account: Vec::new(),
        })
    }

    /// One table: its columns converted, its dropped rows taken out of all
    /// of them, and (out of core) its rows sent to the partition files.
    fn table(&mut self, table: &Table, first_time: &mut Option<String>) -> Result<FileStats> {
        let start = self.rows.len();
        self.reserve(table);
        self.convert(table, first_time)?;
        self.warn_about_value_column(table);
        let without = std::mem::take(&mut self.without_account);
        if let Some(accounts) = &self.spec.accounts {
            let flag = &self.rows.flag;
            let converts = |r: usize| flag.get(start + r).copied().unwrap_or(false);
            self.keys.count(table, accounts, &without, converts);
        }
        let drop = table.dropped_rows();
        let anonymous = table.anonymous_rows();
        let rows = &mut self.rows;
        if !rows.flag.is_empty() {
            for &r in &anonymous {
                if rows.flag[start + r] {
                    self.ev.anonymous_conversions += 1;
                    self.ev.anonymous_value += rows.value[start + r];
                }
            }
        }
        rows.drop_rows(start, &drop);
        if let Some(d) = &mut self.derivation {
            rejects::retain_tail(&mut d.rows, start, &drop);
        }
        if !rows.flag.is_empty() {
            self.ev.ignored_values += (start..rows.len()).filter(|&i| !rows.flag[i] && rows.value[i] != 0.0).count() as u64;
        }
        self.spill_if_over_budget()?;
        Ok(table_stats(table, &mut self.ev.rejections))
    }

    /// The whole input's rows, guessed from the first chunk's, reserved at
    /// once: growing the columns chunk by chunk copied them over and over
    /// into fresh memory. Reserved pages that stay unused are never touched.
    fn reserve(&mut self, table: &Table) {
        if std::mem::replace(&mut self.reserved, true) {
            return;
        }
        let budget = self.spec.out_of_core.as_ref().map(OutOfCore::read_budget);
        let Some(n) = table
            .rows_in(self.input_bytes)
            .filter(|&n| budget.is_none_or(|b| (n * (ROW_BYTES + 24)) as u64 <= b))
        else {
            return;
        };
        let rows = &mut self.rows;
        rows.ids.reserve(n, n * table.mean_cell_len(CUSTOMER).unwrap_or(0));
        rows.time.reserve(n);
        rows.channel.reserve(n);
        if self.slots.mode != Mode::Separate {
            rows.flag.reserve(n);
            rows.value.reserve(n);
        }
    }

    /// Converts the table's requested columns onto the ends of the row columns.
    fn convert(&mut self, table: &Table, first_time: &mut Option<String>) -> Result<()> {
        let (spec, slots) = (self.spec, self.slots);
        let rows = &mut self.rows;
        let start = rows.len();
        match &spec.accounts {
            None => table.ids(CUSTOMER, &mut rows.ids)?,
            Some(a) => self.without_account = self.keys.key_rows(table, a, CUSTOMER, slots.account, &mut rows.ids)?,
        }
        table.times_after(TIME, time_column(spec), first_time, &mut rows.time)?;
        if let Some(e) = slots.event {
            table.intern(e, &mut self.event_names, None, &mut rows.event)?;
            let wanted = spec.conversion_events.as_deref().unwrap_or(&[]);
            let names = &self.event_names;
            rows.flag
                .extend(rows.event[start..].iter().map(|&c| wanted.iter().any(|w| w == names.name(c))));
        }
        match slots.flag {
            Some(f) if table.columns[f].is_some() => table.flags(f, &mut rows.flag)?,
            // `touches_only` and no flag column: no row converts.
            Some(_) => rows.flag.resize(rows.ids.len(), false),
            None => {}
        }
        self.channels(table, start)?;
        let rows = &mut self.rows;
        if slots.mode != Mode::Separate {
            match slots.value.filter(|&v| table.columns[v].is_some()) {
                Some(v) => {
                    let currency = self.currencies.entry(table.name.clone()).or_default();
                    let thousands = self.thousands.entry(table.name.clone()).or_default();
                    table.revenue(v, currency, thousands, &mut rows.value)?;
                }
                None => rows.value.resize(rows.flag.len(), 0.0),
            }
        }
        if let Some(k) = slots.kind {
            match table.columns[k] {
                Some(_) => {
                    self.type_seen = true;
                    table.intern(k, &mut self.types, None, &mut rows.kind)?;
                }
                None => {
                    let not_set = self.types.intern("");
                    rows.kind.resize(rows.flag.len(), not_set);
                }
            }
        }
        if let Some(o) = slots.order {
            table.intern(o, &mut self.orders, None, &mut rows.order)?;
        }
        Ok(())
    }

    /// The channel of each row: from the channel column, or derived from
    /// source / medium / campaign (by the rules given, else by GA4's when
    /// a file has no channel column).
    fn channels(&mut self, table: &Table, start: usize) -> Result<()> {
        let (cols, slots) = (&self.spec.columns, self.slots);
        let utm = slots.utm.map(|c| table.columns[c].as_ref().map(|_| c));
        let channel = slots.channel.filter(|&c| table.columns[c].is_some());
        if self.derivation.is_none() && channel.is_none() {
            if utm[0].is_none() || utm[1].is_none() {
                return Err(missing_channel(table, cols));
            }
            let header = |c: usize| table.columns[c].as_ref().map_or("", |col| col.header.as_str());
            self.ev.notes.push(format!(
                "note: `{}` has no `{}` column: channels come from `{}` and `{}` by GA4's default channel group (`--channel-rules ga4`; `mta channels` lists the mapping)",
                table.name,
                cols.channel,
                header(slots.utm[0]),
                header(slots.utm[1])
            ));
            self.derivation = Some(channels::Derivation::new(channels::ChannelRules::ga4()));
        }
        let rows = &mut self.rows;
        match (&mut self.derivation, channel) {
            (Some(d), _) => d.derive(table, utm, &mut self.ev.channels, &mut rows.channel),
            // Conversion events need no channel: only touches are checked.
            (None, Some(c)) if slots.mode == Mode::Events => {
                table.intern(c, &mut self.ev.channels, None, &mut rows.channel)?;
                let touches = rows.flag[start..].iter().zip(&rows.channel[start..]).enumerate();
                for (row, (_, &code)) in touches.filter(|(_, (converts, _))| !**converts) {
                    if self.ev.channels.name(code).is_empty() {
                        let expected = "a channel name (empty values are not allowed on touches)";
                        table.reject(c, row, "", expected, Reason::InvalidChannel)?;
                    }
                }
                Ok(())
            }
            (None, Some(c)) => table.intern(
                c,
                &mut self.ev.channels,
                Some(("a channel name", Reason::InvalidChannel)),
                &mut rows.channel,
            ),
            (None, None) => unreachable!("a missing channel column was an error above"),
        }
    }

    /// Revenue read as 0 for want of a `value` column, where a column's
    /// name says it holds revenue: a warning naming it (once per file).
    fn warn_about_value_column(&mut self, table: &Table) {
        let Some(v) = self.slots.value else { return };
        if table.columns[v].is_some() || self.warned.contains(&table.name) {
            return;
        }
        self.warned.insert(table.name.clone());
        if let Some(w) = value_column_warning(table, &self.spec.columns.value) {
            self.ev.notes.push(w);
        }
    }

    /// Out of core: once the typed columns pass the read budget, this and
    /// every later table's rows go to the partition files.
    fn spill_if_over_budget(&mut self) -> Result<()> {
        let Some(ooc) = &self.spec.out_of_core else { return Ok(()) };
        if self.spill.is_none() && (self.rows.heap_bytes() as u64) <= ooc.read_budget() {
            return Ok(());
        }
        if !self.can_partition {
            return Err(too_large(ooc, "this command holds its whole input in memory"));
        }
        if self.slots.mode == Mode::Events || self.type_seen {
            return Err(too_large(
                ooc,
                "conversion types (`--type-col`, `--conversion-events`) do not run out of core yet",
            ));
        }
        if self.slots.order.is_some() {
            return Err(too_large(ooc, "`--order-col` does not run out of core yet"));
        }
        let out = match &mut self.spill {
            Some(out) => out,
            None => self.spill.insert(spill::Spill::new(ooc.temp_dir.as_deref())?),
        };
        let rows = &self.rows;
        self.used_channels.resize(self.ev.channels.len(), false);
        for (row, id) in rows.ids.iter().enumerate() {
            let converts = rows.flag.get(row).copied().unwrap_or(false);
            self.inline_conversions += u64::from(converts);
            self.used_channels[rows.channel[row] as usize] = true;
            let record = spill::Record::Touch {
                time: rows.time[row],
                channel: rows.channel[row],
                flag: converts,
                value: rows.value.get(row).copied().unwrap_or(0.0),
                kind: None,
            };
            out.write(id, record)?;
        }
        self.rows.clear();
        if let Some(d) = &mut self.derivation {
            d.count_rows();
        }
        Ok(())
    }

    /// Every file read: the conversions (inline, of the events, or of the
    /// conversions file) joined to the touches, customers grouped.
    fn finish(mut self) -> Result<Loaded> {
        let value_col = &self.spec.columns.value;
        for (file, check) in std::mem::take(&mut self.thousands) {
            self.ev.notes.extend(check.warning(&file, value_col, "`--decimal-comma`"));
        }
        let EventReader {
            spec,
            slots,
            mut ev,
            mut rows,
            derivation,
            types,
            type_seen,
            event_names,
            orders,
            spill,
            used_channels,
            inline_conversions,
            mut keys,
            ..
        } = self;
        ev.channel_mapping = derivation.map(|d| d.mappings());
        ev.zone = spec.zone;
        if let Some(out) = spill {
            return partitioned(ev, out, spec, used_channels, inline_conversions, keys).map(Loaded::Parted);
        }
        ev.zone = spec.zone;
        ev.conversions_from = match (slots.mode, &spec.conversions) {
            (Mode::Inline, _) => ConversionsFrom::Flag(spec.columns.conversion.clone()),
            (Mode::Events, _) => ConversionsFrom::Events {
                column: spec.columns.event.clone(),
                asked: spec.conversion_events.clone().unwrap_or_default(),
                counts: event_counts(&event_names, &rows.event),
            },
            (Mode::Separate, file) => ConversionsFrom::File(file.as_ref().map(|f| f.source.name()).unwrap_or_default()),
        };
        if slots.order.is_some() {
            ev.repeated_orders += rows.drop_repeated_orders(&orders, &ev.channels);
        }
        let RowColumns {
            mut ids,
            time,
            channel,
            flag,
            value,
            kind,
            event,
            ..
        } = rows;
        ev.time = time;
        ev.channel = channel;
        let touches = ids.len();
        let mut conversion_types = None;
        ev.conversions = match &spec.conversions {
            None => {
                if type_seen {
                    conversion_types = Some(ConversionTypes { names: types, code: kind });
                }
                Conversions::Inline { flag, value }
            }
            Some(file) => {
                let (conversions, types) = load_conversions(file, spec, &mut ids, &mut ev, &mut keys)?;
                conversion_types = types;
                conversions
            }
        };
        ev.accounts = spec.accounts.as_ref().map(|a| keys.stats(a));
        // Touches and conversions are grouped together so they share codes.
        let (mut codes, names) = customers::group(ids);
        if let Conversions::Separate { customer, .. } = &mut ev.conversions {
            *customer = codes.split_off(touches);
        }
        ev.customer = codes;
        ev.customers = std::sync::Arc::new(names);
        if slots.mode == Mode::Events {
            conversion_types = Some(split_conversion_events(&mut ev, &event_names, &event));
        }
        ev.types = conversion_types.map(ConversionTypes::with_not_set);
        if !ev.rejections.is_empty() || slots.mode == Mode::Events || ev.repeated_orders > 0 || has_anonymous(&ev) || dropped_people(&ev) {
            // Names seen only on rows left out (or their placeholders), or
            // only on conversion events, must not show up as channels with
            // no touches.
            ev.channels = ev.channels.compact(&mut ev.channel);
        }
        keep_conversion_types(&mut ev, spec)?;
        Ok(Loaded::Whole(ev))
    }
}

/// Whether any file had rows without a customer id.
fn has_anonymous(ev: &Events) -> bool {
    ev.files.iter().any(|f| f.anonymous > 0)
}

/// Whether `--account-missing drop` left rows out.
pub(crate) fn dropped_people(ev: &Events) -> bool {
    ev.accounts.as_ref().is_some_and(|a| a.dropped && a.rows_without > 0)
}

/// Rows of each event name, in name order (event mode).
pub(crate) fn event_counts(names: &Interner, codes: &[u32]) -> std::collections::BTreeMap<String, u64> {
    let mut counts = vec![0u64; names.len()];
    for &c in codes {
        counts[c as usize] += 1;
    }
    names
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| (name.to_string(), n))
        .collect()
}

/// Names that say a column holds revenue, for the warning when the value
/// column is absent (compared case-insensitively).
const REVENUE_NAMES: [&str; 5] = ["revenue", "umsatz", "amount", "conversion_value", "purchase_revenue"];

/// The warning for a file without the value column `value` but with a
/// column whose name says revenue, if it has one.
fn value_column_warning(table: &Table, value: &str) -> Option<String> {
    let found = table
        .header
        .iter()
        .find(|h| REVENUE_NAMES.iter().any(|r| h.trim().eq_ignore_ascii_case(r)))?;
    Some(format!(
        "warning: `{}` has no `{value}` column, so every conversion's revenue is 0; its column `{}` looks like revenue: pass `--value-col {}`",
        table.name,
        found.trim(),
        found.trim()
    ))
}

/// The conversions (rows where `converts`) whose order id (`order`, codes
/// in `orders`; empty: none) repeats an earlier conversion's, sorted: the
/// first of each order by `key` (time first, then content, never the row
/// order) is kept, as GA4 keeps a transaction's first event.
fn repeated_orders<K: Ord>(order: &[u32], orders: &Interner, converts: impl Fn(usize) -> bool, key: impl Fn(usize) -> K) -> Vec<usize> {
    let mut candidates: Vec<(u32, K, usize)> = (0..order.len())
        .filter(|&r| converts(r) && !orders.name(order[r]).trim().is_empty())
        .map(|r| (order[r], key(r), r))
        .collect();
    candidates.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut repeats: Vec<usize> = candidates.windows(2).filter(|w| w[0].0 == w[1].0).map(|w| w[1].2).collect();
    repeats.sort_unstable();
    repeats
}

/// `--conversion-id-col`: the rows merged (`repeats`, sorted, of ids
/// `order`), the conversions they merged into, and how many of those list
/// different values on their rows.
fn merged_ids(column: &str, order: &[u32], repeats: &[usize], value: &[f64]) -> MergedIds {
    let mut kept = std::collections::HashMap::new();
    let mut repeated = repeats.iter().peekable();
    for (r, &id) in order.iter().enumerate() {
        match repeated.peek() {
            Some(&&next) if next == r => {
                repeated.next();
            }
            _ => {
                kept.insert(id, value[r].to_bits());
            }
        }
    }
    let (mut merged, mut differ) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    for &r in repeats {
        merged.insert(order[r]);
        if kept.get(&order[r]) != Some(&value[r].to_bits()) {
            differ.insert(order[r]);
        }
    }
    MergedIds {
        column: column.to_string(),
        rows_merged: repeats.len() as u64,
        conversions: merged.len() as u64,
        values_differ: differ.len() as u64,
    }
}

/// The error for an input whose typed columns pass the memory limit where
/// the run cannot go out of core (`why`).
pub(crate) fn too_large(ooc: &OutOfCore, why: &str) -> Error {
    Error::usage(
        format!(
            "the input does not fit in `--memory-limit` {} (its typed columns passed a quarter of it), and {why}",
            spill::format_bytes(ooc.limit)
        ),
        "raise `--memory-limit` (e.g. `--memory-limit 16G`), or split the input by customer",
    )
}

/// Counts the conversions of each type, then applies `--conversion-types`.
pub(crate) fn keep_conversion_types(ev: &mut Events, spec: &InputSpec) -> Result<()> {
    let tally = ev.types.as_ref().map(|t| t.tally(&ev.conversions));
    ev.conversions_by_type = tally.as_ref().map(|t| t.iter().map(|(k, v)| (k.clone(), v.0)).collect());
    ev.revenue_by_type = tally.map(|t| t.into_iter().map(|(k, v)| (k, v.1)).collect());
    if let Some(milestones) = &spec.milestones {
        if ev.types.is_none() {
            return Err(Error::usage(
                "`--milestones` names conversion types, and the conversions have none",
                "give the conversions a type column (`--type-col`, `--conv-type-col`), or name conversion events with `--conversion-events`",
            ));
        }
        let (m, unknown) = conversion_types::take_milestones(ev, milestones);
        ev.notes.extend(
            unknown
                .iter()
                .map(|t| format!("warning: `--milestones` names `{t}`, which no conversion has: that position is always missing")),
        );
        ev.milestones = Some(m);
    }
    if let Some(keep) = &spec.conversion_types {
        if ev.types.is_none() {
            return Err(Error::usage(
                "`--conversion-types` needs conversions with a type",
                format!(
                    "give a `{}` column (`--type-col`), or name conversion events with `--event-col` and `--conversion-events`",
                    spec.columns.conversion_type
                ),
            ));
        }
        ev.removed_by_type = Some(conversion_types::keep_types(ev, keep));
    }
    Ok(())
}

/// Event mode (`--conversion-events`): the rows flagged as conversion
/// events become separate conversions, typed by their event name; the
/// other rows stay, as touches. `event` holds each row's event code.
fn split_conversion_events(ev: &mut Events, event_names: &Interner, event: &[u32]) -> ConversionTypes {
    let Conversions::Inline { flag, value } = std::mem::take(&mut ev.conversions) else {
        unreachable!("event mode reads conversions inline first")
    };
    let mut types = ConversionTypes::default();
    let (mut customer, mut time, mut amount) = (Vec::new(), Vec::new(), Vec::new());
    let mut w = 0;
    for row in 0..flag.len() {
        if flag[row] {
            customer.push(ev.customer[row]);
            time.push(ev.time[row]);
            amount.push(value[row]);
            types.code.push(types.names.intern(event_names.name(event[row])));
        } else {
            ev.customer[w] = ev.customer[row];
            ev.time[w] = ev.time[row];
            ev.channel[w] = ev.channel[row];
            w += 1;
        }
    }
    ev.customer.truncate(w);
    ev.time.truncate(w);
    ev.channel.truncate(w);
    ev.conversions = Conversions::Separate {
        customer,
        time,
        value: amount,
        file: None,
    };
    types
}

/// The error for an input with neither a channel column nor source and
/// medium columns to derive channels from.
fn missing_channel(table: &Table, cols: &ColumnMap) -> Error {
    let available = crate::input::schema::listed(&table.header);
    Error::MissingColumn {
        path: table.name.clone(),
        column: cols.channel.clone(),
        hint: format!(
            "available columns are {available}; pass `--channel-col <NAME>`, or give `{}` and `{}` columns (`--source-col`, `--medium-col`) to derive channels with `--channel-rules ga4`",
            cols.source, cols.medium
        ),
    }
}

/// The columns of a conversions file: customer, time, value, type, then
/// the account (`--account-col`) and the order or conversion id, when
/// asked for. The hints name the `--conv-*` flags: they rename a column of
/// this file alone.
fn conversion_requests<'a>(file: &'a ConversionsFile, spec: &'a InputSpec) -> Vec<ColumnRequest<'a>> {
    let cols = &file.columns;
    let mut requests = vec![
        ColumnRequest::required(&cols.customer, "--conv-customer-col"),
        ColumnRequest::required(&cols.timestamp, "--conv-time-col"),
        ColumnRequest {
            required: cols.value_required,
            ..ColumnRequest::optional(&cols.value, "--conv-value-col")
        },
        ColumnRequest {
            required: cols.type_required,
            ..ColumnRequest::optional(&cols.conversion_type, "--conv-type-col")
        },
    ];
    if let Some(AccountSource::Column { conversions, .. }) = spec.accounts.as_ref().map(|a| &a.source) {
        requests.push(ColumnRequest::required(conversions, "--conv-account-col"));
    }
    match (&cols.id, &spec.columns.order) {
        (Some(id), _) => requests.push(ColumnRequest::required(id, "--conversion-id-col")),
        (None, Some(order)) => requests.push(ColumnRequest::required(order, "--order-col")),
        (None, None) => {}
    }
    requests
}

fn conversion_ask<'a>(file: &'a ConversionsFile, spec: &'a InputSpec, requests: &'a [ColumnRequest<'a>]) -> Ask<'a> {
    Ask {
        dialect: &file.dialect,
        columns: requests,
        what: "conversion",
        on_error: spec.on_error,
    }
}

/// Opens the conversions file and reads its header and first rows, so that
/// a missing file, an empty one or a missing column is refused before any
/// touchpoint is read (the file is read in full after the touchpoints).
/// Standard input cannot be read twice: it is left to the full read.
pub fn check_conversions(file: &ConversionsFile, spec: &InputSpec) -> Result<()> {
    if file.source == Source::Stdin {
        return Ok(());
    }
    let requests = conversion_requests(file, spec);
    // The first table is enough: the callback stops the read there.
    let mut first_table_read = false;
    let read = read_tables(&file.source, conversion_ask(file, spec, &requests), 64 * 1024, |_| {
        first_table_read = true;
        Err(Error::Nothing {
            message: "stopped after the first table".into(),
            hint: String::new(),
        })
    });
    match read {
        Err(_) if first_table_read => Ok(()),
        other => other.map(drop),
    }
}

/// Reads the conversions file; its customer ids are appended to `ids` and
/// the codes filled in by the caller. What it leaves out (anonymous rows,
/// repeated orders, skipped rows) is counted in `ev`.
pub(crate) fn load_conversions(
    conv: &ConversionsFile,
    spec: &InputSpec,
    ids: &mut customers::RowIds,
    ev: &mut Events,
    keys: &mut AccountKeys,
) -> Result<(Conversions, Option<ConversionTypes>)> {
    let cols = &conv.columns;
    let requests = conversion_requests(conv, spec);
    // In chunks, like the touchpoints: its text is never held at once.
    let ids_base = ids.len();
    let (mut time, mut value, mut order) = (Vec::new(), Vec::new(), Vec::new());
    let mut types: Option<ConversionTypes> = None;
    let mut orders = Interner::new();
    let mut first_time: Option<String> = None;
    let mut warned = false;
    let mut thousands = ThousandsCheck::default();
    let mut currency: Option<(String, String)> = None;
    let date_only = std::sync::atomic::AtomicU64::new(0);
    let ask = conversion_ask(conv, spec, &requests);
    let times = TimeColumn {
        format: &conv.time_format,
        zone: spec.zone,
        flag: "--conv-time-format",
        dates: Some(&date_only),
    };
    let account_col = spec.accounts.as_ref().map(|_| 4);
    let keyed_col = 4 + usize::from(matches!(
        spec.accounts.as_ref().map(|a| &a.source),
        Some(AccountSource::Column { .. })
    ));
    let file = read_tables(&conv.source, ask, spec.chunk_bytes(), |table| {
        let (start, ids_start) = (time.len(), ids.len());
        let without = match &spec.accounts {
            None => {
                table.ids(CUSTOMER, ids)?;
                Vec::new()
            }
            Some(a) => keys.key_rows(table, a, CUSTOMER, account_col.filter(|&c| c < keyed_col), ids)?,
        };
        table.times_after(TIME, times, &mut first_time, &mut time)?;
        if table.columns[2].is_some() {
            table.revenue(2, &mut currency, &mut thousands, &mut value)?;
        } else {
            value.resize(time.len(), 0.0);
            if !std::mem::replace(&mut warned, true) {
                ev.notes.extend(value_column_warning(table, &cols.value));
            }
        }
        if table.columns[3].is_some() {
            let t = types.get_or_insert_with(ConversionTypes::default);
            table.intern(3, &mut t.names, None, &mut t.code)?;
        }
        if table.columns.len() > keyed_col {
            table.intern(keyed_col, &mut orders, None, &mut order)?;
        }
        if let Some(a) = &spec.accounts {
            keys.count(table, a, &without, |_| true);
        }
        for r in table.anonymous_rows() {
            ev.anonymous_conversions += 1;
            ev.anonymous_value += value[start + r];
        }
        let drop = table.dropped_rows();
        ids.retain_tail(ids_start, &drop);
        rejects::retain_tail(&mut time, start, &drop);
        rejects::retain_tail(&mut value, start, &drop);
        if !order.is_empty() {
            rejects::retain_tail(&mut order, start, &drop);
        }
        if let Some(t) = &mut types {
            rejects::retain_tail(&mut t.code, start, &drop);
        }
        Ok(table_stats(table, &mut ev.rejections))
    })?;
    if cols.id.is_some() || spec.columns.order.is_some() {
        let repeats = repeated_orders(
            &order,
            &orders,
            |_| true,
            |r| (time[r], ids.get(ids_base + r).to_string(), value[r].to_bits()),
        );
        match &cols.id {
            Some(column) => ev.merged_ids = Some(merged_ids(column, &order, &repeats, &value)),
            None => ev.repeated_orders += repeats.len() as u64,
        }
        ids.retain_tail(ids_base, &repeats);
        rejects::retain_tail(&mut time, 0, &repeats);
        rejects::retain_tail(&mut value, 0, &repeats);
        if let Some(t) = &mut types {
            rejects::retain_tail(&mut t.code, 0, &repeats);
        }
    }
    ev.date_only_conversions += date_only.into_inner();
    ev.notes.extend(thousands.warning(
        &file.name,
        &cols.value,
        "`--decimal-comma` (`--conv-decimal-comma` for this file alone)",
    ));
    let conversions = Conversions::Separate {
        customer: Vec::new(),
        time,
        value,
        file: Some(file),
    };
    Ok((conversions, types))
}

/// How the touch times are read: `--time-format` in `--timezone`.
fn time_column(spec: &InputSpec) -> TimeColumn<'_> {
    TimeColumn {
        format: &spec.time_format,
        zone: spec.zone,
        flag: "--time-format",
        dates: None,
    }
}
