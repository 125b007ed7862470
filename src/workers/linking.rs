//! Services and alarms prepared off the loop: the services sorted in the pane's order, compared
//! with the last sent and given their deployment history; the alarms sorted; and which alarms
//! belong to which service, by the alarms' names. The services and alarms pollers share the
//! lists last prepared; each prepares its fresh list with the other's under a short lock, and
//! sends after letting go of it. Links are numbered as they are made, so the loop keeps the
//! newest whatever order they arrive in.

use crate::model::{Alarm, At, Links, Service, history, link_alarms};
use crate::state::Msg;
use crate::state::table::columns::ServiceColumn;
use crate::state::table::{Prepared, Sort};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc;

/// Links, and their number in the order they were made.
pub type Made = (u64, Links);

/// The lists last prepared. Tests feed the reducer through it, as the pollers do.
#[derive(Default)]
pub struct Lists {
    services: Option<Arc<Vec<Service>>>,
    /// When the services last sent were fetched.
    services_at: At,
    alarms: Vec<Alarm>,
    /// How many sets of links were made.
    made: u64,
}

impl Lists {
    /// The lists as if `services` and `alarms` had been sent last.
    pub fn sent(services: Vec<Service>, alarms: Vec<Alarm>) -> Self {
        Self {
            services: Some(Arc::new(services)),
            services_at: At::EPOCH,
            alarms,
            made: 0,
        }
    }

    fn number(&mut self, links: Links) -> Made {
        self.made += 1;
        (self.made, links)
    }

    /// A services refresh as the loop takes it, and the links when the services changed.
    /// `listed` holds the native deployment histories fetched.
    pub fn services(
        &mut self,
        mut all: Vec<Service>,
        sort: Option<Sort<ServiceColumn>>,
        listed: &history::Listed,
        at: At,
    ) -> (Prepared<Service>, Option<Made>) {
        let last = self.services.as_deref().map(Vec::as_slice);
        history::carry(last.unwrap_or_default(), &mut all, listed, at);
        let prepared = Prepared::new(all, sort, last);
        if !prepared.changed {
            return (prepared, None);
        }
        let sent = Arc::new(prepared.items.clone());
        let links = link_alarms(&sent, &self.alarms);
        self.services = Some(sent);
        self.services_at = at;
        (prepared, Some(self.number(links)))
    }

    /// The services last sent, with the native histories in `listed` merged in at `now`
    /// (the evidence worker brought one), and when they were fetched; None when nothing
    /// changed or nothing was sent yet. Their alarms are the same: no new links.
    pub fn with_histories(
        &mut self,
        sort: Option<Sort<ServiceColumn>>,
        listed: &history::Listed,
        now: At,
    ) -> Option<(Prepared<Service>, At)> {
        let last = self.services.clone()?;
        let mut all = last.to_vec();
        history::carry(&last, &mut all, listed, now);
        let prepared = Prepared::new(all, sort, Some(&last));
        if !prepared.changed {
            return None;
        }
        self.services = Some(Arc::new(prepared.items.clone()));
        Some((prepared, self.services_at))
    }

    /// The alarms in the pane's default order, and the links when they changed.
    pub fn alarms(&mut self, mut alarms: Vec<Alarm>) -> (Vec<Alarm>, Option<Made>) {
        crate::state::table::items::sort_alarms(&mut alarms);
        if alarms == self.alarms {
            return (alarms, None);
        }
        self.alarms = alarms.clone();
        let services = self.services.as_deref().map_or(&[][..], Vec::as_slice);
        let links = link_alarms(services, &self.alarms);
        (alarms, Some(self.number(links)))
    }
}

/// The lists, shared by the services and alarms pollers.
#[derive(Clone, Default)]
pub struct Linking(Arc<Mutex<Lists>>);

impl Linking {
    fn lists(&self) -> std::sync::MutexGuard<'_, Lists> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Prepares and sends a services refresh. Err when the loop has ended.
    pub async fn send_services(
        &self,
        tx: &mpsc::Sender<Msg>,
        all: Vec<Service>,
        sort: Option<Sort<ServiceColumn>>,
        listed: &history::Listed,
        at: At,
    ) -> Result<(), ()> {
        let (prepared, links) = self.lists().services(all, sort, listed, at);
        send(tx, Msg::Services(prepared, at), links).await
    }

    /// Sends the services last sent again with the native histories merged, when that
    /// changed them. Err when the loop has ended.
    pub async fn send_histories(
        &self,
        tx: &mpsc::Sender<Msg>,
        sort: Option<Sort<ServiceColumn>>,
        listed: &history::Listed,
        now: At,
    ) -> Result<(), ()> {
        let merged = self.lists().with_histories(sort, listed, now);
        match merged {
            Some((prepared, at)) => tx.send(Msg::Services(prepared, at)).await.map_err(drop),
            None => Ok(()),
        }
    }

    /// Prepares and sends the alarms. Err when the loop has ended.
    pub async fn send_alarms(
        &self,
        tx: &mpsc::Sender<Msg>,
        alarms: Vec<Alarm>,
        at: At,
    ) -> Result<(), ()> {
        let (alarms, links) = self.lists().alarms(alarms);
        send(tx, Msg::Alarms(alarms, at), links).await
    }
}

async fn send(tx: &mpsc::Sender<Msg>, msg: Msg, links: Option<Made>) -> Result<(), ()> {
    tx.send(msg).await.map_err(drop)?;
    match links {
        Some((made, l)) => tx.send(Msg::Links(made, l)).await.map_err(drop),
        None => Ok(()),
    }
}
