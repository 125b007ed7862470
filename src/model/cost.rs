//! What a service costs, as an estimate and said to be one: the Fargate prices of a region
//! (`PriceTable`, read from the Price List API or built into the demo) times what each task
//! asks (`Footprint`: CPU, memory, architecture and where it runs), times the tasks. A figure
//! that is not known is never guessed: the estimate is then `None` and the screen shows `?`.
//! Not counted: ephemeral storage above the free 20 GB, Savings Plans, data transfer and the
//! load balancer.

use serde::{Deserialize, Serialize};

/// Hours in a day, and days in an average month (365 / 12), for $/day and $/month.
const HOURS_A_DAY: f64 = 24.0;
const DAYS_A_MONTH: f64 = 365.0 / 12.0;

/// The CPU architecture a task definition runs on (`runtimePlatform.cpuArchitecture`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arch {
    X86,
    Arm,
}

/// The Fargate capacity a task runs on: on demand or Spot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Capacity {
    Fargate,
    FargateSpot,
}

/// One entry of a capacity provider strategy. `capacity` is None for a provider that is not
/// Fargate (an Auto Scaling group's), whose tasks have no Fargate price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub capacity: Option<Capacity>,
    pub weight: u32,
    pub base: u32,
}

/// Where a service's tasks run, as ECS says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Launch {
    /// `launchType: FARGATE`.
    Fargate,
    /// A capacity provider strategy of the service's own.
    Strategy(Vec<Share>),
    /// EC2 or EXTERNAL: paid for by the instance, not by the task.
    NotFargate,
    /// Neither said (the cluster's default strategy, which the service does not show).
    #[default]
    Unknown,
}

/// What one task of a service asks for, from its task definition and the service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Footprint {
    /// Task-level CPU units (1024 = one vCPU).
    pub cpu_units: Option<u32>,
    /// Task-level memory in MiB.
    pub memory_mib: Option<u32>,
    /// None: a platform with no Linux Fargate price (Windows) or not read.
    pub arch: Option<Arch>,
    pub launch: Launch,
}

/// A Fargate price pair, in USD.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub vcpu_hour: f64,
    pub gb_hour: f64,
}

/// The Linux Fargate prices of one region; a price the list did not give is None.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PriceTable {
    pub region: String,
    pub x86: Option<Rate>,
    pub arm: Option<Rate>,
    pub x86_spot: Option<Rate>,
    pub arm_spot: Option<Rate>,
}

impl PriceTable {
    pub fn rate(&self, arch: Arch, capacity: Capacity) -> Option<Rate> {
        match (arch, capacity) {
            (Arch::X86, Capacity::Fargate) => self.x86,
            (Arch::Arm, Capacity::Fargate) => self.arm,
            (Arch::X86, Capacity::FargateSpot) => self.x86_spot,
            (Arch::Arm, Capacity::FargateSpot) => self.arm_spot,
        }
    }

    /// Sets one half of a price pair.
    pub fn set(&mut self, arch: Arch, capacity: Capacity, part: RatePart, usd: f64) {
        let slot = match (arch, capacity) {
            (Arch::X86, Capacity::Fargate) => &mut self.x86,
            (Arch::Arm, Capacity::Fargate) => &mut self.arm,
            (Arch::X86, Capacity::FargateSpot) => &mut self.x86_spot,
            (Arch::Arm, Capacity::FargateSpot) => &mut self.arm_spot,
        };
        // NaN marks the half not read yet; `complete` drops a pair missing a half.
        let rate = slot.get_or_insert(Rate {
            vcpu_hour: f64::NAN,
            gb_hour: f64::NAN,
        });
        match part {
            RatePart::Vcpu => rate.vcpu_hour = usd,
            RatePart::Memory => rate.gb_hour = usd,
        }
    }

    /// The table with every pair missing a half removed: no price is half known.
    pub fn complete(mut self) -> Self {
        for slot in [
            &mut self.x86,
            &mut self.arm,
            &mut self.x86_spot,
            &mut self.arm_spot,
        ] {
            if slot.is_some_and(|r| !(r.vcpu_hour.is_finite() && r.gb_hour.is_finite())) {
                *slot = None;
            }
        }
        self
    }

    /// Whether any price is known.
    pub fn is_empty(&self) -> bool {
        self.x86.is_none()
            && self.arm.is_none()
            && self.x86_spot.is_none()
            && self.arm_spot.is_none()
    }
}

/// Which half of a price pair a usage type gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatePart {
    Vcpu,
    Memory,
}

/// What one Price List usage type prices, e.g. `USE1-SpotUsage-Fargate-ARM-GB-Hours`: the
/// region prefix (absent in some regions) is skipped; Windows, storage and EKS are None.
pub fn usage_type(usagetype: &str) -> Option<(Arch, Capacity, RatePart)> {
    let rest = match usagetype.split_once('-') {
        Some((_, rest)) if !usagetype.starts_with("Fargate") && !usagetype.starts_with("Spot") => {
            rest
        }
        _ => usagetype,
    };
    let (capacity, rest) = match rest.strip_prefix("SpotUsage-") {
        Some(r) => (Capacity::FargateSpot, r),
        None => (Capacity::Fargate, rest),
    };
    let rest = rest.strip_prefix("Fargate-")?;
    let (arch, rest) = match rest.strip_prefix("ARM-") {
        Some(r) => (Arch::Arm, r),
        None => (Arch::X86, rest),
    };
    let part = match rest {
        "vCPU-Hours:perCPU" => RatePart::Vcpu,
        "GB-Hours" => RatePart::Memory,
        _ => return None,
    };
    Some((arch, capacity, part))
}

/// What a service costs an hour; always an estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub per_hour: f64,
}

impl Estimate {
    pub fn per_day(&self) -> f64 {
        self.per_hour * HOURS_A_DAY
    }

    pub fn per_month(&self) -> f64 {
        self.per_day() * DAYS_A_MONTH
    }
}

/// How `tasks` tasks spread over the strategy's capacities: the base first (in the strategy's
/// order), the rest by weight. None when a task lands on a provider with no Fargate price or
/// the weights say nothing.
pub fn spread(launch: &Launch, tasks: u32) -> Option<Vec<(Capacity, f64)>> {
    let shares = match launch {
        Launch::Fargate => return Some(vec![(Capacity::Fargate, f64::from(tasks))]),
        Launch::Strategy(shares) => shares,
        Launch::NotFargate | Launch::Unknown => return None,
    };
    let mut left = tasks;
    let mut out = Vec::new();
    for s in shares.iter().filter(|s| s.base > 0) {
        let n = s.base.min(left);
        if n > 0 {
            out.push((s.capacity?, f64::from(n)));
        }
        left -= n;
    }
    if left == 0 {
        return Some(out);
    }
    let total: u32 = shares.iter().map(|s| s.weight).sum();
    if total == 0 {
        return None;
    }
    for s in shares.iter().filter(|s| s.weight > 0) {
        let n = f64::from(left) * f64::from(s.weight) / f64::from(total);
        out.push((s.capacity?, n));
    }
    Some(out)
}

/// The estimated cost of `tasks` tasks of this footprint, or None when anything it needs is
/// unknown (CPU, memory, architecture, where the tasks run, or that capacity's price).
pub fn estimate(fp: &Footprint, prices: &PriceTable, tasks: u32) -> Option<Estimate> {
    let vcpu = f64::from(fp.cpu_units?) / 1024.0;
    let gb = f64::from(fp.memory_mib?) / 1024.0;
    let arch = fp.arch?;
    let mut per_hour = 0.0;
    for (capacity, n) in spread(&fp.launch, tasks)? {
        let rate = prices.rate(arch, capacity)?;
        per_hour += n * (vcpu * rate.vcpu_hour + gb * rate.gb_hour);
    }
    Some(Estimate { per_hour })
}

/// One service's estimate at its running tasks.
pub fn service_estimate(s: &super::Service, prices: &PriceTable) -> Option<Estimate> {
    estimate(&s.footprint, prices, s.running)
}

/// A context's estimated cost: the sum over the services whose estimate is known, and how
/// many are not (a total with `unknown > 0` is a floor, and says so).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Total {
    pub per_hour: f64,
    pub known: usize,
    pub unknown: usize,
}

impl Total {
    pub fn per_day(&self) -> f64 {
        self.per_hour * HOURS_A_DAY
    }

    pub fn per_month(&self) -> f64 {
        self.per_day() * DAYS_A_MONTH
    }

    /// `~$41.20/day` (estimate); `≥~$41.20/day` when some services are unknown.
    pub fn text(&self) -> String {
        let floor = if self.unknown > 0 { "≥" } else { "" };
        format!("{floor}~{}/day", dollars(self.per_day()))
    }
}

/// The estimated cost of every service of one context at its running tasks: for the fleet
/// view's row. `prices` are the context's region's; None gives None (no figure at all).
pub fn context_total<'a>(
    services: impl IntoIterator<Item = &'a super::Service>,
    prices: Option<&PriceTable>,
) -> Option<Total> {
    let prices = prices?;
    let mut total = Total::default();
    for s in services {
        match service_estimate(s, prices) {
            Some(e) => {
                total.per_hour += e.per_hour;
                total.known += 1;
            }
            None => total.unknown += 1,
        }
    }
    Some(total)
}

/// `$0.42`, `$3.10`, `$94`, `$1,234`: cents below $100, whole dollars above.
pub fn dollars(usd: f64) -> String {
    if usd < 100.0 {
        return format!("${usd:.2}");
    }
    let whole = format!("{:.0}", usd);
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("${out}")
}

/// The scale dialog's line: `4 → 8 tasks: +$3.10/day (estimate)`; None when the estimate is
/// not known.
pub fn scale_line(fp: &Footprint, prices: &PriceTable, from: u32, to: u32) -> Option<String> {
    let before = estimate(fp, prices, from)?.per_day();
    let after = estimate(fp, prices, to)?.per_day();
    let change = after - before;
    let sign = if change < 0.0 { "-" } else { "+" };
    Some(format!(
        "{from} → {to} tasks: {sign}{}/day (estimate)",
        dollars(change.abs())
    ))
}

/// Task-level CPU as ECS writes it: units (`256`) or vCPUs (`0.25 vCPU`).
pub fn parse_cpu_units(s: &str) -> Option<u32> {
    parse_amount(s, &["vcpu", "vcpus"])
}

/// Task-level memory as ECS writes it: MiB (`512`) or GB (`1 GB`).
pub fn parse_memory_mib(s: &str) -> Option<u32> {
    parse_amount(s, &["gb"])
}

/// A plain number, or a number and one of `units` (times 1024).
fn parse_amount(s: &str, units: &[&str]) -> Option<u32> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u32>() {
        return (n > 0).then_some(n);
    }
    let (num, unit) = s.split_once(char::is_whitespace)?;
    if !units.contains(&unit.trim().to_ascii_lowercase().as_str()) {
        return None;
    }
    let n: f64 = num.parse().ok()?;
    let units = (n * 1024.0).round();
    (units > 0.0 && units < f64::from(u32::MAX)).then_some(units as u32)
}

/// What Cost Explorer billed each service on one day: billed, not estimated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BilledDay {
    /// The day, as Cost Explorer writes it (`2026-12-05`).
    pub day: String,
    pub by_service: Vec<(super::ServiceKey, f64)>,
}

impl BilledDay {
    /// What `key` was billed that day, if Cost Explorer named it.
    pub fn of(&self, key: &super::ServiceKey) -> Option<f64> {
        self.by_service
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, usd)| *usd)
    }
}

#[cfg(test)]
mod tests;
