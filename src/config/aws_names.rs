//! Checks of what the user names for AWS before anything connects: a region and an endpoint
//! URL. A wrong one would otherwise open the console and fail on every call, for ever.

use crate::files::textfile::clip_middle;

/// A region or endpoint URL no call could use; the value is quoted, clipped to a line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsNameError {
    #[error("region {0:?} is not a region name (such as us-east-1)")]
    Region(String),
    #[error(
        "endpoint URL {url:?} {why} (such as http://127.0.0.1:5000 or https://ecs.eu-west-1.amazonaws.com)"
    )]
    EndpointUrl { url: String, why: &'static str },
}

/// A region name as AWS spells them: lower-case letters and digits in words joined by `-`
/// (`us-east-1`, `eu-central-2`, `us-gov-west-1`).
pub fn check_region(region: &str) -> Result<(), AwsNameError> {
    let words_ok = region.split('-').all(|w| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if region.is_empty() || region.len() > 50 || !words_ok {
        return Err(AwsNameError::Region(clip_middle(region, 40)));
    }
    Ok(())
}

/// An endpoint URL: `http://` or `https://`, a host (a name, an IPv4 address or a bracketed
/// IPv6 one), an optional port, an optional path, and no spaces.
pub fn check_endpoint_url(url: &str) -> Result<(), AwsNameError> {
    let bad = |why: &'static str| {
        Err(AwsNameError::EndpointUrl {
            url: clip_middle(url, 60),
            why,
        })
    };
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return bad("does not start with http:// or https://");
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("has a space or control character in it");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((h, p))
                if !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') =>
            {
                (h, p.strip_prefix(':'))
            }
            _ => return bad("has an unreadable IPv6 host"),
        },
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let host_ok = authority.starts_with('[')
        || host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if host.is_empty() || !host_ok {
        return bad("has no host name");
    }
    if let Some(p) = port
        && !p.parse::<u16>().is_ok_and(|n| n > 0)
    {
        return bad("has a port that is not a number from 1 to 65535");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "cn-north-1",
            "local",
        ] {
            assert_eq!(check_region(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            " ",
            "US-EAST-1",
            "us east 1",
            "us--east",
            "-us",
            "eu-west-1\u{1b}",
        ] {
            assert!(check_region(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn endpoint_urls() {
        for ok in [
            "http://127.0.0.1:5000",
            "https://ecs.eu-west-1.amazonaws.com",
            "http://localhost:4566/",
            "http://[::1]:5000",
            "https://host_name.internal/path?x=1",
        ] {
            assert_eq!(check_endpoint_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "notaurl",
            "",
            "ftp://host",
            "http://",
            "http://:5000",
            "http://host:port",
            "http://host:0",
            "http://ho st",
            "http://[zz]:1",
        ] {
            assert!(check_endpoint_url(bad).is_err(), "{bad:?}");
        }
    }
}
