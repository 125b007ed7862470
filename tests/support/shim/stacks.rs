//! moto's DescribeStackResources takes no PhysicalResourceId (it needs a stack's name): the
//! shim finds the stack that lists the resource by asking moto (ListStacks, then
//! DescribeStackResources of each stack) and answers with that stack's resources, as
//! CloudFormation does; or with CloudFormation's ValidationError when no stack lists it. The
//! questions to moto carry the request's Authorization header, by which moto knows the service.

use hyper014::header::HeaderValue;
use hyper014::{Body, Client, Request, Response, StatusCode};

type HttpClient = Client<hyper014::client::HttpConnector>;

/// The form's value of `key`, decoded.
fn form_value(body: &[u8], key: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| decode(v))
    })
}

fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The text between each `<tag>` and `</tag>` of `xml`.
fn all_of<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(v, _)| v))
        .collect()
}

async fn ask(client: &HttpClient, moto: &str, auth: Option<&HeaderValue>, form: String) -> String {
    let mut req = Request::builder()
        .method("POST")
        .uri(format!("{moto}/"))
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(auth) = auth {
        req = req.header("authorization", auth);
    }
    let req = req.body(Body::from(form)).expect("request to moto");
    match client.request(req).await {
        Ok(resp) => {
            let body = hyper014::body::to_bytes(resp.into_body())
                .await
                .unwrap_or_default();
            String::from_utf8_lossy(&body).into_owned()
        }
        Err(_) => String::new(),
    }
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The answer to a DescribeStackResources by physical id; None for any other request.
pub async fn answer(
    client: &HttpClient,
    moto: &str,
    auth: Option<&HeaderValue>,
    body: &[u8],
) -> Option<Response<Body>> {
    if form_value(body, "Action").as_deref() != Some("DescribeStackResources")
        || form_value(body, "StackName").is_some()
    {
        return None;
    }
    let physical = form_value(body, "PhysicalResourceId")?;
    let listed = ask(
        client,
        moto,
        auth,
        "Action=ListStacks&Version=2010-05-15".into(),
    )
    .await;
    for summary in all_of(&listed, "member") {
        let deleted = all_of(summary, "StackStatus")
            .first()
            .is_some_and(|s| s.starts_with("DELETE"));
        let Some(name) = all_of(summary, "StackName").first().map(|s| s.to_string()) else {
            continue;
        };
        if deleted {
            continue;
        }
        let form = format!(
            "Action=DescribeStackResources&Version=2010-05-15&StackName={}",
            encode(&name)
        );
        let resources = ask(client, moto, auth, form).await;
        if all_of(&resources, "PhysicalResourceId").contains(&physical.as_str()) {
            return Some(xml(StatusCode::OK, resources));
        }
    }
    let error = format!(
        "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error>\
         <Type>Sender</Type><Code>ValidationError</Code><Message>Stack for {physical} does not \
         exist</Message></Error><RequestId>00000000-0000-4000-8000-000000000000</RequestId>\
         </ErrorResponse>"
    );
    Some(xml(StatusCode::BAD_REQUEST, error))
}

fn xml(status: StatusCode, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .body(Body::from(body))
        .expect("response")
}
