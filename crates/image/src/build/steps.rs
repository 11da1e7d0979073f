//! One instruction each: how it changes the config or the filesystem, what its history
//! entry says (`/bin/sh -c #(nop) ...` for the ones that run nothing, as the classic builder
//! writes them), and its commit.

use super::copy::{copy_sources, parse_chown, resolve_sources, sources_hash};
use super::diff::write_diff;
use super::dockerfile::Instruction;
use super::driver::{Ctx, State};
use super::expand::expand;
use super::mounted::MountedImage;
use super::{BuildError, RunStep};
use crate::changes::{apply_one, json_array, words};
use crate::error::{ImageError, IoContext};
use crate::store::{short_id, PendingLayer};
use std::path::Path;

fn invalid(msg: impl Into<String>) -> ImageError {
    ImageError::InvalidParameter(msg.into())
}

fn nop(text: &str) -> String {
    format!("/bin/sh -c #(nop) {text}")
}

/// `["a" "b"]`, as Go's `%q` prints a string slice.
fn go_quoted(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", items.join(" "))
}

/// An ARG before the first FROM: usable in FROM lines only.
pub(super) fn meta_arg(ctx: &mut Ctx, st: &mut State, ins: &Instruction) {
    let (name, default) = split_arg(&ins.args);
    let value = arg_value(ctx, st, &name, default);
    if let Some(v) = value {
        st.meta_args.push((name, v));
    }
}

fn split_arg(args: &str) -> (String, Option<String>) {
    match args.split_once('=') {
        Some((k, v)) => (
            k.trim().to_string(),
            Some(
                words(v)
                    .map(|w| w.join(" "))
                    .unwrap_or_else(|_| v.to_string()),
            ),
        ),
        None => (args.trim().to_string(), None),
    }
}

fn arg_value(ctx: &Ctx, st: &mut State, name: &str, default: Option<String>) -> Option<String> {
    match ctx.opts.build_args.get(name) {
        Some(v) => {
            st.used_args.insert(name.to_string());
            v.clone().or(default)
        }
        None => default,
    }
}

pub(super) fn dispatch(ctx: &mut Ctx, st: &mut State, ins: &Instruction) -> Result<(), BuildError> {
    match ins.name.as_str() {
        "FROM" => from(ctx, st, ins)?,
        "RUN" => return run(ctx, st, ins),
        "COPY" | "ADD" => copy(ctx, st, ins)?,
        "WORKDIR" => workdir(ctx, st, ins)?,
        "ARG" => {
            let (name, default) = split_arg(&ins.args);
            let default = default.map(|d| expand(&d, &|k| st.lookup(k)));
            if let Some(v) = arg_value(ctx, st, &name, default) {
                st.args.retain(|(k, _)| *k != name);
                st.args.push((name.clone(), v));
            }
            let created_by = nop(&format!(" ARG {}", ins.args));
            metadata(ctx, st, &created_by)?;
        }
        "CMD" | "ENTRYPOINT" => {
            apply_one(&mut st.config, &format!("{} {}", ins.name, ins.args))?;
            // the shell form runs in the SHELL the Dockerfile chose, if any
            if let (None, Some(shell)) = (ins.json_args(), st.config.shell.clone()) {
                let mut argv = shell;
                argv.push(ins.args.clone());
                if ins.name == "CMD" {
                    st.config.cmd = Some(argv);
                } else {
                    st.config.entrypoint = Some(argv);
                }
            }
            let v = if ins.name == "CMD" {
                st.config.cmd.clone()
            } else {
                st.config.entrypoint.clone()
            };
            let created_by = nop(&format!(
                " {} {}",
                ins.name,
                go_quoted(&v.unwrap_or_default())
            ));
            metadata(ctx, st, &created_by)?;
        }
        "SHELL" | "ONBUILD" => {
            apply_one(&mut st.config, &format!("{} {}", ins.name, ins.args))?;
            metadata(ctx, st, &nop(&format!(" {} {}", ins.name, ins.args)))?;
        }
        "MAINTAINER" => {
            st.author = ins.args.clone();
            metadata(ctx, st, &nop(&format!(" MAINTAINER {}", ins.args)))?;
        }
        "HEALTHCHECK" => {
            st.config.healthcheck = Some(super::healthcheck::parse(ins)?);
            metadata(ctx, st, &nop(&format!(" HEALTHCHECK {}", ins.args)))?;
        }
        _ => {
            // ENV LABEL EXPOSE USER VOLUME STOPSIGNAL: expanded, then applied as a change
            let args = expand(&ins.args, &|k| st.lookup(k));
            apply_one(&mut st.config, &format!("{} {}", ins.name, args))?;
            let created_by = nop(&format!(" {} {}", ins.name, args));
            metadata(ctx, st, &created_by)?;
        }
    }
    Ok(())
}

fn from(ctx: &mut Ctx, st: &mut State, ins: &Instruction) -> Result<(), ImageError> {
    let meta = st.meta_args.clone();
    let args = expand(&ins.args, &|k| {
        meta.iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    });
    let ws = words(&args)?;
    let name = match ws.as_slice() {
        [n] => n.clone(),
        [n, as_, _stage] if as_.eq_ignore_ascii_case("as") => n.clone(),
        _ => return Err(invalid("FROM requires either one or three arguments")),
    };
    st.args.clear();
    st.end_stage(match ws.as_slice() {
        [_, _, stage] => Some(stage.to_ascii_lowercase()),
        _ => None,
    });
    if let Some(stage) = st.stage(&name) {
        return match stage {
            Some(id) => st.load(ctx.store, &id),
            None => {
                st.reset_scratch();
                Ok(())
            }
        };
    }
    if name == "scratch" {
        st.reset_scratch();
        return Ok(());
    }
    st.load(ctx.store, &name)
}

/// A step that changes only the config: committed without a layer.
fn metadata(ctx: &mut Ctx, st: &mut State, created_by: &str) -> Result<(), ImageError> {
    let key = st.cache_key(created_by);
    if st.probe_cache(ctx, &key)? {
        return Ok(());
    }
    in_step_container(ctx, st, created_by, |ctx, st| {
        st.commit(ctx.store, created_by, &key, None)
    })
}

/// Runs a step that commits without running anything inside a container of its own, as the
/// classic builder commits every non-COPY step from one (` ---> Running in ...`), removed
/// afterwards as RUN's are. Without an image yet (FROM scratch) there is none to create.
fn in_step_container(
    ctx: &mut Ctx,
    st: &mut State,
    created_by: &str,
    step: impl FnOnce(&mut Ctx, &mut State) -> Result<(), ImageError>,
) -> Result<(), ImageError> {
    let Some(image_id) = st.image_id.clone() else {
        return step(ctx, st);
    };
    let nop = created_by.strip_prefix("/bin/sh -c ").unwrap_or(created_by);
    let id = ctx.runner.create(&RunStep {
        image_id,
        argv: vec!["/bin/sh".into(), "-c".into(), nop.to_string()],
        env: st.config.env.clone().unwrap_or_default(),
        working_dir: String::new(),
        user: st.config.user.clone(),
        network_mode: ctx.opts.network_mode.clone(),
    })?;
    ctx.progress
        .stream(&format!(" ---> Running in {}\n", short_id(&id)));
    let done = step(ctx, st);
    let yes = ctx.opts.force_rm || (done.is_ok() && ctx.opts.rm);
    remove(ctx, &id, yes);
    done
}

fn run(ctx: &mut Ctx, st: &mut State, ins: &Instruction) -> Result<(), BuildError> {
    let argv = match ins.json_args() {
        Some(v) => v,
        None => {
            let mut shell = st
                .config
                .shell
                .clone()
                .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
            shell.push(ins.args.clone());
            shell
        }
    };
    let mut created_by = argv.join(" ");
    if !st.args.is_empty() {
        let pairs: Vec<String> = st.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        created_by = format!("|{} {} {created_by}", pairs.len(), pairs.join(" "));
    }
    let key = st.cache_key(&created_by);
    if st.probe_cache(ctx, &key)? {
        return Ok(());
    }
    let Some(image_id) = st.image_id.clone() else {
        return Err(invalid(
            "berth cannot RUN in an image without a filesystem (FROM scratch): add files first",
        )
        .into());
    };
    let mut env = st.config.env.clone().unwrap_or_default();
    // the proxy variables are build args without an ARG line, kept out of the history
    let proxies = ctx.opts.build_args.iter().filter_map(|(k, v)| {
        let v = v.as_ref()?;
        super::PREDEFINED_ARGS
            .contains(&k.as_str())
            .then(|| (k.clone(), v.clone()))
    });
    for (k, v) in st.args.iter().cloned().chain(proxies) {
        if !env.iter().any(|e| e.split('=').next() == Some(k.as_str())) {
            env.push(format!("{k}={v}"));
        }
    }
    let step = RunStep {
        image_id,
        argv: argv.clone(),
        env,
        working_dir: st.config.working_dir.clone(),
        user: st.config.user.clone(),
        network_mode: ctx.opts.network_mode.clone(),
    };
    let id = ctx.runner.create(&step)?;
    ctx.progress
        .stream(&format!(" ---> Running in {}\n", short_id(&id)));
    let progress = &mut *ctx.progress;
    let code = match ctx
        .runner
        .run(&id, &mut |b| progress.stream(&String::from_utf8_lossy(b)))
    {
        Ok(c) => c,
        Err(e) => {
            remove(ctx, &id, ctx.opts.force_rm);
            return Err(e.into());
        }
    };
    if code != 0 {
        remove(ctx, &id, ctx.opts.force_rm);
        return Err(BuildError {
            error: invalid(format!(
                "The command '{}' returned a non-zero code: {code}",
                argv.join(" ")
            )),
            code: Some(code),
        });
    }
    let layer = ctx
        .runner
        .upper_dir(&id)
        .and_then(|upper| layer_of(ctx, &upper));
    let committed = layer.and_then(|l| st.commit(ctx.store, &created_by, &key, l));
    let yes = ctx.opts.force_rm || (committed.is_ok() && ctx.opts.rm);
    remove(ctx, &id, yes);
    committed.map_err(Into::into)
}

fn remove(ctx: &mut Ctx, id: &str, yes: bool) {
    if yes {
        ctx.runner.remove(id);
        ctx.progress.stream(&format!(
            " ---> Removed intermediate container {}\n",
            short_id(id)
        ));
    }
}

/// The upper directory as a pending layer; `None` when nothing changed.
fn layer_of(ctx: &Ctx, upper: &Path) -> Result<Option<PendingLayer>, ImageError> {
    let tmp = ctx.store.tmp_dir()?;
    let tar_path = tmp.path().join("diff.tar");
    let f = std::fs::File::create(&tar_path).ctx(|| format!("creating {}", tar_path.display()))?;
    let n = write_diff(upper, std::io::BufWriter::new(f))?;
    if n == 0 {
        return Ok(None);
    }
    let f = std::fs::File::open(&tar_path).ctx(|| format!("opening {}", tar_path.display()))?;
    ctx.store
        .unpack_pending(std::io::BufReader::new(f))
        .map(Some)
}

/// Runs `f` on the image's root filesystem mounted with a fresh upper layer, and returns
/// what it changed as a layer.
fn on_rootfs(
    ctx: &Ctx,
    st: &State,
    f: impl FnOnce(&Path) -> Result<(), ImageError>,
) -> Result<Option<PendingLayer>, ImageError> {
    let mut m = MountedImage::mount(ctx.store, st.image_id.as_deref())?;
    f(m.root())?;
    let upper = m.unmount()?.to_path_buf();
    layer_of(ctx, &upper)
}

fn absolute(workdir: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    let base = if workdir.is_empty() { "/" } else { workdir };
    let joined = format!("{}/{}", base.trim_end_matches('/'), path);
    match joined.as_str() {
        p if p.ends_with("/.") => format!("{}/", p.trim_end_matches('.').trim_end_matches('/')),
        p => p.to_string(),
    }
}

fn copy(ctx: &mut Ctx, st: &mut State, ins: &Instruction) -> Result<(), ImageError> {
    // --from: an earlier stage (by name or index) or an image, mounted while the step runs
    let source_root = match ins.flag("from") {
        Some(from) => {
            let image = match st.stage(from) {
                Some(stage) => stage,
                None => Some(ctx.store.resolve(from)?.id),
            };
            Some(MountedImage::mount(ctx.store, image.as_deref())?)
        }
        None => None,
    };
    let args = expand(&ins.args, &|k| st.lookup(k));
    let mut list = match json_array(args.trim()) {
        Some(v) => v,
        None => words(&args)?,
    };
    if list.len() < 2 {
        return Err(invalid(format!(
            "{} requires at least two arguments",
            ins.name
        )));
    }
    let dest_given = list.pop().unwrap_or_default();
    let mut dest = absolute(&st.config.working_dir, &dest_given);
    if (dest_given.ends_with('/') || dest_given == ".") && !dest.ends_with('/') {
        dest.push('/');
    }
    let root = source_root.as_ref().map_or(ctx.context, |m| m.root());
    let sources = resolve_sources(root, &list)?;
    let hash = sources_hash(&sources)?;
    let created_by = nop(&format!("{} {hash} in {dest} ", ins.name));
    let chown = ins.flag("chown").map(String::from);
    let key = st.cache_key(&format!("{created_by}\0chown={chown:?}"));
    if st.probe_cache(ctx, &key)? {
        return Ok(());
    }
    let unpack = ins.name == "ADD";
    let layer = on_rootfs(ctx, st, |root| {
        let owner = match &chown {
            Some(c) => Some(parse_chown(c, root)?),
            None => None,
        };
        copy_sources(&sources, root, &dest, owner, unpack)
    })?;
    st.commit(ctx.store, &created_by, &key, layer)
}

fn workdir(ctx: &mut Ctx, st: &mut State, ins: &Instruction) -> Result<(), ImageError> {
    let dir = expand(&ins.args, &|k| st.lookup(k));
    apply_one(&mut st.config, &format!("WORKDIR {dir}"))?;
    let created_by = nop(&format!("WORKDIR {}", st.config.working_dir));
    let key = st.cache_key(&created_by);
    if st.probe_cache(ctx, &key)? {
        return Ok(());
    }
    let wd = st.config.working_dir.clone();
    in_step_container(ctx, st, &created_by, |ctx, st| {
        let layer = on_rootfs(ctx, st, |root| {
            let p = super::copy::scoped(root, &wd)?;
            if !p.exists() {
                std::fs::create_dir_all(&p).ctx(|| format!("creating {}", p.display()))?;
            }
            Ok(())
        })?;
        st.commit(ctx.store, &created_by, &key, layer)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(absolute("/app", "."), "/app/");
        assert_eq!(absolute("", "x"), "/x");
        assert_eq!(absolute("/a", "/b"), "/b");
    }
}
