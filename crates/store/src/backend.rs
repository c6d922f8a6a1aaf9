//! What each database implements: one trait per capability, and `Backend` their union. Web code
//! never holds a `Backend`: it gets a [`crate::Db`] and, per request, a [`crate::Handle`] bound to
//! the caller's jurisdiction. Every scoped method takes that `Scope` and must apply it in its SQL;
//! the conformance suite checks they do.
//!
//! A new capability adds its trait in its own records file and one line here.

use crate::*;

pub trait Backend:
    AuthStore
    + SettingsStore
    + PersonStore
    + KeyPersonStore
    + TaskStore
    + AuditStore
    + GridStore
    + BulkStore
    + VenueStore
    + CheckinStore
    + CheckpointStore
    + FollowUpStore
    + InvestigationStore
    + HealthCodeStore
    + ListStore
    + UploadStore
    + WorkbenchStore
    + StatisticsStore
    + Send
    + Sync
    + 'static
{
    /// A short name for logs and benchmarks: "sqlite" or "postgres".
    fn kind(&self) -> &'static str;
    /// Whether the check-in writer should run on a thread of its own rather than among the
    /// request handlers: right for an in-process database, whose calls never wait on the
    /// server's I/O driver; wrong for a network database, whose socket events that driver
    /// delivers (a writer apart would wait for the busy handlers to pass them on).
    fn writer_apart(&self) -> bool {
        false
    }
}
