//! deckwatch: a terminal console for shipping to AWS ECS.

pub mod app;
pub mod cloud;
pub mod config;
pub mod contexts;
pub mod keybind;
pub mod keymap;
pub mod model;
pub mod state;
pub mod terminal;
#[doc(hidden)]
pub mod testkit;
pub mod theme;
pub mod timing;
pub mod ui;
pub mod workers;
