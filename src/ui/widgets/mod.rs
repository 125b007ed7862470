pub mod columns;
pub mod overlay;
pub mod table;
