//! The test harness: builds the app with `startup`, binds port 0, and talks to it with a
//! cookie-keeping reqwest client per user.

use reqwest::StatusCode;
use serde_json::{Value, json};
use server::{Application, Settings};
use sqlx::PgPool;
use std::net::SocketAddr;

/// A running app.
pub struct TestApp {
    pub addr: SocketAddr,
}

/// A user's browser: a client with its own cookie jar.
pub struct User {
    pub client: reqwest::Client,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub base: String,
    pub email: String,
    pub password: String,
}

/// The emulator endpoint ./test started. Tests that talk to AWS need it, and say so.
pub fn emulator_endpoint() -> String {
    std::env::var("EVENTLOOM_SANDBOX_ENDPOINT").expect(
        "EVENTLOOM_SANDBOX_ENDPOINT must point at the moto emulator; run the tests through ./test",
    )
}

pub fn settings(sandbox_endpoint: Option<String>) -> Settings {
    Settings {
        host: "127.0.0.1".parse().unwrap(),
        port: 0,
        database_url: "postgres://unused-by-build_with_pool".into(),
        db_max_connections: 20,
        site_root: "target/site".into(),
        sandbox_endpoint,
        secure_cookies: false,
        session_idle_secs: 1800,
        session_absolute_secs: 43_200,
        signin_limit_account: 5,
        signin_limit_ip: 30,
        signin_window_secs: 900,
        trust_proxy: false,
        max_nodes: 20_000,
        max_body_bytes: 5 * 1024 * 1024,
        metrics_token: None,
        deploy: server::config::DeploySettings {
            seed_sandbox: false,
            // Unpaced: tests about pacing set their own quota.
            aws_calls_per_sec: 0,
            ..Default::default()
        },
    }
}

/// A client keeping its cookies in `jar`, so a test can read them.
pub fn client_with(jar: std::sync::Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// Spawns the app over `pool`, with the emulator from ./test.
    pub async fn spawn(pool: PgPool) -> Self {
        Self::spawn_with(settings(Some(emulator_endpoint())), pool).await
    }

    pub async fn spawn_with(settings: Settings, pool: PgPool) -> Self {
        let app = Application::build_with_pool(settings, pool)
            .await
            .expect("app builds");
        let addr = app.addr();
        tokio::spawn(app.run_until(std::future::pending()));
        Self { addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A browser with no session.
    pub fn anonymous(&self) -> User {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        User {
            client: client_with(jar.clone()),
            jar,
            base: self.url(""),
            email: String::new(),
            password: String::new(),
        }
    }

    /// Signs up a new user with a new team (admin).
    pub async fn signup(&self, name: &str) -> User {
        self.signup_with(name, None).await
    }

    /// Signs up, joining a team when given an invitation token.
    pub async fn signup_with(&self, name: &str, invitation: Option<&str>) -> User {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let user = User {
            client: client_with(jar.clone()),
            jar,
            base: self.url(""),
            email: format!("{name}@example.com"),
            password: format!("{name}-long-password-123"),
        };
        let res = user
            .post(
                "/api/v1/auth/signup",
                &json!({
                    "email": user.email, "password": user.password, "display_name": name,
                    "team_name": format!("{name} team"), "invitation": invitation,
                }),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "signup {name}: {}",
            res.text().await.unwrap()
        );
        user
    }

    /// An admin invites a new member with `role`; returns the new member's browser.
    pub async fn invite(&self, admin: &User, name: &str, role: &str) -> User {
        let inv: Value = admin
            .post("/api/v1/team/invitations", &json!({ "role": role }))
            .await
            .json()
            .await
            .unwrap();
        let token = inv["token"].as_str().expect("token").to_owned();
        self.signup_with(name, Some(&token)).await
    }
}

impl User {
    /// The `Cookie` header this user's browser sends, for requests made by hand.
    #[allow(dead_code)] // the deploy tests share this harness and do not use it
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = reqwest::Url::parse(&self.base).unwrap();
        self.jar
            .cookies(&url)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_empty(&self, path: &str) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    // Used by the deploy and review tests, which share this harness.
    #[allow(dead_code)]
    pub async fn put(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .put(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .patch(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function the way the browser's form does.
    pub async fn server_fn(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_in(&self) -> reqwest::Response {
        self.post(
            "/api/v1/auth/signin",
            &json!({ "email": self.email, "password": self.password }),
        )
        .await
    }

    /// Creates a draft, optionally from content; returns the draft JSON.
    pub async fn create_draft(&self, name: &str, content: Option<Value>) -> Value {
        let res = self
            .post(
                "/api/v1/drafts",
                &json!({ "name": name, "content": content }),
            )
            .await;
        json_with(res, StatusCode::CREATED).await
    }

    /// Saves `content` on top of `base`.
    pub async fn save(&self, draft: &str, base: &str, content: &Value) -> reqwest::Response {
        self.post(
            &format!("/api/v1/drafts/{draft}/versions"),
            &json!({ "base_version": base, "content": content }),
        )
        .await
    }
}

/// The example graph as JSON, optionally renamed so saves differ.
pub fn example(tag: Option<&str>) -> Value {
    let mut g = wiring::examples::thumbnail();
    if let Some(tag) = tag {
        g.nodes.insert(
            wiring::ids::NodeId::parse(&format!("extra-{tag}")).unwrap(),
            wiring::Node::SnsTopic(wiring::model::SnsTopic {
                name: wiring::ids::TopicName::parse(&format!("topic-{tag}")).unwrap(),
                account: None,
                region: None,
            }),
        );
    }
    serde_json::from_str(&g.to_json()).unwrap()
}

/// The session cookie's `name=value`, from a Set-Cookie header.
pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("eventloom=") || v.starts_with("__Host-eventloom="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// Awaits spawned tasks in order.
pub async fn futures_join<T: Send + 'static>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// Asserts the answer's status, showing its body when it differs, and returns its JSON.
pub async fn json_with(res: reqwest::Response, want: StatusCode) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, want, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the answer is not JSON ({e}): {text}"))
}
