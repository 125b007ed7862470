//! The tasks pane: the tasks of every service, running first.

use crate::model::{At, Task};
use crate::state::table::columns::TaskColumn;
use crate::state::{ListArea, State};
use crate::theme::Theme;
use crate::ui::widgets::columns::{Column, col, long};
use crate::ui::widgets::table::{self, Spec};
use crate::ui::{format, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

/// Draws the tasks of every service; returns where its rows are.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> ListArea {
    tasks_table(f, area, state, theme)
}

/// The tasks table's columns: which task, and its state, never leave the screen.
const COLUMNS: [Column<TaskColumn>; 11] = [
    col("TASK", 0, 8).sorts(TaskColumn::Task),
    col("SERVICE", 1, 8).sorts(TaskColumn::Service),
    col("CLUSTER", 6, 7).sorts(TaskColumn::Cluster),
    col("REV", 2, 3).sorts(TaskColumn::Rev),
    col("STATUS", 0, 7).sorts(TaskColumn::Status),
    col("HEALTH", 3, 6).sorts(TaskColumn::Health),
    col("STARTED", 5, 7).sorts(TaskColumn::Started),
    col("STOPPED", 5, 7),
    col("EXIT", 4, 4),
    long("STOP REASON", 4, 24),
    col("IP", 7, 7),
];

fn tasks_table(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> ListArea {
    let t = &state.ctx.tasks;
    let title = "tasks".to_string();
    let spec = Spec {
        columns: &COLUMNS,
        len: t.len(),
        selected: t.selected,
        sort: table::sort_of(t.sort.as_ref(), &COLUMNS),
        block: pane_block(state, theme, title, Some((t.len(), t.items.len()))),
    };
    table::draw(f, area, theme, spec, |i| {
        task_row(&t.items[t.view[i]], state.now, theme)
    })
}

fn task_row(task: &Task, now: At, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let reason = if task.stop_reason.is_empty() {
        String::new()
    } else {
        format!("{}: {}", task.stop_code, task.stop_reason)
    };
    let health = match task.current_health() {
        Some(h) => Line::styled(h.to_string(), theme.health(h)),
        None => Line::styled("-", muted),
    };
    vec![
        Line::from(task.id.chars().take(8).collect::<String>()),
        Line::from(task.service.clone()),
        Line::styled(task.cluster.clone(), muted),
        Line::from(task.task_def.revision.to_string()),
        Line::styled(
            task.last_status.to_string(),
            theme.task_status(&task.last_status),
        ),
        health,
        Line::from(task.started_at.map_or("-".into(), |t| format::age(now, t))),
        Line::from(task.stopped_at.map_or("-".into(), |t| format::age(now, t))),
        Line::from(task.exit_code.map_or("-".into(), |c| c.to_string())),
        Line::styled(reason, theme.waiting()),
        Line::from(if task.private_ip.is_empty() {
            "-".into()
        } else {
            task.private_ip.clone()
        }),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_column_that_sorts_is_headed_by_its_sort_word() {
        // The tasks pane sorts by when a task stopped, which it has no column for.
        crate::ui::widgets::table::assert_columns_agree(
            &super::COLUMNS,
            &[super::TaskColumn::Stopped],
        );
    }
}
