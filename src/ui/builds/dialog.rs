//! The build dialog: the repo, the workflow, the editable ref and the workflow's inputs with
//! their types, defaults and required flags, and the exact request `y` sends.

use crate::keys::Layer;
use crate::model::{GitHubCall, InputKind, Mutation};
use crate::state::State;
use crate::state::builds::{BuildForm, Inputs};
use crate::theme::Theme;
use crate::ui::widgets::overlay::{centered, popup, wrapped_height};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

fn field(theme: &Theme, label: &str, value: &str, focus: bool, editing: bool) -> Line<'static> {
    let label_style = Style::new().fg(theme.muted);
    let value_style = if focus {
        theme.selected()
    } else {
        Style::new().fg(theme.fg)
    };
    let mut spans = vec![
        Span::styled(
            if focus { " ▸ " } else { "   " },
            Style::new().fg(theme.accent),
        ),
        Span::styled(format!("{label:<22}"), label_style),
        Span::styled(value.to_string(), value_style),
    ];
    if editing {
        spans.push(Span::styled("▏", Style::new().fg(theme.accent)));
    }
    Line::from(spans)
}

fn kind_text(kind: &InputKind) -> String {
    match kind {
        InputKind::Choice(o) => format!("choice: {}", o.join(" | ")),
        k => k.label().to_string(),
    }
}

pub fn draw(f: &mut Frame, area: Rect, state: &State, form: &BuildForm, theme: &Theme) {
    let muted = Style::new().fg(theme.muted);
    let w = &form.source.workflow;
    let mut lines = vec![
        field(theme, "repo", &w.repo, false, false),
        field(theme, "workflow", &w.workflow, false, false),
        field(
            theme,
            "ref",
            &form.git_ref,
            form.focus == 0,
            form.editing && form.focus == 0,
        ),
        Line::raw(""),
    ];
    lines.extend(input_lines(form, theme));
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(" y sends exactly:", muted)));
    let request = Mutation::GitHub(GitHubCall::Dispatch {
        workflow: w.clone(),
        git_ref: form.git_ref.trim().to_string(),
        inputs: form.values(),
    });
    lines.push(Line::from(Span::styled(
        format!("   {request}"),
        Style::new().fg(theme.fg),
    )));
    lines.push(Line::raw(""));
    lines.push(keys(state, theme, form));
    let width = area.width.saturating_sub(4).min(120);
    // Words wrap whole, which can take a row or two more than the characters alone.
    let h = wrapped_height(&lines, width) + 2;
    let title = format!("start a build of {}?", form.service);
    popup(f, centered(area, width, h), theme, &title, lines);
}

fn keys(state: &State, theme: &Theme, form: &BuildForm) -> Line<'static> {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let fg = Style::new().fg(theme.fg);
    let layer = if form.editing {
        Layer::BuildEdit
    } else {
        Layer::BuildForm
    };
    let mut spans = Vec::new();
    for (i, b) in state.keys.layer(layer).iter().enumerate() {
        spans.push(Span::styled(if i == 0 { " " } else { "   " }, fg));
        spans.push(Span::styled(b.label.clone(), key));
        let word = b.hint.filter(|h| !h.is_empty()).unwrap_or(b.help);
        spans.push(Span::styled(format!(" {word}"), fg));
    }
    if state.ctx.info.prod && !form.editing {
        spans.push(Span::styled(
            "   (PROD: y then asks for the service's name)",
            theme.waiting(),
        ));
    }
    Line::from(spans)
}

/// The workflow's inputs with their types, defaults and required flags, or how they load.
fn input_lines(form: &BuildForm, theme: &Theme) -> Vec<Line<'static>> {
    let muted = Style::new().fg(theme.muted);
    let mut lines = Vec::new();
    match &form.inputs {
        Inputs::Loading => lines.push(Line::from(Span::styled(
            " reading the workflow's workflow_dispatch inputs…",
            Style::new().fg(theme.info),
        ))),
        Inputs::Failed(e) => lines.push(Line::from(Span::styled(
            format!(" ⚠ the inputs could not be read ({e}); y sends the ref alone"),
            Style::new().fg(theme.warn),
        ))),
        Inputs::Loaded(v) if v.is_empty() => {
            lines.push(Line::from(Span::styled(
                " the workflow declares no inputs",
                muted,
            )));
        }
        Inputs::Loaded(v) => {
            lines.push(Line::from(Span::styled(
                " inputs (workflow_dispatch):",
                muted,
            )));
            for (i, (input, value)) in v.iter().enumerate() {
                let focus = form.focus == i + 1;
                let req = if input.required { ", required" } else { "" };
                lines.push(field(
                    theme,
                    &input.name,
                    value,
                    focus,
                    focus && form.editing,
                ));
                lines.push(Line::from(Span::styled(
                    format!(
                        "      {}{req} · default {:?}{}",
                        kind_text(&input.kind),
                        input.default,
                        if input.description.is_empty() {
                            String::new()
                        } else {
                            format!(" · {}", input.description)
                        }
                    ),
                    muted,
                )));
            }
        }
    }
    lines
}
