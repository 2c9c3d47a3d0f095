//! Typed path parameters: identifiers that can never be empty or change the request path.

mod error;
mod opaque;
mod project_id;
mod task_id;
mod version_id;

pub use error::{IdKind, IdRule, InvalidId};
pub use project_id::ProjectId;
pub use task_id::TaskId;
pub use version_id::VersionId;

/// Implements the conversions every identifier shares: `FromStr`, `TryFrom<String>`,
/// `TryFrom<&str>`, `Display`, `AsRef<str>` and serde (as a plain, validated string).
macro_rules! id_conversions {
    ($name:ident) => {
        impl ::std::str::FromStr for $name {
            type Err = $crate::InvalidId;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::validate(value)?;
                Ok(Self(value.into()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::InvalidId;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::validate(&value)?;
                Ok(Self(value.into_boxed_str()))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::InvalidId;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Self::try_from(value).map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use id_conversions;
