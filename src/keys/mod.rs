//! Keys: the one key table (`table`: a layer per input mode, each binding a `Command`, and the
//! palette's words), keys as the config writes them (`chord`, `names`), the config's names for
//! commands and modes (`config_names`), and `[keys]` applied over the table (`overrides`).

mod chord;
mod config_names;
mod names;
pub mod overrides;
mod table;

pub use chord::{Chord, KeyNameError, label_of, parse};
pub use config_names::{Section, action_name, actions_of};
pub use overrides::{KeyEntry, KeyTable, KeysConfig, Warning};
pub use table::*;
