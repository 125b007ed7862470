//! Port forwards: `:pf NAME` (a `[[forward]]` of the config), `:pf SERVICE REMOTE_PORT
//! [LOCAL_PORT]` (ad hoc), `:pf stop NAME`, and `:forwards`, the list of each forward's state.

use super::{ExecEffect, ForwardSpec, ForwardState};
use crate::exec::settings::ForwardConfig;
use crate::model::{RemotePort, ServiceKey};
use crate::state::{Effect, Mode, State};

/// One forward as its worker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardRow {
    pub name: String,
    pub service: String,
    pub state: ForwardState,
    /// The task it goes through now (its id), empty while it has none.
    pub task: String,
    pub local_port: u16,
    pub remote: String,
    /// Connections open now, and since it started.
    pub open: u64,
    pub total: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// The last failure or re-target, and what to change when there is something to.
    pub detail: String,
}

/// Why `:pf` cannot start a forward; the footer says it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum PfError {
    /// The words do not make a forward: how to write one.
    #[error("{0}")]
    Usage(String),
    #[error("{given:?} is not a port (1 to 65535); {usage}")]
    RemotePort { given: String, usage: String },
    #[error("{0:?} is not a port (1 to 65535)")]
    LocalPort(String),
    #[error("no service named {0} on the services pane (or write cluster/service)")]
    NoService(String),
    #[error("{0} is in several clusters: write cluster/{0}")]
    SeveralClusters(String),
}

/// `:forwards`.
pub(in crate::state) fn open_forwards(state: &mut State) {
    state.help_scroll = 0;
    state.mode = Mode::Forwards;
}

/// `:pf …`.
pub(in crate::state) fn port_forward(state: &mut State, arg: Option<String>, fx: &mut Vec<Effect>) {
    let arg = arg.unwrap_or_default();
    let words: Vec<&str> = arg.split_whitespace().collect();
    if let ["stop", name] = words.as_slice() {
        if !state.exec.forwards.iter().any(|f| f.name == *name) {
            return state.flash(format!("no forward named {name} (see :forwards)"));
        }
        fx.push(Effect::Exec(ExecEffect::StopForward(name.to_string())));
        return state.flash(format!("stopping forward {name}"));
    }
    if state.ctx.read_only {
        return state.flash("refused: the console is read-only; no forward was started");
    }
    let spec = match words.as_slice() {
        [name] => named(state, name),
        [service, remote, rest @ ..] if rest.len() <= 1 => {
            ad_hoc(state, service, remote, rest.first())
        }
        _ => Err(PfError::Usage(usage(state))),
    };
    match spec {
        Ok(spec) => {
            if state
                .exec
                .forwards
                .iter()
                .any(|f| f.name == spec.name && f.state != ForwardState::Stopped)
            {
                return state.flash(format!(
                    "forward {} runs already (see :forwards)",
                    spec.name
                ));
            }
            state.flash(format!(
                "forward {}: localhost:{} → {} {}",
                spec.name, spec.local_port, spec.service, spec.remote
            ));
            fx.push(Effect::Exec(ExecEffect::Forward(Box::new(spec))));
        }
        Err(why) => state.flash(why.to_string()),
    }
}

fn usage(state: &State) -> String {
    let names: Vec<&str> = state.exec.named.iter().map(|f| f.name.as_str()).collect();
    let known = if names.is_empty() {
        "no [[forward]] in the config".to_string()
    } else {
        format!("named: {}", names.join(", "))
    };
    format!("usage: :pf NAME, :pf SERVICE REMOTE_PORT [LOCAL_PORT], :pf stop NAME ({known})")
}

fn named(state: &State, name: &str) -> Result<ForwardSpec, PfError> {
    let Some(f) = state.exec.named.iter().find(|f| f.name == name) else {
        return Err(PfError::Usage(usage(state)));
    };
    let service = resolve(state, &f.service)?;
    Ok(spec_of(state, f, service))
}

fn spec_of(state: &State, f: &ForwardConfig, service: ServiceKey) -> ForwardSpec {
    ForwardSpec {
        name: f.name.clone(),
        service,
        container: f.container.clone(),
        remote: RemotePort {
            host: f.remote_host.clone(),
            port: f.remote_port,
        },
        local_port: f.local(),
        ctx: state.ctx.info.clone(),
    }
}

fn ad_hoc(
    state: &State,
    service: &str,
    remote: &str,
    local: Option<&&str>,
) -> Result<ForwardSpec, PfError> {
    let port = |s: &str| s.parse::<u16>().ok().filter(|p| *p > 0);
    let Some(remote_port) = port(remote) else {
        return Err(PfError::RemotePort {
            given: remote.to_string(),
            usage: usage(state),
        });
    };
    let local_port = match local {
        Some(l) => port(l).ok_or_else(|| PfError::LocalPort(l.to_string()))?,
        None => remote_port,
    };
    let key = resolve(state, service)?;
    let f = ForwardConfig {
        name: format!("{}:{remote_port}", key.name),
        service: service.to_string(),
        container: None,
        remote_host: None,
        remote_port,
        local_port: Some(local_port),
    };
    Ok(spec_of(state, &f, key))
}

/// `cluster/service`, or a service name the services pane knows in one cluster.
fn resolve(state: &State, service: &str) -> Result<ServiceKey, PfError> {
    if let Some((cluster, name)) = service.split_once('/') {
        return Ok(ServiceKey {
            cluster: cluster.to_string(),
            name: name.to_string(),
        });
    }
    let found: Vec<ServiceKey> = state
        .ctx
        .services
        .items
        .iter()
        .filter(|s| s.name == service)
        .map(|s| s.key())
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(PfError::NoService(service.to_string())),
        _ => Err(PfError::SeveralClusters(service.to_string())),
    }
}
