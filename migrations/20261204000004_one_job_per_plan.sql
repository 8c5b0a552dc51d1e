-- A plan is applied at most once: two clicks on Deploy (or two replicas receiving them)
-- must not queue the same plan twice. The service checks first, for a clear message; this
-- index is what holds under a race. Earlier duplicates, if any, are marked failed first.
UPDATE apply_jobs j
SET status = 'failed',
    error = 'A duplicate of an earlier job for the same plan (a double submit); it never ran.',
    finished_at = COALESCE(finished_at, now()),
    lease_owner = NULL,
    lease_expires_at = NULL
WHERE j.status = 'queued'
  AND EXISTS (
      SELECT 1 FROM apply_jobs o
      WHERE o.plan_id = j.plan_id AND o.status <> 'failed' AND o.seq < j.seq
  );
CREATE UNIQUE INDEX apply_jobs_one_live_per_plan ON apply_jobs (plan_id) WHERE status <> 'failed';
