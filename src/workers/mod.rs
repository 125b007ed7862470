//! Background work: pollers that fetch what is on screen and send it to the loop as messages.

pub mod backoff;
pub mod poller;
