//! Server-rendered pages stream to the end on a multi-threaded runtime, as in production,
//! where a page's reactive owner may be torn down on a different worker thread than the
//! one that rendered it.

use crate::helpers::*;
use reqwest::StatusCode;
use sqlx::{PgPool, postgres::PgPoolOptions};

/// Runs the app on its own four-worker runtime (the `#[sqlx::test]` runtime has one
/// thread, which hides cross-thread bugs) over the test's database.
fn spawn_multi_threaded(pool: &PgPool) -> std::net::SocketAddr {
    let options = pool.connect_options().as_ref().clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .connect_with(options)
                .await
                .expect("pool");
            let app = TestApp::spawn_with(settings(None), pool).await;
            tx.send(app.addr).expect("send addr");
            std::future::pending::<()>().await;
        });
    });
    rx.recv().expect("app started")
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn designer_and_deploy_pages_render_completely_under_concurrent_load(pool: PgPool) {
    let addr = spawn_multi_threaded(&pool);
    let mut ana = TestApp { addr }.signup("ana").await;
    ana.base = format!("http://{addr}");
    let d = ana.create_draft("pages", Some(example(None))).await;
    let id = d["summary"]["id"].as_str().unwrap().to_owned();
    let ana = std::sync::Arc::new(ana);

    let pages = [
        format!("/drafts/{id}"),
        format!("/drafts/{id}/deploy"),
        format!("/drafts/{id}/review"),
        format!("/drafts/{id}/history"),
        "/drafts".to_owned(),
    ];
    let requests = (0..60).map(|i| {
        let (ana, path) = (ana.clone(), pages[i % pages.len()].clone());
        tokio::spawn(async move {
            let res = ana.get(&path).await;
            let status = res.status();
            // A panic while streaming drops the body before its last chunk: the read fails.
            let body = res.text().await.map_err(|e| e.to_string());
            (path, status, body)
        })
    });
    for (path, status, body) in futures_join(requests).await {
        assert_eq!(status, StatusCode::OK, "{path}");
        let body = body.unwrap_or_else(|e| panic!("{path}: the page stream broke: {e}"));
        assert!(body.contains("</html>"), "{path}: the page has no end");
    }
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn site_files_are_revalidated_so_a_new_build_never_mixes_with_cached_chunks(pool: PgPool) {
    let site = std::env::temp_dir().join(format!("eventloom-site-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/chunk_1.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let mut s = settings(None);
    s.site_root = site.clone();
    let app = TestApp::spawn_with(s, pool).await;

    let res = reqwest::get(app.url("/pkg/chunk_1.wasm")).await.unwrap();

    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-cache")
    );
    assert!(
        res.headers().contains_key("last-modified"),
        "a validator for the 304"
    );
    std::fs::remove_dir_all(site).ok();
}
