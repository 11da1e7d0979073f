//! The event bus behind `GET /events`: every change the engine commits is published here,
//! kept in a ring of the last [`RING_SIZE`] events for `since` replays (as dockerd keeps
//! 256), and fanned out to live subscribers. Publishing never waits for a subscriber: one
//! that falls more than [`LIVE_BUFFER`] events behind loses the oldest of them, as dockerd
//! drops events for a subscriber that does not keep up.

mod emit;

pub(crate) use emit::{container_event, network_event};

use berth_model::events::{Event, EventFilter};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, watch};

pub const RING_SIZE: usize = 256;
pub const LIVE_BUFFER: usize = 1024;

pub struct EventBus {
    /// The ring, and the clock of the last event (so times never go backwards). Publishing
    /// and subscribing both hold it: a subscriber sees each event once, replayed or live.
    inner: Mutex<Ring>,
    live: broadcast::Sender<Event>,
    /// Set when the daemon shuts down: open streams end instead of holding it up.
    closed: watch::Sender<bool>,
}

struct Ring {
    events: VecDeque<Event>,
    last_nano: i64,
}

/// What a new subscriber gets: the past events it asked for, then the live ones.
pub struct Subscription {
    pub replay: Vec<Event>,
    pub live: broadcast::Receiver<Event>,
    /// Turns true when the bus closes.
    pub closed: watch::Receiver<bool>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            inner: Mutex::new(Ring {
                events: VecDeque::with_capacity(RING_SIZE),
                last_nano: 0,
            }),
            live: broadcast::channel(LIVE_BUFFER).0,
            closed: watch::channel(false).0,
        }
    }
}

impl EventBus {
    /// Stamps the event with the time and hands it to the ring and the subscribers.
    pub fn publish(&self, mut event: Event) {
        let mut ring = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        event.time_nano = now_nano().max(ring.last_nano);
        ring.last_nano = event.time_nano;
        if ring.events.len() == RING_SIZE {
            ring.events.pop_front();
        }
        ring.events.push_back(event.clone());
        // no subscriber is not an error
        let _ = self.live.send(event);
    }

    /// Subscribes; with `since` or `until`, the ring's events in that window that pass the
    /// filter come first (none when both are absent, as in dockerd).
    pub fn subscribe(
        &self,
        since: Option<i64>,
        until: Option<i64>,
        filter: &EventFilter,
    ) -> Subscription {
        let ring = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let replay = if since.is_none() && until.is_none() {
            Vec::new()
        } else {
            ring.events
                .iter()
                .filter(|e| since.is_none_or(|s| e.time_nano >= s))
                .filter(|e| until.is_none_or(|u| e.time_nano <= u))
                .filter(|e| filter.include(e))
                .cloned()
                .collect()
        };
        Subscription {
            replay,
            live: self.live.subscribe(),
            closed: self.closed.subscribe(),
        }
    }

    /// Ends every open stream (daemon shutdown); later subscribers end after their replay.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }
}

pub fn now_nano() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_model::events::EventType;
    use std::collections::BTreeMap;

    fn ev(action: &str) -> Event {
        Event::new(EventType::Network, action, "n", BTreeMap::new())
    }

    #[test]
    fn the_ring_keeps_the_last_256_and_replays_a_window() {
        let bus = EventBus::default();
        for i in 0..300 {
            bus.publish(ev(&format!("a{i}")));
        }
        let all = bus.subscribe(Some(0), None, &EventFilter::default());
        assert_eq!(all.replay.len(), RING_SIZE);
        assert_eq!(all.replay[0].action, "a44");
        assert_eq!(all.replay[255].action, "a299");
        let t = all.replay[100].time_nano;
        let later = bus.subscribe(Some(t), None, &EventFilter::default());
        assert!(later.replay.iter().all(|e| e.time_nano >= t));
        let none = bus.subscribe(None, None, &EventFilter::default());
        assert!(none.replay.is_empty());
        // times never go backwards
        assert!(all
            .replay
            .windows(2)
            .all(|w| w[0].time_nano <= w[1].time_nano));
    }

    #[test]
    fn a_slow_subscriber_never_blocks_the_publisher() {
        let bus = EventBus::default();
        let mut sub = bus.subscribe(None, None, &EventFilter::default());
        for i in 0..(LIVE_BUFFER * 3) {
            bus.publish(ev(&format!("a{i}")));
        }
        // the subscriber lost the oldest events and is told so, then reads on
        assert!(matches!(
            sub.live.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
        assert!(sub.live.try_recv().is_ok());
    }
}
