//! What a services refresh asks of a backend: which services to read again, so a refresh asks
//! only what changed. A backend that keeps nothing between refreshes (the demo) reads all.

use crate::model::{ServiceKey, ServiceRef};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct ServicesAsk {
    /// Read the clusters' service lists and compare them with the last: new services are
    /// read, gone ones dropped. False between the full refreshes.
    pub list: bool,
    /// Read again the services the rotation says are due (see `cover`).
    pub rotate: bool,
    /// Read again the services that move (a deployment rolling, tasks starting or stopping).
    pub moving: bool,
    /// Named by ECS's events since the last refresh: read now, whatever else.
    pub changed: Vec<ServiceRef>,
    /// The rotation reads every service again at least once in this long.
    pub cover: Duration,
    /// The services the screen is about (the rollout view's, with its pair): their target
    /// health is read when they are read and move, or were not read for the screen yet.
    pub focus: Vec<ServiceKey>,
}

impl ServicesAsk {
    /// Everything, now: what a refresh asked for by a key (or the first load) reads.
    pub fn everything() -> Self {
        Self {
            list: true,
            rotate: true,
            moving: true,
            changed: Vec::new(),
            cover: Duration::ZERO,
            focus: Vec::new(),
        }
    }

    /// Only the services events named.
    pub fn changed(changed: Vec<ServiceRef>, focus: Vec<ServiceKey>) -> Self {
        Self {
            list: false,
            rotate: false,
            moving: false,
            changed,
            cover: Duration::MAX,
            focus,
        }
    }
}
