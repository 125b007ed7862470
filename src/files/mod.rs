//! Small helpers for the files the console reads and writes: text files read whole with a
//! limit (`textfile`), files only their owner may read (`owner_only`), and places in a TOML
//! document (`toml_place`), whole files written owner-only in one step (`private_write`). A leaf: it imports no other module of the crate.

pub mod owner_only;
pub mod private_write;
pub mod textfile;
pub mod toml_place;
