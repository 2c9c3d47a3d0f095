//! `RefreshingToken`: an IAM token fetched on demand, cached, and refreshed before it expires.

use std::{fmt, time::Duration};

use tokio::{sync::Mutex, time::Instant};

use super::{Credentials, CredentialsError, CredentialsProvider, IamToken};

/// A token and how long it stays valid.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TokenGrant {
    /// The token.
    pub token: IamToken,
    /// How long it is valid from now.
    pub valid_for: Duration,
}

impl TokenGrant {
    /// `token`, valid for `valid_for` from now.
    pub fn new(token: IamToken, valid_for: Duration) -> Self {
        Self { token, valid_for }
    }
}

/// Where fresh tokens come from, e.g. [`IamPasswordSource`](super::IamPasswordSource).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// Gets a new token.
    async fn fetch(&self) -> Result<TokenGrant, CredentialsError>;
}

/// Caches a token from a [`TokenSource`] and fetches a new one when less than the refresh
/// margin (default 10 minutes) of its life is left. Concurrent callers share one fetch.
pub struct RefreshingToken<S> {
    source: S,
    margin: Duration,
    /// The token, and when to replace it (`None`: never, its life being beyond the clock's).
    cached: Mutex<Option<(IamToken, Option<Instant>)>>,
}

impl<S: TokenSource> RefreshingToken<S> {
    /// The default refresh margin.
    pub const DEFAULT_MARGIN: Duration = Duration::from_secs(600);

    /// Wraps a source.
    pub fn new(source: S) -> Self {
        Self {
            source,
            margin: Self::DEFAULT_MARGIN,
            cached: Mutex::new(None),
        }
    }

    /// Sets how long before expiry a token is replaced.
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }
}

impl<S: fmt::Debug> fmt::Debug for RefreshingToken<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingToken")
            .field("source", &self.source)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl<S: TokenSource> CredentialsProvider for RefreshingToken<S> {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, replace_at)) = cached.as_ref()
            && replace_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(Credentials::Token(token.clone()));
        }
        let grant = self.source.fetch().await?;
        // Replace it `margin` before it expires; with a life of less than the margin, at once.
        let replace_at = Instant::now().checked_add(grant.valid_for.saturating_sub(self.margin));
        *cached = Some((grant.token.clone(), replace_at));
        Ok(Credentials::Token(grant.token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn token_of(c: Credentials) -> String {
        match c {
            Credentials::Token(t) => t.expose().to_owned(),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn caches_then_refreshes_before_expiry() {
        let mut source = MockTokenSource::new();
        let mut seq = mockall::Sequence::new();
        for name in ["first", "second"] {
            source
                .expect_fetch()
                .times(1)
                .in_sequence(&mut seq)
                .returning(move || {
                    Ok(TokenGrant {
                        token: IamToken::new(name),
                        valid_for: Duration::from_secs(3600),
                    })
                });
        }
        let provider = Arc::new(RefreshingToken::new(source));
        assert_eq!(token_of(provider.credentials().await.unwrap()), "first");
        tokio::time::advance(Duration::from_secs(2000)).await;
        assert_eq!(token_of(provider.credentials().await.unwrap()), "first");
        tokio::time::advance(Duration::from_secs(1100)).await; // 500 s left < 600 s margin
        assert_eq!(token_of(provider.credentials().await.unwrap()), "second");
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch_and_errors_pass_through() {
        let mut source = MockTokenSource::new();
        source.expect_fetch().times(1).returning(|| {
            Err(CredentialsError::Source {
                source_name: "IAM",
                reason: "refused".into(),
            })
        });
        source.expect_fetch().times(1).returning(|| {
            Ok(TokenGrant {
                token: IamToken::new("t"),
                valid_for: Duration::from_secs(86_400),
            })
        });
        let provider = Arc::new(RefreshingToken::new(source));
        assert!(provider.credentials().await.is_err());
        let calls: Vec<_> = (0..10)
            .map(|_| {
                let p = provider.clone();
                tokio::spawn(async move { p.credentials().await })
            })
            .collect();
        for call in calls {
            assert_eq!(token_of(call.await.unwrap().unwrap()), "t");
        }
    }
}
