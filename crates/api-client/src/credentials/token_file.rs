//! Reading a token from a file (pod identity, OIDC, federated id tokens): trimmed, not empty.

use std::path::Path;

use zeroize::Zeroizing;

use super::CredentialsError;
use crate::config::file::{MAX_TOKEN_FILE, read_text};

/// The token in `path`, trimmed; `what` names it in errors ("the id token file").
pub(crate) fn read_token_file(
    path: &Path,
    what: &str,
    source_name: &'static str,
) -> Result<Zeroizing<String>, CredentialsError> {
    let fail = |reason: String| CredentialsError::Source {
        source_name,
        reason,
    };
    let text = read_text(path, MAX_TOKEN_FILE)
        .map_err(|e| fail(format!("cannot read {what} {}: {e}", path.display())))?;
    let token = Zeroizing::new(text.trim().to_owned());
    if token.is_empty() {
        return Err(fail(format!("{what} {} is empty", path.display())));
    }
    Ok(token)
}
