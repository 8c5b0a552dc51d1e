use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn sign_up_creates_a_team_whose_first_member_is_admin_with_the_example_draft(pool: PgPool) {
    let app = TestApp::spawn(pool).await;

    let ana = app.signup("ana").await;

    let me: Value = ana.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["email"], "ana@example.com");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["team_name"], "ana team");
    let drafts: Value = ana.get("/api/v1/drafts").await.json().await.unwrap();
    assert_eq!(drafts[0]["name"], "Thumbnail pipeline (example)");
    assert_eq!(
        (drafts[0]["errors"].as_u64(), drafts[0]["warnings"].as_u64()),
        (Some(2), Some(1)),
        "the example's deliberate gaps"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn joining_a_team_adds_no_example(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;
    app.invite(&ana, "bo", "editor").await;

    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM drafts")
        .fetch_one(&pool)
        .await
        .unwrap();

    assert_eq!(n, 1);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn passwords_are_stored_as_argon2id_at_owasp_parameters(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;

    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();

    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(&ana.password));
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn sign_out_ends_the_session_on_the_server(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;
    let sessions_before: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(&pool)
        .await
        .unwrap();

    let res = ana.post_empty("/api/v1/auth/signout").await;

    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        ana.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let sessions_after: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sessions_after, sessions_before - 1);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn signing_in_rotates_the_session_id_so_the_old_cookie_stops_working(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let first = ana.sign_in().await;
    let old = session_cookie(&first).expect("a session cookie");

    let second = ana.sign_in().await;
    let new = session_cookie(&second).expect("a new session cookie");

    assert_ne!(old, new);
    let with_old = client()
        .get(app.url("/api/v1/me"))
        .header("cookie", &old)
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_old.status(),
        StatusCode::UNAUTHORIZED,
        "the pre-sign-in id is dead"
    );
    let with_new = client()
        .get(app.url("/api/v1/me"))
        .header("cookie", &new)
        .send()
        .await
        .unwrap();
    assert_eq!(with_new.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn session_cookies_are_http_only_and_same_site_lax(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;

    let res = ana.sign_in().await;

    let cookie = res
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("eventloom="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn with_secure_cookies_the_cookie_is_secure_and_host_prefixed(pool: PgPool) {
    let mut s = settings(None);
    s.secure_cookies = true;
    let app = TestApp::spawn_with(s, pool).await;
    let ana = app.anonymous();

    let res = ana
        .post("/api/v1/auth/signup", &json!({"email": "ana@example.com", "password": "a-long-password-123", "display_name": "Ana"}))
        .await;

    let cookie = res
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-eventloom="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_idle_session_expires(pool: PgPool) {
    let mut s = settings(None);
    s.session_idle_secs = 1;
    let app = TestApp::spawn_with(s, pool).await;
    let ana = app.signup("ana").await;
    assert_eq!(ana.get("/api/v1/me").await.status(), StatusCode::OK);

    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;

    assert_eq!(
        ana.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_session_in_use_outlives_its_idle_timeout_and_then_ends_when_left_alone(pool: PgPool) {
    let mut s = settings(None);
    s.session_idle_secs = 3;
    let app = TestApp::spawn_with(s, pool).await;
    let ana = app.signup("ana").await;

    // Busy for more than twice the idle timeout: every request keeps the session alive.
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(7) {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(
            ana.get("/api/v1/me").await.status(),
            StatusCode::OK,
            "signed out after {:?} of activity",
            start.elapsed()
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(4500)).await;

    assert_eq!(
        ana.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_active_session_still_ends_at_its_absolute_lifetime(pool: PgPool) {
    let mut s = settings(None);
    s.session_absolute_secs = 2;
    let app = TestApp::spawn_with(s, pool).await;
    let ana = app.signup("ana").await;

    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        ana.get("/api/v1/me").await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;

    assert_eq!(
        ana.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_wrong_password_is_refused_and_audited_without_the_password(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;

    let res = ana
        .post(
            "/api/v1/auth/signin",
            &json!({"email": ana.email, "password": "not-the-password!!"}),
        )
        .await;

    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("do not match"));
    let rows: Vec<(String, Value)> =
        sqlx::query_as("SELECT action, detail FROM audit_log WHERE action = 'auth.signin_failed'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    let all: String = sqlx::query_scalar(
        "SELECT string_agg(detail::text || coalesce(target, ''), ' ') FROM audit_log",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!all.contains("not-the-password") && !all.contains(&ana.password));
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn repeated_failures_lock_the_account_for_a_while_with_a_clear_message(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let attacker = app.anonymous();
    for _ in 0..5 {
        let res = attacker
            .post(
                "/api/v1/auth/signin",
                &json!({"email": ana.email, "password": "guess-guess-guess"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }

    let res = ana.sign_in().await;

    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(res.headers().get(reqwest::header::RETRY_AFTER).is_some());
    let body: Value = res.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Too many failed sign-ins"),
        "{body}"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_parallel_burst_of_guesses_gets_no_more_tries_than_the_limit_and_is_audited(
    pool: PgPool,
) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;
    let guesses = (0..20).map(|i| {
        let (attacker, email) = (app.anonymous(), ana.email.clone());
        tokio::spawn(async move {
            attacker
                .post(
                    "/api/v1/auth/signin",
                    &json!({"email": email, "password": format!("guess-number-{i}")}),
                )
                .await
                .status()
        })
    });
    let statuses = futures_join(guesses).await;

    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(tried + refused, 20, "{statuses:?}");
    assert!(tried <= 5, "{tried} passwords were checked, the limit is 5");
    let limited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'auth.signin_limited' AND team_id IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        limited as usize, refused,
        "every refusal is in the team's audit log"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn failures_from_one_address_are_limited_across_accounts(pool: PgPool) {
    let mut s = settings(None);
    s.signin_limit_ip = 3;
    let app = TestApp::spawn_with(s, pool).await;
    let bot = app.anonymous();
    for i in 0..3 {
        bot.post(
            "/api/v1/auth/signin",
            &json!({"email": format!("user{i}@example.com"), "password": "whatever-password"}),
        )
        .await;
    }

    let res = bot
        .post(
            "/api/v1/auth/signin",
            &json!({"email": "another@example.com", "password": "whatever-password"}),
        )
        .await;

    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn behind_a_proxy_a_client_cannot_escape_the_address_limit_by_forging_forwarded_for(
    pool: PgPool,
) {
    let mut s = settings(None);
    s.signin_limit_ip = 3;
    s.trust_proxy = true;
    let app = TestApp::spawn_with(s, pool.clone()).await;
    let bot = app.anonymous();
    // The proxy appends the address it saw (203.0.113.9); the first entry is the client's own.
    let attempt = |i: usize| {
        bot.client
            .post(app.url("/api/v1/auth/signin"))
            .header("x-forwarded-for", format!("10.0.0.{i}, 203.0.113.9"))
            .json(
                &json!({"email": format!("user{i}@example.com"), "password": "whatever-password"}),
            )
            .send()
    };
    for i in 0..3 {
        attempt(i).await.unwrap();
    }

    let res = attempt(99).await.unwrap();

    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let ips: Vec<Option<String>> =
        sqlx::query_scalar("SELECT DISTINCT ip FROM audit_log WHERE action = 'auth.signin_failed'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        ips,
        [Some("203.0.113.9".to_owned())],
        "the audit log has the proxy's view"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_cross_site_post_is_refused_and_changes_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;

    let by_origin = ana
        .client
        .post(app.url("/api/v1/drafts"))
        .header("origin", "https://evil.example")
        .json(&json!({"name": "planted"}))
        .send()
        .await
        .unwrap();
    let by_fetch_site = ana
        .client
        .post(app.url("/rpc/drafts/create"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "planted")])
        .send()
        .await
        .unwrap();

    assert_eq!(by_origin.status(), StatusCode::FORBIDDEN);
    assert_eq!(by_fetch_site.status(), StatusCode::FORBIDDEN);
    let body: Value = by_origin.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Cross-site request refused")
    );
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM drafts WHERE name = 'planted'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_same_origin_post_passes_the_csrf_check(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;

    let res = ana
        .client
        .post(app.url("/api/v1/drafts"))
        .header("origin", format!("http://{}", app.addr))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"name": "ok"}))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), StatusCode::CREATED);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_invitation_joins_the_team_with_its_role_and_works_once(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let inv: Value = ana
        .post("/api/v1/team/invitations", &json!({"role": "editor"}))
        .await
        .json()
        .await
        .unwrap();
    let token = inv["token"].as_str().unwrap();
    assert_eq!(inv["link"], format!("/join/{token}"));

    let bo = app.signup_with("bo", Some(token)).await;
    let me: Value = bo.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["role"], "editor");
    assert_eq!(me["team_name"], "ana team");

    let again = app
        .anonymous()
        .post("/api/v1/auth/signup", &json!({"email": "cy@example.com", "password": "cy-long-password-123", "display_name": "cy", "invitation": token}))
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["field"], "invitation");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn only_admins_invite_change_roles_and_read_the_audit_log(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let bo = app.invite(&ana, "bo", "approver").await;
    let bo_id = bo.get("/api/v1/me").await.json::<Value>().await.unwrap()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(
        bo.post("/api/v1/team/invitations", &json!({"role": "admin"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bo.patch(
            &format!("/api/v1/team/members/{bo_id}"),
            &json!({"role": "admin"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bo.get("/api/v1/team/audit").await.status(),
        StatusCode::FORBIDDEN
    );

    let members: Value = ana
        .patch(
            &format!("/api/v1/team/members/{bo_id}"),
            &json!({"role": "viewer"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let bo_row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == bo_id.as_str())
        .unwrap();
    assert_eq!(bo_row["role"], "viewer");
    let audit: Value = ana.get("/api/v1/team/audit").await.json().await.unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "member.role_changed",
        "member.invited",
        "member.joined",
        "team.created",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn the_last_admin_cannot_step_down(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let me: Value = ana.get("/api/v1/me").await.json().await.unwrap();

    let res = ana
        .patch(
            &format!("/api/v1/team/members/{}", me["user_id"].as_str().unwrap()),
            &json!({"role": "editor"}),
        )
        .await;

    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_admin_removes_a_member_who_is_signed_out_at_once_but_not_the_last_admin(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let ed = app.invite(&ana, "ed", "editor").await;
    let ed_id = ed.get("/api/v1/me").await.json::<Value>().await.unwrap()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ana_id = ana.get("/api/v1/me").await.json::<Value>().await.unwrap()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(
        ed.delete(&format!("/api/v1/team/members/{ana_id}"))
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "only admins remove"
    );
    assert_eq!(
        ana.delete(&format!("/api/v1/team/members/{ana_id}"))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the last admin stays"
    );
    let res = ana.delete(&format!("/api/v1/team/members/{ed_id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let members: Value = res.json().await.unwrap();
    assert_eq!(members.as_array().unwrap().len(), 1);

    assert_eq!(
        ed.get("/api/v1/drafts").await.status(),
        StatusCode::UNAUTHORIZED,
        "the removed member's session no longer works"
    );
    let audit: Value = ana.get("/api/v1/team/audit").await.json().await.unwrap();
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "member.removed" && e["target"] == ed_id.as_str())
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn sign_ins_and_failures_are_in_the_audit_log_in_utc(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    ana.post(
        "/api/v1/auth/signin",
        &json!({"email": ana.email, "password": "wrong-password-here"}),
    )
    .await;
    ana.sign_in().await;

    let audit: Value = ana.get("/api/v1/team/audit").await.json().await.unwrap();

    let entries = audit.as_array().unwrap();
    assert!(entries.iter().any(|e| e["action"] == "auth.signin"));
    assert!(entries.iter().any(|e| e["action"] == "auth.signin_failed"));
    assert!(
        entries
            .iter()
            .all(|e| e["at"].as_str().unwrap().ends_with('Z')),
        "{audit}"
    );
    assert!(entries.iter().any(|e| e["ip"] == "127.0.0.1"));
}
