//! Authentication as the gateway does it: AK/SK signatures (api-auth's `Verifier`) or tokens,
//! each credential bound to the projects it may use; temporary credentials the identity routes
//! issued need their security token and expire.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_auth::{Clock, SecretKey, SystemClock, Verifier, VerifyError};
use api_model::ProjectId;
use http::header::{AUTHORIZATION, HOST};
use http::{HeaderMap, HeaderValue, Method, Uri};

use crate::identity::IssuedCredentials;

/// The header a token is sent in.
pub(crate) const X_AUTH_TOKEN: &str = "x-auth-token";

/// The credentials the emulator accepts, collected by the builder. Secrets never reach `Debug`.
#[derive(Clone, Default)]
pub(crate) struct Credentials {
    access_keys: HashMap<String, (SecretKey, Vec<ProjectId>)>,
    tokens: HashMap<String, Vec<ProjectId>>,
    first_project: Option<ProjectId>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&String> = self.access_keys.keys().collect();
        keys.sort();
        f.debug_struct("Credentials")
            .field("access_keys", &keys)
            .field("tokens", &self.tokens.len())
            .finish()
    }
}

impl Credentials {
    /// Accepts `ak` signed with `sk` for `project` (an AK may be bound to several projects; the
    /// last SK given for it wins).
    pub(crate) fn add_access_key(&mut self, ak: String, sk: SecretKey, project: ProjectId) {
        self.first_project.get_or_insert_with(|| project.clone());
        let entry = self
            .access_keys
            .entry(ak)
            .or_insert_with(|| (sk.clone(), Vec::new()));
        entry.0 = sk;
        if !entry.1.contains(&project) {
            entry.1.push(project);
        }
    }

    /// Accepts `token` (sent as `X-Auth-Token`) for `project`.
    pub(crate) fn add_token(&mut self, token: String, project: ProjectId) {
        self.first_project.get_or_insert_with(|| project.clone());
        let projects = self.tokens.entry(token).or_default();
        if !projects.contains(&project) {
            projects.push(project);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.access_keys.is_empty() && self.tokens.is_empty()
    }

    /// The project of the first AK or token added.
    pub(crate) fn first_project(&self) -> Option<&ProjectId> {
        self.first_project.as_ref()
    }
}

/// Why a request was refused with 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    /// Neither `Authorization` nor `X-Auth-Token`.
    NoCredentials,
    /// The AK/SK signature was refused; the error says why (and never holds a signature or SK).
    Signature(VerifyError),
    /// The token is not one the emulator knows.
    UnknownToken,
    /// The route takes AK/SK signatures only, and the request is not signed.
    SignatureRequired,
    /// Temporary credentials signed a request without their `X-Security-Token`.
    SecurityTokenMissing,
    /// The `X-Security-Token` is not the one issued with the access key id.
    SecurityTokenMismatch,
    /// The temporary credentials have expired.
    SecurityTokenExpired,
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Incorrect IAM authentication information: ")?;
        match self {
            Self::NoCredentials => f.write_str(
                "the request carries no credentials; sign it with SDK-HMAC-SHA256 (AK/SK) or send X-Auth-Token",
            ),
            Self::Signature(error) => write!(f, "{error}"),
            Self::UnknownToken => {
                f.write_str("the X-Auth-Token is not valid; get a new token from IAM")
            }
            Self::SignatureRequired => f.write_str(
                "this API takes AK/SK credentials only; sign the request with SDK-HMAC-SHA256",
            ),
            Self::SecurityTokenMissing => f.write_str(
                "the access key id belongs to temporary credentials, but the request has no X-Security-Token; send (and sign) the security token issued with it",
            ),
            Self::SecurityTokenMismatch => f.write_str(
                "the X-Security-Token is not the one issued with the access key id; send the security token of the same temporary credentials",
            ),
            Self::SecurityTokenExpired => f.write_str(
                "the security token has expired; get new temporary credentials",
            ),
        }
    }
}

/// Checks credentials and says which projects they may use.
#[derive(Clone)]
pub(crate) struct Authenticator {
    verifier: Verifier,
    key_projects: HashMap<String, Vec<ProjectId>>,
    tokens: HashMap<String, Vec<ProjectId>>,
    issued: Arc<IssuedCredentials>,
    /// The one project issued credentials may use.
    temporary_project: [ProjectId; 1],
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("verifier", &self.verifier)
            .field("access_keys", &self.key_projects.len())
            .field("tokens", &self.tokens.len())
            .field("issued", &self.issued)
            .field("temporary_project", &self.temporary_project[0])
            .finish()
    }
}

impl Authenticator {
    /// Accepts `credentials`, and no temporary ones but those issued into a registry of its
    /// own (for tests of the pipeline).
    #[cfg(test)]
    pub(crate) fn new(
        credentials: Credentials,
        max_skew: Duration,
        clock: Option<Arc<dyn Clock>>,
    ) -> Self {
        Self::with_issued(
            credentials,
            max_skew,
            clock,
            Arc::default(),
            crate::demo::demo_project_id(),
        )
    }

    /// Accepts `credentials`, and the temporary credentials in `issued` (with their security
    /// token, until they expire by `clock`) for `temporary_project`.
    pub(crate) fn with_issued(
        credentials: Credentials,
        max_skew: Duration,
        clock: Option<Arc<dyn Clock>>,
        issued: Arc<IssuedCredentials>,
        temporary_project: ProjectId,
    ) -> Self {
        let clock: Arc<dyn Clock> = clock.unwrap_or_else(|| Arc::new(SystemClock));
        let mut secrets = HashMap::with_capacity(credentials.access_keys.len());
        let mut key_projects = HashMap::with_capacity(credentials.access_keys.len());
        for (ak, (sk, projects)) in credentials.access_keys {
            secrets.insert(ak.clone(), sk);
            key_projects.insert(ak, projects);
        }
        let lookup_issued = issued.clone();
        let verifier = Verifier::new(move |ak: &str| {
            secrets
                .get(ak)
                .cloned()
                .or_else(|| lookup_issued.secret_key(ak))
        })
        .with_max_skew(max_skew)
        .with_clock(clock.clone());
        Self {
            verifier,
            key_projects,
            tokens: credentials.tokens,
            issued,
            temporary_project: [temporary_project],
            clock,
        }
    }

    /// The projects the request's credentials may use.
    pub(crate) fn authenticate(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<&[ProjectId], AuthFailure> {
        if headers.contains_key(AUTHORIZATION) {
            return self.authenticate_signed(method, uri, headers, body);
        }
        if let Some(token) = headers.get(X_AUTH_TOKEN) {
            return token
                .to_str()
                .ok()
                .and_then(|token| self.tokens.get(token))
                .map(Vec::as_slice)
                .ok_or(AuthFailure::UnknownToken);
        }
        Err(AuthFailure::NoCredentials)
    }

    /// The projects the request's AK/SK signature may use; a request that is not signed is
    /// refused ([`AuthFailure::SignatureRequired`]), whatever token it carries.
    pub(crate) fn authenticate_signed(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<&[ProjectId], AuthFailure> {
        if !headers.contains_key(AUTHORIZATION) {
            return Err(AuthFailure::SignatureRequired);
        }
        let verified = match host_from_authority(uri, headers) {
            // HTTP/2 carries the host in `:authority`; the signer signed it as `Host`.
            Some(with_host) => self.verifier.verify_parts(method, uri, &with_host, body),
            None => self.verifier.verify_parts(method, uri, headers, body),
        }
        .map_err(AuthFailure::Signature)?;
        let ak = verified.access_key_id();
        if let Some(projects) = self.key_projects.get(ak) {
            return Ok(projects);
        }
        match self
            .issued
            .check(ak, verified.security_token(), self.clock.now())
        {
            Some(Ok(())) => Ok(&self.temporary_project),
            Some(Err(failure)) => Err(failure),
            // Removed between the signature check and now (forgotten long after expiry).
            None => Err(AuthFailure::SecurityTokenExpired),
        }
    }
}

/// A copy of `headers` with `Host` from the URI's authority, when the request has no `Host`
/// header but an authority (HTTP/2, or an absolute-form HTTP/1 target).
fn host_from_authority(uri: &Uri, headers: &HeaderMap) -> Option<HeaderMap> {
    if headers.contains_key(HOST) {
        return None;
    }
    let authority = uri.authority()?;
    let value = HeaderValue::from_str(authority.as_str()).ok()?;
    let mut headers = headers.clone();
    headers.insert(HOST, value);
    Some(headers)
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use api_auth::{AccessKey, MockClock, Signer};
    use bytes::Bytes;

    use super::*;

    const P1: &str = "11111111111111111111111111111111";
    const P2: &str = "22222222222222222222222222222222";

    fn authenticator() -> Authenticator {
        let mut credentials = Credentials::default();
        credentials.add_access_key("AK".into(), SecretKey::new("SK"), P1.parse().unwrap());
        credentials.add_access_key("AK".into(), SecretKey::new("SK"), P2.parse().unwrap());
        credentials.add_token("tok".into(), P2.parse().unwrap());
        assert!(!credentials.is_empty());
        let debug = format!("{credentials:?}");
        assert!(
            !debug.contains("SK\"") && !debug.contains("\"tok\""),
            "{debug}"
        );
        Authenticator::new(credentials, Duration::from_secs(900), None)
    }

    fn signed(sk: &str) -> http::Request<Bytes> {
        let mut request = http::Request::delete(format!("http://h/v2/{P1}/processor-tasks/t"))
            .header(HOST, "h")
            .body(Bytes::new())
            .unwrap();
        Signer::new()
            .sign(&mut request, &AccessKey::new("AK", sk))
            .unwrap();
        request
    }

    fn check(
        auth: &Authenticator,
        request: &http::Request<Bytes>,
    ) -> Result<Vec<String>, AuthFailure> {
        auth.authenticate(
            request.method(),
            request.uri(),
            request.headers(),
            request.body(),
        )
        .map(|projects| projects.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn access_key_gives_its_projects() {
        let auth = authenticator();
        assert_eq!(
            check(&auth, &signed("SK")),
            Ok(vec![P1.to_owned(), P2.to_owned()])
        );
        assert!(matches!(
            check(&auth, &signed("wrong")),
            Err(AuthFailure::Signature(
                VerifyError::SignatureMismatch { .. }
            ))
        ));
    }

    #[test]
    fn tokens_and_missing_credentials() {
        let auth = authenticator();
        let with_token = |token: &str| {
            http::Request::get("/")
                .header(X_AUTH_TOKEN, token)
                .body(Bytes::new())
                .unwrap()
        };
        assert_eq!(check(&auth, &with_token("tok")), Ok(vec![P2.to_owned()]));
        assert_eq!(
            check(&auth, &with_token("nope")),
            Err(AuthFailure::UnknownToken)
        );
        let bare = http::Request::get("/").body(Bytes::new()).unwrap();
        assert_eq!(check(&auth, &bare), Err(AuthFailure::NoCredentials));
        assert!(
            AuthFailure::NoCredentials
                .to_string()
                .starts_with("Incorrect IAM authentication information: ")
        );
    }

    #[test]
    fn host_comes_from_the_authority_when_absent() {
        let auth = authenticator();
        let mut request = signed("SK");
        request.headers_mut().remove(HOST);
        // Signed with `host: h`; the URI's authority is `h` too.
        assert!(check(&auth, &request).is_ok());
    }

    #[test]
    fn uses_the_configured_clock_and_skew() {
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .returning(|| SystemTime::now() + Duration::from_secs(3600));
        let mut credentials = Credentials::default();
        credentials.add_access_key("AK".into(), SecretKey::new("SK"), P1.parse().unwrap());
        let auth = Authenticator::new(credentials, Duration::from_secs(60), Some(Arc::new(clock)));
        assert!(matches!(
            check(&auth, &signed("SK")),
            Err(AuthFailure::Signature(VerifyError::DateOutsideSkew { .. }))
        ));
    }
}
