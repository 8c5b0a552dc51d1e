use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_created_draft_is_listed_with_its_version_author_and_counts(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;

    let d = ana.create_draft("thumbnails", Some(example(None))).await;

    assert_eq!(d["summary"]["version"], 1);
    assert_eq!(d["latest"]["errors"], 2);
    assert_eq!(d["latest"]["warnings"], 1);
    let list: Value = ana.get("/api/v1/drafts").await.json().await.unwrap();
    let row = &list[0];
    assert_eq!(row["name"], "thumbnails");
    assert_eq!(row["node_count"], 4);
    assert_eq!(row["errors"], 2);
    assert_eq!(row["author"], "ana");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn the_drafts_page_and_its_server_functions_show_the_teams_drafts(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;

    let created = ana
        .server_fn("/rpc/drafts/create", &[("name", "  billing-flow ")])
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let listed: Value = ana
        .server_fn("/rpc/drafts/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["name"], "billing-flow");

    let html = ana.get("/drafts").await.text().await.unwrap();
    assert!(
        html.contains("billing-flow"),
        "the server-rendered list shows the draft"
    );
    let anonymous = app.anonymous().get("/drafts").await.text().await.unwrap();
    assert!(!anonymous.contains("billing-flow"));
    assert!(anonymous.contains("Sign in"));
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_blank_draft_name_is_a_422_that_names_the_field_and_stores_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;

    let res = ana.post("/api/v1/drafts", &json!({"name": "   "})).await;

    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid");
    assert_eq!(body["field"], "name");
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM drafts WHERE name <> 'Thumbnail pipeline (example)'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(n, 0);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn rename_duplicate_archive_export_and_import_work(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let d = ana.create_draft("orig", Some(example(None))).await;
    let id = d["summary"]["id"].as_str().unwrap();

    let renamed: Value = ana
        .patch(&format!("/api/v1/drafts/{id}"), &json!({"name": "renamed"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["name"], "renamed");

    let copy: Value = ana
        .post_empty(&format!("/api/v1/drafts/{id}/duplicate"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(copy["summary"]["name"], "renamed (copy)");
    assert_eq!(copy["latest"]["content_hash"], d["latest"]["content_hash"]);

    let exported = ana.get(&format!("/api/v1/drafts/{id}/export")).await;
    assert!(
        exported.headers()[reqwest::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("renamed.eventloom.json")
    );
    let doc: Value = exported.json().await.unwrap();
    assert_eq!(doc["schema"], 1);
    let imported = ana
        .post(
            "/api/v1/drafts/import",
            &json!({"name": "imported", "content": doc}),
        )
        .await;
    assert_eq!(imported.status(), StatusCode::CREATED);
    let imported: Value = imported.json().await.unwrap();
    assert_eq!(
        imported["latest"]["content_hash"], d["latest"]["content_hash"],
        "export then import is lossless"
    );
    // The exported file itself imports as it is, named by the query string.
    let as_file = ana
        .post("/api/v1/drafts/import?name=from%20a%20file", &doc)
        .await;
    assert_eq!(as_file.status(), StatusCode::CREATED);
    let as_file: Value = as_file.json().await.unwrap();
    assert_eq!(as_file["summary"]["name"], "from a file");
    assert_eq!(
        as_file["latest"]["content_hash"],
        d["latest"]["content_hash"]
    );

    let archived: Value = ana
        .post_empty(&format!("/api/v1/drafts/{id}/archive"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(archived["archived"], true);
    let listed: Value = ana.get("/api/v1/drafts").await.json().await.unwrap();
    assert!(
        listed.as_array().unwrap().iter().all(|d| d["id"] != id),
        "archived drafts leave the default list"
    );
    let all: Value = ana
        .get("/api/v1/drafts?archived=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(all.as_array().unwrap().iter().any(|d| d["id"] == id));
    let base = d["latest"]["id"].as_str().unwrap();
    assert_eq!(
        ana.save(id, base, &example(Some("x"))).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "archived is read-only"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_save_from_a_stale_base_is_a_409_with_the_latest_and_both_versions_are_kept(
    pool: PgPool,
) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let bo = app.invite(&ana, "bo", "editor").await;
    let d = ana.create_draft("shared", Some(example(None))).await;
    let (id, v1) = (
        d["summary"]["id"].as_str().unwrap(),
        d["latest"]["id"].as_str().unwrap(),
    );

    let first = ana.save(id, v1, &example(Some("ana"))).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let v2: Value = first.json().await.unwrap();
    assert_eq!(v2["number"], 2);
    assert_eq!(v2["parent_id"], v1);

    let second = bo.save(id, v1, &example(Some("bo"))).await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let conflict: Value = second.json().await.unwrap();
    assert_eq!(conflict["error"], "conflict");
    assert_eq!(conflict["latest"]["id"], v2["id"]);
    assert!(
        conflict["latest"]["content"]["nodes"]["extra-ana"].is_object(),
        "the latest content comes along to merge"
    );

    let merged = bo
        .save(id, v2["id"].as_str().unwrap(), &example(Some("bo")))
        .await;
    assert_eq!(merged.status(), StatusCode::CREATED);
    let versions: Value = ana
        .get(&format!("/api/v1/drafts/{id}/versions"))
        .await
        .json()
        .await
        .unwrap();
    let numbers: Vec<u64> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    let v2_again: Value = ana
        .get(&format!("/api/v1/drafts/{id}/versions/2"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        v2_again["content"]["nodes"]["extra-ana"].is_object(),
        "version 2 is unchanged"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn saving_unchanged_content_creates_no_version(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let d = ana.create_draft("same", Some(example(None))).await;
    let (id, v1) = (
        d["summary"]["id"].as_str().unwrap(),
        d["latest"]["id"].as_str().unwrap(),
    );

    let res = ana.save(id, v1, &example(None)).await;

    assert_eq!(res.status(), StatusCode::OK, "nothing new was created");
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["id"], v1);
    let versions: Value = ana
        .get(&format!("/api/v1/drafts/{id}/versions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 1);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_base_that_is_not_a_version_of_the_draft_is_a_422_naming_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let a = ana.create_draft("a", None).await;
    let b = ana.create_draft("b", None).await;
    let id = a["summary"]["id"].as_str().unwrap();
    let other_drafts_version = b["latest"]["id"].as_str().unwrap();

    let res = ana.save(id, other_drafts_version, &example(None)).await;

    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "base_version", "{body}");
    let versions: Value = ana
        .get(&format!("/api/v1/drafts/{id}/versions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 1, "nothing was saved");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn each_save_is_in_the_audit_log_with_its_version_and_hash(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;
    let d = ana.create_draft("x", None).await;
    let (id, v1) = (
        d["summary"]["id"].as_str().unwrap(),
        d["latest"]["id"].as_str().unwrap(),
    );
    let v2: Value = ana.save(id, v1, &example(None)).await.json().await.unwrap();

    let (target, detail): (String, Value) = sqlx::query_as(
        "SELECT target, detail FROM audit_log WHERE action = 'draft.saved' ORDER BY at DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(target, id);
    assert_eq!(detail["version"], 2);
    assert_eq!(detail["content_hash"], v2["content_hash"]);
    assert_eq!(detail["errors"], v2["errors"]);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn every_save_stores_the_validators_findings(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;
    let d = ana.create_draft("x", None).await;
    let (id, v1) = (
        d["summary"]["id"].as_str().unwrap(),
        d["latest"]["id"].as_str().unwrap(),
    );

    let v: Value = ana.save(id, v1, &example(None)).await.json().await.unwrap();

    assert_eq!(
        (v["errors"].as_u64(), v["warnings"].as_u64()),
        (Some(2), Some(1))
    );
    let codes: Value = sqlx::query_scalar("SELECT findings FROM draft_versions WHERE number = 2")
        .fetch_one(&pool)
        .await
        .unwrap();
    let codes: Vec<&str> = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"sqs-visibility-below-timeout"), "{codes:?}");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_invalid_graph_is_a_422_naming_the_element_and_field(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let mut bad = example(None);
    bad["nodes"]["failures"]["name"] = json!("not a queue name!");

    let res = ana
        .post("/api/v1/drafts", &json!({"name": "bad", "content": bad}))
        .await;

    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "content.nodes.failures.name");
    assert!(
        body["message"].as_str().unwrap().contains("queue name"),
        "{body}"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_graph_above_the_node_limit_is_a_422(pool: PgPool) {
    let mut s = settings(None);
    s.max_nodes = 3;
    let app = TestApp::spawn_with(s, pool).await;
    let ana = app.signup("ana").await;

    let res = ana
        .post(
            "/api/v1/drafts",
            &json!({"name": "big", "content": example(None)}),
        )
        .await;

    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.json::<Value>().await.unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("at most 3")
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_oversized_body_is_a_413_with_a_message(pool: PgPool) {
    let mut s = settings(None);
    s.max_body_bytes = 10_000;
    let app = TestApp::spawn_with(s, pool).await;
    let ana = app.signup("ana").await;

    let res = ana
        .post(
            "/api/v1/drafts",
            &json!({"name": "big", "content": {"schema": 1, "padding": "x".repeat(20_000)}}),
        )
        .await;

    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("larger than this server accepts")
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_chunked_body_over_the_limit_is_cut_off_for_server_functions_too(pool: PgPool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = settings(None);
    s.max_body_bytes = 10_000;
    let app = TestApp::spawn_with(s, pool.clone()).await;
    let ana = app.signup("ana").await;
    let cookie = ana.cookie_header();
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM drafts WHERE name = 'streamed'")
            .fetch_one(&pool)
            .await
            .unwrap()
    };

    // A valid create call whose size is only known by reading it: no Content-Length,
    // 2 KB chunks, 100 KB in all. Unbounded, the server function would read it all and
    // create the draft.
    let addr = app
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut rd, mut wr) = conn.into_split();
    let head = format!(
        "POST /rpc/drafts/create HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let writer = tokio::spawn(async move {
        let mut body = String::from("name=streamed&padding=");
        body.push_str(&"n".repeat(100_000));
        wr.write_all(head.as_bytes()).await?;
        for part in body.as_bytes().chunks(2048) {
            wr.write_all(format!("{:x}\r\n", part.len()).as_bytes())
                .await?;
            wr.write_all(part).await?;
            wr.write_all(b"\r\n").await?;
        }
        wr.write_all(b"0\r\n\r\n").await?;
        std::io::Result::Ok(())
    });
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(20), rd.read(&mut answer))
        .await
        .expect("the server answers")
        .unwrap_or(0);
    let status = String::from_utf8_lossy(&answer[..n]).to_string();
    let _ = writer.await;

    assert!(
        status.starts_with("HTTP/1.1 413"),
        "an oversized stream is refused as too large: {status}"
    );
    assert_eq!(count().await, 0, "nothing was created");
    assert_eq!(
        ana.get("/api/v1/me").await.status(),
        StatusCode::OK,
        "the server is still serving"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_body_that_is_not_json_is_a_400_saying_so(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;

    let res = ana
        .client
        .post(app.url("/api/v1/drafts"))
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "bad_request");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_value_of_the_wrong_type_is_a_422_naming_its_path(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let d = ana.create_draft("x", None).await;
    let id = d["summary"]["id"].as_str().unwrap();

    let res = ana
        .patch(&format!("/api/v1/drafts/{id}"), &json!({"name": 42}))
        .await;

    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "name", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("expected a string"),
        "{body}"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_malformed_query_parameter_is_a_json_400(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;

    let res = ana.get("/api/v1/drafts?archived=perhaps").await;

    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    assert!(
        body["message"].as_str().unwrap().contains("archived"),
        "{body}"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_viewer_can_read_but_not_save(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let vi = app.invite(&ana, "vi", "viewer").await;
    let d = ana.create_draft("ro", Some(example(None))).await;
    let (id, v1) = (
        d["summary"]["id"].as_str().unwrap(),
        d["latest"]["id"].as_str().unwrap(),
    );

    assert_eq!(
        vi.get(&format!("/api/v1/drafts/{id}")).await.status(),
        StatusCode::OK
    );
    let res = vi.save(id, v1, &example(Some("vi"))).await;

    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        res.json::<Value>().await.unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("needs editor")
    );
    assert_eq!(
        vi.post("/api/v1/drafts", &json!({"name": "mine"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn versions_cannot_be_changed_in_the_database(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;
    ana.create_draft("x", None).await;

    let res = sqlx::query("UPDATE draft_versions SET errors = 99")
        .execute(&pool)
        .await;

    assert!(res.unwrap_err().to_string().contains("immutable"));
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn drafts_made_before_accounts_existed_are_adopted_by_the_first_team(pool: PgPool) {
    let draft = uuid::Uuid::new_v4();
    let version = uuid::Uuid::new_v4();
    let mut tx = server::store::begin(&pool).await.unwrap();
    sqlx::query("INSERT INTO drafts (id, name) VALUES ($1, 'legacy')")
        .bind(draft)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO draft_versions (id, draft_id, number, content, content_hash, node_count, errors, warnings, infos, findings)
         VALUES ($1, $2, 1, '{\"schema\":1}', 'h', 0, 0, 0, 0, '[]')",
    )
    .bind(version)
    .bind(draft)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("UPDATE drafts SET head_version = $1, head_number = 1 WHERE id = $2")
        .bind(version)
        .bind(draft)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let app = TestApp::spawn(pool).await;

    let ana = app.signup("ana").await;
    let bo = app.signup("bo").await;

    let listed: Value = ana.get("/api/v1/drafts").await.json().await.unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "legacy")
    );
    let theirs: Value = bo.get("/api/v1/drafts").await.json().await.unwrap();
    assert!(
        theirs
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["name"] != "legacy")
    );
}
