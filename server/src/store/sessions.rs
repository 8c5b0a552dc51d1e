//! The session store: tower-sessions' Postgres store, with every call run to completion.

use async_trait::async_trait;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store,
};
use tower_sessions_sqlx_store::PostgresStore;

/// [`PostgresStore`] with each call in its own task.
///
/// The session layer saves after the handler has answered, so a client that disconnects at
/// that moment drops the save. `PostgresStore::create` opens a transaction, and a `BEGIN`
/// cancelled in flight leaks an open transaction into the shared pool (see
/// [`super::begin`]); running the call detached means nothing the client does can cut it off.
#[derive(Debug, Clone)]
pub struct DetachedStore(PostgresStore);

impl DetachedStore {
    /// Wraps a store.
    pub fn new(store: PostgresStore) -> Self {
        Self(store)
    }

    /// Runs `call` on a clone of the store, in a task of its own.
    async fn run<T, F>(&self, call: impl FnOnce(PostgresStore) -> F) -> session_store::Result<T>
    where
        T: Send + 'static,
        F: Future<Output = session_store::Result<T>> + Send + 'static,
    {
        tokio::spawn(call(self.0.clone()))
            .await
            .map_err(|e| session_store::Error::Backend(format!("session store task failed: {e}")))?
    }
}

#[async_trait]
impl SessionStore for DetachedStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut owned = record.clone();
        let created = self
            .run(|s| async move {
                s.create(&mut owned).await?;
                Ok(owned)
            })
            .await?;
        // The store may have changed the id to avoid a collision.
        *record = created;
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let owned = record.clone();
        self.run(|s| async move { s.save(&owned).await }).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let id = *id;
        self.run(|s| async move { s.load(&id).await }).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let id = *id;
        self.run(|s| async move { s.delete(&id).await }).await
    }
}
