//! Everything one context owns: what its account showed, where the user stands in it, and how
//! its backend stands. A `:ctx` switch swaps this struct whole (`state::contexts`), so a field
//! added here goes with its context, and one added to `State` is the session's.
//!
//! Nothing here assumes the context is the one on screen: a context kept while another is
//! shown (and, later, several polled at once) is the same struct. What the screen needs of
//! the session (the mode, the clock, `dirty`) stays on `State`.

use crate::model::{
    Alarm, ApiError, ApiResult, At, ClusterExec, ContextInfo, Image, Service, ServiceKey, Task,
};
use crate::state::back_stack::Place;
use crate::state::connection::Connection;
use crate::state::contexts::Target;
use crate::state::feed::Feed;
use crate::state::jobs::Jobs;
use crate::state::logs::LogView;
use crate::state::owners::Found;
use crate::state::rollout::RolloutView;
use crate::state::rollout::evidence::Evidence;
use crate::state::table::Table;
use crate::state::timeline::TimelineView;
use crate::state::{Pane, PaneData, Watch};
use ratatui::style::Color;
use std::collections::HashMap;

#[derive(Debug)]
pub struct Context {
    /// Where it points: its name, the region chosen (None: its own), the switch's number.
    pub target: Target,
    /// Who it is for the header: name, account, region, profile, clusters, and PROD (the
    /// config's word).
    pub info: ContextInfo,
    /// Its own header colour, over the theme's prod colour.
    pub accent: Option<Color>,
    /// Every action is refused: decided once, when the context is made
    /// (`contexts::ContextChoices::read_only`).
    pub read_only: bool,
    /// The pane the user is on in this context.
    pub pane: Pane,
    pub services: Table<Service>,
    pub tasks: Table<Task>,
    pub images: Table<Image>,
    pub alarms: Table<Alarm>,
    pub logs: LogView,
    /// The service whose rollout view is open, or was last.
    pub rollout: Option<ServiceKey>,
    pub rollout_view: RolloutView,
    /// Where `Esc` goes back to: this context's panes and rows.
    pub back_stack: Vec<Place>,
    /// While the first load of services is still coming in: (clusters read, clusters in all).
    pub services_loading: Option<(usize, usize)>,
    /// The actions confirmed here: those at work or watched, and the last ones finished.
    pub jobs: Jobs,
    /// Alarm links, the canary comparison, task definitions and the alarm detail: all read
    /// from this context's account.
    pub evidence: Evidence,
    /// The timeline view: one of its services' history in time order, read from its account.
    pub timeline: TimelineView,
    /// What CloudFormation said of its services: who owns each.
    pub owners: Found,
    /// Its region's Fargate prices, for the cost estimate.
    pub prices: crate::state::cost::Prices,
    /// What Cost Explorer billed its services yesterday (`[cost] explorer`), if read.
    pub billed: Option<crate::model::cost::BilledDay>,
    /// How its backend stands: being built, failed, unanswered calls, the team audit, an
    /// account that could not be read.
    pub connection: Connection,
    /// When the credentials in use expire, if they do (SSO, assumed roles).
    pub credentials_expiry: Option<At>,
    /// How ECS's events reach it: its event worker's word (a queue, a log group, polling).
    pub feed: Feed,
    /// Each of its clusters' exec configuration (ECS Exec's KMS key, logging), or why it
    /// could not be read: a cluster's name means nothing in another account.
    pub exec_clusters: HashMap<String, ApiResult<ClusterExec>>,
    /// What its pollers were told last.
    pub(crate) last_watch: Option<Watch>,
    /// A service the fleet view's `Enter` asked to be shown once the list has it.
    pub focus: Option<crate::state::fleet::Focus>,
}

impl Context {
    /// The service `key` names, if this context's list has it.
    pub fn service(&self, key: &ServiceKey) -> Option<&Service> {
        self.services.items.iter().find(|s| s.key() == *key)
    }

    /// A context nothing has been read from yet.
    pub fn new(target: Target, info: ContextInfo, log_lines: usize, log_bytes: usize) -> Self {
        Self {
            target,
            info,
            accent: None,
            read_only: false,
            pane: Pane::Services,
            services: Table::default(),
            tasks: Table::default(),
            images: Table::default(),
            alarms: Table::default(),
            logs: LogView::new(log_lines, log_bytes),
            rollout: None,
            rollout_view: RolloutView::default(),
            back_stack: Vec::new(),
            services_loading: None,
            jobs: Jobs::default(),
            evidence: Evidence::default(),
            timeline: TimelineView::default(),
            owners: Found::default(),
            prices: Default::default(),
            billed: None,
            connection: Connection::default(),
            credentials_expiry: None,
            feed: Feed::default(),
            exec_clusters: HashMap::new(),
            last_watch: None,
            focus: None,
        }
    }

    /// Its backend is being built again (a switch to it, or `r` after a failed one): what
    /// was known of the last backend's connection and what its workers were told no longer
    /// hold; what its account showed stays until fresh data replaces it.
    pub(crate) fn reconnect(&mut self, target: Target) {
        self.target = target;
        self.connection.reconnect();
        // Its new event worker says how its events come.
        self.feed = Feed::default();
        self.last_watch = None;
        self.evidence.workers_restarted();
        self.owners.workers_restarted();
        self.timeline.workers_restarted();
    }

    /// The selected service on the services pane.
    pub fn selected_service(&self) -> Option<&Service> {
        self.services.selected_item()
    }

    /// The service whose rollout view is open.
    pub fn rollout_service(&self) -> Option<&Service> {
        let k = self.rollout.as_ref()?;
        self.services
            .items
            .iter()
            .find(|s| s.cluster == k.cluster && s.name == k.name)
    }

    /// The rollout view is this context's pane.
    pub fn in_rollout_view(&self) -> bool {
        self.pane == Pane::Rollout
    }

    /// The service an action key acts on: the selected one, or the rollout view's (or the
    /// timeline's).
    pub fn action_target(&self) -> Option<&Service> {
        match self.pane {
            Pane::Services => self.selected_service(),
            Pane::Rollout => self.rollout_service(),
            Pane::Timeline => {
                let k = self.timeline.service.as_ref()?;
                self.services.items.iter().find(|s| &s.key() == k)
            }
            Pane::Tasks | Pane::Images | Pane::Alarms | Pane::Logs | Pane::Builds => None,
        }
    }

    /// The data of one of its panes; None for the builds pane, which is GitHub's and the
    /// session's.
    pub fn pane_data(&self, pane: Pane) -> Option<&dyn PaneData> {
        Some(match pane {
            Pane::Services => &self.services,
            Pane::Tasks => &self.tasks,
            Pane::Images => &self.images,
            Pane::Alarms => &self.alarms,
            Pane::Logs => &self.logs,
            Pane::Rollout => &self.rollout_view,
            Pane::Timeline => &self.timeline.table,
            Pane::Builds => return None,
        })
    }

    pub fn pane_data_mut(&mut self, pane: Pane) -> Option<&mut dyn PaneData> {
        Some(match pane {
            Pane::Services => &mut self.services,
            Pane::Tasks => &mut self.tasks,
            Pane::Images => &mut self.images,
            Pane::Alarms => &mut self.alarms,
            Pane::Logs => &mut self.logs,
            Pane::Rollout => &mut self.rollout_view,
            Pane::Timeline => &mut self.timeline.table,
            Pane::Builds => return None,
        })
    }

    /// Its backend could not be built: every one of its panes keeps what it had and says why.
    pub(crate) fn fail_every_pane(&mut self, err: &ApiError) {
        for pane in Pane::ALL {
            if let Some(p) = self.pane_data_mut(pane) {
                p.fail(err.clone());
            }
        }
    }

    /// What its pollers should watch, from where the user stands in it.
    pub fn watch(&self) -> Watch {
        let service = match self.pane {
            Pane::Rollout => self.rollout.clone(),
            Pane::Logs => self.logs.service().cloned(),
            Pane::Services
            | Pane::Tasks
            | Pane::Images
            | Pane::Alarms
            | Pane::Builds
            | Pane::Timeline => None,
        };
        let logs_shown = self.pane == Pane::Logs || self.in_rollout_view();
        let partner = match self.pane {
            Pane::Rollout => self.rollout_partner(),
            Pane::Services
            | Pane::Tasks
            | Pane::Images
            | Pane::Alarms
            | Pane::Logs
            | Pane::Builds
            | Pane::Timeline => None,
        };
        let acting = self.jobs.running_count() > 0;
        Watch {
            pane: self.pane,
            service,
            partner,
            fast: self.services.items.iter().any(Service::in_progress) || acting,
            acting,
            sort: self.services.sort,
            logs: logs_shown.then(|| self.logs.wanted()).flatten(),
        }
    }
}
