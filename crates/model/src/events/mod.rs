//! Docker's event stream as values: the message shape (`GET /events` lines), the filter
//! rules of moby's `daemon/events/filter.go`, and the `since`/`until` timestamps the API takes.

mod filter;
mod message;
mod timestamp;

pub use filter::EventFilter;
pub use message::{Event, EventType, WireActor, WireMessage};
pub use timestamp::parse_timestamp;
