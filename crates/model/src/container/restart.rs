//! `--restart` policies and when they bring a container back.

use crate::error::ApiError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RestartPolicy {
    #[default]
    No,
    Always,
    UnlessStopped,
    OnFailure {
        max_retries: u32,
    },
}

impl RestartPolicy {
    /// From `HostConfig.RestartPolicy` {Name, MaximumRetryCount}.
    pub fn parse(name: &str, max_retries: i64) -> Result<RestartPolicy, ApiError> {
        if max_retries < 0 {
            return Err(ApiError::invalid(
                "invalid restart policy: maximum retry count can't be negative",
            ));
        }
        let policy = match name {
            "" | "no" => RestartPolicy::No,
            "always" => RestartPolicy::Always,
            "unless-stopped" => RestartPolicy::UnlessStopped,
            "on-failure" => RestartPolicy::OnFailure {
                max_retries: max_retries.min(u32::MAX as i64) as u32,
            },
            other => {
                return Err(ApiError::invalid(format!(
                    "invalid restart policy: unknown policy '{other}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"
                )))
            }
        };
        if max_retries > 0 && !matches!(policy, RestartPolicy::OnFailure { .. }) {
            return Err(ApiError::invalid(
                "invalid restart policy: maximum retry count can only be used with 'on-failure'",
            ));
        }
        Ok(policy)
    }

    pub fn name(&self) -> &'static str {
        match self {
            RestartPolicy::No => "no",
            RestartPolicy::Always => "always",
            RestartPolicy::UnlessStopped => "unless-stopped",
            RestartPolicy::OnFailure { .. } => "on-failure",
        }
    }

    pub fn max_retries(&self) -> u32 {
        match self {
            RestartPolicy::OnFailure { max_retries } => *max_retries,
            _ => 0,
        }
    }

    /// Whether a container that exited on its own should be started again.
    /// `restart_count` counts restarts already done; `stopped_by_user` is set by stop/kill.
    pub fn should_restart(
        &self,
        exit_code: i64,
        restart_count: u32,
        stopped_by_user: bool,
    ) -> bool {
        if stopped_by_user {
            return false;
        }
        match self {
            RestartPolicy::No => false,
            RestartPolicy::Always | RestartPolicy::UnlessStopped => true,
            RestartPolicy::OnFailure { max_retries } => {
                exit_code != 0 && (*max_retries == 0 || restart_count < *max_retries)
            }
        }
    }

    /// Whether the policy starts the container when the daemon starts.
    pub fn starts_with_daemon(&self, was_stopped_by_user: bool) -> bool {
        match self {
            RestartPolicy::Always => true,
            RestartPolicy::UnlessStopped => !was_stopped_by_user,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies() {
        assert_eq!(RestartPolicy::parse("", 0).unwrap(), RestartPolicy::No);
        let p = RestartPolicy::parse("on-failure", 3).unwrap();
        assert!(p.should_restart(1, 2, false));
        assert!(!p.should_restart(1, 3, false));
        assert!(!p.should_restart(0, 0, false));
        assert!(RestartPolicy::Always.should_restart(0, 100, false));
        assert!(!RestartPolicy::Always.should_restart(0, 0, true));
        assert!(RestartPolicy::parse("sometimes", 0).is_err());
        assert!(RestartPolicy::parse("always", 2).is_err());
        assert!(RestartPolicy::UnlessStopped.starts_with_daemon(false));
        assert!(!RestartPolicy::UnlessStopped.starts_with_daemon(true));
    }
}
