//! start, stop, kill, restart.

use super::deps::{NetnsSpec, RunSpec};
use super::lookup::find;
use super::{hold, ContainerPaths, ContainerTable};
use crate::events::container_event;
use crate::{internal, Engine};
use berth_model::container::etc_files::{
    embedded_resolv_conf, hosts_file, parse_extra_hosts, resolv_conf,
};
use berth_model::container::{Container, NetworkMode, Status};
use berth_model::events::Event;
use berth_model::ApiError;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a SIGKILLed container may take to be reaped before stop gives up waiting.
const KILL_GRACE: Duration = Duration::from_secs(10);

impl Engine {
    /// Starts a container; `Ok(false)` if it was already running (Docker's 304).
    pub fn start_container(self: &Arc<Self>, term: &str) -> Result<bool, ApiError> {
        let table = self.containers()?;
        let id = table.resolve_id(term)?;
        let lock = table.op_lock(&id);
        let _op = hold(&lock);
        let c = table
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {term}")))?;
        if c.state.is_running() {
            return Ok(false);
        }
        self.start_locked(c, false)?;
        Ok(true)
    }

    /// Starts a container whose op lock the caller holds.
    pub(crate) fn start_locked(
        self: &Arc<Self>,
        c: Container,
        is_restart: bool,
    ) -> Result<(), ApiError> {
        let auto_remove = c.request.host.auto_remove;
        let id = c.id.clone();
        let started = self.start_inner(c, is_restart);
        if let Err(e) = &started {
            // Docker records every failed start in the state (`State.Error`, and exit code
            // 128 unless the failure set one), the container staying as it was otherwise.
            let table = self.containers()?;
            let recorded = self.update_container(table, &id, |c| {
                c.state.error = e.message.clone();
                if c.state.exit_code == 0 {
                    c.state.exit_code = 128;
                }
            });
            if let Err(save) = recorded {
                tracing::warn!(container = %id, error = %save.message, "cannot record a failed start");
            }
        }
        if started.is_err() && auto_remove {
            // Docker removes a `--rm` container whose start failed (clients wait for that).
            let engine = self.clone();
            let _ = std::thread::Builder::new()
                .name("autoremove".into())
                .spawn(move || {
                    if let Err(e) = engine.remove_container_with_volumes(&id, true, true) {
                        tracing::error!(container = %id, error = %e.message, "--rm failed");
                    }
                });
        }
        started
    }

    fn start_inner(self: &Arc<Self>, mut c: Container, is_restart: bool) -> Result<(), ApiError> {
        let table = self.containers()?;
        let paths = table.paths(&c.id);
        if let NetworkMode::Container(target) = &c.request.host.network_mode {
            let all = table.lock_all();
            let t = find(&all, target)?;
            c.hostname = t.hostname.clone();
        }
        let netns = self.prepare_network(table, &mut c, &paths)?;
        if let Err(e) = self.publish_ports(table, &mut c) {
            self.release_network(table, &mut c, &paths);
            return Err(e);
        }
        let links = match self.resolve_links(table, &c) {
            Ok(links) => links,
            Err(e) => {
                self.release_network(table, &mut c, &paths);
                return Err(e);
            }
        };
        if let Err(e) = self.prepare_rootfs(table, &c, &paths, &links.hosts) {
            self.release_network(table, &mut c, &paths);
            return Err(e);
        }
        let bind_devices = self.volume_bind_devices(&c.mounts);
        let (mounts, tmpfs) = match container_mounts(&c, &paths, &bind_devices) {
            Ok(m) => m,
            Err(e) => {
                self.release_rootfs(table, &paths);
                self.release_network(table, &mut c, &paths);
                return Err(e);
            }
        };
        if c.request.host.network_mode.owns_netns() {
            self.serve_names(&c, &paths.netns);
        }
        // Docker puts the links' variables first, so the container's own win.
        let mut env = links.env;
        env.extend(c.config.env.iter().cloned());
        let spec = RunSpec {
            id: c.id.clone(),
            rootfs: paths.merged.clone(),
            argv: c.config.argv(),
            env,
            cwd: if c.config.working_dir.is_empty() {
                "/".into()
            } else {
                c.config.working_dir.clone()
            },
            user: c.config.user.clone(),
            hostname: c.hostname.clone(),
            tty: c.request.tty,
            open_stdin: c.request.open_stdin,
            share_host_uts: c.request.host.network_mode == NetworkMode::Host,
            netns,
            mounts,
            tmpfs,
            log_path: paths.log.clone(),
            runtime_dir: paths.runtime_dir.clone(),
            privileged: c.request.host.privileged,
            cap_add: c.request.host.cap_add.clone(),
            cap_drop: c.request.host.cap_drop.clone(),
            security_opt: c.request.host.security_opt.clone(),
        };
        // Its published ports are in the table before its process runs; a table the kernel
        // refuses fails the start and leaves the previous one in place.
        let mut as_running = c.clone();
        as_running.state.status = Status::Running;
        let firewall = match self.apply_firewall_with(&as_running) {
            Ok(guard) => guard,
            Err(e) => {
                self.release_rootfs(table, &paths);
                self.release_network(table, &mut c, &paths);
                return Err(e);
            }
        };
        let started = table.deps.runtime.create(&spec).and_then(|()| {
            // Clients that attached before the start get the stream from the first byte.
            for pending in table.take_pending_attaches(&c.id) {
                let (i, o, e) = pending.streams;
                let _ = pending
                    .reply
                    .send(table.deps.runtime.attach(&c.id, i, o, e));
            }
            table.deps.runtime.start_created(&c.id)
        });
        let started = match started {
            Ok(s) => s,
            Err(e) => {
                self.release_rootfs(table, &paths);
                self.release_network(table, &mut c, &paths);
                let _ = table.deps.runtime.delete(&c.id, &paths.runtime_dir);
                // Docker keeps the container, with the failure recorded in its state.
                c.state.error = e.message.clone();
                c.state.exit_code = if e.message.contains("executable file not found")
                    || e.message.contains("no such file or directory")
                {
                    127
                } else {
                    128
                };
                let _ = self.save_container(table, c);
                // Dropping the override re-applies the table from the store.
                drop(firewall);
                return Err(e);
            }
        };
        c.state.status = Status::Running;
        c.state.pid = started.pid;
        c.state.monitor_pid = started.monitor_pid;
        c.state.error.clear();
        c.state.exit_code = 0;
        c.state.started_at = Some(berth_model::time::now());
        c.state.stopped_by_user = false;
        if is_restart {
            c.state.restart_count += 1;
        }
        let id = c.id.clone();
        // The table has carried its published ports since before the process ran.
        let mut events: Vec<_> = self
            .joined_networks(&c)
            .iter()
            .map(|(nid, name)| self.network_event(nid, name, "connect", Some(&id)))
            .collect();
        events.push(container_event(&c, "start", &[]));
        self.save_container_announcing(table, c, events)?;
        firewall.committed();
        self.spawn_waiter(id.clone());
        self.refresh_linking_hosts(table, &id);
        self.publish_names(table);
        Ok(())
    }

    /// Stops a container: its stop signal (SIGTERM by default), then SIGKILL after `timeout`.
    /// `Ok(false)` if it was not running (Docker's 304).
    pub fn stop_container(
        &self,
        term: &str,
        timeout: Option<Duration>,
        signal: Option<i32>,
    ) -> Result<bool, ApiError> {
        let table = self.containers()?;
        let id = table.resolve_id(term)?;
        let lock = table.op_lock(&id);
        let _op = hold(&lock);
        let stopped = self.stop_locked(table, &id, timeout, signal)?;
        if stopped {
            self.announce(table, &id, "stop", &[]);
        }
        Ok(stopped)
    }

    pub(crate) fn stop_locked(
        &self,
        table: &ContainerTable,
        id: &str,
        timeout: Option<Duration>,
        signal: Option<i32>,
    ) -> Result<bool, ApiError> {
        let c = table
            .get(id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {id}")))?;
        if !c.state.is_running() {
            return Ok(false);
        }
        self.mark_stopped_by_user(table, id)?;
        let timeout = timeout.unwrap_or_else(|| {
            Duration::from_secs(c.request.stop_timeout.unwrap_or(10).max(0) as u64)
        });
        let sig =
            signal.unwrap_or_else(|| parse_signal(&c.config.stop_signal).unwrap_or(libc::SIGTERM));
        if let Err(e) = self.send_signal(table, &c, sig) {
            tracing::warn!(container = %id, error = %e.message, "stop signal failed");
        }
        if !table.wait_not_running(id, timeout) {
            // The process may have died since the first signal: a failed SIGKILL is judged by
            // the wait below, not reported.
            if sig != libc::SIGKILL || !timeout.is_zero() {
                if let Err(e) = self.send_signal(table, &c, libc::SIGKILL) {
                    tracing::debug!(container = %id, error = %e.message, "SIGKILL not delivered");
                }
            }
            if !table.wait_not_running(id, KILL_GRACE) {
                return Err(ApiError::internal(format!(
                    "cannot stop container: {id}: the process did not exit after SIGKILL"
                )));
            }
        }
        Ok(true)
    }

    pub fn kill_container(&self, term: &str, signal: i32) -> Result<(), ApiError> {
        let table = self.containers()?;
        let id = table.resolve_id(term)?;
        let c = table
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {term}")))?;
        if !c.state.is_running() {
            return Err(ApiError::conflict(format!("container {id} is not running")));
        }
        if signal == libc::SIGKILL || signal == libc::SIGTERM || signal == libc::SIGINT {
            self.mark_stopped_by_user(table, &id)?;
        }
        self.send_signal(table, &c, signal)?;
        // moby's Kill: a SIGKILL returns once the container has exited, so a `kill` followed
        // by `inspect` sees it exited (other signals return at once). Waited for outside the
        // signal lock, which the exit takes to announce its die.
        if signal == libc::SIGKILL && !table.wait_not_running(&id, KILL_GRACE) {
            return Err(ApiError::internal(
                "tried to kill container, but did not receive an exit event",
            ));
        }
        Ok(())
    }

    /// Signals the container's process and announces it: `kill` with the signal's number.
    fn send_signal(
        &self,
        table: &ContainerTable,
        c: &Container,
        signal: i32,
    ) -> Result<(), ApiError> {
        let lock = table.signal_lock(&c.id);
        let _held = hold(&lock);
        table
            .deps
            .runtime
            .signal(&c.id, &table.paths(&c.id).runtime_dir, signal)?;
        self.container_event(c, "kill", &[("signal", signal.to_string())]);
        Ok(())
    }

    pub fn restart_container(
        self: &Arc<Self>,
        term: &str,
        timeout: Option<Duration>,
    ) -> Result<(), ApiError> {
        let table = self.containers()?;
        let id = table.resolve_id(term)?;
        let lock = table.op_lock(&id);
        let _op = hold(&lock);
        if self.stop_locked(table, &id, timeout, None)? {
            self.announce(table, &id, "stop", &[]);
        }
        let c = table
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {term}")))?;
        self.start_locked(c, false)?;
        self.announce(table, &id, "restart", &[]);
        Ok(())
    }

    fn mark_stopped_by_user(&self, table: &ContainerTable, id: &str) -> Result<(), ApiError> {
        self.update_container(table, id, |c| c.state.stopped_by_user = true)?
            .map(|_| ())
            .ok_or_else(|| ApiError::not_found(format!("No such container: {id}")))
    }

    /// Changes the current record in place, under the table's lock: a read-modify-write
    /// through [`Engine::save_container`] could put back a state another thread has just
    /// changed (an exit recorded between the read and the write left `rm -f` waiting for a
    /// container that had already stopped). `None` if the container is gone: never
    /// resurrected.
    pub(crate) fn update_container(
        &self,
        table: &ContainerTable,
        id: &str,
        change: impl FnOnce(&mut Container),
    ) -> Result<Option<Container>, ApiError> {
        let mut all = table.lock_all();
        let Some(current) = all.get(id) else {
            return Ok(None);
        };
        let mut c = current.clone();
        change(&mut c);
        self.store.put_container(&c).map_err(internal)?;
        all.insert(c.id.clone(), c.clone());
        table.changed.notify_all();
        Ok(Some(c))
    }

    /// Commits a container record and publishes it to readers and waiters.
    pub(crate) fn save_container(
        &self,
        table: &ContainerTable,
        c: Container,
    ) -> Result<(), ApiError> {
        self.save_container_announcing(table, c, Vec::new())
    }

    /// Commits a container record and publishes `events` before waiters wake, so a client
    /// woken by the change (`docker stop` returning) finds the events already there.
    pub(crate) fn save_container_announcing(
        &self,
        table: &ContainerTable,
        c: Container,
        events: Vec<Event>,
    ) -> Result<(), ApiError> {
        self.store.put_container(&c).map_err(internal)?;
        let mut all = table.lock_all();
        all.insert(c.id.clone(), c);
        for e in events {
            self.events().publish(e);
        }
        table.changed.notify_all();
        Ok(())
    }

    /// A container event from the container's current record.
    pub(crate) fn announce(
        &self,
        table: &ContainerTable,
        id: &str,
        action: &str,
        extra: &[(&str, String)],
    ) {
        if let Some(c) = table.get(id) {
            self.container_event(&c, action, extra);
        }
    }

    /// The network namespace the process will run in, created if it is the container's own,
    /// with the container's endpoints plugged in.
    fn prepare_network(
        &self,
        table: &ContainerTable,
        c: &mut Container,
        paths: &ContainerPaths,
    ) -> Result<NetnsSpec, ApiError> {
        match &c.request.host.network_mode {
            NetworkMode::Host => Ok(NetnsSpec::Host),
            NetworkMode::Container(target) => {
                let all = table.lock_all();
                let t = find(&all, target)?;
                if !t.state.is_running() {
                    return Err(ApiError::conflict(format!(
                        "cannot join network of a non running container: {target}"
                    )));
                }
                Ok(match &t.request.host.network_mode {
                    NetworkMode::Host => NetnsSpec::Host,
                    NetworkMode::Container(_) => {
                        return Err(ApiError::conflict(format!(
                            "cannot join network of container {}: it shares another container's network",
                            t.id
                        )))
                    }
                    _ => NetnsSpec::Path(table.paths(&t.id).netns),
                })
            }
            _ => {
                if let Some(dir) = paths.netns.parent() {
                    std::fs::create_dir_all(dir).map_err(internal)?;
                }
                let _ = self.kernel.delete_sandbox(&paths.netns);
                self.kernel.create_sandbox(&paths.netns).map_err(|e| {
                    ApiError::internal(format!("cannot create the network namespace: {e}"))
                })?;
                if let Err(e) = self.plug_all(c, &paths.netns) {
                    let _ = self.kernel.delete_sandbox(&paths.netns);
                    return Err(e);
                }
                Ok(NetnsSpec::Path(paths.netns.clone()))
            }
        }
    }

    /// Gives the container's addresses back and removes its netns (its veths go with it).
    pub(crate) fn release_network(
        &self,
        table: &ContainerTable,
        c: &mut Container,
        paths: &ContainerPaths,
    ) {
        self.unpublish_ports(table, c);
        self.stop_names(&c.id);
        self.unplug_all(c);
        if c.request.host.network_mode.owns_netns() {
            if let Err(e) = self.kernel.delete_sandbox(&paths.netns) {
                tracing::error!(container = %c.id, error = %e, "cannot remove the network namespace");
            }
        }
    }

    /// Mounts the rootfs and writes /etc/hosts, /etc/hostname and /etc/resolv.conf.
    fn prepare_rootfs(
        &self,
        table: &ContainerTable,
        c: &Container,
        paths: &ContainerPaths,
        link_hosts: &[(String, String)],
    ) -> Result<(), ApiError> {
        for d in [
            &paths.dir,
            &paths.upper,
            &paths.work,
            &paths.merged,
            &paths.runtime_dir,
        ] {
            std::fs::create_dir_all(d).map_err(internal)?;
        }
        self.write_etc_files(table, c, paths, link_hosts)?;
        table
            .deps
            .images
            .mount_rootfs(&c.image_id, &paths.upper, &paths.work, &paths.merged)
    }

    pub(crate) fn release_rootfs(&self, table: &ContainerTable, paths: &ContainerPaths) {
        if let Err(e) = table.deps.images.unmount_rootfs(&paths.merged) {
            tracing::error!(path = %paths.merged.display(), error = %e.message, "cannot unmount a rootfs");
        }
    }

    fn write_etc_files(
        &self,
        table: &ContainerTable,
        c: &Container,
        paths: &ContainerPaths,
        link_hosts: &[(String, String)],
    ) -> Result<(), ApiError> {
        let h = &c.request.host;
        let (hosts, resolv) = match &h.network_mode {
            NetworkMode::Container(target) => {
                // The joined container's files are shared as they are.
                let all = table.lock_all();
                let t = find(&all, target)?;
                let tp = table.paths(&t.id);
                (read(&tp.hosts), read(&tp.resolv_conf))
            }
            NetworkMode::Host => {
                let mut hosts = read(&PathBuf::from("/etc/hosts"));
                for (name, ip) in parse_extra_hosts(&h.extra_hosts) {
                    hosts.push_str(&format!("{ip}\t{name}\n"));
                }
                let host_resolv = read(&PathBuf::from("/etc/resolv.conf"));
                let resolv =
                    if h.dns.is_empty() && h.dns_search.is_empty() && h.dns_options.is_empty() {
                        host_resolv
                    } else {
                        resolv_conf(&host_resolv, &h.dns, &h.dns_search, &h.dns_options)
                    };
                (hosts, resolv)
            }
            _ => (self.hosts_content(c, link_hosts), self.resolv_content(c)),
        };
        write(&paths.hosts, &hosts)?;
        write(&paths.resolv_conf, &resolv)?;
        write(&paths.hostname, &format!("{}\n", c.hostname))
    }
}

impl Engine {
    /// /etc/resolv.conf of a container with its own namespace: the embedded server's on a
    /// user-defined network (its upstreams are the `--dns` servers), else the host's.
    pub(crate) fn resolv_content(&self, c: &Container) -> String {
        let h = &c.request.host;
        if self.wants_resolver(c) {
            embedded_resolv_conf(
                &read(&PathBuf::from("/etc/resolv.conf")),
                &h.dns_search,
                &h.dns_options,
            )
        } else {
            resolv_conf(
                &read(&PathBuf::from("/etc/resolv.conf")),
                &h.dns,
                &h.dns_search,
                &h.dns_options,
            )
        }
    }

    /// /etc/hosts of a container with its own namespace: the standard lines, `--add-host`
    /// entries, its links, then its own addresses.
    pub(crate) fn hosts_content(&self, c: &Container, link_hosts: &[(String, String)]) -> String {
        let mut extra = parse_extra_hosts(&c.request.host.extra_hosts);
        // link lines come as (ip, names); extra hosts as (name, ip)
        extra.extend(
            link_hosts
                .iter()
                .map(|(ip, names)| (names.clone(), ip.clone())),
        );
        hosts_file(&extra, &own_host_lines(c))
    }
}

impl ContainerTable {
    pub(crate) fn resolve_id(&self, term: &str) -> Result<String, ApiError> {
        let all = self.lock_all();
        find(&all, term).map(|c| c.id.clone())
    }

    /// Waits until the container is not running (or gone); false on timeout.
    pub(crate) fn wait_not_running(&self, id: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut all = self.lock_all();
        loop {
            match all.get(id) {
                Some(c) if c.state.is_running() => {}
                _ => return true,
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            all = self
                .changed
                .wait_timeout(all, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }
}

/// The user's binds and volumes (an empty volume first gets the image's content at its
/// path), then the daemon's /etc/hosts, /etc/resolv.conf and /etc/hostname; and the tmpfs
/// mounts.
type StartMounts = (
    Vec<berth_model::container::create::Bind>,
    Vec<(String, Vec<String>)>,
);

fn container_mounts(
    c: &Container,
    paths: &ContainerPaths,
    bind_devices: &std::collections::BTreeMap<String, String>,
) -> Result<StartMounts, ApiError> {
    use berth_model::container::create::Bind;
    use berth_model::container::mounts::{tmpfs_options, MountType};
    let mut mounts = Vec::new();
    let mut tmpfs = Vec::new();
    if c.mounts.is_empty() {
        // a record from before mount points were kept: its binds are all host paths
        mounts = c.request.host.binds.clone();
    }
    for m in &c.mounts {
        match m.typ {
            MountType::Tmpfs => {
                let mut options = m.tmpfs_options.clone();
                if !m.rw {
                    options.push("ro".into());
                }
                tmpfs.push((m.destination.clone(), options));
                continue;
            }
            MountType::Volume => {
                let source = match bind_devices.get(&m.name) {
                    Some(device) => {
                        if !std::path::Path::new(device).is_dir() {
                            return Err(ApiError::internal(format!(
                                "error while mounting volume '{}': failed to mount local volume: mount {device}:{}, flags: 0x1000: no such file or directory",
                                m.source, m.source
                            )));
                        }
                        device.clone()
                    }
                    None => {
                        // a volume whose directory went missing (removed by hand) comes back empty
                        std::fs::create_dir_all(&m.source).map_err(internal)?;
                        m.source.clone()
                    }
                };
                if m.copy_data {
                    let data = std::path::Path::new(&source);
                    crate::volumes::copy_image_content(&paths.merged, &m.destination, data)?;
                }
                mounts.push(Bind {
                    source,
                    destination: m.destination.clone(),
                    read_only: !m.rw,
                    mode: m.mode.clone(),
                });
                continue;
            }
            MountType::Bind => {}
        }
        mounts.push(Bind {
            source: m.source.clone(),
            destination: m.destination.clone(),
            read_only: !m.rw,
            mode: m.mode.clone(),
        });
    }
    for (dest, opts) in &c.request.host.tmpfs {
        tmpfs.push((dest.clone(), tmpfs_options(dest, opts)?));
    }
    for (source, destination) in [
        (&paths.hosts, "/etc/hosts"),
        (&paths.resolv_conf, "/etc/resolv.conf"),
        (&paths.hostname, "/etc/hostname"),
    ] {
        if !mounts.iter().any(|m| m.destination == destination) {
            mounts.push(Bind {
                source: source.display().to_string(),
                destination: destination.to_string(),
                read_only: false,
                mode: String::new(),
            });
        }
    }
    Ok((mounts, tmpfs))
}

/// The container's own addresses with its hostname, as Docker writes them into /etc/hosts:
/// those of its first endpoint (IPv4, then IPv6).
/// A line with the hostname for every address of every endpoint, in connect order: Docker adds
/// one as each endpoint joins and removes it as it leaves.
fn own_host_lines(c: &Container) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    for (_, ep) in c.endpoints() {
        if let Some(v4) = ep.ipv4 {
            lines.push((v4.addr().to_string(), c.hostname.clone()));
        }
        if let Some(v6) = ep.ipv6 {
            lines.push((v6.addr().to_string(), c.hostname.clone()));
        }
    }
    lines
}

fn read(p: &PathBuf) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

fn write(p: &PathBuf, content: &str) -> Result<(), ApiError> {
    std::fs::write(p, content)
        .map_err(|e| ApiError::internal(format!("cannot write {}: {e}", p.display())))
}

/// Docker's signal names: `SIGTERM`, `TERM`, `15`.
pub fn parse_signal(s: &str) -> Option<i32> {
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<i32>() {
        return (1..=64).contains(&n).then_some(n);
    }
    let name = s.to_ascii_uppercase();
    let name = name.strip_prefix("SIG").unwrap_or(&name);
    Some(match name {
        "HUP" => libc::SIGHUP,
        "INT" => libc::SIGINT,
        "QUIT" => libc::SIGQUIT,
        "ILL" => libc::SIGILL,
        "TRAP" => libc::SIGTRAP,
        "ABRT" | "IOT" => libc::SIGABRT,
        "BUS" => libc::SIGBUS,
        "FPE" => libc::SIGFPE,
        "KILL" => libc::SIGKILL,
        "USR1" => libc::SIGUSR1,
        "SEGV" => libc::SIGSEGV,
        "USR2" => libc::SIGUSR2,
        "PIPE" => libc::SIGPIPE,
        "ALRM" => libc::SIGALRM,
        "TERM" => libc::SIGTERM,
        "STKFLT" => libc::SIGSTKFLT,
        "CHLD" => libc::SIGCHLD,
        "CONT" => libc::SIGCONT,
        "STOP" => libc::SIGSTOP,
        "TSTP" => libc::SIGTSTP,
        "TTIN" => libc::SIGTTIN,
        "TTOU" => libc::SIGTTOU,
        "URG" => libc::SIGURG,
        "XCPU" => libc::SIGXCPU,
        "XFSZ" => libc::SIGXFSZ,
        "VTALRM" => libc::SIGVTALRM,
        "PROF" => libc::SIGPROF,
        "WINCH" => libc::SIGWINCH,
        "IO" | "POLL" => libc::SIGIO,
        "PWR" => libc::SIGPWR,
        "SYS" => libc::SIGSYS,
        _ => return None,
    })
}
