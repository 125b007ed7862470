//! Where a session's WebSocket may go. ECS and SSM return a `streamUrl`; the console connects
//! only to `wss://` on the region's `ssmmessages` host. The one exception is a context whose
//! endpoint URL is loopback (a local emulator): then a loopback `ws://` or `wss://` URL is
//! accepted, which is how the tests reach their mock gateway.

/// What the context allows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamPolicy {
    pub region: String,
    /// The context's endpoint URL is on this machine.
    pub local_endpoint: bool,
}

/// A URL the console may connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamUrl {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    /// Path and query, from the first `/`.
    pub path: String,
}

impl StreamUrl {
    /// The URL as the WebSocket request names it.
    pub fn uri(&self) -> String {
        let scheme = if self.tls { "wss" } else { "ws" };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{scheme}://{host}:{}{}", self.port, self.path)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("the stream URL is not a wss:// URL")]
    Scheme,
    #[error("the stream URL has no readable host")]
    Host,
    #[error(
        "the stream URL goes to {host}, not to {expected}: refused (only the region's ssmmessages \
         host is trusted)"
    )]
    Untrusted { host: String, expected: String },
}

/// The region's `ssmmessages` host.
pub fn ssmmessages_host(region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("ssmmessages.{region}.{suffix}")
}

/// Whether `host` is this machine.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether an endpoint URL (`http://127.0.0.1:5000`) points at this machine.
pub fn endpoint_is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    split_host_port(authority).is_some_and(|(h, _)| is_loopback(&h))
}

fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    if authority.contains('@') {
        return None;
    }
    if let Some(v6) = authority.strip_prefix('[') {
        let (h, rest) = v6.split_once(']')?;
        let port = match rest.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if rest.is_empty() => None,
            None => return None,
        };
        return Some((h.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => Some((h.to_string(), Some(p.parse().ok()?))),
        None => Some((authority.to_string(), None)),
    }
}

/// Checks a stream URL against the context's policy.
pub fn check(url: &str, policy: &StreamPolicy) -> Result<StreamUrl, UrlError> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("wss://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("ws://") {
        (false, r)
    } else {
        return Err(UrlError::Scheme);
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlError::Host);
    }
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    let (host, port) = split_host_port(authority).ok_or(UrlError::Host)?;
    if host.is_empty() {
        return Err(UrlError::Host);
    }
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let expected = ssmmessages_host(&policy.region);
    let local = policy.local_endpoint && is_loopback(&host);
    let trusted = tls && host.eq_ignore_ascii_case(&expected) && port.is_none_or(|p| p == 443);
    if !(local || trusted) {
        if !tls && !local {
            return Err(UrlError::Scheme);
        }
        return Err(UrlError::Untrusted { host, expected });
    }
    Ok(StreamUrl {
        tls,
        port: port.unwrap_or(if tls { 443 } else { 80 }),
        host,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws(region: &str) -> StreamPolicy {
        StreamPolicy {
            region: region.into(),
            local_endpoint: false,
        }
    }

    #[test]
    fn only_the_regions_ssmmessages_host_over_wss_is_trusted() {
        let ok = check(
            "wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/ecs-execute-command-1?role=publish_subscribe",
            &aws("eu-west-1"),
        )
        .unwrap();
        assert_eq!(ok.port, 443);
        assert_eq!(
            ok.path,
            "/v1/data-channel/ecs-execute-command-1?role=publish_subscribe"
        );
        let other_region = check(
            "wss://ssmmessages.us-east-1.amazonaws.com/x",
            &aws("eu-west-1"),
        );
        assert!(matches!(other_region, Err(UrlError::Untrusted { .. })));
        let evil = check(
            "wss://ssmmessages.eu-west-1.amazonaws.com.evil.example/x",
            &aws("eu-west-1"),
        );
        assert!(matches!(evil, Err(UrlError::Untrusted { .. })));
        let userinfo = check(
            "wss://a@ssmmessages.eu-west-1.amazonaws.com/x",
            &aws("eu-west-1"),
        );
        assert_eq!(userinfo, Err(UrlError::Host));
        assert_eq!(
            check(
                "ws://ssmmessages.eu-west-1.amazonaws.com/x",
                &aws("eu-west-1")
            ),
            Err(UrlError::Scheme)
        );
        assert_eq!(
            check("https://x/y", &aws("eu-west-1")),
            Err(UrlError::Scheme)
        );
        assert!(
            check(
                "wss://ssmmessages.cn-north-1.amazonaws.com.cn/x",
                &aws("cn-north-1")
            )
            .is_ok()
        );
    }

    #[test]
    fn loopback_ws_only_for_a_local_endpoint() {
        let local = StreamPolicy {
            region: "us-east-1".into(),
            local_endpoint: true,
        };
        let ok = check("ws://127.0.0.1:4567/v1/data-channel/s-1", &local).unwrap();
        assert_eq!((ok.tls, ok.port), (false, 4567));
        assert_eq!(ok.uri(), "ws://127.0.0.1:4567/v1/data-channel/s-1");
        assert!(check("ws://[::1]:4567/x", &local).is_ok());
        assert!(check("ws://10.0.0.5:4567/x", &local).is_err());
        assert!(check("ws://127.0.0.1:4567/x", &aws("us-east-1")).is_err());
        assert!(endpoint_is_loopback("http://127.0.0.1:5000"));
        assert!(endpoint_is_loopback("http://localhost:5000/"));
        assert!(!endpoint_is_loopback("https://ecs.eu-west-1.amazonaws.com"));
    }
}
