//! What the builds keys do: `B` opens the build dialog (and the dialog's own keys), `X`
//! cancels a run, `T` reruns its failed jobs, `D` deploys an image, `Tab` in a deploy dialog
//! moves to the next target.

use crate::keys::{Command, ModeKey};
use crate::model::{ActionPlan, Image, InputKind, Refusal, Run, Service, ServiceKey};
use crate::state::builds::plan as build_plan;
use crate::state::builds::{BuildForm, DeployChoice, Inputs};
use crate::state::{Effect, Mode, Pane, State};

/// Read-only, no CI, or another action at work: why a builds key does nothing now.
fn refused(state: &mut State, needs_ci: bool) -> bool {
    let why = if state.ctx.read_only {
        Some("refused: the console is read-only; nothing was changed".to_string())
    } else if let Some(why) = state.builds.unavailable.clone().filter(|_| needs_ci) {
        Some(format!("builds: {why}"))
    } else {
        // Which service a build deploys to is chosen in its dialog: checked when confirmed.
        crate::state::actions::start::refusal(state, &[])
    };
    match why {
        Some(w) => {
            state.flash(w);
            true
        }
        None => false,
    }
}

fn service(state: &State, key: &ServiceKey) -> Option<Service> {
    state
        .ctx
        .services
        .items
        .iter()
        .find(|s| &s.key() == key)
        .cloned()
}

/// The service a run's workflow builds (the first mapped one).
fn service_of_run(state: &State) -> Option<Service> {
    let run = state.run_target()?;
    state
        .builds
        .services_of(&run.workflow, &state.ctx.services.items)
        .first()
        .map(|s| (*s).clone())
}

/// Runs a confirmed plan, or asks for the typed name first in a production context.
fn confirm_or_start(state: &mut State, plan: ActionPlan, effects: &mut Vec<Effect>) {
    if state.ctx.info.prod {
        state.open_confirm(plan);
        return;
    }
    state.mode = Mode::Normal;
    if let Err(why) = crate::state::actions::start::start(state, plan, effects) {
        state.flash(why.to_string());
    }
}

/// `B`: the build dialog for the selected service, or the selected run's workflow.
pub(crate) fn open_build(state: &mut State, effects: &mut Vec<Effect>) {
    if refused(state, true) {
        return;
    }
    let target = match state.ctx.pane {
        Pane::Builds => service_of_run(state),
        Pane::Services
        | Pane::Tasks
        | Pane::Images
        | Pane::Alarms
        | Pane::Logs
        | Pane::Rollout
        | Pane::Timeline => state.ctx.action_target().cloned(),
    };
    let Some(s) = target else {
        return state.flash("select a service (or a run on the builds pane) first");
    };
    let Some(source) = state.builds.source_of(&s) else {
        let refusal = match state.builds.bad_tag(&s) {
            Some(tag) => Refusal::BadBuildTag {
                service: s.key().to_string(),
                tag: tag.clone(),
            },
            None => Refusal::NoBuildMapping(s.name.clone()),
        };
        return state.flash(refusal.to_string());
    };
    effects.push(Effect::LoadInputs(
        source.workflow.clone(),
        source.git_ref.clone(),
    ));
    state.mode = Mode::Build(Box::new(BuildForm {
        service: s.key(),
        git_ref: source.git_ref.clone(),
        inputs_ref: source.git_ref.clone(),
        source,
        inputs: Inputs::Loading,
        focus: 0,
        editing: false,
    }));
}

/// The build dialog's keys.
pub(crate) fn on_form(
    state: &mut State,
    command: Command,
    mut form: BuildForm,
    fx: &mut Vec<Effect>,
) {
    let Some(key) = command.mode_key() else {
        state.mode = Mode::Build(Box::new(form));
        return;
    };
    if form.editing {
        match key {
            ModeKey::Insert(c) => form.focused_mut().into_iter().for_each(|t| t.push(c)),
            ModeKey::DeleteChar => {
                form.focused_mut().and_then(String::pop);
            }
            ModeKey::Accept | ModeKey::Cancel => {
                form.editing = false;
                let git_ref = form.git_ref.trim().to_string();
                if form.focus == 0 && git_ref != form.inputs_ref && !git_ref.is_empty() {
                    // Another ref may declare other inputs: read them at that ref.
                    form.inputs = Inputs::Loading;
                    form.inputs_ref = git_ref.clone();
                    fx.push(Effect::LoadInputs(form.source.workflow.clone(), git_ref));
                }
            }
            ModeKey::Down | ModeKey::Up | ModeKey::PageDown | ModeKey::PageUp => {}
            ModeKey::Top | ModeKey::Bottom | ModeKey::Confirm | ModeKey::Complete => {}
            ModeKey::Toggle | ModeKey::OtherTarget => {}
            ModeKey::Search | ModeKey::NextMatch | ModeKey::PrevMatch => {}
        }
        state.mode = Mode::Build(Box::new(form));
        return;
    }
    match key {
        ModeKey::Down => form.focus = (form.focus + 1) % form.fields(),
        ModeKey::Up => form.focus = (form.focus + form.fields() - 1) % form.fields(),
        ModeKey::Toggle => {
            cycle(&mut form);
        }
        ModeKey::Accept => form.editing = !cycle(&mut form),
        ModeKey::Cancel => {
            state.mode = Mode::Normal;
            return state.flash("start a build: cancelled; nothing was sent");
        }
        ModeKey::Confirm => return send(state, form, fx),
        ModeKey::PageDown | ModeKey::PageUp | ModeKey::Top | ModeKey::Bottom => {}
        ModeKey::DeleteChar | ModeKey::Complete | ModeKey::Insert(_) | ModeKey::OtherTarget => {}
        ModeKey::Search | ModeKey::NextMatch | ModeKey::PrevMatch => {}
    }
    state.mode = Mode::Build(Box::new(form));
}

/// A boolean or choice input steps to its next value; false for other fields.
fn cycle(form: &mut BuildForm) -> bool {
    let (focus, Inputs::Loaded(v)) = (form.focus, &mut form.inputs) else {
        return false;
    };
    let Some((input, val)) = focus.checked_sub(1).and_then(|i| v.get_mut(i)) else {
        return false;
    };
    match &input.kind {
        InputKind::Boolean => *val = (val != "true").to_string(),
        InputKind::Choice(opts) if !opts.is_empty() => {
            let at = opts
                .iter()
                .position(|o| o == val)
                .map_or(0, |i| (i + 1) % opts.len());
            *val = opts[at].clone();
        }
        InputKind::Choice(_) | InputKind::String | InputKind::Number => return false,
        InputKind::Environment => return false,
    }
    true
}

/// `y` in the build dialog.
fn send(state: &mut State, form: BuildForm, fx: &mut Vec<Effect>) {
    if form.inputs == Inputs::Loading {
        state.flash("start a build: still reading the workflow's inputs; y again in a moment");
        state.mode = Mode::Build(Box::new(form));
        return;
    }
    let Some(s) = service(state, &form.service) else {
        state.mode = Mode::Normal;
        return state.flash(format!("start a build: {} is gone", form.service));
    };
    match build_plan::build(&s, &form) {
        Ok(plan) => confirm_or_start(state, plan, fx),
        Err(why) => {
            state.flash(why.to_string());
            state.mode = Mode::Build(Box::new(form));
        }
    }
}

/// `X` and `T` on a run: `plan` makes the cancel or the rerun.
pub(crate) fn on_run(state: &mut State, plan: fn(&Service, &Run) -> Result<ActionPlan, Refusal>) {
    if refused(state, true) {
        return;
    }
    let (Some(run), Some(s)) = (state.run_target().cloned(), service_of_run(state)) else {
        return state.flash("select a run on the builds pane (6) first");
    };
    match plan(&s, &run) {
        Ok(plan) => state.open_confirm(plan),
        Err(why) => state.flash(why.to_string()),
    }
}

/// The image to deploy and the services it may go to, from the pane in view.
fn deploy_source(state: &State) -> Result<(Image, Vec<ServiceKey>), Refusal> {
    let all = &state.ctx.services.items;
    let (image, first): (Image, Vec<&Service>) = match state.ctx.pane {
        Pane::Images => {
            let img = state
                .ctx
                .images
                .selected_item()
                .cloned()
                .ok_or_else(|| Refusal::NoImage("-".into()))?;
            let users: Vec<&String> = state
                .ctx
                .images
                .items
                .iter()
                .filter(|i| i.repository == img.repository)
                .flat_map(|i| &i.used_by)
                .collect();
            let first = all.iter().filter(|s| users.contains(&&s.name)).collect();
            (img, first)
        }
        Pane::Services
        | Pane::Tasks
        | Pane::Alarms
        | Pane::Logs
        | Pane::Builds
        | Pane::Rollout
        | Pane::Timeline => {
            let run = state
                .run_target()
                .ok_or_else(|| Refusal::NoCi("deploy: select a run on the builds pane (6), or an image on the images pane (3)".into()))?;
            if !run.succeeded() {
                return Err(Refusal::RunNotSucceeded(run.number));
            }
            let img = run
                .images(&state.ctx.images.items)
                .max_by_key(|i| i.pushed_at)
                .cloned()
                .ok_or_else(|| Refusal::NoImage(run.short_sha().to_string()))?;
            (img, state.builds.services_of(&run.workflow, all))
        }
    };
    let targets: Vec<ServiceKey> = build_plan::deploy_targets(&first, all)
        .iter()
        .map(|s| s.key())
        .collect();
    if targets.is_empty() {
        return Err(Refusal::NoDeployTarget(image.repository.clone()));
    }
    Ok((image, targets))
}

/// `D`: the deploy dialog for the first target that can take the image.
pub(crate) fn deploy(state: &mut State) {
    if refused(state, false) {
        return;
    }
    let (image, targets) = match deploy_source(state) {
        Ok(x) => x,
        Err(why) => return state.flash(why.to_string()),
    };
    let mut choice = DeployChoice {
        image,
        targets,
        at: 0,
    };
    let mut first_err = None;
    for at in 0..choice.targets.len() {
        choice.at = at;
        match plan_at(state, &choice) {
            Ok(plan) => {
                state.open_confirm(plan);
                state.builds.deploy = Some(choice);
                return;
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_err {
        state.flash(e.to_string());
    }
}

fn plan_at(state: &State, choice: &DeployChoice) -> Result<ActionPlan, Refusal> {
    let key = &choice.targets[choice.at];
    match service(state, key) {
        Some(s) => build_plan::deploy(&s, &choice.image, &state.ctx.images.items),
        None => Err(Refusal::NoDeployTarget(choice.image.repository.clone())),
    }
}

/// `Tab` in a deploy dialog: the next target that can take the image (the paired canary, or
/// another service running the repository).
pub(crate) fn other_target(state: &mut State, plan: ActionPlan, typed: String) {
    let Some(mut choice) = state.builds.deploy.take() else {
        state.mode = Mode::Confirm(Box::new(plan), typed);
        return;
    };
    let n = choice.targets.len();
    let start = choice.at;
    for step in 1..n {
        choice.at = (start + step) % n;
        if let Ok(next) = plan_at(state, &choice) {
            state.open_confirm(next);
            state.builds.deploy = Some(choice);
            return;
        }
    }
    choice.at = start;
    state.builds.deploy = Some(choice);
    state.mode = Mode::Confirm(Box::new(plan), typed);
}
