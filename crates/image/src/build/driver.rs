//! The step loop: `Step N/M : ...` for every instruction, the cache probe, the step itself,
//! its commit, ` ---> <id>`; then the tags.

use super::dockerfile::{self, Instruction};
use super::{BuildError, BuildOptions, Progress, StepRunner};
use crate::config::{host_architecture, ContainerConfig, ImageConfigFile, RootFs};
use crate::error::ImageError;
use crate::reference::Reference;
use crate::store::{now_rfc3339, short_id, ImageStore, PendingLayer};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Read;

/// What the build has made so far.
pub(super) struct State {
    pub image_id: Option<String>,
    pub config: ContainerConfig,
    pub author: String,
    pub history: Vec<Value>,
    pub diff_ids: Vec<String>,
    /// ARGs in scope with their values, in declaration order.
    pub args: Vec<(String, String)>,
    pub used_args: BTreeSet<String>,
    pub meta_args: Vec<(String, String)>,
    /// Finished stages (name, image; None for an empty scratch stage), then the current
    /// stage's name.
    pub stages: Vec<(Option<String>, Option<String>)>,
    pub stage_name: Option<String>,
    pub in_stage: bool,
}

pub(super) struct Ctx<'a> {
    pub store: &'a ImageStore,
    pub runner: &'a dyn StepRunner,
    pub opts: &'a BuildOptions,
    pub progress: &'a mut dyn Progress,
    pub context: &'a std::path::Path,
}

/// Runs a build; returns the final image id.
pub fn build(
    store: &ImageStore,
    runner: &dyn StepRunner,
    body: impl Read,
    opts: &BuildOptions,
    progress: &mut dyn Progress,
) -> Result<String, BuildError> {
    // tags are checked before any work, as dockerd refuses a bad `t` up front
    let mut tags: Vec<Reference> = Vec::new();
    for t in &opts.tags {
        tags.push(crate::store::parse_tag_target(t, None)?);
    }
    let context = store.unpack_context(body, &opts.dockerfile)?;
    let mut instructions = dockerfile::parse(&context.dockerfile)?;
    if !opts.target.is_empty() {
        instructions = up_to_target(instructions, &opts.target)?;
    }
    if !opts.labels.is_empty() {
        let pairs: Vec<String> = opts
            .labels
            .iter()
            .map(|(k, v)| format!("{k:?}={v:?}"))
            .collect();
        let text = format!("LABEL {}", pairs.join(" "));
        instructions.push(Instruction {
            name: "LABEL".into(),
            flags: vec![],
            args: pairs.join(" "),
            original: text,
            line: 0,
        });
    }
    match instructions.iter().find(|i| i.name != "ARG") {
        Some(i) if i.name == "FROM" => {}
        Some(i) => {
            return Err(ImageError::InvalidParameter(format!(
                "dockerfile parse error on line {}: no build stage in current context",
                i.line
            ))
            .into())
        }
        None => {
            return Err(ImageError::InvalidParameter("file with no instructions".into()).into())
        }
    }
    let mut st = State {
        image_id: None,
        config: ContainerConfig::default(),
        author: String::new(),
        history: Vec::new(),
        diff_ids: Vec::new(),
        args: Vec::new(),
        used_args: BTreeSet::new(),
        meta_args: Vec::new(),
        stages: Vec::new(),
        stage_name: None,
        in_stage: false,
    };
    let mut ctx = Ctx {
        store,
        runner,
        opts,
        progress,
        context: context.dir.path(),
    };
    let total = instructions.len();
    let mut seen_from = false;
    let mut committed = false;
    for (n, ins) in instructions.iter().enumerate() {
        ctx.progress
            .stream(&format!("Step {}/{} : {}\n", n + 1, total, ins.original));
        if ins.name == "FROM" {
            seen_from = true;
        }
        if !seen_from {
            super::steps::meta_arg(&mut ctx, &mut st, ins);
            continue;
        }
        super::steps::dispatch(&mut ctx, &mut st, ins)?;
        if ins.name == "FROM" {
            run_triggers(&mut ctx, &mut st)?;
        }
        committed |= ins.name != "FROM" || st.image_id.is_some();
        if let Some(id) = &st.image_id {
            ctx.progress.stream(&format!(" ---> {}\n", short_id(id)));
        }
    }
    let id = match (&st.image_id, committed) {
        (Some(id), _) => id.clone(),
        _ => {
            return Err(ImageError::InvalidParameter(
                "No image was generated. Is your Dockerfile empty?".into(),
            )
            .into())
        }
    };
    ctx.progress.aux_id(&id);
    let unused: Vec<&str> = opts
        .build_args
        .keys()
        .filter(|k| !st.used_args.contains(*k) && !super::PREDEFINED_ARGS.contains(&k.as_str()))
        .map(String::as_str)
        .collect();
    if !unused.is_empty() {
        ctx.progress.stream(&format!(
            "[Warning] One or more build-args [{}] were not consumed\n",
            unused.join(" ")
        ));
    }
    ctx.progress
        .stream(&format!("Successfully built {}\n", short_id(&id)));
    for t in &tags {
        store.tag(&id, &t.tagged_key(), None)?;
        ctx.progress
            .stream(&format!("Successfully tagged {}\n", t.tagged_key()));
    }
    Ok(id)
}

/// The instructions up to the end of the stage named `target` (`FROM x AS target`).
fn up_to_target(
    mut instructions: Vec<Instruction>,
    target: &str,
) -> Result<Vec<Instruction>, ImageError> {
    let names_target = |i: &Instruction| {
        let ws: Vec<&str> = i.args.split_whitespace().collect();
        i.name == "FROM"
            && ws.len() == 3
            && ws[1].eq_ignore_ascii_case("as")
            && ws[2].eq_ignore_ascii_case(target)
    };
    let Some(start) = instructions.iter().position(names_target) else {
        return Err(ImageError::InvalidParameter(format!(
            "failed to reach build target {target} in Dockerfile"
        )));
    };
    if let Some(end) = instructions[start + 1..]
        .iter()
        .position(|i| i.name == "FROM")
    {
        instructions.truncate(start + 1 + end);
    }
    Ok(instructions)
}

/// The base image's ONBUILD instructions, run right after its FROM and then forgotten.
fn run_triggers(ctx: &mut Ctx, st: &mut State) -> Result<(), BuildError> {
    let Some(triggers) = st.config.on_build.take().filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    let plural = if triggers.len() == 1 { "" } else { "s" };
    ctx.progress.stream(&format!(
        "# Executing {} build trigger{plural}\n",
        triggers.len()
    ));
    for t in &triggers {
        for ins in dockerfile::parse(t)? {
            if matches!(ins.name.as_str(), "FROM" | "ONBUILD" | "MAINTAINER") {
                return Err(ImageError::InvalidParameter(format!(
                    "{} isn't allowed as an ONBUILD trigger",
                    ins.name
                ))
                .into());
            }
            super::steps::dispatch(ctx, st, &ins)?;
        }
    }
    Ok(())
}

impl State {
    /// A FROM begins a stage: the one before it is kept for `COPY --from` and `FROM <stage>`.
    pub fn end_stage(&mut self, next_name: Option<String>) {
        if self.in_stage {
            let name = self.stage_name.take();
            self.stages.push((name, self.image_id.clone()));
        }
        self.in_stage = true;
        self.stage_name = next_name;
    }

    /// An earlier stage by name or index: Some(image) if there is one.
    pub fn stage(&self, name: &str) -> Option<Option<String>> {
        let lower = name.to_ascii_lowercase();
        if let Some((_, img)) = self
            .stages
            .iter()
            .find(|(n, _)| n.as_deref() == Some(&lower))
        {
            return Some(img.clone());
        }
        name.parse::<usize>()
            .ok()
            .and_then(|i| self.stages.get(i))
            .map(|(_, img)| img.clone())
    }

    pub fn reset_scratch(&mut self) {
        self.image_id = None;
        self.config = Default::default();
        self.author.clear();
        self.history.clear();
        self.diff_ids.clear();
    }

    /// Takes over an image's config and history (FROM, or a cache hit).
    pub fn load(&mut self, store: &ImageStore, id: &str) -> Result<(), ImageError> {
        let rec = store.resolve(id)?;
        self.image_id = Some(rec.id.clone());
        self.config = rec.config.clone();
        self.author = rec.config_file.author.clone();
        self.history = rec.config_file.history.clone().unwrap_or_default();
        self.diff_ids = rec.diff_ids.clone();
        Ok(())
    }

    /// The config document of the next image, its history holding `created_by`.
    fn config_bytes(&self, created_by: &str, layer: Option<&str>) -> Result<Vec<u8>, ImageError> {
        let now = now_rfc3339();
        let mut history = self.history.clone();
        let mut entry = json!({"created": now, "created_by": created_by});
        if layer.is_none() {
            entry["empty_layer"] = json!(true);
        }
        history.push(entry);
        let mut diff_ids = self.diff_ids.clone();
        diff_ids.extend(layer.map(String::from));
        let file = ImageConfigFile {
            architecture: host_architecture().into(),
            author: self.author.clone(),
            config: Some(self.config.clone()),
            created: Some(now),
            docker_version: crate::BUILDER_VERSION.into(),
            history: Some(history),
            os: "linux".into(),
            rootfs: RootFs {
                kind: "layers".into(),
                diff_ids,
            },
            ..Default::default()
        };
        serde_json::to_vec(&file)
            .map_err(|e| ImageError::io("encoding image config", std::io::Error::other(e)))
    }

    pub fn cache_key(&self, created_by: &str) -> String {
        let config = serde_json::to_vec(&self.config).unwrap_or_default();
        let mut what = created_by.to_string();
        if !self.author.is_empty() {
            what.push_str(&format!("\0author={}", self.author));
        }
        super::cache::step_key(self.image_id.as_deref(), &what, &config)
    }

    /// Uses the cached image of this step if there is one; true when it did.
    pub fn probe_cache(&mut self, ctx: &mut Ctx, key: &str) -> Result<bool, ImageError> {
        if ctx.opts.no_cache {
            return Ok(false);
        }
        match ctx.store.cached_step(self.image_id.as_deref(), key) {
            Some(id) => {
                let args = std::mem::take(&mut self.args);
                self.load(ctx.store, &id)?;
                self.args = args;
                ctx.progress.stream(" ---> Using cache\n");
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Commits the step: the current config, the history entry and the layer, if any.
    pub fn commit(
        &mut self,
        store: &ImageStore,
        created_by: &str,
        key: &str,
        layer: Option<PendingLayer>,
    ) -> Result<(), ImageError> {
        let diff_id = layer.as_ref().map(|l| l.diff_id.clone());
        let bytes = self.config_bytes(created_by, diff_id.as_deref())?;
        let parent = self.image_id.clone();
        let id = store.commit_step(&bytes, layer, parent.as_deref(), key)?;
        let args = std::mem::take(&mut self.args);
        self.load(store, &id)?;
        self.args = args;
        Ok(())
    }

    /// Variables for expansion: the config's ENV first, then ARGs.
    pub fn lookup(&self, name: &str) -> Option<String> {
        let env = self.config.env.as_deref().unwrap_or(&[]);
        env.iter()
            .find_map(|e| {
                e.split_once('=')
                    .filter(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            })
            .or_else(|| {
                self.args
                    .iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            })
    }
}
