//! Data from the workers: fresh lists replace the old ones (keeping the selection), failures
//! keep the old data and say why. Each handler acts on the context the data is for and says
//! whether anything it shows changed; the reducer marks the screen.

use crate::model::{
    Alarm, ApiError, At, ContextInfo, Image, Links, LogChunk, LogLine, Service, ServiceKey, Task,
};
use crate::state::context::Context;
use crate::state::jobs::JobDone;
use crate::state::table::Prepared;
use crate::state::table::items;
use crate::state::{Pane, PaneData, State};

/// The first load's rows so far: shown only until the first whole list, since after that a
/// part would hide rows.
pub(super) fn on_services_part(
    ctx: &mut Context,
    mut rows: Vec<Service>,
    done: usize,
    total: usize,
    at: At,
) -> bool {
    if ctx.services.fetched_at.is_some() && ctx.services_loading.is_none() {
        return false;
    }
    items::sort_services(&mut rows);
    // A job may have aborted one of them already: the first load can be acted on.
    ctx.jobs.mark_aborts(&mut rows);
    ctx.services.replace(rows, at);
    ctx.services_loading = Some((done, total));
    true
}

/// A prepared refresh, swapped in. Returns whether the screen changed, and what it replaced,
/// for the loop to free off its own thread (10k services take milliseconds to free).
pub(super) fn on_services(
    ctx: &mut Context,
    prepared: Prepared<Service>,
    at: At,
) -> (bool, Option<Vec<Service>>) {
    let mut dirty = ctx.services_loading.take().is_some();
    // The rollout view shows a service's row: its data is as old as the services'.
    ctx.rollout_view.fetched_at = Some(at);
    ctx.rollout_view.error = None;
    let (mut changed, old) = ctx.services.take(prepared, at);
    // Marked on the rows shown, after the swap: a refresh equal to the last one keeps the
    // rows already there, which an abort sent since must mark too.
    changed |= ctx.jobs.mark_aborts(&mut ctx.services.items);
    dirty |= ctx.jobs.observe(&ctx.services.items, at);
    dirty |= changed && ctx.pane != Pane::Logs;
    crate::state::logs::commands::note_rollout(ctx);
    (dirty, old)
}

/// Every service's tasks (None), or the rollout view's service's.
pub(super) fn on_tasks(
    ctx: &mut Context,
    of: Option<ServiceKey>,
    mut tasks: Vec<Task>,
    at: At,
) -> bool {
    items::sort_tasks(&mut tasks);
    match of {
        None => ctx.tasks.replace(tasks, at),
        Some(key) if Some(&key) == ctx.rollout.as_ref() => on_rollout_tasks(ctx, &key, tasks),
        // Another service's: the rollout view moved on since it was asked for.
        Some(_) => false,
    }
}

/// The rollout view's tasks; a paired canary's other side's come with them.
fn on_rollout_tasks(ctx: &mut Context, key: &ServiceKey, tasks: Vec<Task>) -> bool {
    let (mine, partner): (Vec<_>, Vec<_>) = tasks
        .into_iter()
        .partition(|t| t.cluster == key.cluster && t.service == key.name);
    let view = &mut ctx.rollout_view;
    if mine == view.tasks && partner == view.partner_tasks {
        return false;
    }
    view.tasks = mine;
    view.partner_tasks = partner;
    ctx.in_rollout_view()
}

pub(super) fn on_images(ctx: &mut Context, mut images: Vec<Image>, at: At) -> bool {
    items::sort_images(&mut images);
    ctx.images.replace(images, at)
}

/// The tab's badge and the rows' alarms show on every pane.
pub(super) fn on_alarms(ctx: &mut Context, mut alarms: Vec<Alarm>, at: At) -> bool {
    items::sort_alarms(&mut alarms);
    ctx.alarms.replace(alarms, at)
}

/// Fresh alarm links, the `made`-th of the context's pollers; an older set that arrives after
/// a newer one is dropped. Returns whether the links shown changed, and what to free.
pub(super) fn on_links(ctx: &mut Context, made: u64, links: Links) -> (bool, Links) {
    let e = &mut ctx.evidence;
    if made < e.links_made {
        return (false, links);
    }
    e.links_made = made;
    let old = std::mem::replace(&mut e.links, links);
    (old != e.links, old)
}

/// Log lines read by a poll (the simulator's way), for the service the logs follow.
pub(super) fn on_logs(ctx: &mut Context, key: ServiceKey, lines: &[LogLine], at: At) -> bool {
    if ctx.logs.service() != Some(&key) {
        return false;
    }
    ctx.logs.take(&LogChunk::from_lines(lines), at);
    ctx.pane == Pane::Logs || (ctx.in_rollout_view() && ctx.rollout.as_ref() == Some(&key))
}

/// A pane's fetch failed: its data stays, marked stale with why. The builds pane's is GitHub's.
pub(super) fn on_failed(state: &mut State, pane: Pane, err: ApiError) {
    if pane == Pane::Services {
        state.ctx.rollout_view.fail(err.clone());
    }
    state.dirty |= match state.ctx.pane_data_mut(pane) {
        Some(data) => data.fail(err),
        None => state.builds.runs.fail(err),
    };
}

pub(super) fn on_context(state: &mut State, mut c: ContextInfo) {
    let ctx = &mut state.ctx;
    // Whether a context is production is the config's word, and so is its name.
    c.prod = ctx.info.prod;
    if !ctx.info.name.is_empty() {
        c.name = ctx.info.name.clone();
    }
    state.dirty |= c != ctx.info;
    ctx.info = c;
    // The account is known now, whatever an earlier lookup said.
    ctx.connection.context_error = None;
    crate::state::contexts::announce(state);
}

/// A job's watch read its service while the job's context was off screen: the job looks, in
/// whichever context holds it. Returns whether the screen changed.
pub(super) fn on_job_watched(state: &mut State, w: crate::state::jobs::JobWatched) -> bool {
    let now = state.now;
    if state.ctx.jobs.observe_one(w.job, &w.read, now) {
        return true;
    }
    for c in state.contexts.kept_mut() {
        if c.jobs.observe_one(w.job, &w.read, now) {
            break;
        }
    }
    false
}

/// A job's calls are done: its context (on screen or put away) keeps the outcome. True when
/// it is the context on screen, whose services are then read again.
pub(super) fn on_action_done(state: &mut State, done: JobDone) -> bool {
    let JobDone {
        job,
        result,
        registered,
    } = done;
    let now = state.now;
    if state.ctx.jobs.done(job, &result, registered.clone(), now) {
        state.dirty = true;
        return true;
    }
    let kept = state
        .contexts
        .kept_mut()
        .any(|c| c.jobs.done(job, &result, registered.clone(), now));
    if !kept {
        // Its context was put away and then let go: the outcome is still said.
        state.flash(match result {
            Ok(m) => format!("job {job}: {m}"),
            Err(e) => format!("✗ job {job}: {e}"),
        });
    }
    false
}
