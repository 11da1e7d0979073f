//! A container's runtime state, as `State` in Docker's inspect shows it.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Restarting => "restarting",
            Status::Removing => "removing",
            Status::Exited => "exited",
            Status::Dead => "dead",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContainerState {
    pub status: Status,
    /// PID of the container's init in the host's PID namespace (0 when not running).
    pub pid: u32,
    /// PID of the per-container monitor that owns the process (0 when none).
    pub monitor_pid: u32,
    pub exit_code: i64,
    pub error: String,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub restart_count: u32,
    /// Set by `stop`/`kill`, so a restart policy does not bring the container back
    /// (and `unless-stopped` keeps it down across daemon restarts).
    pub stopped_by_user: bool,
    pub oom_killed: bool,
    /// Docker names container interfaces from a counter that only grows while the container
    /// runs (connect, disconnect, connect gives eth2) and restarts at 0 on each start.
    #[serde(default)]
    pub next_ifindex: u32,
}

impl ContainerState {
    pub fn is_running(&self) -> bool {
        matches!(
            self.status,
            Status::Running | Status::Paused | Status::Restarting
        )
    }

    /// Docker's human status for `ps`: "Up 3 minutes", "Exited (0) 2 seconds ago", "Created".
    pub fn human(&self, now: Timestamp) -> String {
        match self.status {
            Status::Created => "Created".into(),
            Status::Running | Status::Paused => {
                let up = self
                    .started_at
                    .map(|s| human_duration(now - s))
                    .unwrap_or_else(|| "Less than a second".into());
                if self.status == Status::Paused {
                    format!("Up {up} (Paused)")
                } else {
                    format!("Up {up}")
                }
            }
            Status::Restarting => format!("Restarting ({})", self.exit_code),
            Status::Removing => "Removal In Progress".into(),
            Status::Exited => {
                let ago = self
                    .finished_at
                    .map(|f| human_duration(now - f))
                    .unwrap_or_else(|| "Less than a second".into());
                format!("Exited ({}) {ago} ago", self.exit_code)
            }
            Status::Dead => "Dead".into(),
        }
    }
}

/// Docker's `units.HumanDuration`.
pub fn human_duration(d: chrono::Duration) -> String {
    let secs = d.num_seconds();
    if secs < 1 {
        return "Less than a second".into();
    }
    if secs == 1 {
        return "1 second".into();
    }
    if secs < 60 {
        return format!("{secs} seconds");
    }
    let mins = d.num_minutes();
    if mins == 1 {
        return "About a minute".into();
    }
    if mins < 60 {
        return format!("{mins} minutes");
    }
    let hours = (secs as f64 / 3600.0).round() as i64;
    if hours == 1 {
        return "About an hour".into();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    let days = hours / 24;
    if hours < 24 * 7 * 2 {
        return format!("{days} days");
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_docker() {
        assert_eq!(
            human_duration(chrono::Duration::milliseconds(300)),
            "Less than a second"
        );
        assert_eq!(human_duration(chrono::Duration::seconds(5)), "5 seconds");
        assert_eq!(
            human_duration(chrono::Duration::seconds(90)),
            "About a minute"
        );
        assert_eq!(human_duration(chrono::Duration::minutes(5)), "5 minutes");
        assert_eq!(
            human_duration(chrono::Duration::minutes(70)),
            "About an hour"
        );
        assert_eq!(human_duration(chrono::Duration::hours(30)), "30 hours");
    }
}
