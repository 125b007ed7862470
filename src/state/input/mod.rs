//! Input to commands: a key through the key table (`keys`), a click or the wheel (`mouse`), and
//! what each command does, by mode (`commands`).

pub(crate) mod commands;
pub(crate) mod keys;
pub mod mouse;
