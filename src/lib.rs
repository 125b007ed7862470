//! deckwatch: a terminal console for shipping to AWS ECS.

pub mod cloud;
pub mod model;
