//! Who owns a service, found on moto (with the shim answering DescribeStackResources by the
//! service's ARN, which moto cannot): a CloudFormation stack that created an
//! `AWS::ECS::Service` (its OWNER cell, and the scale dialog saying what the stack's next update
//! does to the count), a service tagged by Copilot and one tagged for Terraform (no stack lists
//! either; their tags say who owns them).

use crate::support::shim::Shim;
use crate::support::testkit::{EPOCH, StateBuilder};
use crate::support::{moto, seed};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::cloud::Fleet;
use deckwatch::model::owner::{Owner, TemplateValue};
use deckwatch::state::table::Prepared;
use deckwatch::state::{Mode, Msg, State, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use seed::{Seeder, TaskDefSpec};

fn key(s: &mut State, code: KeyCode) {
    let _ = update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

async fn tag(seed: &Seeder, arn: &str, tags: &[(&str, &str)]) {
    let tags = tags
        .iter()
        .map(|(k, v)| aws_sdk_ecs::types::Tag::builder().key(*k).value(*v).build())
        .collect::<Vec<_>>();
    seed.ecs
        .tag_resource()
        .resource_arn(arn)
        .set_tags(Some(tags))
        .send()
        .await
        .expect("tag_resource");
}

#[tokio::test]
async fn a_stack_copilot_and_terraform_own_their_services_and_the_scale_dialog_says_so() {
    let url = moto::url();
    let shim = Shim::start(&url);
    let seed = Seeder::new(&url).await;
    let cluster = moto::unique("own");
    seed.cluster(&cluster).await;
    let stack_name = moto::unique("payments-prod");
    let template = serde_json::json!({
        "Resources": {
            "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": format!("{cluster}-pay"),
                "ContainerDefinitions": [{"Name": "app", "Image": "nginx", "Memory": 128}]}},
            "Service": {"Type": "AWS::ECS::Service", "Properties": {
                "Cluster": cluster, "ServiceName": "payments",
                "TaskDefinition": {"Ref": "TaskDef"}, "DesiredCount": 4}}
        }
    });
    let cfn = aws_sdk_cloudformation::Client::new(&moto::sdk_config(&url).await);
    cfn.create_stack()
        .stack_name(&stack_name)
        .template_body(template.to_string())
        .send()
        .await
        .expect("create_stack");
    let td = seed
        .task_def(TaskDefSpec {
            family: &format!("{cluster}-app"),
            container: "app",
            image: "example/app:1",
            log_group: "/ecs/app",
            stream_prefix: "ecs",
        })
        .await;
    let copilot = seed.service(&cluster, "notifications", &td, 2).await;
    tag(
        &seed,
        &copilot,
        &[
            ("copilot-application", "acme"),
            ("copilot-environment", "prod"),
            ("copilot-service", "notifications"),
        ],
    )
    .await;
    let terraform = seed.service(&cluster, "api", &td, 2).await;
    tag(&seed, &terraform, &[("ManagedBy", "terraform")]).await;

    // The console reads the services and asks who owns each, through the shim.
    let fleet = moto::fleet(&shim.url(), &[&cluster], vec![]).await;
    let services = fleet.services().await.unwrap();
    let mut answers = Vec::new();
    for s in &services {
        answers.push((s.key(), fleet.stack_of(&s.arn).await));
    }
    let pay = services
        .iter()
        .find(|s| s.name == "payments")
        .expect("the stack's service");
    let stack = answers
        .iter()
        .find(|(k, _)| k.name == "payments")
        .and_then(|(_, r)| r.as_ref().ok().cloned().flatten())
        .expect("CloudFormation names the stack of payments");
    assert_eq!(stack.name, stack_name);
    assert_eq!(stack.logical_id, "Service");
    let t = stack.template.as_ref().expect("the template is read");
    assert_eq!(t.desired, TemplateValue::Literal("4".into()));
    for name in ["notifications", "api"] {
        let (_, r) = answers.iter().find(|(k, _)| k.name == name).unwrap();
        assert_eq!(r.as_ref().unwrap(), &None, "no stack lists {name}");
    }

    let mut s = StateBuilder::demo(EPOCH).build();
    let _ = update(&mut s, Msg::Resize(200, 40));
    let _ = update(
        &mut s,
        Msg::Services(Prepared::from(services.clone()), EPOCH),
    );
    let _ = update(&mut s, Msg::Owners(answers));
    let owner = |name: &str| s.owner_of(services.iter().find(|x| x.name == name).unwrap());
    assert!(matches!(owner("payments"), Owner::Stack(_)));
    assert_eq!(owner("notifications").label(), "copilot acme/prod");
    assert_eq!(owner("api").label(), "terraform");
    let theme = crate::support::screen::dark();
    let mut term = Terminal::new(TestBackend::new(200, 40)).unwrap();
    term.draw(|f| {
        deckwatch::ui::draw(f, &s, &theme);
    })
    .unwrap();
    let screen = crate::support::screen::screen(term.backend().buffer());
    assert!(screen.contains("OWNER"), "{screen}");
    assert!(screen.contains(&format!("cfn {stack_name}")), "{screen}");

    // S on payments, 6, Enter: the dialog says what the stack's next update does.
    key(&mut s, KeyCode::Char('g'));
    while s.ctx.selected_service().map(|x| x.name.as_str()) != Some("payments") {
        key(&mut s, KeyCode::Char('j'));
    }
    assert_eq!(s.ctx.selected_service().unwrap().key(), pay.key());
    key(&mut s, KeyCode::Char('S'));
    key(&mut s, KeyCode::Char('6'));
    key(&mut s, KeyCode::Enter);
    let Mode::Confirm(plan, _) = &s.mode else {
        panic!("no dialog: {:?}", s.mode);
    };
    let said = deckwatch::state::owners::consequences(&s, plan);
    let expected = format!(
        "stack {stack_name} owns this service: its next update sets desiredCount back to 4"
    );
    assert_eq!(said, std::slice::from_ref(&expected));
    let mut term = Terminal::new(TestBackend::new(200, 40)).unwrap();
    term.draw(|f| {
        deckwatch::ui::draw(f, &s, &theme);
    })
    .unwrap();
    let screen = crate::support::screen::screen(term.backend().buffer());
    assert!(screen.contains(&expected), "{screen}");
    // The calls went through the shim: one DescribeStackResources a service, and the one
    // stack's template read once.
    let sent: Vec<String> = shim.calls().iter().map(|c| c.operation.clone()).collect();
    let count = |op: &str| sent.iter().filter(|o| *o == op).count();
    assert_eq!(count("DescribeStackResources"), 3, "{sent:?}");
    assert_eq!(count("GetTemplate"), 1, "{sent:?}");
}
