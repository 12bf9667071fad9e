//! The users file: who may sign in to the workbench, in which roles of `access.toml`, with an
//! Argon2id hash of their password (never the password).
//!
//! ```toml
//! [[users]]
//! name = "maria.lopez"
//! roles = ["investigator"]
//! password_hash = "$argon2id$v=19$m=19456,t=2,p=1$..."
//! ```

use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::error::{Result, WorkbenchError};

/// One person who signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    /// Roles of `access.toml` the person acts in.
    pub roles: Vec<String>,
    /// PHC string of the password's Argon2id hash; none for a user who only signs in through
    /// the authenticating proxy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersFile {
    #[serde(default)]
    pub users: Vec<User>,
}

impl UsersFile {
    /// Reads the file; a file that does not exist holds no users.
    pub fn load(path: &Path) -> Result<UsersFile> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(UsersFile::default())
            }
            Err(source) => {
                return Err(WorkbenchError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        toml::from_str(&text).map_err(|err| WorkbenchError::UsersFile {
            path: path.to_path_buf(),
            reason: err.to_string(),
        })
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let io_error = |source| WorkbenchError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(io_error)?;
        }
        let text = toml::to_string_pretty(self).map_err(|err| WorkbenchError::UsersFile {
            path: path.to_path_buf(),
            reason: err.to_string(),
        })?;
        // Written beside, then renamed: a reader never sees half a file.
        let partial = PathBuf::from(format!("{}.partial", path.display()));
        std::fs::write(&partial, text).map_err(io_error)?;
        std::fs::rename(&partial, path).map_err(io_error)
    }

    pub fn find(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|user| user.name == name)
    }

    /// Adds the user, or replaces their roles and password.
    pub fn set(&mut self, name: &str, roles: Vec<String>, password: Option<&str>) -> Result<()> {
        let password_hash = password.map(hash_password).transpose()?;
        let user = User {
            name: name.to_string(),
            roles,
            password_hash,
        };
        match self.users.iter_mut().find(|known| known.name == name) {
            Some(known) => *known = user,
            None => self.users.push(user),
        }
        Ok(())
    }

    /// The user when `password` is theirs.
    pub fn verify(&self, name: &str, password: &str) -> Option<&User> {
        let user = self.find(name)?;
        let hash = PasswordHash::new(user.password_hash.as_deref()?).ok()?;
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .ok()
            .map(|()| user)
    }
}

/// A new random password of 20 letters and digits (for the demo's people).
pub fn random_password() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 20)
}

fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 12 {
        return Err(WorkbenchError::Invalid(
            "a password has at least 12 characters".to_string(),
        ));
    }
    use rand::Rng;
    let salt_bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|err| WorkbenchError::Invalid(format!("a password salt: {err}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| WorkbenchError::Invalid(format!("hashing the password: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_stored_as_a_hash_and_verified_against_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.toml");
        let mut users = UsersFile::load(&path).unwrap();
        users
            .set(
                "maria",
                vec!["investigator".into()],
                Some("correct horse battery"),
            )
            .unwrap();
        users.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("$argon2id$"), "{text}");
        assert!(!text.contains("correct horse"), "{text}");
        let users = UsersFile::load(&path).unwrap();
        assert!(users.verify("maria", "correct horse battery").is_some());
        assert!(users.verify("maria", "correct horse batterz").is_none());
        assert!(users.verify("nobody", "correct horse battery").is_none());
        assert!(UsersFile::default()
            .set("x", vec![], Some("short"))
            .is_err());
    }
}
