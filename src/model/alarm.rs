use super::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    pub fn label(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmKind {
    Metric,
    Composite,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub kind: AlarmKind,
    pub state: AlarmState,
    pub reason: String,
    pub updated_at: Millis,
}
