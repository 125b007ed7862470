//! What one task of a service asks for and where it runs (`model::cost::Footprint`), from the
//! described service and its task definition: what the cost estimate multiplies.

use crate::cloud::aws::taskdefs::TaskDefInfo;
use crate::model::cost::{self, Arch, Capacity, Footprint, Launch, Share};
use aws_sdk_ecs::types::{CpuArchitecture, LaunchType, OsFamily};

/// The task definition's architecture: x86 unless it says ARM64 (ECS's default); None for a
/// Windows task, whose price is not the Linux one.
pub fn arch_of(td: &aws_sdk_ecs::types::TaskDefinition) -> Option<Arch> {
    let Some(p) = td.runtime_platform() else {
        return Some(Arch::X86);
    };
    if p.operating_system_family()
        .is_some_and(|os| *os != OsFamily::Linux)
    {
        return None;
    }
    match p.cpu_architecture() {
        None | Some(CpuArchitecture::X8664) => Some(Arch::X86),
        Some(CpuArchitecture::Arm64) => Some(Arch::Arm),
        Some(_) => None,
    }
}

/// Where the service's tasks run: its own capacity provider strategy, else its launch type.
pub fn launch_of(s: &aws_sdk_ecs::types::Service) -> Launch {
    let strategy = s.capacity_provider_strategy();
    if !strategy.is_empty() {
        return Launch::Strategy(
            strategy
                .iter()
                .map(|item| Share {
                    capacity: match item.capacity_provider() {
                        "FARGATE" => Some(Capacity::Fargate),
                        "FARGATE_SPOT" => Some(Capacity::FargateSpot),
                        _ => None,
                    },
                    weight: u32::try_from(item.weight()).unwrap_or(0),
                    base: u32::try_from(item.base()).unwrap_or(0),
                })
                .collect(),
        );
    }
    match s.launch_type() {
        Some(LaunchType::Fargate) => Launch::Fargate,
        Some(_) => Launch::NotFargate,
        None => Launch::Unknown,
    }
}

/// The footprint of a service whose current task definition is `td` (None: not read).
pub fn footprint_of(s: &aws_sdk_ecs::types::Service, td: Option<&TaskDefInfo>) -> Footprint {
    Footprint {
        cpu_units: td.and_then(|t| cost::parse_cpu_units(&t.spec.cpu)),
        memory_mib: td.and_then(|t| cost::parse_memory_mib(&t.spec.memory)),
        arch: td.and_then(|t| t.arch),
        launch: launch_of(s),
    }
}
