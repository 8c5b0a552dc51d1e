use crate::helpers::TestApp;
use serde_json::Value;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_created_draft_is_listed_by_the_server_function_and_on_the_page(pool: PgPool) {
    let app = TestApp::spawn(pool).await;

    let created = app
        .server_fn("/rpc/drafts/create", &[("name", "  orders-pipeline ")])
        .await;
    assert_eq!(created.status(), 200);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["name"], "orders-pipeline");
    assert_eq!(created["node_count"], 0);

    let listed: Value = app
        .server_fn("/rpc/drafts/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], created["id"]);

    let page = app.get("/drafts").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("orders-pipeline"),
        "the server-rendered list shows the draft"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_blank_draft_name_is_a_422_that_names_the_field(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;

    let res = app
        .server_fn("/rpc/drafts/create", &[("name", "   ")])
        .await;

    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid");
    assert_eq!(body["field"], "name");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM drafts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing was stored");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn drafts_are_listed_newest_first(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for name in ["first", "second", "third"] {
        app.server_fn("/rpc/drafts/create", &[("name", name)]).await;
    }

    let listed: Value = app
        .server_fn("/rpc/drafts/list", &[])
        .await
        .json()
        .await
        .unwrap();

    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["third", "second", "first"]);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_unknown_page_is_a_404_with_a_way_back(pool: PgPool) {
    let app = TestApp::spawn(pool).await;

    let res = app.get("/no/such/page").await;

    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
}
