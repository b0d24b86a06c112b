//! `mta simulate`: input -> journeys -> a profile of them -> customers
//! drawn from it under a known causal process -> `touchpoints.csv`,
//! `conversions.csv`, `truth.csv` and `meta.json` in `--out DIR`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use rayon::prelude::*;

use super::args::InputArgs;
use super::pipeline;
use crate::error::Error;
use crate::journey::Journeys;
use crate::simulate::{self, Customer, Process, Profile, Settings};

/// Arguments of `mta simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Directory for `touchpoints.csv`, `conversions.csv`, `truth.csv` and `meta.json` (made if missing).
    #[arg(long, value_name = "DIR", help_heading = "Simulation")]
    out: PathBuf,
    /// Customers to simulate [default: as many as the input has].
    #[arg(long, value_name = "N", help_heading = "Simulation")]
    customers: Option<usize>,
    /// Seed of every random draw: the same seed gives the same files, byte for byte.
    #[arg(long, default_value_t = 1, value_name = "S", help_heading = "Simulation")]
    seed: u64,
    /// Each channel's effect: CSV `channel,effect[,half_life]` (relative strengths; half-life in days or as `12h`, `2w`) [default: each channel's data-driven credit per touch, else equal].
    #[arg(long, value_name = "FILE", help_heading = "Simulation")]
    effects: Option<String>,
    /// Days the simulated data covers [default: the input's].
    #[arg(long, value_name = "D", help_heading = "Simulation")]
    days: Option<f64>,
    /// Share of the conversions the baseline hazard would give without any touch.
    #[arg(long, default_value_t = 0.2, value_name = "FRACTION", help_heading = "Simulation")]
    baseline: f64,
    /// Half-life of a touch's effect for channels the effects file gives none.
    #[arg(long, default_value = "7d", value_name = "DURATION", help_heading = "Simulation")]
    half_life: String,
    /// Silence the summary on stderr.
    #[arg(short, long, help_heading = "Output")]
    quiet: bool,
}

/// Customers generated per parallel work item.
const CHUNK: usize = 4096;

/// Runs `mta simulate`.
pub fn run(args: SimulateArgs) -> Result<()> {
    let half_life_days = super::args::parse_duration(&args.half_life, "--half-life")? / 86_400_000.0;
    super::plan::refusals::check([
        super::plan::Refusal::when(
            !(0.0..1.0).contains(&args.baseline),
            format!("`--baseline {}` must be at least 0 and below 1", args.baseline),
            "it is the share of the conversions the baseline gives alone, e.g. `0.2`",
        ),
        super::plan::Refusal::when(
            args.days.is_some_and(|d| !(d > 0.0 && d.is_finite())),
            "`--days` must be a positive number of days",
            "e.g. `--days 90`",
        ),
        super::plan::Refusal::when(args.customers == Some(0), "`--customers 0` simulates nothing", "pass 1 or more"),
    ])?;
    let (input, journey_cfg) = super::plan::input(args.input)?;
    let dialect = match &input {
        super::plan::InputConfig::Events { spec, .. } => spec.dialect,
        super::plan::InputConfig::Paths { dialect, .. } => *dialect,
    };
    // Read and checked before the events.
    let effects_file = args
        .effects
        .as_deref()
        .map(|f| crate::input::effects::load(&crate::input::Source::from_arg(f), &dialect))
        .transpose()?;
    let (journeys, summary) = pipeline::load(&input, &journey_cfg)?;
    let profile = Profile::learn(&journeys)?;
    let mut notes = Vec::new();
    let (relative, half_lives, effects_from) = effects(&profile, &journeys, effects_file.as_deref(), half_life_days, &mut notes)?;
    let settings = Settings {
        customers: args.customers.unwrap_or(profile.customers).max(1),
        seed: args.seed,
        days: args.days.unwrap_or(profile.days),
    };
    let (process, scale) = simulate::calibrate(&profile, &relative, &half_lives, args.baseline, &settings);
    let written = write(&args.out, &profile, &process, &settings)?;
    let meta = Meta {
        seed: settings.seed,
        customers: settings.customers,
        days: settings.days,
        start: crate::input::time::format_ms(profile.start_ms),
        baseline_share: args.baseline,
        effects_from,
        scale,
        process: &process,
        channels: &profile.channels,
        input: &profile,
        simulated: &written,
    };
    let json = serde_json::to_string_pretty(&meta)? + "\n";
    write_file(&args.out.join("meta.json"), |w| w.write_all(json.as_bytes()))?;
    if !args.quiet {
        let mut lines = vec![format!(
            "learned from {} customers ({} touches and {:.3} conversions each); simulated {} customers over {:.1} days: {} touches, {} conversions ({:.3} each); wrote {}",
            profile.customers,
            crate::format::fixed(profile.touches_per_customer, 2),
            profile.conversions_per_customer,
            settings.customers,
            settings.days,
            written.touches,
            written.conversions,
            written.conversions as f64 / settings.customers as f64,
            args.out.display()
        )];
        lines.extend(notes);
        lines.extend(summary.warnings.iter().cloned());
        pipeline::tell(lines);
    }
    Ok(())
}

/// Each channel's relative effect and half-life (days), and where the
/// effects came from: the file (channels it does not list get 0), else
/// the data-driven model's credit per touch, else equal.
fn effects(
    profile: &Profile,
    journeys: &Journeys,
    file: Option<&[crate::input::effects::Effect]>,
    default_half_life: f64,
    notes: &mut Vec<String>,
) -> Result<(Vec<f64>, Vec<f64>, &'static str)> {
    let n = profile.channels.len();
    let mut half = vec![default_half_life; n];
    if let Some(file) = file {
        let mut rel = vec![0.0; n];
        let mut unknown = Vec::new();
        for e in file {
            match profile.channels.iter().position(|c| c.eq_ignore_ascii_case(&e.channel)) {
                Some(c) => {
                    rel[c] = e.effect;
                    if let Some(h) = e.half_life_days {
                        half[c] = h;
                    }
                }
                None => unknown.push(e.channel.clone()),
            }
        }
        if !unknown.is_empty() {
            notes.push(format!(
                "warning: the effects file names channels the input does not have (no touch of theirs is drawn): {}",
                unknown.join(", ")
            ));
        }
        let missing: Vec<&str> = profile
            .channels
            .iter()
            .filter(|c| !file.iter().any(|e| e.channel.eq_ignore_ascii_case(c)))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            notes.push(format!(
                "note: channels without an effect in the file get 0: {}",
                missing.join(", ")
            ));
        }
        return Ok((rel, half, "file"));
    }
    let dd = crate::model::ModelKind::DataDriven;
    if dd.unsupported_reason(journeys).is_none() && journeys.total_conversions() > 0.0 {
        let credits = dd.build(&crate::model::ModelConfig::default()).attribute(journeys)?;
        let mut touches = vec![0.0; n];
        for j in journeys.iter() {
            for &c in j.touches {
                touches[c as usize] += 1.0;
            }
        }
        let rel: Vec<f64> = (0..n)
            .map(|c| {
                if touches[c] > 0.0 {
                    credits.conversions[c].max(0.0) / touches[c]
                } else {
                    0.0
                }
            })
            .collect();
        let mean = rel.iter().sum::<f64>() / n.max(1) as f64;
        if mean > 0.0 {
            return Ok((rel.iter().map(|r| r / mean).collect(), half, "data-driven"));
        }
    }
    notes.push("note: the data-driven model could not be fitted: every channel gets the same effect".into());
    Ok((vec![1.0; n], half, "equal"))
}

/// What the files hold, for `meta.json` and the summary.
#[derive(Debug, Clone, Default, serde::Serialize)]
struct Written {
    touches: u64,
    conversions: u64,
    channel_mix: Vec<f64>,
    incremental_conversions: Vec<u64>,
}

/// `meta.json`: the profile, the process and what was drawn.
#[derive(serde::Serialize)]
struct Meta<'a> {
    seed: u64,
    customers: usize,
    days: f64,
    start: String,
    baseline_share: f64,
    effects_from: &'static str,
    scale: f64,
    process: &'a Process,
    channels: &'a [String],
    input: &'a Profile,
    simulated: &'a Written,
}

/// Draws every customer, chunk by chunk in parallel and written in order,
/// into the three CSV files of `dir`.
fn write(dir: &Path, profile: &Profile, process: &Process, s: &Settings) -> Result<Written> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Write {
        path: dir.display().to_string(),
        source: e,
    })?;
    let n = s.customers;
    let width = (n.max(2) - 1).to_string().len();
    let nc = profile.channels.len();
    let mut written = Written {
        channel_mix: vec![0.0; nc],
        incremental_conversions: vec![0; nc],
        ..Written::default()
    };
    let mut by_channel = vec![0u64; nc];
    let chunks = n.div_ceil(CHUNK);
    let (touch_path, conv_path) = (dir.join("touchpoints.csv"), dir.join("conversions.csv"));
    let open = |p: &Path| {
        std::fs::File::create(p).map(std::io::BufWriter::new).map_err(|e| Error::Write {
            path: p.display().to_string(),
            source: e,
        })
    };
    let (mut tw, mut cw) = (open(&touch_path)?, open(&conv_path)?);
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |e| Error::Write {
            path: p.clone(),
            source: e,
        }
    };
    tw.write_all(b"customer_id,timestamp,channel\n").map_err(io(&touch_path))?;
    cw.write_all(b"customer_id,timestamp,value\n").map_err(io(&conv_path))?;
    // Batches of chunks: each batch drawn in parallel, then written in order.
    for batch in (0..chunks).collect::<Vec<_>>().chunks(64) {
        let drawn: Vec<(String, String, Vec<Customer>)> = batch
            .par_iter()
            .map(|&k| {
                let (mut t, mut c) = (String::new(), String::new());
                let customers: Vec<Customer> = (k * CHUNK..((k + 1) * CHUNK).min(n))
                    .map(|i| {
                        let cu = simulate::customer(profile, process, s, i as u64, true);
                        let id = format!("c{i:0width$}");
                        for &(day, ch) in &cu.touches {
                            t.push_str(&id);
                            t.push(',');
                            crate::input::time::push_rfc3339(&mut t, simulate::epoch_ms(profile.start_ms, day));
                            t.push(',');
                            t.push_str(&csv_field(&profile.channels[ch as usize]));
                            t.push('\n');
                        }
                        for (&day, &v) in cu.conversions.iter().zip(&cu.values) {
                            c.push_str(&id);
                            c.push(',');
                            crate::input::time::push_rfc3339(&mut c, simulate::epoch_ms(profile.start_ms, day));
                            c.push_str(&format!(",{}\n", crate::format::fixed(v, 2)));
                        }
                        cu
                    })
                    .collect();
                (t, c, customers)
            })
            .collect();
        for (t, c, customers) in drawn {
            tw.write_all(t.as_bytes()).map_err(io(&touch_path))?;
            cw.write_all(c.as_bytes()).map_err(io(&conv_path))?;
            for cu in customers {
                written.touches += cu.touches.len() as u64;
                written.conversions += cu.conversions.len() as u64;
                for &(_, ch) in &cu.touches {
                    by_channel[ch as usize] += 1;
                }
                for (ch, lost) in cu.lost {
                    written.incremental_conversions[ch as usize] += u64::from(lost);
                }
            }
        }
    }
    tw.flush().map_err(io(&touch_path))?;
    cw.flush().map_err(io(&conv_path))?;
    for (mix, &k) in written.channel_mix.iter_mut().zip(&by_channel) {
        *mix = k as f64 / written.touches.max(1) as f64;
    }
    let total: u64 = written.incremental_conversions.iter().sum();
    let mut truth = String::from("channel,incremental_conversions,share\n");
    for (c, &k) in written.incremental_conversions.iter().enumerate() {
        let share = if total > 0 { k as f64 / total as f64 } else { 0.0 };
        truth.push_str(&format!(
            "{},{k},{}\n",
            csv_field(&profile.channels[c]),
            crate::format::fixed(share, 6)
        ));
    }
    write_file(&dir.join("truth.csv"), |w| w.write_all(truth.as_bytes()))?;
    Ok(written)
}

/// A channel name as a CSV field (quoted when it has to be).
fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// Writes one whole file.
fn write_file(path: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    super::write_output(&super::plan::Target::File(path.to_path_buf()), f)
}
