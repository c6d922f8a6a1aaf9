//! Group commit for the audit log: every staff read of personal data writes an audit row before
//! the data is returned, so at thousands of reads a second one transaction per row would make
//! the log the bottleneck (and on SQLite each is an fsync). Reads queue their rows; one writer
//! task commits whatever has queued in one multi-row insert and answers each read after the
//! commit — no read is answered with its audit row unwritten.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::error::{Result, StoreError};
use crate::*;

const MAX_BATCH: usize = 1024;
const QUEUE_DEPTH: usize = 16_384;

type Job = (NewAuditEntry, oneshot::Sender<Result<()>>);

pub(crate) struct AuditQueue {
    sender: mpsc::Sender<Job>,
}

impl AuditQueue {
    pub(crate) fn spawn(backend: Arc<dyn Backend>) -> AuditQueue {
        let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(write_batches(backend, receiver));
        AuditQueue { sender }
    }

    pub(crate) async fn append(&self, entry: NewAuditEntry) -> Result<()> {
        let (answer, written) = oneshot::channel();
        self.sender
            .send((entry, answer))
            .await
            .map_err(|_| StoreError::Backend("the audit writer has stopped".into()))?;
        written.await.map_err(|_| StoreError::Backend("the audit writer dropped an entry".into()))?
    }
}

async fn write_batches(backend: Arc<dyn Backend>, mut receiver: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (entries, answers): (Vec<NewAuditEntry>, Vec<_>) = jobs.drain(..).unzip();
        let result = backend.append_audits(&entries).await;
        if let Err(err) = &result {
            tracing::error!(%err, batch = entries.len(), "audit batch failed; the reads it covers are refused");
        }
        for answer in answers {
            let _ = answer.send(match &result {
                Ok(()) => Ok(()),
                Err(err) => Err(err.again()),
            });
        }
    }
}
