//! `Environment`: where configuration reads variables and the home directory, swappable in tests.

use std::{collections::HashMap, fmt, path::PathBuf, sync::Arc};

/// The variables configuration is read from: the process environment by default, or a map in
/// tests (so that tests need not change the process environment, which is shared and unsafe to
/// modify while other threads run).
///
/// A variable that is set but empty (or only whitespace) counts as unset, as in the official
/// SDKs.
#[derive(Clone)]
pub struct Environment(Arc<Lookup>);

/// How a variable is looked up.
type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

impl Environment {
    /// The process environment.
    pub fn process() -> Self {
        Self(Arc::new(|name| std::env::var(name).ok()))
    }

    /// Exactly these variables (and no others).
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map: HashMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self(Arc::new(move |name| map.get(name).cloned()))
    }

    /// Variables looked up through `lookup`.
    pub fn from_fn(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self(Arc::new(lookup))
    }

    /// The value of `name`, trimmed; `None` when unset, empty or only whitespace.
    pub fn var(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The home directory: `HOME`, else `USERPROFILE` (Windows).
    pub fn home(&self) -> Option<PathBuf> {
        self.var("HOME")
            .or_else(|| self.var("USERPROFILE"))
            .map(PathBuf::from)
    }

    /// A file named by `variable`, else `~/.huaweicloud/{file_name}`.
    pub(crate) fn config_file(&self, variable: &str, file_name: &str) -> Option<PathBuf> {
        self.var(variable).map(PathBuf::from).or_else(|| {
            self.home()
                .map(|home| home.join(".huaweicloud").join(file_name))
        })
    }
}

impl Default for Environment {
    fn default() -> Self {
        Self::process()
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Environment(..)")
    }
}
