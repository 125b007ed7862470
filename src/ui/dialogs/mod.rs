//! The dialogs over a pane: the confirmation of an action (`confirm`), with the evidence the
//! promote, abort and rollback dialogs add (`evidence`).

pub(crate) mod arm;
pub(crate) mod confirm;
mod cost;
mod evidence;
