//! SHA-256 and HMAC-SHA256 behind one small interface: SHA-256 from RustCrypto's `sha2` by
//! default or `ring`'s assembly with the `ring` feature (about twice as fast on CPUs without
//! SHA-NI); HMAC always from RustCrypto, whose keyed state is wiped on drop.

/// An incremental SHA-256.
pub(crate) struct Sha256State(
    #[cfg(feature = "ring")] ring::digest::Context,
    #[cfg(not(feature = "ring"))] sha2::Sha256,
);

impl Sha256State {
    pub(crate) fn new() -> Self {
        #[cfg(feature = "ring")]
        return Self(ring::digest::Context::new(&ring::digest::SHA256));
        #[cfg(not(feature = "ring"))]
        return Self(<sha2::Sha256 as sha2::Digest>::new());
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        #[cfg(feature = "ring")]
        self.0.update(bytes);
        #[cfg(not(feature = "ring"))]
        sha2::Digest::update(&mut self.0, bytes);
    }

    pub(crate) fn finish(self) -> [u8; 32] {
        #[cfg(feature = "ring")]
        return to_array(self.0.finish().as_ref());
        #[cfg(not(feature = "ring"))]
        return sha2::Digest::finalize(self.0).into();
    }
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut state = Sha256State::new();
    state.update(bytes);
    state.finish()
}

/// An HMAC-SHA256 key with its pads already absorbed, so each MAC starts from a copy.
///
/// Always RustCrypto's `hmac` (with its `zeroize` feature): the absorbed pads are as secret as
/// the key, and this state, and every copy of it, is wiped when dropped. ring's HMAC key cannot
/// be wiped.
#[derive(Clone)]
pub(crate) struct HmacKey(hmac::Hmac<sha2::Sha256>);

impl HmacKey {
    pub(crate) fn new(secret: &[u8]) -> Self {
        use hmac::KeyInit;
        // HMAC pads a short key with zeros to one block and hashes a longer one first: doing
        // that here lets `KeyInit::new` (which cannot fail) take the block.
        const BLOCK_SIZE: usize = 64;
        let mut block = zeroize::Zeroizing::new([0u8; BLOCK_SIZE]);
        if secret.len() > BLOCK_SIZE {
            let mut hashed = zeroize::Zeroizing::new(<[u8; 32]>::from(
                <sha2::Sha256 as sha2::Digest>::digest(secret),
            ));
            block[..32].copy_from_slice(&hashed[..]);
            zeroize::Zeroize::zeroize(&mut *hashed);
        } else {
            block[..secret.len()].copy_from_slice(secret);
        }
        Self(hmac::Hmac::<sha2::Sha256>::new(&(*block).into()))
    }

    pub(crate) fn start(&self) -> HmacState {
        HmacState(self.0.clone())
    }
}

/// One MAC being computed; wiped when dropped.
pub(crate) struct HmacState(hmac::Hmac<sha2::Sha256>);

impl HmacState {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        hmac::Mac::update(&mut self.0, bytes);
    }

    pub(crate) fn finish(self) -> [u8; 32] {
        hmac::Mac::finalize(self.0).into_bytes().into()
    }
}

#[cfg(feature = "ring")]
fn to_array(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&bytes[..32]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac};
    use sha2::Digest;

    /// Whichever backend is built, it agrees with the RustCrypto reference.
    #[test]
    fn agrees_with_the_reference_for_any_length() {
        for length in [0usize, 1, 40, 55, 56, 63, 64, 65, 200, 1000] {
            let data = vec![b'k'; length];
            assert_eq!(
                sha256(&data),
                <[u8; 32]>::from(sha2::Sha256::digest(&data)),
                "sha256 of {length}"
            );
            let mut ours = HmacKey::new(&data).start();
            ours.update(b"message");
            let reference = hmac::Hmac::<sha2::Sha256>::new_from_slice(&data)
                .unwrap()
                .chain_update(b"message")
                .finalize()
                .into_bytes();
            assert_eq!(
                ours.finish(),
                <[u8; 32]>::from(reference),
                "hmac with a {length}-byte key"
            );
        }
    }

    #[test]
    fn incremental_equals_one_shot() {
        let mut state = Sha256State::new();
        for piece in [&b"SDK-"[..], b"HMAC", b"-SHA256\n", &[7; 300]] {
            state.update(piece);
        }
        let mut all = b"SDK-HMAC-SHA256\n".to_vec();
        all.extend([7; 300]);
        assert_eq!(state.finish(), sha256(&all));
    }
}
