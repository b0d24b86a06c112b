//! An input partitioned by customer on disk (out of core): the rows in
//! partition files, everything else (files read, rejections, channels) in
//! memory, read back a group of partitions at a time with the customers of
//! each interned in the canonical order.

use super::accounts::AccountKeys;
use super::read::events::{dropped_people, keep_conversion_types, load_conversions, too_large};
use super::{Conversions, Events, InputSpec, spill};
use crate::error::Result;
use crate::intern::{Interner, customers};

/// Out of core, once every touch is in partition files: the conversions
/// file joins them, and the rest of the input (files read, rejections,
/// channels) stays in memory as the head of the [`Parted`] input.
pub(crate) fn partitioned(
    mut head: Events,
    mut out: spill::Spill,
    spec: &InputSpec,
    used: Vec<bool>,
    inline_conversions: u64,
    mut keys: AccountKeys,
) -> Result<Parted> {
    let ooc = spec.out_of_core.as_ref().expect("partitions come from an out-of-core spec");
    let conversions_read = match &spec.conversions {
        None => {
            head.conversions = Conversions::Inline {
                flag: Vec::new(),
                value: Vec::new(),
            };
            inline_conversions
        }
        Some(file) => {
            let mut ids = customers::RowIds::default();
            let (conversions, types) = load_conversions(file, spec, &mut ids, &mut head, &mut keys)?;
            if types.is_some() {
                return Err(too_large(ooc, "conversion types (`--type-col`) do not run out of core yet"));
            }
            let Conversions::Separate { time, value, file, .. } = conversions else {
                unreachable!("a conversions file gives separate conversions")
            };
            for (id, (&time, &value)) in ids.iter().zip(time.iter().zip(&value)) {
                out.write(id, spill::Record::Conversion { time, value, kind: None })?;
            }
            head.conversions = Conversions::Separate {
                customer: Vec::new(),
                time: Vec::new(),
                value: Vec::new(),
                file,
            };
            time.len() as u64
        }
    };
    // Names seen only on skipped rows must not show up as channels.
    head.accounts = spec.accounts.as_ref().map(|a| keys.stats(a));
    let channel_map = (!head.rejections.is_empty() || dropped_people(&head)).then(|| {
        let mut kept = Interner::new();
        let map: Vec<u32> = (0..head.channels.len())
            .map(|c| match used.get(c).copied().unwrap_or(false) {
                true => kept.intern(head.channels.name(c as u32)),
                false => u32::MAX,
            })
            .collect();
        head.channels = kept;
        map
    });
    keep_conversion_types(&mut head, spec)?;
    Ok(Parted {
        head,
        partitions: out.finish()?,
        conversions_read,
        channel_map,
        group_budget: ooc.limit / 8,
    })
}

/// An input partitioned by customer on disk: everything but the rows in
/// memory, the rows read back a group of partitions at a time.
#[derive(Debug)]
pub struct Parted {
    head: Events,
    partitions: spill::Partitions,
    conversions_read: u64,
    channel_map: Option<Vec<u32>>,
    group_budget: u64,
}

impl Parted {
    /// Everything read but the rows: files, rejections, notes, channels.
    pub fn head(&self) -> &Events {
        &self.head
    }

    /// Conversions read from the rows kept.
    pub fn conversions_read(&self) -> u64 {
        self.conversions_read
    }

    /// The run's temporary directory, for its other files (sorted runs of
    /// rows to merge): removed with the partitions, on Ctrl-C too.
    pub fn scratch_dir(&self) -> &std::path::Path {
        self.partitions.dir()
    }

    /// Bytes of partition files.
    pub fn bytes(&self) -> u64 {
        self.partitions.bytes()
    }

    /// Groups of consecutive partitions, each small enough to process in
    /// memory: read them in order with [`Self::events`].
    pub fn groups(&self) -> Vec<std::ops::Range<usize>> {
        self.partitions.groups(self.group_budget)
    }

    /// The events of a group of partitions: its customers, in the canonical
    /// order, with the head's channels. Its files are removed once read.
    pub fn events(&self, group: std::ops::Range<usize>) -> Result<Events> {
        let rows = self.partitions.read(group)?;
        let spill::Rows {
            mut ids,
            time,
            mut channel,
            flag,
            value,
            conversion_ids,
            conversion_time,
            conversion_value,
        } = rows;
        if let Some(map) = &self.channel_map {
            channel.iter_mut().for_each(|c| *c = map[*c as usize]);
        }
        let touches = ids.len();
        // Touches and conversions are grouped together so they share codes.
        for id in conversion_ids.iter() {
            ids.push(id);
        }
        drop(conversion_ids);
        let mut ev = Events {
            channels: self.head.channels.clone(),
            time,
            channel,
            ..Events::default()
        };
        let (time, amount) = (conversion_time, conversion_value);
        let (mut codes, names) = customers::group(ids);
        ev.conversions = match &self.head.conversions {
            Conversions::Separate { .. } => Conversions::Separate {
                customer: codes.split_off(touches),
                time,
                value: amount,
                file: None,
            },
            _ => Conversions::Inline { flag, value },
        };
        ev.customer = codes;
        ev.customers = std::sync::Arc::new(names);
        Ok(ev)
    }
}
