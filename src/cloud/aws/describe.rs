//! `:describe`: one describe call made on demand, whose response body is kept as it came off
//! the wire by an interceptor on that call alone. The body is read after deserialization: by
//! then the SDK has read it into memory, so the capture neither reads the stream a second time
//! nor sees a body the SDK would retry.

use crate::cloud::aws::AwsFleet;
use crate::cloud::aws::gate::Within;
use crate::model::{ApiError, ApiResult, DescribeTarget, ErrorKind, Op, RawDoc, RawFormat};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::{Arc, Mutex};

/// Keeps the response body of the one call it is attached to.
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Option<Vec<u8>>>>);

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "DescribeCapture"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(body) = context.response().body().bytes() {
            let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
            *kept = Some(body.to_vec());
        }
        Ok(())
    }
}

impl Capture {
    /// The body captured, laid out as a document.
    fn doc(&self, operation: Op, format: RawFormat) -> ApiResult<RawDoc> {
        let body = self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        let body = body.ok_or_else(|| {
            ApiError::new(
                ErrorKind::Unreadable,
                format!("{operation}: the answer's body was not in memory to show"),
            )
        })?;
        Ok(RawDoc::from_body(operation, format, &body))
    }
}

impl AwsFleet {
    /// The describe call for `target`, its body as returned.
    pub(super) async fn describe_call(&self, target: &DescribeTarget) -> ApiResult<RawDoc> {
        let cap = Capture::default();
        let (op, format) = match target {
            DescribeTarget::Service(key) => {
                let op = Op::EcsDescribeServices;
                let call = self.ecs.describe_services().cluster(&key.cluster);
                let call = call
                    .services(&key.name)
                    .include(aws_sdk_ecs::types::ServiceField::Tags);
                let sent = call.customize().interceptor(cap.clone()).send();
                sent.within(&self.gate, op).await?;
                (op, RawFormat::Json)
            }
            DescribeTarget::Task { cluster, arn } => {
                let op = Op::EcsDescribeTasks;
                let call = self.ecs.describe_tasks().cluster(cluster).tasks(arn);
                let call = call.include(aws_sdk_ecs::types::TaskField::Tags);
                let sent = call.customize().interceptor(cap.clone()).send();
                sent.within(&self.gate, op).await?;
                (op, RawFormat::Json)
            }
            DescribeTarget::TaskDef(td) => {
                let op = Op::EcsDescribeTaskDefinition;
                let call = self.ecs.describe_task_definition();
                let call = call
                    .task_definition(td.to_string())
                    .include(aws_sdk_ecs::types::TaskDefinitionField::Tags);
                let sent = call.customize().interceptor(cap.clone()).send();
                sent.within(&self.gate, op).await?;
                (op, RawFormat::Json)
            }
            DescribeTarget::Image { repository, digest } => {
                self.describe_image(&cap, repository, digest).await?
            }
            DescribeTarget::Alarm(name) => self.describe_alarm(&cap, name).await?,
            DescribeTarget::Run(_) => {
                return Err(ApiError::new(
                    ErrorKind::Other,
                    "a run is GitHub's: the AWS backend does not describe it",
                ));
            }
        };
        cap.doc(op, format)
    }

    async fn describe_image(
        &self,
        cap: &Capture,
        repository: &str,
        digest: &str,
    ) -> ApiResult<(Op, RawFormat)> {
        let op = Op::EcrDescribeImages;
        let id = aws_sdk_ecr::types::ImageIdentifier::builder()
            .image_digest(digest)
            .build();
        let call = self.ecr.describe_images().repository_name(repository);
        let sent = call.image_ids(id).customize().interceptor(cap.clone());
        sent.send().within(&self.gate, op).await?;
        Ok((op, RawFormat::Json))
    }

    /// CloudWatch speaks awsQuery: the answer is XML, and is shown as XML.
    async fn describe_alarm(&self, cap: &Capture, name: &str) -> ApiResult<(Op, RawFormat)> {
        use aws_sdk_cloudwatch::types::AlarmType;
        let op = Op::CloudWatchDescribeAlarms;
        let call = self.cw.describe_alarms().alarm_names(name);
        let call = call
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm);
        let sent = call.customize().interceptor(cap.clone()).send();
        sent.within(&self.gate, op).await?;
        Ok((op, RawFormat::Xml))
    }
}
