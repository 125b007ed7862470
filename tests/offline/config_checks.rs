//! The config refuses what would let a value become something else: a `[budget]` rate for an
//! operation deckwatch never calls (a typo silently ignored), a rate so low a poller starves for
//! good, two `[[build]]` entries for one service (which one wins?), and a `[[build]] repo` or
//! workflow that is not a name GitHub allows (it would become a request's path). Each error
//! names the file, line and column.

use deckwatch::config::Config;

#[test]
fn budget_names_only_operations_deckwatch_calls_at_a_rate_it_can_live_with() {
    let err = Config::parse("c.toml", "[budget]\n\"ecs:ListServicez\" = 5\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("c.toml:2:1: [budget] \"ecs:ListServicez\" is not an operation"),
        "{err}"
    );
    let err = Config::parse("c.toml", "[budget]\n\"ecs:listservices\" = 5\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("did you mean \"ecs:ListServices\""), "{err}");
    let err = Config::parse(
        "c.toml",
        "theme = \"dark\"\n[budget]\n\"logs:FilterLogEvents\" = 1e-300\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("c.toml:3:1: [budget] \"logs:FilterLogEvents\" = 1e-300: "),
        "{err}"
    );
    assert!(err.contains("at least 0.01 calls a second"), "{err}");
    assert!(Config::parse("c.toml", "[logs]\nfilter_tps = 0.001\n").is_err());
    let ok = Config::parse("c.toml", "[budget]\n\"github:ListWorkflowRuns\" = 0.5\n").unwrap();
    assert_eq!(ok.budget.get("github:ListWorkflowRuns"), Some(&0.5));
}

#[test]
fn one_build_per_service_and_both_places_named() {
    let text = "[[build]]\nservice = \"checkout\"\nrepo = \"acme/checkout\"\nworkflow = \"b.yml\"\n\n\
                [[build]]\nservice = \"checkout\"\nrepo = \"acme/other\"\nworkflow = \"b.yml\"\n";
    let err = Config::parse("c.toml", text).unwrap_err().to_string();
    assert_eq!(
        err,
        "c.toml:7:1: [[build]] for \"checkout\" is given twice: here and at c.toml:2:1; keep one"
    );
}

#[test]
fn a_build_repo_is_owner_and_name_as_github_allows() {
    let text = "[[build]]\nservice = \"checkout\"\nrepo = \"acme/checkout/actions/runs/8001/cancel?x=\"\nworkflow = \"b.yml\"\n";
    let err = Config::parse("c.toml", text).unwrap_err().to_string();
    assert!(
        err.starts_with("c.toml:3:1: [[build]] for \"checkout\": repo "),
        "{err}"
    );
    assert!(err.contains("is not owner/name"), "{err}");
    let text =
        "[[build]]\nservice = \"checkout\"\nrepo = \"acme/checkout\"\nworkflow = \"../x.yml\"\n";
    let err = Config::parse("c.toml", text).unwrap_err().to_string();
    assert!(err.starts_with("c.toml:4:1:"), "{err}");
}

/// `deckwatch config check` lists these with every other error, each in its place.
#[test]
fn config_check_lists_every_budget_and_build_error_at_once() {
    let text = "[budget]\n\"ecs:ListServicez\" = 5\n\"ecs:ListServices\" = 1e-300\n\n\
                [[build]]\nservice = \"checkout\"\nrepo = \"acme/checkout?x=\"\nworkflow = \"b.yml\"\n\n\
                [[build]]\nservice = \"checkout\"\nrepo = \"acme/checkout\"\nworkflow = \"../b.yml\"\n";
    let checked = deckwatch::config::parse_every_error("c.toml", text);
    let got: Vec<String> = checked.errors.iter().map(ToString::to_string).collect();
    let want = [
        "c.toml:2:1: [budget] \"ecs:ListServicez\" is not an operation",
        "c.toml:3:1: [budget] \"ecs:ListServices\" = 1e-300: ",
        "c.toml:7:1: [[build]] for \"checkout\": repo ",
        "c.toml:11:1: [[build]] for \"checkout\" is given twice: here and at c.toml:6:1",
        "c.toml:13:1: [[build]] for \"checkout\": workflow ",
    ];
    for w in want {
        assert!(got.iter().any(|g| g.starts_with(w)), "{w} not in {got:#?}");
    }
    assert_eq!(got.len(), want.len(), "{got:#?}");
}

#[test]
fn a_webhook_is_https_or_local_http_and_its_error_names_the_key_never_the_url() {
    let err = Config::parse(
        "c.toml",
        "[notify]\njobs = true\nwebhook = \"http://hooks.example.com/T0/B0/secretpart\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("c.toml:3:"), "{err}");
    assert!(
        err.contains("[notify] webhook must be an https:// URL"),
        "{err}"
    );
    assert!(!err.contains("secretpart"), "{err}");
    let ok = Config::parse(
        "c.toml",
        "[notify]\nwebhook = \"https://hooks.example.com/T0/B0/secretpart\"\n",
    )
    .unwrap();
    let url = ok.notify.webhook.as_ref().expect("taken");
    assert_eq!(url.expose(), "https://hooks.example.com/T0/B0/secretpart");
    // Debug output of the whole config never carries it.
    assert!(!format!("{ok:?}").contains("secretpart"));
    assert!(format!("{ok:?}").contains("<webhook url set>"));
    assert!(Config::parse("c.toml", "[notify]\nwebhook = \"http://127.0.0.1:9/h\"\n").is_ok());
}
