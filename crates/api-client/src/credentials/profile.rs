//! `Profile`: the official SDKs' credentials file, `~/.huaweicloud/credentials`, read as INI.

use std::{collections::HashMap, path::PathBuf};

use ini::{Ini, ParseOption};

use super::CredentialsError;
use crate::{Environment, Origin};

/// The credentials file, `HUAWEICLOUD_SDK_CREDENTIALS_FILE`; else
/// `~/.huaweicloud/credentials`.
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";

/// The sections read, first found wins: `[basiccredentials]` (what the official ModelArts
/// client builder reads) then `[basic]` (what the official `get_basic()` chain reads).
pub const PROFILE_SECTIONS: &[&str] = &["basiccredentials", "basic"];

/// One section of the credentials file, with `[DEFAULT]` values inherited as in Python's
/// `configparser`. Keys are case-insensitive; section names are not. `%%` reads as `%`.
///
/// The keys read: `ak`, `sk`, `security_token`, `project_id`, `domain_id`, `iam_endpoint`,
/// `idp_id` and `id_token_file`.
#[derive(Clone)]
pub struct Profile {
    path: PathBuf,
    section: String,
    values: HashMap<String, zeroize::Zeroizing<String>>,
}

impl Profile {
    /// Reads the file the environment names. [`CredentialsError::Missing`] when there is no
    /// file or no section; [`CredentialsError::Source`] when it cannot be read or parsed.
    pub fn load(env: &Environment) -> Result<Self, CredentialsError> {
        let path = env
            .config_file(ENV_CREDENTIALS_FILE, "credentials")
            .ok_or_else(|| {
                CredentialsError::Missing(format!(
                    "no {ENV_CREDENTIALS_FILE} and no home directory"
                ))
            })?;
        Self::from_file(path)
    }

    /// Reads `path`.
    pub fn from_file(path: PathBuf) -> Result<Self, CredentialsError> {
        let fail = |reason: String| CredentialsError::Source {
            source_name: "the credentials file",
            reason,
        };
        let text =
            match crate::config::file::read_small(&path, crate::config::file::MAX_CONFIG_FILE) {
                Ok(bytes) => zeroize::Zeroizing::new(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(CredentialsError::Missing(format!(
                        "{} does not exist",
                        path.display()
                    )));
                }
                Err(e) => return Err(fail(format!("cannot read {}: {e}", path.display()))),
            };
        let text = std::str::from_utf8(&text)
            .map_err(|_| fail(format!("{} is not UTF-8 text", path.display())))?;
        let options = ParseOption {
            enabled_quote: false,
            enabled_escape: false,
            ..ParseOption::default()
        };
        let ini = Ini::load_from_str_opt(text, options)
            .map_err(|e| fail(format!("{} is not a valid INI file: {e}", path.display())))?;
        let Some((section, properties)) = PROFILE_SECTIONS
            .iter()
            .find_map(|name| ini.section(Some(*name)).map(|p| (*name, p)))
        else {
            return Err(CredentialsError::Missing(format!(
                "{} has no [{}] section",
                path.display(),
                PROFILE_SECTIONS.join("] or [")
            )));
        };
        let mut values = HashMap::new();
        let defaults = ini
            .section(Some("DEFAULT"))
            .into_iter()
            .flat_map(|p| p.iter());
        for (key, value) in defaults.chain(properties.iter()) {
            let value = value.trim().replace("%%", "%");
            values.insert(
                key.trim().to_ascii_lowercase(),
                zeroize::Zeroizing::new(value),
            );
        }
        Ok(Self {
            path,
            section: section.to_owned(),
            values,
        })
    }

    /// The value of `key` (case-insensitive); `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(&key.to_ascii_lowercase())
            .map(|v| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The file read.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Where values of this profile come from, for reports.
    pub fn origin(&self) -> Origin {
        Origin::Profile {
            path: self.path.clone(),
            section: self.section.clone(),
        }
    }
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<&String> = self.values.keys().collect();
        keys.sort();
        f.debug_struct("Profile")
            .field("path", &self.path)
            .field("section", &self.section)
            .field("keys", &keys)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Profile, CredentialsError> {
        let dir = std::env::temp_dir().join(format!(
            "profile-test-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(dir.join(".huaweicloud")).unwrap();
        std::fs::write(dir.join(".huaweicloud/credentials"), text).unwrap();
        let result = Profile::load(&Environment::from_vars([("HOME", dir.to_str().unwrap())]));
        std::fs::remove_dir_all(&dir).unwrap();
        result
    }

    #[test]
    fn configparser_rules() {
        let p = load(
            "# comment\n; comment\n[DEFAULT]\nproject_id = 0123456789abcdef0123456789abcdef\n\n[basic]\nAK = BASICAK\n[basiccredentials]\nak : AKID\nSK= s%%k \niam_endpoint=https://iam.example\n",
        )
        .unwrap();
        assert_eq!(p.get("ak"), Some("AKID"));
        assert_eq!(p.get("sk"), Some("s%k"));
        assert_eq!(
            p.get("project_id"),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(p.get("IAM_ENDPOINT"), Some("https://iam.example"));
        assert!(
            matches!(p.origin(), Origin::Profile { section, .. } if section == "basiccredentials")
        );
        assert!(!format!("{p:?}").contains("AKID"));
        let p = load("[basic]\nak=A\nsk=S\n").unwrap();
        assert_eq!(p.get("ak"), Some("A"));
    }

    #[test]
    fn missing_file_or_section_and_bad_files() {
        assert!(matches!(
            load("[other]\nak=x\n"),
            Err(CredentialsError::Missing(_))
        ));
        assert!(matches!(
            load("[Basic]\nak=x\n"),
            Err(CredentialsError::Missing(_))
        ));
        assert!(matches!(
            Profile::from_file("/nonexistent/credentials".into()),
            Err(CredentialsError::Missing(_))
        ));
        let err = load("[basic\nak=1").unwrap_err();
        assert!(matches!(err, CredentialsError::Source { .. }), "{err}");
        assert!(load("\u{0}\u{ff}").is_err());
    }
}
