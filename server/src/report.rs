//! `desk137-server report scores`: a quarter's scorecards as a file for the
//! bonus committee: CSV in UTF-8 with a byte-order mark (so a spreadsheet
//! opens the Persian correctly), or a real spreadsheet.

use crate::domain::catalog::Catalog;
use crate::domain::clocks::ClockKind;
use crate::domain::quarter::Quarter;
use crate::domain::score::{self, Scorecard};
use std::path::Path;

/// The columns, in order.
pub const COLUMNS: [&str; 21] = [
    "quarter",
    "unit_id",
    "unit_fa",
    "service_domain",
    "rank",
    "of",
    "score",
    "change",
    "cases",
    "scored",
    "unreachable",
    "false_reports",
    "on_time_first_response",
    "on_time_on_site",
    "on_time_result",
    "on_time_promised",
    "first_response_mean_h",
    "first_response_p90_h",
    "result_mean_h",
    "result_p90_h",
    "reopen_rate",
];
/// After [`COLUMNS`]: the last column.
pub const LAST_COLUMN: &str = "deferred_share";

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("writing the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A cell: text or a number, empty when there is no figure.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

fn hours(ms: Option<i64>) -> Cell {
    #[allow(clippy::cast_precision_loss)]
    ms.map_or(Cell::Empty, |ms| {
        Cell::Number(round2(ms as f64 / 3_600_000.0))
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn num(x: Option<f64>) -> Cell {
    x.map_or(Cell::Empty, |x| Cell::Number(round2(x)))
}

/// The rows of the report, one per unit, header first.
pub fn rows(quarter: Quarter, cards: &[Scorecard], catalog: &Catalog) -> Vec<Vec<Cell>> {
    let mut out = vec![
        COLUMNS
            .iter()
            .chain([&LAST_COLUMN])
            .map(|c| Cell::Text((*c).to_owned()))
            .collect(),
    ];
    for c in cards {
        let t = &c.tally;
        let on_time = |k: ClockKind| {
            let i = usize::from(k.number() - 1).min(3);
            num(score::share(t.clock_on_time[i], t.clock_met[i]))
        };
        #[allow(clippy::cast_precision_loss)]
        let count = |n: u64| Cell::Number(n as f64);
        out.push(vec![
            Cell::Text(quarter.to_string()),
            Cell::Text(c.unit_id.clone()),
            Cell::Text(
                catalog
                    .unit(&c.unit_id)
                    .map(|u| u.name_fa.clone())
                    .unwrap_or_default(),
            ),
            Cell::Text(c.service_domain.clone()),
            if c.rank > 0 {
                count(c.rank.into())
            } else {
                Cell::Empty
            },
            if c.rank > 0 {
                count(c.of.into())
            } else {
                Cell::Empty
            },
            num(t.score()),
            num(c.change),
            count(t.cases),
            count(t.scored),
            count(t.unreachable),
            count(t.false_reports),
            on_time(ClockKind::FirstResponse),
            on_time(ClockKind::OnSite),
            on_time(ClockKind::Result),
            on_time(ClockKind::Promised),
            hours(score::mean_ms(
                t.first_response_sum_ms,
                t.first_response_count,
            )),
            hours(score::p90_ms(&t.first_response_hist)),
            hours(score::mean_ms(t.result_sum_ms, t.result_count)),
            hours(score::p90_ms(&t.result_hist)),
            num(score::share(t.reopened, t.cases)),
            num(score::share(t.deferred, t.cases)),
        ]);
    }
    out
}

/// The report as CSV bytes, UTF-8 with a BOM.
pub fn csv_bytes(rows: &[Vec<Cell>]) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }))?;
    }
    w.into_inner().map_err(|e| ReportError::Io(e.into_error()))
}

/// The report as an .xlsx spreadsheet, right-to-left.
pub fn xlsx_bytes(quarter: Quarter, rows: &[Vec<Cell>]) -> Result<Vec<u8>, ReportError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(format!("scores {quarter}"))?;
    sheet.set_right_to_left(true);
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            match cell {
                Cell::Text(s) if r == 0 => {
                    sheet.write_string_with_format(r, c, s, &bold)?;
                }
                Cell::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n)?;
                }
                Cell::Empty => {}
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

/// Writes the report to `out`: CSV, or with `xlsx` a spreadsheet.
pub fn write(
    out: &Path,
    quarter: Quarter,
    cards: &[Scorecard],
    catalog: &Catalog,
    xlsx: bool,
) -> Result<(), ReportError> {
    let rows = rows(quarter, cards, catalog);
    let bytes = if xlsx {
        xlsx_bytes(quarter, &rows)?
    } else {
        csv_bytes(&rows)?
    };
    std::fs::write(out, bytes)?;
    Ok(())
}
