//! deckwatch: a terminal console for shipping to AWS ECS.

pub mod app;
pub mod ci;
pub mod cloud;
pub mod commands;
pub mod config;
pub mod contexts;
pub mod exit;
pub mod keybind;
pub mod keymap;
pub mod logfile;
pub mod model;
pub mod owner_only;
pub mod state;
pub mod terminal;
#[doc(hidden)]
pub mod testkit;
pub mod textfile;
pub mod theme;
pub mod timing;
pub mod toml_place;
pub mod ui;
pub mod workers;
