//! Signed-in sessions, their CSRF tokens, and the slowing down of repeated wrong passwords.
//! Held in memory: a restart signs everyone out, which a workbench on one machine can afford.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;

/// The cookie that carries the session token.
pub const SESSION_COOKIE: &str = "paylake_session";

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    /// The role they act in (one of their roles in the users file).
    pub role: String,
    /// What that role may open.
    pub areas: Areas,
    /// Every form of the session carries it; a POST without it is refused.
    pub csrf_token: String,
    last_seen: Instant,
}

/// The parts of the workbench a role may open: compliance's case and approval queues, finance's
/// break queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub cases: bool,
    pub case_approvals: bool,
    pub breaks: bool,
    /// Suppressions and whitelists of alerts (`suppress_alerts`).
    pub suppressions: bool,
}

/// The sessions of the server.
pub struct Sessions {
    idle_timeout: Duration,
    by_token: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl Sessions {
    pub fn new(idle_timeout: Duration) -> Self {
        Sessions {
            idle_timeout,
            by_token: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Starts a session; returns its token.
    pub fn start(&self, user: &str, role: &str, areas: Areas) -> String {
        let token = random_token();
        let session = Session {
            user: user.to_string(),
            role: role.to_string(),
            areas,
            csrf_token: random_token(),
            last_seen: Instant::now(),
        };
        let mut sessions = self.by_token.lock().expect("sessions lock");
        // Expired sessions leave when a new one starts.
        let idle_timeout = self.idle_timeout;
        sessions.retain(|_, known| known.last_seen.elapsed() < idle_timeout);
        sessions.insert(token.clone(), session);
        token
    }

    /// The session of `token` while it has not been idle longer than the timeout.
    pub fn get(&self, token: &str) -> Option<Session> {
        let mut sessions = self.by_token.lock().expect("sessions lock");
        let session = sessions.get_mut(token)?;
        if session.last_seen.elapsed() >= self.idle_timeout {
            sessions.remove(token);
            return None;
        }
        session.last_seen = Instant::now();
        Some(session.clone())
    }

    pub fn end(&self, token: &str) {
        self.by_token.lock().expect("sessions lock").remove(token);
    }

    /// How long to wait before answering a sign-in of `user`: nothing at first, then doubling
    /// with each wrong password of the last 15 minutes, up to 8 seconds.
    pub fn sign_in_delay(&self, user: &str) -> Duration {
        let failures = self.failures.lock().expect("failures lock");
        match failures.get(user) {
            Some((count, last)) if last.elapsed() < Duration::from_secs(15 * 60) && *count > 1 => {
                Duration::from_millis(250u64 << (*count - 2).min(5))
            }
            _ => Duration::ZERO,
        }
    }

    pub fn record_failure(&self, user: &str) {
        let mut failures = self.failures.lock().expect("failures lock");
        let entry = failures
            .entry(user.to_string())
            .or_insert((0, Instant::now()));
        entry.0 += 1;
        entry.1 = Instant::now();
    }

    pub fn clear_failures(&self, user: &str) {
        self.failures.lock().expect("failures lock").remove(user);
    }
}

/// The session token of a request's `Cookie` header. A few lines of parsing rather than a cookie
/// crate: the workbench reads one cookie it set itself.
pub fn session_token(cookie_header: Option<&str>) -> Option<String> {
    cookie_header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_and_wrong_passwords_slow_sign_in_down() {
        let sessions = Sessions::new(Duration::from_millis(50));
        let token = sessions.start("maria", "investigator", Areas::default());
        assert_eq!(sessions.get(&token).unwrap().user, "maria");
        std::thread::sleep(Duration::from_millis(60));
        assert!(sessions.get(&token).is_none(), "an idle session expires");

        assert_eq!(sessions.sign_in_delay("maria"), Duration::ZERO);
        sessions.record_failure("maria");
        assert_eq!(sessions.sign_in_delay("maria"), Duration::ZERO);
        sessions.record_failure("maria");
        let second = sessions.sign_in_delay("maria");
        sessions.record_failure("maria");
        assert!(sessions.sign_in_delay("maria") > second && second > Duration::ZERO);
        sessions.clear_failures("maria");
        assert_eq!(sessions.sign_in_delay("maria"), Duration::ZERO);

        assert_eq!(
            session_token(Some("a=1; paylake_session=abc; b=2")).as_deref(),
            Some("abc")
        );
        assert_eq!(session_token(Some("a=1")), None);
    }
}
