//! The fleet on moto, in the real binary: `[fleet] profiles = ["*-prod"]` over an AWS config
//! whose `*-prod` profiles assume roles in two other accounts (2xxxxxxxxxxx, 3xxxxxxxxxxx; `role_arn`
//! with `source_profile`, as the AWS CLI does it; moto keeps accounts apart by the access key of
//! the assumed role), watched in two regions. The fleet view shows each account's own counts:
//! its services, its firing alarm, its account number read from STS. Through the ECS-deployments
//! shim, a PAUSE hook waiting in one account sorts its row first and shows in the badge on the
//! pane of another.

use crate::support::pty::Console;
use crate::support::shim::{CanarySpec, Shim};
use crate::support::{moto, seed};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudwatch::types::StateValue;
use seed::{Seeder, TaskDefSpec};
use std::path::Path;

/// An SDK config acting as the role `deckwatch` of `account`, in `region`, and its access key.
pub(crate) async fn assumed(url: &str, account: &str, region: &str) -> (SdkConfig, String) {
    let sdk = moto::sdk_config(url).await;
    let out = aws_sdk_sts::Client::new(&sdk)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/deckwatch"))
        .role_session_name("seed")
        .send()
        .await
        .expect("assume_role");
    let c = out.credentials().expect("credentials");
    let creds = aws_credential_types::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "assumed",
    );
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(url)
        .credentials_provider(creds)
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    (sdk, c.access_key_id().to_string())
}

/// A 12-digit account starting with `first`, new for this run.
pub(crate) fn account(first: &str) -> String {
    let digits: String = moto::unique("")
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| char::from(b'0' + (c.to_digit(16).unwrap_or(0) % 10) as u8))
        .collect();
    format!("{first}{:0>11}", &digits[digits.len().saturating_sub(11)..])
}

/// `n` services in a fresh cluster of what `sdk` acts as.
pub(crate) async fn services(url: &str, (sdk, key): &(SdkConfig, String), n: usize) -> Vec<String> {
    let seed = Seeder::with_sdk(url, sdk, key).await;
    let cluster = moto::unique("fleet");
    seed.cluster(&cluster).await;
    let family = moto::unique("fam");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "example/app:3e1bbd7",
            log_group: "/ecs/fleet",
            stream_prefix: "ecs",
        })
        .await;
    let mut names = Vec::new();
    for _ in 0..n {
        let name = moto::unique("svc");
        seed.service(&cluster, &name, &td, 1).await;
        names.push(name);
    }
    names
}

/// The words of the fleet view's row for `label`, after the label.
pub(crate) fn row_after(screen: &str, label: &str) -> Vec<String> {
    let line = screen
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no row {label}:\n{screen}"));
    let rest = &line[line.find(label).unwrap() + label.len()..];
    rest.split_whitespace()
        .map(|w| w.trim_matches('│').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The console at 140x40 on `url` as profile `base`, `aws_config` its AWS config file (and no
/// shared credentials), its fleet the `*-prod` profiles in `regions`, read every 5 s.
fn console_of_prod_profiles(dir: &Path, url: &str, aws_config: &Path, regions: &[&str]) -> Console {
    let empty = dir.join("aws-credentials");
    std::fs::write(&empty, "").unwrap();
    let quoted: Vec<String> = regions.iter().map(|r| format!("\"{r}\"")).collect();
    let config = dir.join("deckwatch.toml");
    std::fs::write(
        &config,
        format!(
            "[fleet]\nprofiles = [\"*-prod\"]\nregions = [{}]\nevery_secs = 5\n",
            quoted.join(", ")
        ),
    )
    .unwrap();
    let env = [
        ("AWS_CONFIG_FILE", aws_config.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", empty.to_str().unwrap()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_ENDPOINT_URL", url),
    ];
    let args = ["--profile", "base", "--config", config.to_str().unwrap()];
    let c = Console::spawn_sized(&args, &env, 140, 40);
    c.wait_for("ctx base");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_view_shows_each_assumed_account_and_region_with_its_own_counts() {
    let url = moto::url();
    let (us, eu) = ("us-east-1", "eu-west-1");
    // Accounts of this run only (222222222222-like), so a second run on the same moto counts
    // only its own.
    let (acct_b, acct_c) = (account("2"), account("3"));
    let b_us = assumed(&url, &acct_b, us).await;
    let b_eu = assumed(&url, &acct_b, eu).await;
    let c_us = assumed(&url, &acct_c, us).await;
    services(&url, &b_us, 3).await;
    services(&url, &b_eu, 1).await;
    services(&url, &c_us, 2).await;
    let alarm = moto::unique("c-5xx");
    Seeder::with_sdk(&url, &c_us.0, &c_us.1)
        .await
        .alarm(&alarm, StateValue::Alarm, "5xx above 1%")
        .await;

    let dir = tempfile::tempdir().unwrap();
    let aws_config = dir.path().join("aws-config");
    let role = |account: &str| {
        format!(
            "role_arn = arn:aws:iam::{account}:role/deckwatch\nsource_profile = base\n\
             region = {us}\n"
        )
    };
    std::fs::write(
        &aws_config,
        format!(
            "[profile base]\naws_access_key_id = testing\naws_secret_access_key = testing\n\
             region = {us}\n\n[profile b-prod]\n{}\n[profile c-prod]\n{}\n[profile dev]\n\
             aws_access_key_id = testing\naws_secret_access_key = testing\n",
            role(&acct_b),
            role(&acct_c),
        ),
    )
    .unwrap();
    // Each context off screen is read by the fleet worker through its assumed role: STS's
    // GetCallerIdentity once (its account), then ListClusters, ListServices, DescribeServices
    // and DescribeAlarms at the fleet's rate.
    let mut c = console_of_prod_profiles(dir.path(), &url, &aws_config, &[us, eu]);
    c.send("0");
    c.wait_for("fleet (5)");
    // Every context off screen read: its account (from STS, through the assumed role) shown,
    // and its credentials' time left (the assumed role's expiry).
    c.wait_for_screen("every row read", |s| {
        let read = |label: &str, account: &str| {
            s.lines().any(|x| x.contains(label) && x.contains(account))
        };
        read("b-prod (us-east-1)", &acct_b)
            && read("b-prod (eu-west-1)", &acct_b)
            && read("c-prod (us-east-1)", &acct_c)
            && read("c-prod (eu-west-1)", &acct_c)
    });
    let screen = c.screen();
    // CONTEXT then HOOKS FAILING ALARMS ROLLING FAILED-1H SVCS CREDS AGE ACCOUNT.
    let b_us_row = row_after(&screen, "b-prod (us-east-1)");
    assert_eq!(
        (b_us_row[5].as_str(), b_us_row[8].as_str()),
        ("3", acct_b.as_str()),
        "{screen}"
    );
    let b_eu_row = row_after(&screen, "b-prod (eu-west-1)");
    assert_eq!(
        (b_eu_row[5].as_str(), b_eu_row[8].as_str()),
        ("1", acct_b.as_str()),
        "{screen}"
    );
    let c_us_row = row_after(&screen, "c-prod (us-east-1)");
    assert_eq!(c_us_row[2], "1", "c's firing alarm: {screen}");
    assert_eq!(
        (c_us_row[5].as_str(), c_us_row[8].as_str()),
        ("2", acct_c.as_str()),
        "{screen}"
    );
    let c_eu_row = row_after(&screen, "c-prod (eu-west-1)");
    assert_eq!(c_eu_row[5], "0", "{screen}");
    // The firing alarm sorts c-prod (us-east-1) above the quiet rows, and the badge says it on
    // the pane of another context.
    let c_at = screen.find("c-prod (us-east-1)").unwrap();
    assert!(
        c_at < screen.find("b-prod (us-east-1)").unwrap(),
        "{screen}"
    );
    c.send("\x1b");
    c.wait_for("fleet: 1 alarm");
    // `/` finds the image tag in every context, with context and cluster.
    c.send("0");
    c.send("/3e1bbd7\r");
    c.wait_for("6 found for \"3e1bbd7\"");
    c.send("\x1b");
    c.wait_for("fleet (5)");
    c.send("\x1b");
    c.wait_gone("fleet (5)");
    c.send("q");
    assert!(c.wait_exit().success());
}

/// A native canary waiting at its PAUSE hook in the account `sdk` acts as, registered with
/// `shim` (which answers the deployment APIs moto lacks); returns the service's name.
async fn waiting_canary(url: &str, shim: &Shim, (sdk, key): &(SdkConfig, String)) -> String {
    let seed = Seeder::with_sdk(url, sdk, key).await;
    let cluster = moto::unique("hooked");
    seed.cluster(&cluster).await;
    let family = moto::unique("shop");
    let image = |tag: &str| format!("example/{family}:{tag}");
    let mut tds = Vec::new();
    for tag in ["v7", "v8"] {
        let image = image(tag);
        let spec = TaskDefSpec {
            family: &family,
            container: "app",
            image: &image,
            log_group: "/ecs/hooked",
            stream_prefix: "ecs",
        };
        tds.push(seed.task_def(spec).await);
    }
    let service = moto::unique("storefront");
    let service_arn = seed.service(&cluster, &service, &tds[1], 2).await;
    shim.canary(CanarySpec {
        cluster,
        service: service.clone(),
        service_arn,
        source_task_def: tds[0].clone(),
        source_image: image("v7"),
        source_digest: format!("sha256:{}", "7".repeat(64)),
        target_task_def: tds[1].clone(),
        target_image: image("v8"),
        target_digest: format!("sha256:{}", "8".repeat(64)),
        tasks: 2,
        canary_percent: 10.0,
        canary_bake_minutes: 15,
        bake_minutes: 10,
        hook_timeout_minutes: 30,
        timeout_action: "ROLLBACK".into(),
        name_current: true,
        strategy: "CANARY",
        step_percent: 25.0,
        step_bake_minutes: 3,
    });
    service
}

/// Two accounts behind the shim: a canary waits at its PAUSE hook in b's, c is quiet. The
/// fleet worker reads b's hook (DescribeServiceDeployments through the shim), its row sorts
/// first, and the badge on the pane of the context on screen (another account) says it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hook_waiting_in_one_account_sorts_first_and_shows_in_the_badge_of_another() {
    let moto_url = moto::url();
    let shim = Shim::start(&moto_url);
    let url = shim.url();
    let us = "us-east-1";
    let (acct_b, acct_c) = (account("2"), account("3"));
    let b = assumed(&url, &acct_b, us).await;
    let c_us = assumed(&url, &acct_c, us).await;
    waiting_canary(&url, &shim, &b).await;
    services(&url, &c_us, 2).await;

    let dir = tempfile::tempdir().unwrap();
    let aws_config = dir.path().join("aws-config");
    let role = |account: &str| {
        format!("role_arn = arn:aws:iam::{account}:role/deckwatch\nsource_profile = base\n")
    };
    std::fs::write(
        &aws_config,
        format!(
            "[profile base]\naws_access_key_id = testing\naws_secret_access_key = testing\n\
             region = {us}\n\n[profile b-prod]\n{}region = {us}\n\n[profile c-prod]\n{}\
             region = {us}\n",
            role(&acct_b),
            role(&acct_c),
        ),
    )
    .unwrap();
    let mut c = console_of_prod_profiles(dir.path(), &url, &aws_config, &[us]);
    // The fleet worker reads b's canary as the panes do: DescribeServices names its current
    // deployment, DescribeServiceDeployments (the shim's) gives the hook waiting and its
    // timeout, DescribeServiceRevisions the revisions.
    // The badge on base's services pane: b's hook, with its time left (a 30-minute timeout).
    c.wait_for_screen("the badge names b's hook", |s| {
        s.lines()
            .next()
            .is_some_and(|h| h.contains("fleet: 1 hook ") && !h.contains("alarm"))
    });
    c.send("0");
    c.wait_for_screen("every row read", |s| {
        s.lines()
            .any(|x| x.contains("c-prod") && x.contains(&acct_c))
            && s.lines()
                .any(|x| x.contains("b-prod") && x.contains(&acct_b))
    });
    let screen = c.screen();
    // CONTEXT then HOOKS (`1 · 29m`) FAILING ALARMS ROLLING FAILED-1H SVCS CREDS AGE ACCOUNT.
    let b_row = row_after(&screen, "b-prod (us-east-1)");
    assert_eq!(
        (b_row[0].as_str(), b_row[1].as_str()),
        ("1", "·"),
        "{screen}"
    );
    assert!(b_row[2].ends_with('m'), "the hook's time left: {screen}");
    assert_eq!(row_after(&screen, "c-prod (us-east-1)")[0], "0", "{screen}");
    // b first: above c and above base, the context on screen.
    let first_row = screen
        .lines()
        .skip_while(|l| !l.contains("CONTEXT"))
        .nth(1)
        .unwrap_or_default();
    assert!(first_row.contains("b-prod (us-east-1)"), "{screen}");
    c.send("\x1b");
    c.wait_gone("most urgent first");
    c.send("q");
    assert!(c.wait_exit().success());
}
