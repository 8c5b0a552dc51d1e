//! A request dropped while its transaction is starting must not leak that transaction into
//! the pool, where the next borrower's writes would run inside it and never be seen.

use sqlx::{PgPool, postgres::PgPoolOptions};
use std::time::Duration;
use uuid::Uuid;

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_transaction_cancelled_while_beginning_does_not_swallow_the_next_write(pool: PgPool) {
    sqlx::query("CREATE TABLE probe (id uuid PRIMARY KEY)")
        .execute(&pool)
        .await
        .unwrap();
    // One connection, handed out without a ping, so the next borrower is the one that
    // would inherit a leaked transaction and the first poll of `begin` sends `BEGIN`.
    let one = PgPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    sqlx::query("SELECT 1").execute(&one).await.unwrap();

    let mut cancelled = 0;
    for round in 0..200 {
        // A zero timeout polls once and drops the future, as a disconnecting client does.
        if tokio::time::timeout(Duration::ZERO, server::store::begin(&one))
            .await
            .is_err()
        {
            cancelled += 1;
        }
        let id = Uuid::new_v4();
        sqlx::query("INSERT INTO probe (id) VALUES ($1)")
            .bind(id)
            .execute(&one)
            .await
            .unwrap();
        let seen: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM probe WHERE id = $1)")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(
            seen,
            "round {round}: a write after a cancelled BEGIN is invisible to other connections"
        );
    }
    assert!(
        cancelled > 0,
        "no begin was cancelled, so nothing was tested"
    );
}
