//! A described task definition in full, mapped into `model::TaskDefinition` for the diff:
//! per container its image, environment, secrets (by ARN), command, ports, health check and
//! log configuration, and the task's cpu and memory.

use crate::cloud::aws::parse::task_def_ref;
use crate::model::taskdef::{ContainerDef, HealthCheck, LogConfig, PortMapping, TaskDefinition};
use crate::model::text::clean;
use aws_sdk_ecs::types::{ContainerDefinition, Secret};

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

fn secrets(s: &[Secret]) -> Vec<(String, String)> {
    sorted(
        s.iter()
            .map(|s| (clean(s.name()), clean(s.value_from())))
            .collect(),
    )
}

fn strings(v: &[String]) -> Vec<String> {
    v.iter().map(|s| clean(s)).collect()
}

fn container(c: &ContainerDefinition) -> ContainerDef {
    let text = |s: Option<&str>| clean(s.unwrap_or_default());
    ContainerDef {
        name: text(c.name()),
        image: text(c.image()),
        environment: sorted(
            c.environment()
                .iter()
                .map(|kv| (text(kv.name()), text(kv.value())))
                .collect(),
        ),
        secrets: secrets(c.secrets()),
        command: strings(c.command()),
        entry_point: strings(c.entry_point()),
        ports: c
            .port_mappings()
            .iter()
            .map(|p| PortMapping {
                container_port: p.container_port(),
                host_port: p.host_port(),
                protocol: p
                    .protocol()
                    .map_or(String::new(), |p| p.as_str().to_string()),
                name: text(p.name()),
            })
            .collect(),
        health_check: c.health_check().map(|h| HealthCheck {
            command: strings(h.command()),
            interval_secs: h.interval(),
            timeout_secs: h.timeout(),
            retries: h.retries(),
            start_period_secs: h.start_period(),
        }),
        log: c.log_configuration().map(|l| LogConfig {
            driver: l.log_driver().as_str().to_string(),
            options: sorted(
                l.options()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (clean(k), clean(v)))
                    .collect(),
            ),
            secret_options: secrets(l.secret_options()),
        }),
        cpu: (c.cpu() != 0).then_some(c.cpu()),
        memory: c.memory(),
    }
}

/// The model of a described task definition; `arn` names it when the answer does not.
pub fn spec_of(arn: &str, td: &aws_sdk_ecs::types::TaskDefinition) -> TaskDefinition {
    TaskDefinition {
        task_def: task_def_ref(td.task_definition_arn().unwrap_or(arn)),
        cpu: clean(td.cpu().unwrap_or_default()),
        memory: clean(td.memory().unwrap_or_default()),
        containers: td.container_definitions().iter().map(container).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{
        HealthCheck as SdkHealth, KeyValuePair, LogConfiguration, LogDriver,
        PortMapping as SdkPort, TransportProtocol,
    };

    #[test]
    fn maps_every_field_the_diff_compares() {
        let c = ContainerDefinition::builder()
            .name("app")
            .image("repo/pay:v2")
            .environment(KeyValuePair::builder().name("Z").value("1").build())
            .environment(
                KeyValuePair::builder()
                    .name("A")
                    .value("\u{1b}[31m2")
                    .build(),
            )
            .secrets(
                Secret::builder()
                    .name("KEY")
                    .value_from("arn:aws:secretsmanager:x:1:secret:k")
                    .build()
                    .unwrap(),
            )
            .command("serve")
            .port_mappings(
                SdkPort::builder()
                    .container_port(8080)
                    .protocol(TransportProtocol::Tcp)
                    .build(),
            )
            .health_check(
                SdkHealth::builder()
                    .command("CMD")
                    .interval(10)
                    .build()
                    .unwrap(),
            )
            .log_configuration(
                LogConfiguration::builder()
                    .log_driver(LogDriver::Awslogs)
                    .options("awslogs-group", "/ecs/pay")
                    .build()
                    .unwrap(),
            )
            .memory(512)
            .build();
        let td = aws_sdk_ecs::types::TaskDefinition::builder()
            .task_definition_arn("arn:aws:ecs:eu-west-1:1:task-definition/pay:7")
            .cpu("256")
            .memory("512")
            .container_definitions(c)
            .build();
        let s = spec_of("x", &td);
        assert_eq!(s.task_def.to_string(), "pay:7");
        assert_eq!((s.cpu.as_str(), s.memory.as_str()), ("256", "512"));
        let c = &s.containers[0];
        assert_eq!(c.environment[0], ("A".to_string(), "[31m2".to_string()));
        assert_eq!(c.secrets[0].1, "arn:aws:secretsmanager:x:1:secret:k");
        assert_eq!(c.ports[0].to_string(), "8080/tcp");
        assert_eq!(c.health_check.as_ref().unwrap().interval_secs, Some(10));
        assert_eq!(c.log.as_ref().unwrap().driver, "awslogs");
        assert_eq!((c.cpu, c.memory), (None, Some(512)));
    }
}
