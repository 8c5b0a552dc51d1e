//! The test harness: builds the app with `startup`, binds port 0, and talks to it with a
//! cookie-keeping reqwest client.

use server::{Application, Settings};
use sqlx::PgPool;
use std::net::SocketAddr;

/// A running app and a client for it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
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
        db_max_connections: 5,
        site_root: "target/site".into(),
        sandbox_endpoint,
    }
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
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { addr, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// Calls a server function the way the browser's form does.
    pub async fn server_fn(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }
}
