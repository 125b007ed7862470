use super::Millis;

/// One log event, tagged with the task (and so the revision) that wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub at: Millis,
    pub task_id: String,
    pub revision: u32,
    pub message: String,
}

/// New lines since a cursor. The cursor is opaque to the console: it hands it back on the next
/// call so the backend can continue without gaps or repeats.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogBatch {
    pub lines: Vec<LogLine>,
    pub cursor: u64,
}
