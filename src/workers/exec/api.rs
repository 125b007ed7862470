//! The calls a running session makes (a KMS data key, a resume), through the context's fleet
//! and its API budget, at action priority.

use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::exec::channel::{CallFailed, DataKey, SessionApi};
use async_trait::async_trait;
use std::sync::Arc;

pub struct FleetApi(pub Arc<dyn Fleet>);

#[async_trait]
impl SessionApi for FleetApi {
    async fn data_key(
        &self,
        key_id: &str,
        context: &[(String, String)],
    ) -> Result<DataKey, CallFailed> {
        with_priority(Priority::Action, self.0.data_key(key_id, context))
            .await
            .map_err(|e| CallFailed(e.to_string()))
    }

    async fn resume(&self, session_id: &str) -> Result<Option<String>, CallFailed> {
        with_priority(Priority::Action, self.0.resume_session(session_id))
            .await
            .map_err(|e| CallFailed(e.to_string()))
    }
}
