//! Docker's `-u` resolution (moby/sys/user `GetExecUser`): `user[:group]`, each a name looked
//! up in the container's /etc/passwd and /etc/group or a number. A numeric uid or gid needs no
//! entry; a name must have one. With a matched user name and no explicit group, the groups
//! that list the user become supplementary groups.

use std::path::Path;

use crate::RuntimeError;

/// The ids a process runs with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedUser {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
    pub home: String,
}

const MAX_ID: i64 = 2147483647;
const RANGE_ERROR: &str = "uids and gids must be in range 0-2147483647";

struct PasswdEntry {
    name: String,
    uid: i64,
    gid: i64,
    home: String,
}

struct GroupEntry {
    name: String,
    gid: i64,
    members: Vec<String>,
}

/// Resolves `spec` against `rootfs/etc/passwd` and `rootfs/etc/group`. A missing file counts
/// as empty. Files reached through a symlink are not followed (they could point outside the
/// container's root filesystem) and count as missing.
pub fn resolve_user(rootfs: &Path, spec: &str) -> Result<ResolvedUser, RuntimeError> {
    let passwd = read_inside(rootfs, "etc/passwd");
    let group = read_inside(rootfs, "etc/group");
    resolve_user_from(spec, passwd.as_deref(), group.as_deref())
}

fn read_inside(rootfs: &Path, rel: &str) -> Option<String> {
    let mut path = rootfs.to_path_buf();
    for part in rel.split('/') {
        path.push(part);
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if meta.file_type().is_symlink() {
            return None;
        }
    }
    std::fs::read_to_string(path).ok()
}

/// The pure part of [`resolve_user`], on the files' contents.
pub fn resolve_user_from(
    spec: &str,
    passwd: Option<&str>,
    group: Option<&str>,
) -> Result<ResolvedUser, RuntimeError> {
    let mut fields = spec.splitn(3, ':');
    let user_arg = fields.next().unwrap_or("").trim();
    let group_arg = fields.next().unwrap_or("").trim();
    let uid_num = parse_id(user_arg);
    let gid_num = parse_id(group_arg);

    let mut out = ResolvedUser {
        uid: 0,
        gid: 0,
        additional_gids: Vec::new(),
        home: "/".into(),
    };
    let users = parse_passwd(passwd.unwrap_or(""));
    let found = users.iter().find(|u| match (user_arg.is_empty(), uid_num) {
        (true, _) => u.uid == 0,
        (false, Some(uid)) => u.uid == uid,
        (false, None) => u.name == user_arg,
    });
    let mut matched_name = None;
    if let Some(u) = found {
        out.uid = to_id(u.uid)?;
        out.gid = to_id(u.gid)?;
        out.home = u.home.clone();
        matched_name = Some(u.name.clone());
    } else if !user_arg.is_empty() {
        let Some(uid) = uid_num else {
            return Err(RuntimeError::User(format!(
                "unable to find user {user_arg}: no matching entries in passwd file"
            )));
        };
        out.uid = to_id(uid)?;
    }

    if group_arg.is_empty() && matched_name.is_none() {
        return Ok(out);
    }
    let groups = parse_group(group.unwrap_or(""));
    if group_arg.is_empty() {
        let name = matched_name.unwrap_or_default();
        for g in groups.iter().filter(|g| g.members.contains(&name)) {
            out.additional_gids.push(to_id(g.gid)?);
        }
        return Ok(out);
    }
    let found = groups.iter().find(|g| match gid_num {
        Some(gid) => g.gid == gid,
        None => g.name == group_arg,
    });
    out.gid = match (found, gid_num) {
        (Some(g), _) => to_id(g.gid)?,
        (None, Some(gid)) => to_id(gid)?,
        (None, None) => {
            return Err(RuntimeError::User(format!(
                "unable to find group {group_arg}: no matching entries in group file"
            )))
        }
    };
    Ok(out)
}

/// Go's `strconv.Atoi`: optional sign, decimal digits, nothing else.
fn parse_id(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Out-of-range numbers still count as numeric: they fail the range check below.
    Some(s.parse::<i64>().unwrap_or(i64::MAX))
}

fn to_id(n: i64) -> Result<u32, RuntimeError> {
    if (0..=MAX_ID).contains(&n) {
        Ok(n as u32)
    } else {
        Err(RuntimeError::User(RANGE_ERROR.into()))
    }
}

fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            let get = |i: usize| f.get(i).copied().unwrap_or("");
            PasswdEntry {
                name: get(0).to_string(),
                uid: get(2).parse().unwrap_or(0),
                gid: get(3).parse().unwrap_or(0),
                home: get(5).to_string(),
            }
        })
        .collect()
}

fn parse_group(text: &str) -> Vec<GroupEntry> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            let get = |i: usize| f.get(i).copied().unwrap_or("");
            GroupEntry {
                name: get(0).to_string(),
                gid: get(2).parse().unwrap_or(0),
                members: get(3)
                    .split(',')
                    .filter(|m| !m.is_empty())
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nalice:x:1000:1000::/home/alice:/bin/sh\n";
    const GROUP: &str =
        "root:x:0:\nnogroup:x:65534:\nalice:x:1000:\nwheel:x:10:alice,bob\naudio:x:29:alice\n";

    fn r(spec: &str) -> Result<ResolvedUser, RuntimeError> {
        resolve_user_from(spec, Some(PASSWD), Some(GROUP))
    }

    #[test]
    fn empty_is_root() {
        let u = r("").unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (0, 0, "/root"));
    }

    #[test]
    fn names_numbers_and_supplementary_groups() {
        let u = r("alice").unwrap();
        assert_eq!((u.uid, u.gid), (1000, 1000));
        assert_eq!(u.additional_gids, vec![10, 29]);
        let u = r("nobody").unwrap();
        assert_eq!((u.uid, u.gid), (65534, 65534));
        let u = r("1234").unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (1234, 0, "/"));
        let u = r("1234:5678").unwrap();
        assert_eq!((u.uid, u.gid), (1234, 5678));
        let u = r("alice:wheel").unwrap();
        assert_eq!((u.uid, u.gid), (1000, 10));
        assert!(u.additional_gids.is_empty());
        let u = r("0:nogroup").unwrap();
        assert_eq!((u.uid, u.gid), (0, 65534));
    }

    #[test]
    fn docker_error_texts() {
        assert_eq!(
            r("nosuch").unwrap_err().to_string(),
            "unable to find user nosuch: no matching entries in passwd file"
        );
        assert_eq!(
            r("alice:nosuch").unwrap_err().to_string(),
            "unable to find group nosuch: no matching entries in group file"
        );
        assert_eq!(r("-1").unwrap_err().to_string(), RANGE_ERROR);
        assert_eq!(
            resolve_user_from("bob", None, None)
                .unwrap_err()
                .to_string(),
            "unable to find user bob: no matching entries in passwd file"
        );
    }
}
