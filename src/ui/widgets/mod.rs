pub mod overlay;
pub mod table;
