//! Tables for people, for any [`Table`]: a terminal table (borders only on
//! a terminal without `NO_COLOR`) or a Markdown pipe table. Figures are
//! right-aligned; a missing value shows as `-`; a table without rows prints
//! nothing (whoever wrote it says why on stderr).
//!
//! On a terminal the table fits its width: when it is wider, the columns
//! after the key columns (a grid's channel) are split into blocks that
//! each fit, and the key columns repeat in every block. Piped output and
//! Markdown stay one table, whatever their width.

use std::io::{self, Write};

use comfy_table::{CellAlignment, ContentArrangement, TableStyle, presets};

use super::Exporter;
use super::table::{Column, Kind, Table};

/// Writes a terminal table or Markdown.
pub struct TextExporter {
    /// A Markdown pipe table instead of a terminal table.
    pub markdown: bool,
    /// Box-drawing borders (a terminal, `NO_COLOR` unset).
    pub borders: bool,
    /// The terminal's width in columns, when writing to one.
    pub width: Option<usize>,
}

impl TextExporter {
    fn preset(&self) -> TableStyle {
        match (self.markdown, self.borders) {
            (true, _) => presets::ASCII_MARKDOWN,
            (false, true) => presets::UTF8_FULL_CONDENSED,
            (false, false) => presets::NOTHING,
        }
    }

    /// Rendered width of columns of content widths `widths`: one space of
    /// padding on each side, plus a border around and between them.
    fn rendered_width(&self, widths: &[usize]) -> usize {
        let borders = self.borders || self.markdown;
        widths.iter().map(|w| w + 2 + usize::from(borders)).sum::<usize>() + usize::from(borders)
    }

    /// Groups of column indices that each fit `limit` (key columns first in
    /// each). A column too wide even alone gets a block of its own.
    fn blocks(&self, widths: &[usize], keys: usize, limit: usize) -> Vec<Vec<usize>> {
        let keys = keys.min(widths.len());
        if keys == 0 || keys == widths.len() || self.rendered_width(widths) <= limit {
            return vec![(0..widths.len()).collect()];
        }
        let mut blocks: Vec<Vec<usize>> = Vec::new();
        let mut current: Vec<usize> = (0..keys).collect();
        for i in keys..widths.len() {
            current.push(i);
            let fits = self.rendered_width(&current.iter().map(|&c| widths[c]).collect::<Vec<_>>()) <= limit;
            if !fits && current.len() > keys + 1 {
                current.pop();
                blocks.push(std::mem::replace(&mut current, (0..keys).chain([i]).collect()));
            }
        }
        blocks.push(current);
        blocks
    }

    fn render(&self, columns: &[Column], rows: &[Vec<String>], pick: &[usize]) -> String {
        let mut t = comfy_table::Table::new();
        t.load_style(self.preset())
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(pick.iter().map(|&c| columns[c].name.as_ref()));
        for row in rows {
            t.add_row(pick.iter().map(|&c| row[c].as_str()));
        }
        for (k, &c) in pick.iter().enumerate() {
            if columns[c].kind != Kind::Text
                && let Some(col) = t.column_mut(k)
            {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        // comfy-table pads the last column; trailing spaces only hurt diffs.
        t.to_string().lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
    }
}

impl Exporter for TextExporter {
    fn export(&self, table: &dyn Table, out: &mut dyn Write) -> io::Result<()> {
        let columns = table.columns();
        // On a terminal, figures are for reading: 2 decimals, thousands
        // separators, shares as percentages (files keep full precision).
        let for_people = self.width.is_some() && !self.markdown;
        let mut rows: Vec<Vec<String>> = Vec::new();
        table.for_each_row(&mut |cells| {
            rows.push(
                cells
                    .iter()
                    .zip(&columns)
                    .map(|(cell, column)| match for_people {
                        true => readable(cell, column),
                        false => {
                            let mut s = String::new();
                            cell.write_text(column.kind, "-", &mut s);
                            s
                        }
                    })
                    .collect(),
            );
            Ok(())
        })?;
        if rows.is_empty() {
            return Ok(());
        }
        let all: Vec<usize> = (0..columns.len()).collect();
        let blocks = match self.width {
            Some(limit) if !self.markdown => {
                let mut t = comfy_table::Table::new();
                t.set_header(columns.iter().map(|c| c.name.as_ref()));
                for row in &rows {
                    t.add_row(row);
                }
                let widths: Vec<usize> = t.column_max_content_widths().into_iter().map(usize::from).collect();
                self.blocks(&widths, table.key_columns(), limit)
            }
            _ => vec![all],
        };
        for (k, pick) in blocks.iter().enumerate() {
            if k > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(self.render(&columns, &rows, pick).as_bytes())?;
        }
        Ok(())
    }
}

/// Whether a column holds a fraction best read as a percentage.
fn is_share(name: &str) -> bool {
    name.ends_with("share") || name.ends_with("_pct") || name == "conversion_rate"
}

/// A cell as a person reads it on a terminal: numbers with 2 decimals and
/// thousands separators (whole counts without decimals), shares as
/// percentages with 1 decimal, a missing value as `-`.
fn readable(cell: &super::table::Cell<'_>, column: &Column) -> String {
    use super::table::Cell;
    use crate::format::thousands;
    match (cell, column.kind) {
        (Cell::Number(x), _) if !x.is_finite() => {
            let mut s = String::new();
            cell.write_text(column.kind, "-", &mut s);
            s
        }
        (Cell::Number(x), Kind::Number) if is_share(&column.name) => format!("{}%", thousands(x * 100.0, 1)),
        (Cell::Number(x), Kind::Count) if x.fract() == 0.0 => thousands(*x, 0),
        (Cell::Number(x), Kind::Number | Kind::Count) => thousands(*x, 2),
        (Cell::Integer(n), _) => thousands(*n as f64, 0),
        _ => {
            let mut s = String::new();
            cell.write_text(column.kind, "-", &mut s);
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::table::{Cell, Owned};

    /// A budget-shaped table: model and channel, then 13 figures.
    fn budget_like() -> Owned {
        let mut columns = vec![Column::new("model", Kind::Text), Column::new("channel", Kind::Text)];
        for name in [
            "spend",
            "proposed_spend",
            "change",
            "change_pct",
            "credited_share",
            "spend_share",
            "roas",
        ] {
            columns.push(Column::new(name, Kind::Number));
        }
        columns.push(Column::new("scenarios", Kind::Integer));
        let rows = (0..4)
            .map(|c| {
                let mut row: Vec<Cell<'static>> = vec!["last-non-direct".into(), format!("Channel number {c}").into()];
                row.extend([1_234_567.891, 1_100_000.5, -134_567.391, -0.109, 0.25, 0.3333333, 2.5].map(Cell::Number));
                row.push(Cell::Integer(12_000));
                row
            })
            .collect();
        Owned {
            columns,
            rows,
            key_columns: 2,
        }
    }

    #[test]
    fn terminal_tables_fit_and_read_like_figures() {
        for width in [80, 120] {
            let exporter = TextExporter {
                markdown: false,
                borders: true,
                width: Some(width),
            };
            let mut out = Vec::new();
            exporter.export(&budget_like(), &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            for line in text.lines() {
                assert!(line.chars().count() <= width, "{width}: {line}");
            }
            // 2 decimals and separators, shares as percentages, the keys in every block.
            assert!(
                text.contains("1,234,567.89") && text.contains("-134,567.39") && text.contains("12,000"),
                "{text}"
            );
            assert!(
                text.contains("-10.9%") && text.contains("25.0%") && text.contains("33.3%"),
                "{text}"
            );
            let blocks = text.split("\n\n").count();
            assert_eq!(text.matches("Channel number 3").count(), blocks, "{text}");
            assert!(blocks > 1 || width == 120, "{width}: {text}");
        }
        // Piped (no width): full precision, as before.
        let piped = TextExporter {
            markdown: false,
            borders: false,
            width: None,
        };
        let mut out = Vec::new();
        piped.export(&budget_like(), &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("1234567.891000"));
    }

    /// A channel x model grid: 11 models, 12 channels, figures like `1,234.56 (1,100.00-1,300.00)`.
    fn grid() -> Owned {
        let mut columns = vec![Column::new("channel", Kind::Text)];
        columns.extend((0..11).map(|m| Column::new(format!("model-number-{m}"), Kind::Figure)));
        let rows = (0..12)
            .map(|c| {
                let mut row: Vec<Cell<'static>> = vec![format!("Channel {c}").into()];
                row.extend((0..11).map(|m| Cell::from(format!("{}.{m:02} ({c}-{m})", c * 100 + m))));
                row
            })
            .collect();
        Owned {
            columns,
            rows,
            key_columns: 1,
        }
    }

    fn render(e: &TextExporter, table: &Owned) -> String {
        let mut out = Vec::new();
        e.export(table, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_wide_table_fits_the_terminal_in_blocks_that_repeat_the_key_column() {
        for borders in [false, true] {
            for limit in [80, 120] {
                let e = TextExporter {
                    markdown: false,
                    borders,
                    width: Some(limit),
                };
                let text = render(&e, &grid());
                let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
                assert!(widest <= limit, "{limit} columns, borders {borders}: a line of {widest}\n{text}");
                // Every model once, every block with the channel column and all 12 channels.
                let blocks: Vec<&str> = text.split("\n\n").collect();
                assert!(blocks.len() > 1, "{text}");
                for m in 0..11 {
                    assert_eq!(
                        text.matches(&format!("model-number-{m} ")).count() + text.matches(&format!("model-number-{m}\n")).count(),
                        1,
                        "{text}"
                    );
                }
                for b in &blocks {
                    assert!(b.contains("channel") && b.contains("Channel 11"), "{b}");
                }
                // Fewer blocks at 120 columns than at 80, and none wasted: two
                // neighbouring blocks would not fit together.
                if limit == 120 {
                    let narrow = render(&TextExporter { width: Some(80), ..e }, &grid());
                    assert!(blocks.len() < narrow.split("\n\n").count());
                }
            }
        }
    }

    #[test]
    fn piped_and_markdown_output_stays_one_table() {
        for e in [
            TextExporter {
                markdown: false,
                borders: false,
                width: None,
            },
            TextExporter {
                markdown: true,
                borders: false,
                width: Some(80),
            },
        ] {
            let text = render(&e, &grid());
            assert_eq!(text.lines().count(), 12 + 1 + usize::from(e.markdown), "{text}");
        }
    }

    #[test]
    fn figures_right_aligned_missing_as_dash_and_nothing_without_rows() {
        let t = Owned {
            columns: vec![Column::new("channel", Kind::Text), Column::new("base", Kind::Number)],
            rows: vec![vec!["a".into(), Cell::Number(0.5)], vec!["bbbbbbbbbbbb".into(), Cell::Null]],
            key_columns: 0,
        };
        let e = TextExporter {
            markdown: false,
            borders: false,
            width: None,
        };
        let text = render(&e, &t);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], " a             0.500000");
        assert_eq!(lines[2], " bbbbbbbbbbbb         -");
        assert_eq!(render(&e, &Owned { rows: Vec::new(), ..t }), "");
    }
}
