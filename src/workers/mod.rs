//! Background work: pollers that fetch what is on screen and send it to the loop as messages.

pub mod actions;
pub mod audit;
pub mod backoff;
pub mod poller;
