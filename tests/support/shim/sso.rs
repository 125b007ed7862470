//! The SSO portal moto lacks (`sso:ListAccounts`, `ListAccountRoles`, `GetRoleCredentials`),
//! answered by the shim with the shapes the API reference documents: the accounts and roles a
//! test grants, and for each role the keys the test got from moto's own STS (so calls made with
//! them land in that role's account). A request without the test's bearer token is refused
//! as the portal refuses it (401 UnauthorizedException).

use serde_json::{Value, json};

/// One role the portal grants, and the keys it hands out for it.
#[derive(Debug, Clone)]
pub struct Grant {
    pub account_id: String,
    pub account_name: String,
    pub role: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

#[derive(Debug, Clone, Default)]
pub struct Portal {
    pub bearer: String,
    pub grants: Vec<Grant>,
}

/// The portal's answer to `path?query`, or None when it is not a portal path.
pub fn answer(
    portal: &Portal,
    path: &str,
    query: &str,
    bearer: Option<&str>,
) -> Option<(u16, Value)> {
    let known = [
        "/assignment/accounts",
        "/assignment/roles",
        "/federation/credentials",
    ];
    if !known.contains(&path) {
        return None;
    }
    if bearer != Some(portal.bearer.as_str()) {
        let body = json!({"message": "Session token not found or invalid"});
        return Some((401, body));
    }
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let account = param("account_id").unwrap_or_default();
    let body = match path {
        "/assignment/accounts" => {
            let mut seen: Vec<&str> = Vec::new();
            let list: Vec<Value> = portal
                .grants
                .iter()
                .filter(|g| {
                    let new = !seen.contains(&g.account_id.as_str());
                    seen.push(&g.account_id);
                    new
                })
                .map(|g| {
                    json!({"accountId": g.account_id, "accountName": g.account_name,
                           "emailAddress": "oncall@example.com"})
                })
                .collect();
            json!({ "accountList": list })
        }
        "/assignment/roles" => {
            let list: Vec<Value> = portal
                .grants
                .iter()
                .filter(|g| g.account_id == account)
                .map(|g| json!({"roleName": g.role, "accountId": g.account_id}))
                .collect();
            json!({ "roleList": list })
        }
        _ => {
            let role = param("role_name").unwrap_or_default();
            let Some(g) = portal
                .grants
                .iter()
                .find(|g| g.account_id == account && g.role == role)
            else {
                return Some((403, json!({"message": "No access"})));
            };
            let expires = chrono::Utc::now() + chrono::Duration::hours(1);
            json!({"roleCredentials": {
                "accessKeyId": g.access_key_id,
                "secretAccessKey": g.secret_access_key,
                "sessionToken": g.session_token,
                "expiration": expires.timestamp_millis()
            }})
        }
    };
    Some((200, body))
}
