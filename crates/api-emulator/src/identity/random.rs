//! Random identifiers and secrets for the identity routes (the thread-local CSPRNG).

use rand::Rng;

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// The length of an issued security token.
pub(crate) const SECURITY_TOKEN_LEN: usize = 512;

fn from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

/// An access key id: 20 uppercase letters and digits.
pub(crate) fn access_key_id() -> String {
    from(UPPER_ALNUM, 20)
}

/// A secret key: 40 letters and digits.
pub(crate) fn secret_key() -> String {
    from(ALNUM, 40)
}

/// A security token: [`SECURITY_TOKEN_LEN`] letters and digits.
pub(crate) fn security_token() -> String {
    from(ALNUM, SECURITY_TOKEN_LEN)
}

/// An opaque token of `len` letters and digits (metadata session and IAM subject tokens).
pub(crate) fn token(len: usize) -> String {
    from(ALNUM, len)
}

/// 32 lowercase hex digits (trace ids, association ids).
pub(crate) fn hex_id() -> String {
    from(HEX, 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let ak = access_key_id();
        assert_eq!(ak.len(), 20);
        assert!(
            ak.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        let sk = secret_key();
        assert_eq!(sk.len(), 40);
        assert!(sk.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(security_token().len(), SECURITY_TOKEN_LEN);
        assert_eq!(token(7).len(), 7);
        let id = hex_id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(access_key_id(), access_key_id());
    }
}
