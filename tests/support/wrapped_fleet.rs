//! A test's `Fleet` around another (`self.inner`): the calls every `Fleet` must answer go to
//! `inner` unchanged, and the test writes only the calls it watches or changes.

// Each test binary uses a part of the helpers.
#![allow(unused_macros, unused_imports)]

/// `impl Fleet for $ty`, passing the required calls to `self.inner`; the items in braces are
/// added to the impl (the calls the test overrides, none of the required ones).
macro_rules! fleet_around_inner {
    ($ty:ty { $($extra:tt)* }) => {
        #[async_trait::async_trait]
        impl deckwatch::cloud::Fleet for $ty {
            async fn context(&self) -> deckwatch::model::ApiResult<deckwatch::model::ContextInfo> {
                self.inner.context().await
            }
            async fn services(&self) -> deckwatch::model::ApiResult<Vec<deckwatch::model::Service>> {
                self.inner.services().await
            }
            async fn tasks(
                &self,
                service: Option<&deckwatch::model::ServiceKey>,
            ) -> deckwatch::model::ApiResult<Vec<deckwatch::model::Task>> {
                self.inner.tasks(service).await
            }
            async fn images(&self) -> deckwatch::model::ApiResult<Vec<deckwatch::model::Image>> {
                self.inner.images().await
            }
            async fn utilisation(
                &self,
                keys: &[deckwatch::model::ServiceKey],
            ) -> deckwatch::model::ApiResult<Vec<deckwatch::model::Utilisation>> {
                self.inner.utilisation(keys).await
            }
            async fn alarms(&self) -> deckwatch::model::ApiResult<Vec<deckwatch::model::Alarm>> {
                self.inner.alarms().await
            }
            async fn log_sources(
                &self,
                target: &deckwatch::model::LogTarget,
            ) -> deckwatch::model::ApiResult<deckwatch::model::LogSources> {
                self.inner.log_sources(target).await
            }
            async fn log_page(
                &self,
                q: &deckwatch::model::LogQuery,
                token: Option<String>,
            ) -> deckwatch::model::ApiResult<deckwatch::model::LogPage> {
                self.inner.log_page(q, token).await
            }
            async fn live_tail(
                &self,
                q: &deckwatch::model::LiveQuery,
            ) -> Result<deckwatch::cloud::LiveStream, deckwatch::model::LiveEnd> {
                self.inner.live_tail(q).await
            }
            async fn act(
                &self,
                service: &deckwatch::model::ServiceKey,
                call: &deckwatch::model::AwsCall,
            ) -> deckwatch::model::ApiResult<()> {
                self.inner.act(service, call).await
            }
            $($extra)*
        }
    };
}

pub(crate) use fleet_around_inner;
