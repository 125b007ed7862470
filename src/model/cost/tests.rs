use super::*;

fn prices() -> PriceTable {
    PriceTable {
        region: "us-east-1".into(),
        x86: Some(Rate {
            vcpu_hour: 0.04048,
            gb_hour: 0.004445,
        }),
        arm: Some(Rate {
            vcpu_hour: 0.03238,
            gb_hour: 0.00356,
        }),
        x86_spot: Some(Rate {
            vcpu_hour: 0.01,
            gb_hour: 0.001,
        }),
        arm_spot: None,
    }
}

fn fargate(cpu: u32, mem: u32, arch: Arch) -> Footprint {
    Footprint {
        cpu_units: Some(cpu),
        memory_mib: Some(mem),
        arch: Some(arch),
        launch: Launch::Fargate,
    }
}

#[test]
fn usage_types_name_arch_capacity_and_half() {
    use Arch::*;
    use Capacity::*;
    use RatePart::*;
    let cases = [
        ("USE1-Fargate-vCPU-Hours:perCPU", Some((X86, Fargate, Vcpu))),
        ("EUC1-Fargate-GB-Hours", Some((X86, Fargate, Memory))),
        (
            "USE1-Fargate-ARM-vCPU-Hours:perCPU",
            Some((Arm, Fargate, Vcpu)),
        ),
        (
            "USW2-SpotUsage-Fargate-GB-Hours",
            Some((X86, FargateSpot, Memory)),
        ),
        (
            "USE1-SpotUsage-Fargate-ARM-GB-Hours",
            Some((Arm, FargateSpot, Memory)),
        ),
        ("Fargate-GB-Hours", Some((X86, Fargate, Memory))),
        ("USE1-Fargate-Windows-vCPU-Hours:perCPU", None),
        ("USE1-Fargate-EphemeralStorage-GB-Hours", None),
        ("USE1-ECS-EKS-Fargate-GB-Hours", None),
    ];
    for (text, want) in cases {
        assert_eq!(usage_type(text), want, "{text}");
    }
}

#[test]
fn one_x86_task_costs_its_cpu_and_memory() {
    // 0.5 vCPU × $0.04048 + 1 GB × $0.004445 = $0.024685 an hour; × 24 = $0.59244 a day.
    let e = estimate(&fargate(512, 1024, Arch::X86), &prices(), 1).expect("known");
    assert!((e.per_day() - 0.59244).abs() < 1e-9, "{}", e.per_day());
    // Three tasks cost three times as much.
    let three = estimate(&fargate(512, 1024, Arch::X86), &prices(), 3).expect("known");
    assert!((three.per_hour - 3.0 * e.per_hour).abs() < 1e-12);
}

#[test]
fn a_strategy_puts_the_base_first_and_the_rest_by_weight() {
    let launch = Launch::Strategy(vec![
        Share {
            capacity: Some(Capacity::Fargate),
            weight: 1,
            base: 2,
        },
        Share {
            capacity: Some(Capacity::FargateSpot),
            weight: 3,
            base: 0,
        },
    ]);
    // 10 tasks: 2 on the base, then 8 split 1:3 = 2 on demand, 6 on Spot.
    let s = spread(&launch, 10).expect("known");
    assert_eq!(
        s,
        vec![
            (Capacity::Fargate, 2.0),
            (Capacity::Fargate, 2.0),
            (Capacity::FargateSpot, 6.0)
        ]
    );
    // One task fits in the base.
    assert_eq!(spread(&launch, 1), Some(vec![(Capacity::Fargate, 1.0)]));
}

#[test]
fn anything_unknown_gives_no_estimate() {
    let p = prices();
    let mut fp = fargate(256, 512, Arch::X86);
    fp.cpu_units = None;
    assert_eq!(estimate(&fp, &p, 2), None);
    let mut fp = fargate(256, 512, Arch::X86);
    fp.launch = Launch::Unknown;
    assert_eq!(estimate(&fp, &p, 2), None);
    fp.launch = Launch::NotFargate;
    assert_eq!(estimate(&fp, &p, 2), None);
    // No ARM Spot price in the table: an ARM service on Spot is unknown.
    let mut fp = fargate(256, 512, Arch::Arm);
    fp.launch = Launch::Strategy(vec![Share {
        capacity: Some(Capacity::FargateSpot),
        weight: 1,
        base: 0,
    }]);
    assert_eq!(estimate(&fp, &p, 2), None);
    // A provider that is not Fargate in the strategy.
    fp.launch = Launch::Strategy(vec![Share {
        capacity: None,
        weight: 1,
        base: 0,
    }]);
    assert_eq!(estimate(&fp, &p, 2), None);
    // No task: nothing to pay, and that is known.
    let zero = estimate(&fargate(256, 512, Arch::X86), &p, 0).expect("known");
    assert_eq!(zero.per_hour, 0.0);
}

#[test]
fn half_a_price_pair_is_no_price() {
    let mut t = PriceTable::default();
    t.set(Arch::X86, Capacity::Fargate, RatePart::Vcpu, 0.04);
    t.set(Arch::Arm, Capacity::Fargate, RatePart::Vcpu, 0.03);
    t.set(Arch::Arm, Capacity::Fargate, RatePart::Memory, 0.003);
    let t = t.complete();
    assert_eq!(t.x86, None);
    assert_eq!(
        t.arm,
        Some(Rate {
            vcpu_hour: 0.03,
            gb_hour: 0.003
        })
    );
}

#[test]
fn cpu_and_memory_read_as_ecs_writes_them() {
    assert_eq!(parse_cpu_units("256"), Some(256));
    assert_eq!(parse_cpu_units("0.25 vCPU"), Some(256));
    assert_eq!(parse_cpu_units("2 vcpu"), Some(2048));
    assert_eq!(parse_cpu_units(""), None);
    assert_eq!(parse_cpu_units("lots"), None);
    assert_eq!(parse_memory_mib("512"), Some(512));
    assert_eq!(parse_memory_mib("2 GB"), Some(2048));
    assert_eq!(parse_memory_mib("2 TB"), None);
}

#[test]
fn dollars_and_the_scale_line_read_plainly() {
    assert_eq!(dollars(0.5), "$0.50");
    assert_eq!(dollars(94.304), "$94.30");
    assert_eq!(dollars(1234.4), "$1,234");
    assert_eq!(dollars(123.6), "$124");
    // 1 vCPU, 2 GB on x86: $0.04048 + 2 × $0.004445 = $0.04937 an hour, $1.18488 a day a
    // task; 4 → 8 tasks adds four of them: $4.73952 a day.
    let fp = fargate(1024, 2048, Arch::X86);
    assert_eq!(
        scale_line(&fp, &prices(), 4, 8).as_deref(),
        Some("4 → 8 tasks: +$4.74/day (estimate)")
    );
    assert_eq!(
        scale_line(&fp, &prices(), 8, 4).as_deref(),
        Some("8 → 4 tasks: -$4.74/day (estimate)")
    );
}

#[test]
fn a_context_total_counts_the_unknown_services() {
    assert_eq!(context_total(std::iter::empty(), None), None);
    let t = Total {
        per_hour: 1.0,
        known: 2,
        unknown: 1,
    };
    assert_eq!(t.text(), "≥~$24.00/day");
}
