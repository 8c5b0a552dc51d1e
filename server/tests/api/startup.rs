use crate::helpers::settings;
use server::Application;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_taken_port_is_a_one_line_error_naming_the_fix(pool: PgPool) {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut s = settings(None);
    s.port = taken.local_addr().unwrap().port();

    let err = Application::build_with_pool(s, pool)
        .await
        .err()
        .expect("bind fails");

    let msg = format!("{err:#}");
    assert!(msg.contains("already in use"), "{msg}");
    assert!(msg.contains("--port"), "{msg}");
    assert!(!msg.contains('\n'), "one line: {msg}");
}

#[tokio::test]
async fn an_unreachable_database_is_a_clear_error_without_the_password() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut s = settings(None);
    s.database_url = format!("postgres://app:hunter2@{closed}/eventloom");

    let err = Application::build(s).await.err().expect("connect fails");

    let msg = format!("{err:#}");
    assert!(msg.contains("cannot connect to the database"), "{msg}");
    assert!(msg.contains("DATABASE_URL"), "{msg}");
    assert!(
        !msg.contains("hunter2"),
        "the password is never echoed: {msg}"
    );
}
