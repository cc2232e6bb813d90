//! What a front end may ask of the background worker, without depending on it:
//! the worker (candor-jobs) implements this; the web layer holds it as a trait
//! object, or nothing when this process runs no worker.

/// The background worker as seen by request handlers.
pub trait Background: Send + Sync + 'static {
    /// Look for work now rather than at the next poll (something was queued).
    fn wake(&self);
    /// Forget when orgs' evidence was last looked at, so the next pass checks all.
    fn recheck_evidence(&self);
    /// Send one mail now, outside the outbox (a password-reset link, whose loss
    /// costs only another request). False when no SMTP server is configured.
    fn send_account_mail(&self, to: String, subject: String, text: String) -> bool;
}
