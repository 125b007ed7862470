//! What the workers call. `sim` is the embedded demo fleet; the AWS backend implements the same
//! trait, so the panes and workers never change with the backend.

pub mod aws;
pub mod error;
pub mod sim;

pub use error::{CloudError, ErrorKind};

use crate::model::{Alarm, ContextInfo, Image, LogBatch, Service, ServiceKey, Task};
use async_trait::async_trait;

pub type CloudResult<T> = Result<T, CloudError>;

#[async_trait]
pub trait Fleet: Send + Sync + 'static {
    /// Profile, account, region and clusters, for the header.
    async fn context(&self) -> CloudResult<ContextInfo>;
    /// Every service of the clusters in scope, with deployments, events and metrics.
    async fn services(&self) -> CloudResult<Vec<Service>>;
    /// Running and recently stopped tasks of one service, or of every service when `None`.
    async fn tasks(&self, service: Option<&ServiceKey>) -> CloudResult<Vec<Task>>;
    async fn images(&self) -> CloudResult<Vec<Image>>;
    async fn alarms(&self) -> CloudResult<Vec<Alarm>>;
    /// Log lines of one service after `cursor` (0 starts from the recent past).
    async fn logs(&self, service: &ServiceKey, cursor: u64) -> CloudResult<LogBatch>;
}
