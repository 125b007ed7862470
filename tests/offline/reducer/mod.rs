//! The reducer on its own: keys and data in, state and effects out. No terminal, no network,
//! no clock; the data comes from the demo fleet's seed so it looks like the real thing.

mod helpers;

mod aborts;
mod actions;
mod contexts;
mod cost_sort;
mod data;
mod drill_down;
mod evidence;
mod exec;
mod filter;
mod help_quit_refresh;
mod key_overrides;
mod loading;
mod logs;
mod mouse;
mod navigation;
mod notify;
mod pair_actions;
mod palette;
mod panes;
mod selection;
mod ticks;
