//! The demo's built-in Fargate prices (its region's list prices, Spot about 70% off) and what
//! each of its services asks for, so `--demo` shows the COST column and the scale dialog's
//! line without a Price List call. A service's footprint follows its cluster and its size:
//! nothing here reads a service's name.

use crate::model::cost::{Arch, Capacity, Footprint, Launch, PriceTable, Rate, Share};

/// The demo region's Linux Fargate prices.
pub fn table(region: &str) -> PriceTable {
    PriceTable {
        region: region.to_string(),
        x86: Some(Rate {
            vcpu_hour: 0.04048,
            gb_hour: 0.004445,
        }),
        arm: Some(Rate {
            vcpu_hour: 0.03238,
            gb_hour: 0.00356,
        }),
        x86_spot: Some(Rate {
            vcpu_hour: 0.012144,
            gb_hour: 0.0013335,
        }),
        arm_spot: Some(Rate {
            vcpu_hour: 0.009714,
            gb_hour: 0.001068,
        }),
    }
}

/// A service's footprint in the demo: staging runs mostly on Spot (one task on demand), prod
/// on demand; every third service is built for ARM; bigger fleets get bigger tasks.
pub fn footprint(cluster: &str, index: usize, desired: u32) -> Footprint {
    let (cpu, mem) = match desired {
        0..=2 => (256, 512),
        3..=4 => (512, 1024),
        _ => (1024, 2048),
    };
    let launch = if cluster.starts_with("staging") {
        Launch::Strategy(vec![
            Share {
                capacity: Some(Capacity::Fargate),
                weight: 0,
                base: 1,
            },
            Share {
                capacity: Some(Capacity::FargateSpot),
                weight: 1,
                base: 0,
            },
        ])
    } else {
        Launch::Fargate
    };
    Footprint {
        cpu_units: Some(cpu),
        memory_mib: Some(mem),
        arch: Some(if index % 3 == 2 { Arch::Arm } else { Arch::X86 }),
        launch,
    }
}
