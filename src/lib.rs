//! deckwatch: a terminal console for shipping to AWS ECS.

pub mod app;
pub mod budget;
pub mod ci;
pub mod cloud;
pub mod commands;
pub mod config;
pub mod demo;
pub mod exec;
pub mod files;
pub mod keys;
pub mod model;
pub mod state;
pub mod theme;
pub mod timing;
pub mod ui;
pub mod workers;
