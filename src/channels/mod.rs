//! Channels from source / medium / campaign (`--channel-rules`): GA4's
//! default channel group, and ordered rules of the user's own.
//!
//! Values are matched case-insensitively after trimming. GA4's rules are
//! tried in a fixed order and the first match wins (docs/GUIDE.md, "Channels from
//! source and medium"); the source lists are data files in `ga4/`. A rules
//! file is a CSV `channel,source,medium,campaign` whose condition cells are
//! empty (any value) or a regular expression matched against the whole
//! value. Rules are evaluated once per distinct (source, medium, campaign),
//! never per row.

use std::sync::LazyLock;

use regex::Regex;

use crate::error::{Error, Location, Result, display_value};
use crate::input::format::table::Table;
use crate::intern::Interner;

/// Where a visit came from: its source, medium and campaign (trimmed;
/// empty when not set). Ordered field by field, so that of two the smaller
/// is the smaller source, then medium, then campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Traffic {
    /// `utm_source`: the site or tool that sent the visit.
    pub source: String,
    /// `utm_medium`: the kind of traffic (cpc, email, referral...).
    pub medium: String,
    /// `utm_campaign`.
    pub campaign: String,
}

impl Traffic {
    /// A source and medium without a campaign.
    pub fn new(source: &str, medium: &str) -> Self {
        Traffic {
            source: source.into(),
            medium: medium.into(),
            campaign: String::new(),
        }
    }
}

/// Where one set of rules comes from (`--channel-rules A[,B]`, tried in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSource {
    /// GA4's default channel group.
    Ga4,
    /// A CSV file of rules.
    File(String),
}

/// Which rule gave a channel: GA4's rule number, or a rules file's line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleId {
    /// GA4's rule 1 to 20 (20: Unassigned).
    Ga4(u8),
    /// A rules file and the line of the rule.
    File(String, u64),
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuleId::Ga4(n) => write!(f, "ga4:{n}"),
            RuleId::File(name, line) => write!(f, "{name}:{line}"),
        }
    }
}

/// One rule of a rules file.
#[derive(Debug, Clone)]
struct FileRule {
    channel: String,
    /// Conditions on source, medium and campaign (`None`: any value).
    conditions: [Option<Regex>; 3],
    /// The same conditions as written (trimmed), for `mta sql`.
    patterns: [Option<String>; 3],
    line: u64,
}

/// One rule of a rules file as written, for `mta sql`'s CASE expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenRule {
    /// The channel it gives.
    pub channel: String,
    /// Regular expressions on source, medium and campaign, matched against
    /// the whole trimmed value, case-insensitively (`None`: any value).
    pub patterns: [Option<String>; 3],
    /// Its line in the file.
    pub line: u64,
}

/// One set of rules in the order they are tried, for `mta sql`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WrittenSet {
    /// GA4's default channel group (always gives a channel).
    Ga4,
    /// A rules file's rules, in file order.
    File {
        /// The file as named.
        name: String,
        /// Its rules.
        rules: Vec<WrittenRule>,
    },
}

/// Ordered rules: the user's files, then GA4's when asked for.
#[derive(Debug, Clone)]
pub struct ChannelRules {
    sets: Vec<RuleSet>,
}

#[derive(Debug, Clone)]
enum RuleSet {
    Ga4,
    File { name: String, rules: Vec<FileRule> },
}

impl ChannelRules {
    /// GA4's default channel group alone.
    pub fn ga4() -> Self {
        ChannelRules { sets: vec![RuleSet::Ga4] }
    }

    /// Loads every rule source in order; a file's errors name its line and column.
    pub fn load(sources: &[RuleSource]) -> Result<Self> {
        let sets = sources
            .iter()
            .map(|s| match s {
                RuleSource::Ga4 => Ok(RuleSet::Ga4),
                RuleSource::File(path) => {
                    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
                        path: path.clone(),
                        source,
                    })?;
                    Ok(RuleSet::File {
                        name: path.clone(),
                        rules: parse_rules(path, &text)?,
                    })
                }
            })
            .collect::<Result<_>>()?;
        Ok(ChannelRules { sets })
    }

    /// The rules in the order they are tried, as written (`mta sql`
    /// compiles them to SQL).
    pub fn written(&self) -> Vec<WrittenSet> {
        self.sets
            .iter()
            .map(|set| match set {
                RuleSet::Ga4 => WrittenSet::Ga4,
                RuleSet::File { name, rules } => WrittenSet::File {
                    name: name.clone(),
                    rules: rules
                        .iter()
                        .map(|r| WrittenRule {
                            channel: r.channel.clone(),
                            patterns: r.patterns.clone(),
                            line: r.line,
                        })
                        .collect(),
                },
            })
            .collect()
    }

    /// The channel of one (source, medium, campaign), and the rule that gave
    /// it. Without GA4 among the rules, a triple no rule matches is `Unassigned`.
    pub fn classify(&self, source: &str, medium: &str, campaign: &str) -> (String, RuleId) {
        let raw = [source.trim(), medium.trim(), campaign.trim()];
        for set in &self.sets {
            match set {
                RuleSet::Ga4 => {
                    let (channel, rule) = ga4(raw[0], raw[1], raw[2]);
                    return (channel.to_string(), RuleId::Ga4(rule));
                }
                RuleSet::File { name, rules } => {
                    if let Some(r) = rules.iter().find(|r| {
                        r.conditions
                            .iter()
                            .zip(raw)
                            .all(|(c, v)| c.as_ref().is_none_or(|re| re.is_match(v)))
                    }) {
                        return (r.channel.clone(), RuleId::File(name.clone(), r.line));
                    }
                }
            }
        }
        ("Unassigned".to_string(), RuleId::Ga4(20))
    }
}

/// One distinct (source, medium, campaign) as the rules mapped it, for the
/// audit (`mta channels`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Source as written (trimmed).
    pub source: String,
    /// Medium as written (trimmed).
    pub medium: String,
    /// Campaign as written (trimmed; empty without a campaign column).
    pub campaign: String,
    /// The channel the rules gave.
    pub channel: String,
    /// The rule that gave it.
    pub rule: RuleId,
    /// Rows with these values (rows skipped by `--on-error skip` not counted).
    pub rows: u64,
}

/// Channels derived row by row over every file: each row's (source,
/// medium, campaign) is interned as one key, and the rules run once per
/// distinct key.
pub(crate) struct Derivation {
    rules: ChannelRules,
    /// Distinct triples, their texts joined by [`crate::input::format::table::SEP`].
    triples: Interner,
    /// Per triple: the channel (its code in the events' interner while
    /// reading, and its name) and the rule.
    channels: Vec<(u32, String, RuleId)>,
    /// Per row of every file: its triple.
    pub rows: Vec<u32>,
    /// Per triple: rows counted and dropped from `rows` (out of core, the
    /// rows go to disk).
    counted: Vec<u64>,
}

impl Derivation {
    pub(crate) fn new(rules: ChannelRules) -> Self {
        Derivation {
            rules,
            triples: Interner::new(),
            channels: Vec::new(),
            rows: Vec::new(),
            counted: Vec::new(),
        }
    }

    /// Counts the rows so far and lets them go.
    pub(crate) fn count_rows(&mut self) {
        self.counted.resize(self.channels.len(), 0);
        for &t in &self.rows {
            self.counted[t as usize] += 1;
        }
        self.rows.clear();
    }

    /// Appends the channel code (in `channels`) of every row of `table`,
    /// from its columns `source` and `medium` and, if any, `campaign`.
    pub(crate) fn derive(&mut self, table: &Table, cols: [Option<usize>; 3], channels: &mut Interner, out: &mut Vec<u32>) -> Result<()> {
        let first = self.rows.len();
        table.intern_joined(&cols, &mut self.triples, &mut self.rows)?;
        for t in self.channels.len()..self.triples.len() {
            let [s, m, c] = split(self.triples.name(t as u32));
            let (channel, rule) = self.rules.classify(s, m, c);
            self.channels.push((channels.intern(&channel), channel, rule));
        }
        out.extend(self.rows[first..].iter().map(|&t| self.channels[t as usize].0));
        Ok(())
    }

    /// Appends the channel code (in `channels`) of each row, given as its
    /// traffic source among `traffic`: for inputs that pick each touch's
    /// source / medium / campaign themselves (GA4's sessions).
    pub(crate) fn derive_traffic(&mut self, traffic: &[Traffic], rows: &[u32], channels: &mut Interner, out: &mut Vec<u32>) {
        let sep = crate::input::format::table::SEP;
        // Keys in order of first use, as the rows' own would be.
        let mut local = vec![u32::MAX; traffic.len()];
        let first = self.rows.len();
        for &r in rows {
            let code = &mut local[r as usize];
            if *code == u32::MAX {
                let t = &traffic[r as usize];
                *code = self.triples.intern(&format!("{}{sep}{}{sep}{}", t.source, t.medium, t.campaign));
            }
            self.rows.push(*code);
        }
        for t in self.channels.len()..self.triples.len() {
            let [s, m, c] = split(self.triples.name(t as u32));
            let (channel, rule) = self.rules.classify(s, m, c);
            self.channels.push((channels.intern(&channel), channel, rule));
        }
        out.extend(self.rows[first..].iter().map(|&t| self.channels[t as usize].0));
    }

    /// The distinct triples seen on the rows kept, most rows first (then by
    /// source, medium and campaign).
    pub(crate) fn mappings(&self) -> Vec<Mapping> {
        let mut counts = self.counted.clone();
        counts.resize(self.channels.len(), 0);
        for &t in &self.rows {
            counts[t as usize] += 1;
        }
        let mut out: Vec<Mapping> = self
            .channels
            .iter()
            .enumerate()
            .filter(|&(t, _)| counts[t] > 0)
            .map(|(t, (_, channel, rule))| {
                let [source, medium, campaign] = split(self.triples.name(t as u32)).map(str::to_string);
                Mapping {
                    source,
                    medium,
                    campaign,
                    channel: channel.clone(),
                    rule: rule.clone(),
                    rows: counts[t],
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.rows
                .cmp(&a.rows)
                .then_with(|| (&a.source, &a.medium, &a.campaign).cmp(&(&b.source, &b.medium, &b.campaign)))
        });
        out
    }
}

/// The three texts of a joined triple.
fn split(joined: &str) -> [&str; 3] {
    let mut parts = joined.splitn(3, crate::input::format::table::SEP);
    [(); 3].map(|()| parts.next().unwrap_or(""))
}

/// Parses a rules file: header `channel,source,medium,campaign` (any order,
/// case-insensitive; `campaign` may be absent), then one rule a line.
fn parse_rules(path: &str, text: &str) -> Result<Vec<FileRule>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let malformed = |line: u64, detail: String| Error::Malformed {
        path: path.into(),
        location: Location::Line(line),
        detail,
    };
    let mut records = rdr.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(malformed(1, e.to_string())),
        None => {
            return Err(Error::Empty {
                path: path.into(),
                what: "rule: `channel,source,medium,campaign`",
            });
        }
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    for (i, n) in names.iter().enumerate() {
        if !["channel", "source", "medium", "campaign"].contains(&n.as_str()) {
            return Err(Error::Cell {
                path: path.into(),
                location: Location::Line(1),
                column: header[i].to_string(),
                found: display_value(&header[i]),
                expected: "one of the columns `channel`, `source`, `medium`, `campaign`".into(),
            });
        }
    }
    let find = |n: &str| names.iter().position(|h| h == n);
    let channel_col = find("channel").ok_or_else(|| Error::MissingColumn {
        path: path.into(),
        column: "channel".into(),
        hint: "a rules file has the columns `channel,source,medium,campaign` (campaign optional)".into(),
    })?;
    let cond_cols = [find("source"), find("medium"), find("campaign")];
    let mut rules = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| malformed(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != names.len() {
            return Err(malformed(
                line,
                format!("found {} fields, expected {} like the header", rec.len(), names.len()),
            ));
        }
        let channel = rec[channel_col].trim();
        if channel.is_empty() {
            return Err(Error::Cell {
                path: path.into(),
                location: Location::Line(line),
                column: header[channel_col].to_string(),
                found: String::new(),
                expected: "a channel name".into(),
            });
        }
        let mut conditions: [Option<Regex>; 3] = [None, None, None];
        let mut patterns: [Option<String>; 3] = [None, None, None];
        for ((slot, written), col) in conditions.iter_mut().zip(&mut patterns).zip(cond_cols) {
            let Some(col) = col else { continue };
            let pattern = rec[col].trim();
            if pattern.is_empty() {
                continue;
            }
            *written = Some(pattern.to_string());
            *slot = Some(Regex::new(&format!("(?i)^(?:{pattern})$")).map_err(|e| Error::Cell {
                path: path.into(),
                location: Location::Line(line),
                column: header[col].to_string(),
                found: display_value(pattern),
                expected: format!(
                    "a regular expression ({})",
                    e.to_string().lines().last().unwrap_or("invalid").trim()
                ),
            })?);
        }
        rules.push(FileRule {
            channel: channel.to_string(),
            conditions,
            patterns,
            line,
        });
    }
    Ok(rules)
}

/// A GA4 source list: one lower-case source a line, `#` comments.
struct SourceList(Vec<&'static str>);

impl SourceList {
    fn new(text: &'static str) -> Self {
        let mut v: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        v.sort_unstable();
        SourceList(v)
    }

    /// Whether `source` (lower case) is on the list, also without a leading `www.`.
    fn has(&self, source: &str) -> bool {
        let found = |s: &str| self.0.binary_search(&s).is_ok();
        found(source) || source.strip_prefix("www.").is_some_and(found)
    }
}

static SEARCH: LazyLock<SourceList> = LazyLock::new(|| SourceList::new(include_str!("ga4/search.txt")));
static SOCIAL: LazyLock<SourceList> = LazyLock::new(|| SourceList::new(include_str!("ga4/social.txt")));
static SHOPPING: LazyLock<SourceList> = LazyLock::new(|| SourceList::new(include_str!("ga4/shopping.txt")));
static VIDEO: LazyLock<SourceList> = LazyLock::new(|| SourceList::new(include_str!("ga4/video.txt")));
static AI: LazyLock<SourceList> = LazyLock::new(|| SourceList::new(include_str!("ga4/ai.txt")));
/// GA4's paid media (matched on the lower-case medium).
pub const PAID_PATTERN: &str = "^(.*cp.*|ppc|retargeting|paid.*)$";
/// GA4's shopping campaign (matched on the lower-case campaign).
pub const SHOP_CAMPAIGN_PATTERN: &str = "^(.*(([^a-df-z]|^)shop|shopping).*)$";
static PAID: LazyLock<Regex> = LazyLock::new(|| Regex::new(PAID_PATTERN).expect("a valid pattern"));
static SHOP_CAMPAIGN: LazyLock<Regex> = LazyLock::new(|| Regex::new(SHOP_CAMPAIGN_PATTERN).expect("a valid pattern"));

/// GA4's source lists (lower case, sorted), for `mta sql`'s CASE expression.
pub struct Ga4Sources {
    /// Search engines.
    pub search: &'static [&'static str],
    /// Social networks.
    pub social: &'static [&'static str],
    /// Shopping sites.
    pub shopping: &'static [&'static str],
    /// Video sites.
    pub video: &'static [&'static str],
    /// AI assistants.
    pub ai: &'static [&'static str],
}

/// The lists GA4's rules use.
pub fn ga4_sources() -> Ga4Sources {
    Ga4Sources {
        search: &SEARCH.0,
        social: &SOCIAL.0,
        shopping: &SHOPPING.0,
        video: &VIDEO.0,
        ai: &AI.0,
    }
}

/// GA4's default channel group (with mta's AI Assistant as rule 9): the
/// channel and the number of the rule that gave it.
fn ga4(source: &str, medium: &str, campaign: &str) -> (&'static str, u8) {
    let (s, m, c) = (source.to_lowercase(), medium.to_lowercase(), campaign.to_lowercase());
    let (s, m, c) = (s.as_str(), m.as_str(), c.as_str());
    let paid = PAID.is_match(m);
    let shopping = SHOPPING.has(s) || SHOP_CAMPAIGN.is_match(c);
    let email = ["email", "e-mail", "e_mail", "e mail"];
    if (s == "(direct)" && (m == "(none)" || m == "(not set)")) || (s.is_empty() && m.is_empty()) {
        ("Direct", 1)
    } else if c.contains("cross-network") {
        ("Cross-network", 2)
    } else if shopping && paid {
        ("Paid Shopping", 3)
    } else if SEARCH.has(s) && paid {
        ("Paid Search", 4)
    } else if SOCIAL.has(s) && paid {
        ("Paid Social", 5)
    } else if VIDEO.has(s) && paid {
        ("Paid Video", 6)
    } else if ["display", "banner", "expandable", "interstitial", "cpm"].contains(&m) {
        ("Display", 7)
    } else if paid {
        ("Paid Other", 8)
    } else if AI.has(s) || m == "ai-assistant" {
        ("AI Assistant", 9)
    } else if shopping {
        ("Organic Shopping", 10)
    } else if SOCIAL.has(s) || ["social", "social-network", "social-media", "sm", "social network", "social media"].contains(&m) {
        ("Organic Social", 11)
    } else if VIDEO.has(s) || m.contains("video") {
        ("Organic Video", 12)
    } else if SEARCH.has(s) || m == "organic" {
        ("Organic Search", 13)
    } else if ["referral", "app", "link"].contains(&m) {
        ("Referral", 14)
    } else if email.contains(&s) || email.contains(&m) {
        ("Email", 15)
    } else if m == "affiliate" {
        ("Affiliates", 16)
    } else if m == "audio" {
        ("Audio", 17)
    } else if s == "sms" || m == "sms" {
        ("SMS", 18)
    } else if m.ends_with("push") || m.contains("mobile") || m.contains("notification") || s == "firebase" {
        ("Mobile Push Notifications", 19)
    } else {
        ("Unassigned", 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(s: &str, m: &str, c: &str) -> (String, String) {
        let (ch, rule) = ChannelRules::ga4().classify(s, m, c);
        (ch, rule.to_string())
    }

    #[test]
    fn ga4_rules_one_by_one() {
        let cases: [(&str, &str, &str, &str, u8); 34] = [
            ("(direct)", "(none)", "", "Direct", 1),
            ("(direct)", "(not set)", "", "Direct", 1),
            ("", "", "", "Direct", 1),
            ("newsletter", "email", "Summer cross-network push", "Cross-network", 2),
            ("amazon", "cpc", "", "Paid Shopping", 3),
            ("partner", "ppc", "Spring-Shop", "Paid Shopping", 3),
            ("google", "cpc", "brand", "Paid Search", 4),
            ("www.bing.com", "paid-search", "", "Paid Search", 4),
            ("facebook", "paid_social", "", "Paid Social", 5),
            ("youtube", "cpv", "", "Paid Video", 6),
            ("news-site", "display", "", "Display", 7),
            ("news-site", "cpm", "", "Display", 7),
            ("news-site", "retargeting", "", "Paid Other", 8),
            ("chatgpt.com", "referral", "", "AI Assistant", 9),
            ("some-bot", "ai-assistant", "", "AI Assistant", 9),
            ("claude.ai", "(not set)", "", "AI Assistant", 9),
            ("ebay", "referral", "", "Organic Shopping", 10),
            ("partner", "referral", "workshop-promo", "Referral", 14),
            ("partner", "referral", "Shopping days", "Organic Shopping", 10),
            ("t.co", "referral", "", "Organic Social", 11),
            ("forum", "social media", "", "Organic Social", 11),
            ("vimeo.com", "referral", "", "Organic Video", 12),
            ("site", "videos", "", "Organic Video", 12),
            ("Google", "Organic", "", "Organic Search", 13),
            ("blog.example", "organic", "", "Organic Search", 13),
            ("blog.example", "referral", "", "Referral", 14),
            ("app-store", "app", "", "Referral", 14),
            ("crm", "E-Mail", "", "Email", 15),
            ("email", "newsletter", "", "Email", 15),
            ("partner", "affiliate", "", "Affiliates", 16),
            ("podcast", "audio", "", "Audio", 17),
            ("sms", "text", "", "SMS", 18),
            ("app", "web-push", "", "Mobile Push Notifications", 19),
            ("someone", "something", "", "Unassigned", 20),
        ];
        for (s, m, c, want, rule) in cases {
            assert_eq!(channel(s, m, c), (want.to_string(), format!("ga4:{rule}")), "{s}/{m}/{c}");
        }
    }

    #[test]
    fn every_ai_source_is_an_ai_assistant_unless_paid() {
        for s in AI.0.iter() {
            assert_eq!(channel(s, "referral", "").0, "AI Assistant", "{s}");
            assert_eq!(
                channel(&format!("  WWW.{}  ", s.to_uppercase()), "(none)", "").0,
                "AI Assistant",
                "{s}"
            );
        }
        assert_eq!(channel("perplexity", "cpc", "").0, "Paid Other", "paid comes first");
    }

    #[test]
    fn the_required_sources_are_on_their_lists() {
        for (list, want) in [
            (&*SEARCH, "google bing yahoo baidu yandex duckduckgo ecosia.org naver seznam qwant"),
            (
                &*SOCIAL,
                "facebook fb instagram ig l.facebook.com m.facebook.com linkedin lnkd.in t.co twitter x.com tiktok reddit pinterest snapchat whatsapp quora",
            ),
            (&*SHOPPING, "amazon ebay etsy shopify walmart alibaba igshopping"),
            (&*VIDEO, "youtube youtube.com m.youtube.com vimeo twitch netflix dailymotion"),
            (
                &*AI,
                "chatgpt.com chat.openai.com openai perplexity perplexity.ai gemini.google.com claude.ai copilot.microsoft.com deepseek.com",
            ),
        ] {
            for s in want.split(' ') {
                assert!(list.has(s), "{s}");
            }
        }
        assert!(SHOPPING.has("google shopping"));
    }

    #[test]
    fn a_rules_file_comes_first_then_ga4() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.csv");
        std::fs::write(
            &path,
            "channel,source,medium,campaign\nBrand Search,google,cpc,brand.*\nNewsletter,,email|newsletter,\n",
        )
        .unwrap();
        let p = path.to_str().unwrap().to_string();
        let rules = ChannelRules::load(&[RuleSource::File(p.clone()), RuleSource::Ga4]).unwrap();
        assert_eq!(
            rules.classify("Google", "CPC", "Brand-EU"),
            ("Brand Search".into(), RuleId::File(p.clone(), 2))
        );
        assert_eq!(rules.classify("google", "cpc", "generic").0, "Paid Search");
        assert_eq!(rules.classify("crm", "Newsletter", "").1, RuleId::File(p.clone(), 3));
        // A file alone: what no rule matches is Unassigned.
        let alone = ChannelRules::load(&[RuleSource::File(p)]).unwrap();
        assert_eq!(alone.classify("google", "organic", "").0, "Unassigned");
    }

    #[test]
    fn a_bad_rules_file_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let write = |text: &str| {
            let p = dir.path().join("r.csv");
            std::fs::write(&p, text).unwrap();
            ChannelRules::load(&[RuleSource::File(p.to_str().unwrap().into())]).map(|_| ())
        };
        let e = write("channel,source,medium\nX,(unclosed,\n").unwrap_err().to_string();
        assert!(
            e.contains("line 2, column `source`: found `(unclosed`, expected a regular expression"),
            "{e}"
        );
        let e = write("channel,source,meduim\nX,a,b\n").unwrap_err().to_string();
        assert!(e.contains("line 1, column `meduim`"), "{e}");
        let e = write("channel,source\n,a\n").unwrap_err().to_string();
        assert!(e.contains("line 2, column `channel`: found ``, expected a channel name"), "{e}");
    }
}
