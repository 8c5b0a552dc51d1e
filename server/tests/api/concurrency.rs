//! Fifty saves race from the same base: each ends saved or 409, and the versions stored
//! are exactly the successes.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn fifty_parallel_saves_from_one_base_end_saved_or_conflicting_and_none_is_lost(
    pool: PgPool,
) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = std::sync::Arc::new(app.signup("ana").await);
    let d = ana.create_draft("hot", Some(example(None))).await;
    let id = d["summary"]["id"].as_str().unwrap().to_owned();
    let base = d["latest"]["id"].as_str().unwrap().to_owned();

    let saves = (0..50).map(|i| {
        let (ana, id, base) = (ana.clone(), id.clone(), base.clone());
        tokio::spawn(async move {
            ana.save(&id, &base, &example(Some(&i.to_string())))
                .await
                .status()
        })
    });
    let statuses: Vec<StatusCode> = futures_join(saves).await;

    let ok = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!(ok + conflicts, 50, "{statuses:?}");
    assert_eq!(ok, 1, "only the first save from a base can win");
    let versions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM draft_versions WHERE draft_id = $1::uuid")
            .bind(&id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(versions as usize, 1 + ok);
    let head: Value = ana
        .get(&format!("/api/v1/drafts/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(head["summary"]["version"], 2);
}
