//! Accounts (B2B): the people of one company are one customer. Each row's
//! customer id becomes its person's account id, by a file of
//! `customer_id,account_id` pairs (`--accounts`) or by an account column on
//! the rows (`--account-col`), as the rows are read; journeys then merge
//! the people's touches in time order like any customer's. A person without
//! an account stays a customer of their own, or is left out
//! (`--account-missing drop`); either way they are counted.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::format::schema::ColumnRequest;
use super::format::table::Table;
use super::format::{Ask, read_tables};
use super::{Dialect, OnError, Source};
use crate::error::Result;
use crate::intern::{Interner, customers::RowIds};

/// What becomes of the rows of a person without an account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AccountMissing {
    /// Kept as a customer of their own (the person id).
    #[default]
    Keep,
    /// Left out, counted.
    Drop,
}

/// Where each person's account comes from.
#[derive(Debug, Clone)]
pub enum AccountSource {
    /// `--accounts FILE`: person id -> account id, read before any event.
    File {
        /// The file's name, for the summary.
        name: String,
        /// The pairs.
        map: Arc<HashMap<String, String>>,
    },
    /// `--account-col`: a column of the touch files, and of the
    /// conversions file (`--conv-account-col`, else the same name).
    Column {
        /// The touch files' column.
        touches: String,
        /// The conversions file's column.
        conversions: String,
    },
}

/// `--accounts` / `--account-col` with `--account-missing`.
#[derive(Debug, Clone)]
pub struct AccountSpec {
    /// Where accounts come from.
    pub source: AccountSource,
    /// What becomes of people without one.
    pub missing: AccountMissing,
}

impl AccountSpec {
    /// The flag and file or column, for messages.
    pub fn described(&self) -> String {
        match &self.source {
            AccountSource::File { name, .. } => format!("`--accounts {name}`"),
            AccountSource::Column { touches, .. } => format!("`--account-col {touches}`"),
        }
    }
}

/// Reads `--accounts FILE`: columns `customer_col` (else `customer_id`)
/// and `account_id`; a person listed in two accounts is an error at the
/// second one's line; empty cells are no pair.
pub fn load(source: &Source, customer_col: &str, dialect: &Dialect) -> Result<HashMap<String, String>> {
    let requests = [
        ColumnRequest {
            fallback: Some("customer_id"),
            advice: Some("the accounts file holds `customer_id,account_id` pairs"),
            ..ColumnRequest::required(customer_col, "")
        },
        ColumnRequest::described("account_id", "the accounts file holds `customer_id,account_id` pairs"),
    ];
    let ask = Ask {
        dialect: &Dialect {
            delimiter: None,
            ..*dialect
        },
        columns: &requests,
        what: "account",
        on_error: OnError::Stop,
    };
    let mut map: HashMap<String, String> = HashMap::new();
    read_tables(source, ask, super::format::chunks::chunk_bytes(), |table| {
        let (mut people, mut accounts) = (RowIds::default(), Interner::new());
        let mut codes = Vec::new();
        table.ids(0, &mut people)?;
        table.intern(1, &mut accounts, None, &mut codes)?;
        for (row, (person, &code)) in people.iter().zip(&codes).enumerate() {
            let account = accounts.name(code);
            if person.is_empty() || account.is_empty() {
                continue;
            }
            match map.get(person) {
                Some(known) if known != account => {
                    return Err(table.cell_error(
                        1,
                        row,
                        account,
                        format!("one account per person: `{person}` is in account `{known}` on an earlier line"),
                    ));
                }
                Some(_) => {}
                None => {
                    map.insert(person.to_string(), account.to_string());
                }
            }
        }
        Ok(super::format::table_stats(table, &mut Vec::new()))
    })?;
    Ok(map)
}

/// The account keys of the rows read so far, and what the summary says
/// about them.
#[derive(Debug, Default)]
pub struct AccountKeys {
    /// People with an account.
    people: HashSet<String>,
    /// People without one.
    without: HashSet<String>,
    /// Accounts with rows.
    accounts: HashSet<String>,
    /// `--account-col`: each person's first account (in read order), to
    /// find people whose rows disagree.
    first_account: HashMap<String, String>,
    /// People whose rows name different accounts, or one and none.
    inconsistent: HashSet<String>,
    /// Rows of people without an account (kept or left out).
    rows_without: u64,
    /// Conversions on those rows.
    conversions_without: u64,
}

impl AccountKeys {
    /// Appends the key of each row of `people` to `out`: its account (by
    /// `spec`, or `column`'s code per row in `names`), else the person.
    /// Returns the rows (0-based in `people`) of people without an
    /// account, which `--account-missing drop` leaves out.
    fn resolve(&mut self, spec: &AccountSpec, people: &RowIds, column: Option<(&Interner, &[u32])>, out: &mut RowIds) -> Vec<usize> {
        let mut without = Vec::new();
        for (row, person) in people.iter().enumerate() {
            if person.is_empty() {
                out.push("");
                continue;
            }
            let account = match (&spec.source, column) {
                (AccountSource::File { map, .. }, _) => map.get(person).map(String::as_str),
                (AccountSource::Column { .. }, Some((names, codes))) => Some(names.name(codes[row]).trim()).filter(|a| !a.is_empty()),
                (AccountSource::Column { .. }, None) => None,
            };
            if matches!(spec.source, AccountSource::Column { .. }) {
                self.check_consistent(person, account.unwrap_or(""));
            }
            match account {
                Some(account) => {
                    if !self.people.contains(person) {
                        self.people.insert(person.to_string());
                    }
                    if !self.accounts.contains(account) {
                        self.accounts.insert(account.to_string());
                    }
                    out.push(account);
                }
                None => {
                    if !self.without.contains(person) {
                        self.without.insert(person.to_string());
                    }
                    without.push(row);
                    out.push(person);
                }
            }
        }
        without
    }

    /// Appends the key of each of `table`'s rows to `out` (the customer id
    /// column `customer`, the account column `account` with
    /// `--account-col`); returns the rows (0-based) of people without an
    /// account.
    pub fn key_rows(
        &mut self,
        table: &Table,
        spec: &AccountSpec,
        customer: usize,
        account: Option<usize>,
        out: &mut RowIds,
    ) -> Result<Vec<usize>> {
        let mut people = RowIds::default();
        table.ids(customer, &mut people)?;
        let (mut names, mut codes) = (Interner::new(), Vec::new());
        let column = match account.filter(|&a| table.columns[a].is_some()) {
            Some(a) => {
                table.intern(a, &mut names, None, &mut codes)?;
                Some((&names, codes.as_slice()))
            }
            None => None,
        };
        Ok(self.resolve(spec, &people, column, out))
    }

    /// Notes a person's rows naming different accounts (or one and none).
    fn check_consistent(&mut self, person: &str, account: &str) {
        match self.first_account.get(person) {
            Some(first) if first != account => {
                self.inconsistent.insert(person.to_string());
            }
            Some(_) => {}
            None => {
                self.first_account.insert(person.to_string(), account.to_string());
            }
        }
    }

    /// Counts the rows of `table` of people without an account
    /// (`without`, from [`Self::key_rows`]; `converts` says which are
    /// conversions), less those dropped anyway (bad or anonymous rows are
    /// counted as such), and with `--account-missing drop` leaves them out.
    pub fn count(&mut self, table: &Table, spec: &AccountSpec, without: &[usize], converts: impl Fn(usize) -> bool) {
        if without.is_empty() {
            return;
        }
        let dropped: HashSet<usize> = table.dropped_rows().into_iter().collect();
        let rows: Vec<usize> = without.iter().copied().filter(|r| !dropped.contains(r)).collect();
        self.rows_without += rows.len() as u64;
        self.conversions_without += rows.iter().filter(|&&r| converts(r)).count() as u64;
        if spec.missing == AccountMissing::Drop {
            table.left_out.lock().unwrap_or_else(|e| e.into_inner()).extend(rows);
        }
    }

    /// What the summary says.
    pub fn stats(&self, spec: &AccountSpec) -> AccountStats {
        AccountStats {
            source: spec.described(),
            people: self.people.len() as u64,
            accounts: self.accounts.len() as u64,
            people_without: self.without.len() as u64,
            rows_without: self.rows_without,
            conversions_without: self.conversions_without,
            dropped: spec.missing == AccountMissing::Drop,
            inconsistent: self.inconsistent.len() as u64,
            clashes: self.without.iter().filter(|p| self.accounts.contains(*p)).count() as u64,
        }
    }
}

/// What keying rows by account did, for the summary and JSON
/// (`input.accounts`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AccountStats {
    /// `--accounts FILE` or `--account-col COL`.
    pub source: String,
    /// People with an account.
    pub people: u64,
    /// Accounts with rows.
    pub accounts: u64,
    /// People without an account.
    pub people_without: u64,
    /// Their rows (touches and conversions).
    pub rows_without: u64,
    /// Conversion rows among those rows (before repeated orders are left
    /// out: a repeat of an order counts here too).
    pub conversions_without: u64,
    /// `--account-missing drop`: those rows were left out.
    pub dropped: bool,
    /// `--account-col`: people whose rows name different accounts, or an
    /// account on some rows and none on others (each row counts for its own).
    pub inconsistent: u64,
    /// People without an account whose id is also an account's id (kept,
    /// their rows join that account's journey).
    pub clashes: u64,
}
