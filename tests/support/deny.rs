//! An interceptor that turns moto's answer to one elbv2 operation into the 403 AccessDenied IAM
//! gives a role without that permission.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::{Intercept, SharedInterceptor};
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;

#[derive(Debug)]
struct Deny(&'static str);

/// Denies the elbv2 operation named `operation`, e.g. `DescribeTargetHealth`.
pub fn interceptor(operation: &'static str) -> SharedInterceptor {
    SharedInterceptor::new(Deny(operation))
}

impl Intercept for Deny {
    fn name(&self) -> &'static str {
        "DenyElbOperation"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg.load::<Metadata>().is_some_and(|m| m.name() == self.0) {
            let op = self.0;
            let body = format!(
                r#"<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/dev/me is not authorized to perform: elasticloadbalancing:{op} because no identity-based policy allows the elasticloadbalancing:{op} action</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"#
            );
            let mut denied = HttpResponse::new(
                StatusCode::try_from(403).expect("status"),
                SdkBody::from(body),
            );
            denied.headers_mut().insert("Content-Type", "text/xml");
            *context.response_mut() = denied;
        }
        Ok(())
    }
}
