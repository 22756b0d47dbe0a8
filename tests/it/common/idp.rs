//! A real OpenID provider on loopback (npm `oidc-provider`, `end2end/oidc-provider.mjs`)
//! and a small browser for it: redirects followed by hand, cookies kept per origin, the
//! provider's own login form posted as a person would.
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Response, StatusCode, Url};
use std::collections::{BTreeMap, HashMap};

pub const CLIENT_ID: &str = "promptedcode";
pub const CLIENT_SECRET: &str = "a-test-client-secret-of-some-length";

pub struct Idp {
    pub issuer: String,
    child: tokio::process::Child,
    client: reqwest::Client,
}

impl Idp {
    /// Starts the provider on `port` with one client that may come back to each of
    /// `redirect_uris` and log out to `logout_uris`.
    pub async fn start(port: u16, redirect_uris: &[String], logout_uris: &[String]) -> Idp {
        let clients = serde_json::json!([{
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": redirect_uris,
            "post_logout_redirect_uris": logout_uris,
        }]);
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/end2end/oidc-provider.mjs");
        let child = tokio::process::Command::new("node")
            .arg(script)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_CLIENTS", clients.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs end2end/oidc-provider.mjs (npm ci in end2end/ first)");
        let idp = Idp {
            issuer: format!("http://127.0.0.1:{port}"),
            child,
            client: reqwest::Client::new(),
        };
        for _ in 0..200 {
            if let Ok(r) = idp
                .client
                .get(format!("{}/__test/health", idp.issuer))
                .send()
                .await
            {
                if r.status().is_success() {
                    return idp;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the OIDC provider did not start on port {port}");
    }

    async fn control(&self, path: &str, body: serde_json::Value) {
        let response = self
            .client
            .post(format!("{}/__test/{path}", self.issuer))
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path}");
    }

    /// The next ID token the provider issues has these claims changed (and is re-signed).
    pub async fn tamper_next_id_token(&self, claims: serde_json::Value) {
        self.control("tamper", claims).await;
    }

    /// The next authorization request is answered with this error.
    pub async fn fail_next_authorization(&self, error: &str) {
        self.control(
            "error-next",
            serde_json::json!({"error": error, "error_description": "set by the test"}),
        )
        .await;
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A browser: no automatic redirects, and cookies per origin (by name; paths ignored).
pub struct Browser {
    client: reqwest::Client,
    jar: HashMap<String, BTreeMap<String, String>>,
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

impl Default for Browser {
    fn default() -> Self {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar: HashMap::new(),
        }
    }
}

impl Browser {
    pub fn cookie(&self, at: &str, name: &str) -> Option<String> {
        let url = Url::parse(at).unwrap();
        self.jar.get(&origin(&url))?.get(name).cloned()
    }

    pub fn set_cookie(&mut self, at: &str, name: &str, value: &str) {
        let url = Url::parse(at).unwrap();
        self.jar
            .entry(origin(&url))
            .or_default()
            .insert(name.to_owned(), value.to_owned());
    }

    fn keep(&mut self, url: &Url, response: &Response) {
        let cookies = self.jar.entry(origin(url)).or_default();
        for header in response.headers().get_all(SET_COOKIE) {
            let text = header.to_str().unwrap();
            let Some((name, rest)) = text.split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or("");
            let expired = text.contains("Max-Age=0") || text.contains("1970");
            if expired || value.is_empty() {
                cookies.remove(name);
            } else {
                cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn cookie_header(&self, url: &Url) -> Option<String> {
        let cookies = self.jar.get(&origin(url))?;
        (!cookies.is_empty()).then(|| {
            cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    pub async fn get(&mut self, at: &str) -> Response {
        let url = Url::parse(at).unwrap();
        let mut request = self.client.get(url.clone());
        if let Some(cookies) = self.cookie_header(&url) {
            request = request.header(COOKIE, cookies);
        }
        let response = request.send().await.unwrap();
        self.keep(&url, &response);
        response
    }

    /// A form post as a page of `url`'s origin sends it.
    pub async fn post_form(&mut self, at: &str, form: &[(&str, &str)]) -> Response {
        let url = Url::parse(at).unwrap();
        let mut request = self
            .client
            .post(url.clone())
            .header("origin", origin(&url))
            .header("accept", "text/html")
            .form(form);
        if let Some(cookies) = self.cookie_header(&url) {
            request = request.header(COOKIE, cookies);
        }
        let response = request.send().await.unwrap();
        self.keep(&url, &response);
        response
    }

    /// Follows a sign-in from `start` (an app route) through the provider's login form as
    /// `login`, until the provider sends the browser to the app's callback; returns that
    /// address, not yet visited. With a live session at the provider, no form is shown.
    pub async fn follow_to_callback(&mut self, start: &str, login: &str) -> String {
        let mut url = start.to_owned();
        for _ in 0..10 {
            let response = self.get(&url).await;
            let status = response.status();
            if status.is_redirection() {
                let next = location(&url, &response);
                if next.contains("/auth/callback/") {
                    return next;
                }
                url = next;
                continue;
            }
            assert_eq!(status, StatusCode::OK, "{url}");
            let html = response.text().await.unwrap();
            let action = form_action(&html).unwrap_or_else(|| panic!("no form at {url}: {html}"));
            assert!(
                html.contains("name=\"login\""),
                "the provider's login form: {html}"
            );
            let posted = self
                .post_form(
                    &action,
                    &[("prompt", "login"), ("login", login), ("password", "any")],
                )
                .await;
            assert_eq!(posted.status(), StatusCode::SEE_OTHER, "login form");
            url = location(&action, &posted);
        }
        panic!("the sign-in did not reach the callback");
    }
}

/// A redirect's target, made absolute against the request's address.
pub fn location(at: &str, response: &Response) -> String {
    let target = response
        .headers()
        .get(LOCATION)
        .expect("a Location header")
        .to_str()
        .unwrap();
    Url::parse(at).unwrap().join(target).unwrap().to_string()
}

/// The first form's `action` in a page.
pub fn form_action(html: &str) -> Option<String> {
    let form = &html[html.find("<form")?..];
    let start = form.find("action=\"")? + "action=\"".len();
    let end = form[start..].find('"')? + start;
    Some(form[start..end].replace("&amp;", "&"))
}

/// The value of an `<input name=…>` in a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let start = tag.find("value=\"")? + "value=\"".len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_owned())
}
