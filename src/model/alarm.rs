use super::Millis;
use super::wire::wire_enum;

wire_enum!(
    /// `StateValue` of a metric or composite alarm.
    AlarmState {
        Ok = "OK",
        Alarm = "ALARM",
        InsufficientData = "INSUFFICIENT_DATA",
    }
);

impl AlarmState {
    /// Where a state sorts in the alarms pane: firing first, then unknown, then OK.
    pub fn urgency(&self) -> u8 {
        match self {
            AlarmState::Alarm => 0,
            AlarmState::InsufficientData | AlarmState::Other(_) => 1,
            AlarmState::Ok => 2,
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
