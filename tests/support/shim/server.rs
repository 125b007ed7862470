//! The shim's HTTP side: a hyper server on its own thread and runtime, answering the
//! service-deployment operations itself and forwarding the rest to moto.

use super::Inner;
use super::wire;
use hyper014::body::Bytes;
use hyper014::service::{make_service_fn, service_fn};
use hyper014::{Body, Client, Request, Response, Server, StatusCode};
use std::convert::Infallible;
use std::net::TcpListener;
use std::sync::Arc;
use tokio::sync::oneshot;

const ECS_PREFIX: &str = "AmazonEC2ContainerServiceV20141113.";
const CD_PREFIX: &str = "CodeDeploy_20141006.";

/// A running server, stopped when dropped.
pub struct Running {
    pub port: u16,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn start(inner: Arc<Inner>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the shim");
        let port = listener.local_addr().expect("shim address").port();
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("shim runtime");
            rt.block_on(serve(listener, inner, stopped));
        });
        Self {
            port,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(listener: TcpListener, inner: Arc<Inner>, stopped: oneshot::Receiver<()>) {
    let client = Client::new();
    let make = make_service_fn(move |_| {
        let (inner, client) = (inner.clone(), client.clone());
        async move {
            Ok::<_, Infallible>(service_fn(move |req| {
                let (inner, client) = (inner.clone(), client.clone());
                async move { Ok::<_, Infallible>(handle(&inner, &client, req).await) }
            }))
        }
    });
    let server = Server::from_tcp(listener)
        .expect("shim server")
        .serve(make)
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        });
    if let Err(e) = server.await {
        eprintln!("shim: {e}");
    }
}

type HttpClient = Client<hyper014::client::HttpConnector>;

async fn handle(inner: &Inner, client: &HttpClient, req: Request<Body>) -> Response<Body> {
    if let Some(answer) = sso_answer(inner, &req) {
        return answer;
    }
    let (parts, body) = req.into_parts();
    let body = hyper014::body::to_bytes(body).await.unwrap_or_default();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let operation = wire::operation(target.as_deref(), &body);
    inner.record(&operation, &body);
    let is_ecs = target.as_deref().is_some_and(|t| t.starts_with(ECS_PREFIX));
    if target.as_deref().is_some_and(|t| t.starts_with(CD_PREFIX)) {
        let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        match inner.answer_cd(&operation, &request) {
            Some(Ok(answer)) => return json_response(StatusCode::OK, answer.to_string()),
            Some(Err(e)) => return json_response(StatusCode::BAD_REQUEST, e.body()),
            None => {}
        }
    }
    let is_ssm = target
        .as_deref()
        .is_some_and(|t| t.starts_with("AmazonSSM."));
    if let Some(answer) = exec_answer(inner, is_ecs, is_ssm, &operation, &body) {
        return match answer {
            Ok(v) => json_response(StatusCode::OK, v.to_string()),
            Err(e) => json_response(StatusCode::BAD_REQUEST, e.body()),
        };
    }
    if is_ecs {
        let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        match inner.answer(&operation, &request) {
            Some(Ok(answer)) => return json_response(StatusCode::OK, answer.to_string()),
            Some(Err(e)) => return json_response(StatusCode::BAD_REQUEST, e.body()),
            None => {}
        }
    }
    if target.is_none()
        && let Some(answer) = super::stacks::answer(
            client,
            &inner.moto,
            parts.headers.get("authorization"),
            &body,
        )
        .await
    {
        return answer;
    }
    let forwarded = forward(inner, client, parts, body).await;
    let augmented = ["DescribeServices", "DescribeTasks"].contains(&operation.as_str());
    if is_ecs && augmented && forwarded.status() == StatusCode::OK {
        return with_configuration(inner, forwarded).await;
    }
    forwarded
}

/// The SSO portal's answer, when a test set one up and the request is the portal's.
fn sso_answer(inner: &Inner, req: &Request<Body>) -> Option<Response<Body>> {
    let portal = inner.sso.lock().unwrap_or_else(|e| e.into_inner());
    let portal = portal.as_ref()?;
    let bearer = req
        .headers()
        .get("x-amz-sso_bearer_token")
        .and_then(|v| v.to_str().ok());
    let query = req.uri().query().unwrap_or_default();
    let (status, body) = super::sso::answer(portal, req.uri().path(), query, bearer)?;
    inner.record(&format!("sso{}", req.uri().path()), &[]);
    let mut resp = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    if status == 401 {
        resp = resp.header("x-amzn-errortype", "UnauthorizedException");
    }
    Some(resp.body(Body::from(body.to_string())).expect("response"))
}

/// ExecuteCommand, StartSession and ResumeSession, which moto lacks.
fn exec_answer(
    inner: &Inner,
    is_ecs: bool,
    is_ssm: bool,
    operation: &str,
    body: &[u8],
) -> Option<Result<serde_json::Value, super::wire::AwsError>> {
    let req: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let exec = inner.exec.lock().unwrap_or_else(|e| e.into_inner());
    match (is_ecs, is_ssm, operation) {
        (true, _, "ExecuteCommand") => Some(exec.execute_command(&req)),
        (_, true, "StartSession") => Some(exec.start_session(&req)),
        (_, true, "ResumeSession") => Some(exec.resume(&req)),
        _ => None,
    }
}

fn json_response(status: StatusCode, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amzn-requestid", "00000000-0000-4000-8000-000000000000")
        .body(Body::from(body))
        .expect("response")
}

/// Sends the request on to moto as it came, and its answer back as it came.
async fn forward(
    inner: &Inner,
    client: &HttpClient,
    parts: hyper014::http::request::Parts,
    body: Bytes,
) -> Response<Body> {
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let mut req = Request::builder()
        .method(parts.method)
        .uri(format!("{}{path}", inner.moto));
    for (k, v) in &parts.headers {
        if k != "host" {
            req = req.header(k, v);
        }
    }
    let req = req.body(Body::from(body)).expect("forwarded request");
    match client.request(req).await {
        Ok(resp) => {
            let (mut parts, body) = resp.into_parts();
            let bytes = hyper014::body::to_bytes(body).await.unwrap_or_default();
            parts.headers.remove("content-length");
            parts.headers.remove("transfer-encoding");
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::from(format!("shim: moto unreachable: {e}")))
            .expect("response"),
    }
}

/// moto's DescribeServices answer with the configuration moto dropped added back.
async fn with_configuration(inner: &Inner, resp: Response<Body>) -> Response<Body> {
    let (parts, body) = resp.into_parts();
    let bytes = hyper014::body::to_bytes(body).await.unwrap_or_default();
    let Ok(mut answer) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    inner.add_configuration(&mut answer);
    let exec = inner.exec.lock().unwrap_or_else(|e| e.into_inner());
    exec.add_to_services(&mut answer);
    exec.add_to_tasks(&mut answer);
    Response::from_parts(parts, Body::from(answer.to_string()))
}
