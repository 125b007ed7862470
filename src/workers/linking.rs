//! Services and alarms prepared off the loop: the services sorted in the pane's order, compared
//! with the last sent and given their deployment history; the alarms sorted; and which alarms
//! belong to which service. The services and alarms pollers share the lists last sent; each
//! prepares its fresh list with the other's and sends while it holds the lock, so the loop gets
//! lists and links in the order they were made: the links index the alarm list it got last.

use crate::model::{Alarm, Links, Millis, Service, history, link_alarms};
use crate::state::Msg;
use crate::state::table::columns::ServiceColumn;
use crate::state::table::{Prepared, Sort};
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc};

/// The lists last sent. Tests feed the reducer through it, as the pollers do.
#[derive(Default)]
pub struct Lists {
    services: Option<Arc<Vec<Service>>>,
    alarms: Vec<Alarm>,
}

impl Lists {
    /// The lists as if `services` and `alarms` had been sent last.
    pub fn sent(services: Vec<Service>, alarms: Vec<Alarm>) -> Self {
        Self {
            services: Some(Arc::new(services)),
            alarms,
        }
    }

    /// A services refresh as the loop takes it, and the links when the services changed.
    /// `listed` holds the native deployment histories fetched.
    pub fn services(
        &mut self,
        mut all: Vec<Service>,
        sort: Option<Sort<ServiceColumn>>,
        listed: &history::Listed,
        at: Millis,
    ) -> (Prepared<Service>, Option<Links>) {
        let last = self.services.as_deref().map(Vec::as_slice);
        history::carry(last.unwrap_or_default(), &mut all, listed, at);
        let prepared = Prepared::new(all, sort, last);
        if !prepared.changed {
            return (prepared, None);
        }
        let sent = Arc::new(prepared.items.clone());
        let links = link_alarms(&sent, &self.alarms);
        self.services = Some(sent);
        (prepared, Some(links))
    }

    /// The alarms in the pane's default order, and the links when they changed.
    pub fn alarms(&mut self, mut alarms: Vec<Alarm>) -> (Vec<Alarm>, Option<Links>) {
        crate::state::table::items::sort_alarms(&mut alarms);
        if alarms == self.alarms {
            return (alarms, None);
        }
        self.alarms = alarms.clone();
        let services = self.services.as_deref().map_or(&[][..], Vec::as_slice);
        let links = link_alarms(services, &self.alarms);
        (alarms, Some(links))
    }
}

/// The lists, shared by the services and alarms pollers.
#[derive(Clone, Default)]
pub struct Linking(Arc<Mutex<Lists>>);

impl Linking {
    /// Prepares and sends a services refresh. Err when the loop has ended.
    pub async fn send_services(
        &self,
        tx: &mpsc::Sender<Msg>,
        all: Vec<Service>,
        sort: Option<Sort<ServiceColumn>>,
        listed: &history::Listed,
        at: Millis,
    ) -> Result<(), ()> {
        let mut lists = self.0.lock().await;
        let (prepared, links) = lists.services(all, sort, listed, at);
        send(tx, Msg::Services(prepared, at), links).await
    }

    /// Prepares and sends the alarms. Err when the loop has ended.
    pub async fn send_alarms(
        &self,
        tx: &mpsc::Sender<Msg>,
        alarms: Vec<Alarm>,
        at: Millis,
    ) -> Result<(), ()> {
        let mut lists = self.0.lock().await;
        let (alarms, links) = lists.alarms(alarms);
        send(tx, Msg::Alarms(alarms, at), links).await
    }
}

async fn send(tx: &mpsc::Sender<Msg>, msg: Msg, links: Option<Links>) -> Result<(), ()> {
    tx.send(msg).await.map_err(drop)?;
    match links {
        Some(l) => tx.send(Msg::Links(l)).await.map_err(drop),
        None => Ok(()),
    }
}
