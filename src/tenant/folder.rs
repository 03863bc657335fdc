//! A snapshot's folder on disk: what plan reads, and what export may write.
//!
//! **Reading** ([`Snapshot::read_dir`]): every `*.json` entry of every sub-folder is read or
//! refused — a dangling symlink, a symlink loop, a FIFO, a folder named `*.json` or an
//! unreadable file stops the read, naming it, so that no object is silently missing from a
//! plan (a `--prune` would delete it). Hidden folders (`.git`, `.vscode`) and files at the
//! top level are not part of a snapshot.
//!
//! **Writing** ([`Snapshot::write_dir`]): export writes and replaces only the files of the
//! objects it exports, in a folder that is empty or is a snapshot: one with the manifest
//! [`MANIFEST`] that export writes (listing the files it wrote), or one that holds nothing but
//! snapshot files (a folder exported by an earlier version, or written by hand). It never
//! follows a symlink (a symlinked type folder or file is refused), never touches a file it
//! did not write except to replace the file of the very object it exports, and removes only
//! files it wrote whose objects are in the selection and gone from the tenant. Every check
//! happens before the first write; files are written whole (a temporary file, then a rename).

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    io::ErrorKind,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

use super::{
    ObjectKey, Snapshot, SnapshotEntry, TenantError,
    files::{UniqueNames, canonical_bytes, read_json_file, safe_stem},
};

/// The file export writes at the top of a snapshot folder: which files it wrote.
pub const MANIFEST: &str = ".intune-snapshot.json";

/// What [`Snapshot::write_dir`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WrittenFiles {
    /// Files written (created or replaced), relative to the folder.
    pub written: Vec<PathBuf>,
    /// Files export had written before whose objects are gone, removed.
    pub removed: Vec<PathBuf>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: u32,
    files: BTreeSet<String>,
}

const MANIFEST_FORMAT: u32 = 1;

impl Snapshot {
    /// Reads every `DIR/<folder>/*.json` file (see the module docs). The folder and file
    /// names carry no meaning; each file's `object` says what it is.
    ///
    /// # Errors
    /// [`TenantError::Io`] naming an entry that cannot be read; [`TenantError::Format`]
    /// naming a file that is not JSON or not a snapshot file.
    pub fn read_dir(dir: &Path) -> Result<Self, TenantError> {
        let entries = json_entries(dir)?
            .into_iter()
            .map(|relative| {
                let path = dir.join(&relative);
                let value = read_json_file(&path)?;
                SnapshotEntry::from_file(&path, &relative, value)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Snapshot::new(entries))
    }

    /// The file of every entry, relative to the snapshot's folder, with its bytes.
    pub fn files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut names: BTreeMap<String, UniqueNames> = BTreeMap::new();
        self.entries()
            .iter()
            .map(|entry| {
                let folder = safe_stem(entry.key.short_type());
                let file = names.entry(folder.to_lowercase()).or_default().file_name(&entry.key.display_name);
                (Path::new(&folder).join(file), canonical_bytes(&entry.to_file()))
            })
            .collect()
    }

    /// Writes one file per entry under `dir` (created if needed), as export does: `selected`
    /// says which objects this snapshot covers (a filtered export covers only some), so that
    /// files export wrote earlier for selected objects that this snapshot no longer holds are
    /// removed, and every other file is left as it is. See the module docs for what is
    /// refused.
    ///
    /// # Errors
    /// [`TenantError::NotASnapshot`], [`TenantError::Symlink`] or [`TenantError::FileTaken`]
    /// before anything is written; [`TenantError::Io`] naming the path.
    pub fn write_dir(
        &self,
        dir: &Path,
        selected: impl Fn(&ObjectKey) -> bool,
    ) -> Result<WrittenFiles, TenantError> {
        let owned = owned_files(dir)?;
        let files = self.files();
        let mut writing = BTreeSet::new();
        for (entry, (relative, _)) in self.entries().iter().zip(&files) {
            check_writable(dir, relative, &owned, &entry.key)?;
            writing.insert(relative_text(relative));
        }
        let mut removing = Vec::new();
        for relative in owned.difference(&writing) {
            let path = dir.join(relative);
            if let Some(folder) = path.parent()
                && fs::symlink_metadata(folder).is_ok_and(|m| m.file_type().is_symlink())
            {
                return Err(TenantError::Symlink { path: folder.to_path_buf() });
            }
            match fs::symlink_metadata(&path) {
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(TenantError::io(&path, e)),
                Ok(meta) if !meta.is_file() => continue,
                Ok(_) => {}
            }
            let entry = SnapshotEntry::from_file(&path, Path::new(relative), read_json_file(&path)?)?;
            if selected(&entry.key) {
                removing.push(PathBuf::from(relative));
            }
        }

        fs::create_dir_all(dir).map_err(|e| TenantError::io(dir, e))?;
        let mut done = WrittenFiles::default();
        for (relative, bytes) in files {
            let path = dir.join(&relative);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| TenantError::io(parent, e))?;
            }
            write_whole(&path, &bytes)?;
            done.written.push(relative);
        }
        for relative in removing {
            let path = dir.join(&relative);
            fs::remove_file(&path).map_err(|e| TenantError::io(&path, e))?;
            done.removed.push(relative);
        }
        let mut listed: BTreeSet<String> = owned;
        listed.extend(writing);
        for removed in &done.removed {
            listed.remove(&relative_text(removed));
        }
        let manifest = Manifest { format: MANIFEST_FORMAT, files: listed };
        let bytes = canonical_bytes(&serde_json::to_value(manifest).expect("a manifest always encodes"));
        write_whole(&dir.join(MANIFEST), &bytes)?;
        Ok(done)
    }
}

/// `a/b.json` whatever the platform's separator.
fn relative_text(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// The paths of the entries of `dir`, as the system lists them; a failed read is an error
/// naming `dir`.
fn entries(dir: &Path) -> Result<impl Iterator<Item = Result<PathBuf, TenantError>>, TenantError> {
    let listing = fs::read_dir(dir).map_err(|e| TenantError::io(dir, e))?;
    Ok(listing.map(move |entry| entry.map(|e| e.path()).map_err(|e| TenantError::io(dir, e))))
}

/// The [`entries`] of `dir` that are not hidden (named `.…`).
fn visible_entries(dir: &Path) -> Result<impl Iterator<Item = Result<PathBuf, TenantError>>, TenantError> {
    Ok(entries(dir)?.filter(|path| !path.as_ref().is_ok_and(|p| p.file_name().is_some_and(hidden))))
}

/// The sub-folders of `dir` that a snapshot may use: not hidden, and folders (through a
/// symlink too, for reading).
fn sub_folders(dir: &Path) -> Result<Vec<PathBuf>, TenantError> {
    let mut folders = Vec::new();
    for path in visible_entries(dir)? {
        let path = path?;
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => folders.push(path),
            Ok(_) => {}
            Err(e) => return Err(TenantError::io(&path, e)),
        }
    }
    folders.sort();
    Ok(folders)
}

/// Every `*.json` entry of `dir`'s sub-folders, relative to `dir`, sorted; an entry that is
/// not a readable regular file is an error naming it.
fn json_entries(dir: &Path) -> Result<Vec<PathBuf>, TenantError> {
    let mut files = Vec::new();
    for folder in sub_folders(dir)? {
        for path in entries(&folder)? {
            let path = path?;
            if !path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json")) {
                continue;
            }
            match fs::metadata(&path) {
                Ok(meta) if meta.is_file() => {}
                Ok(_) => return Err(TenantError::io(&path, not_a_file())),
                Err(e) => return Err(TenantError::io(&path, e)),
            }
            files.push(path.strip_prefix(dir).unwrap_or(&path).to_path_buf());
        }
    }
    files.sort();
    Ok(files)
}

fn not_a_file() -> std::io::Error {
    std::io::Error::new(ErrorKind::InvalidInput, "not a regular file (a snapshot entry must be one)")
}

/// The files export may replace or remove in `dir`: those its manifest lists, or every
/// snapshot file of a folder that holds nothing else. Nothing for a folder that does not
/// exist or holds nothing but hidden entries.
fn owned_files(dir: &Path) -> Result<BTreeSet<String>, TenantError> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(TenantError::io(dir, e)),
        Ok(_) if !dir.is_dir() => return Err(TenantError::io(dir, std::io::Error::other("not a folder"))),
        Ok(_) => {}
    }
    let manifest = dir.join(MANIFEST);
    if fs::symlink_metadata(&manifest).is_ok() {
        let value = read_json_file(&manifest)?;
        let bad = |message: String| TenantError::format(&manifest, message);
        let listed: Manifest =
            serde_json::from_value(value).map_err(|e| bad(format!("not an export manifest: {e}")))?;
        if let Some(odd) = listed.files.iter().find(|f| !is_entry_path(f)) {
            return Err(bad(format!("lists {odd:?}, which is not a `<folder>/<name>.json` path")));
        }
        return Ok(listed.files);
    }
    let mut owned = BTreeSet::new();
    for path in visible_entries(dir)? {
        let path = path?;
        let not_a_snapshot = || TenantError::NotASnapshot { path: dir.to_path_buf(), found: path.clone() };
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(TenantError::Symlink { path });
        }
        if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            return Err(not_a_snapshot());
        }
        for file in entries(&path)? {
            let file = file?;
            let relative = file.strip_prefix(dir).unwrap_or(&file).to_path_buf();
            let is_snapshot_file = fs::symlink_metadata(&file).is_ok_and(|m| m.is_file())
                && file.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
                && read_json_file(&file).and_then(|v| SnapshotEntry::from_file(&file, &relative, v)).is_ok();
            if !is_snapshot_file {
                return Err(TenantError::NotASnapshot { path: dir.to_path_buf(), found: file });
            }
            owned.insert(relative_text(&relative));
        }
    }
    Ok(owned)
}

/// Whether a manifest's line names a file export could have written: `<folder>/<name>.json`,
/// nothing more (a hand-edited manifest cannot point export at `../` or an absolute path).
fn is_entry_path(text: &str) -> bool {
    let mut parts = text.split('/');
    let (Some(folder), Some(file), None) = (parts.next(), parts.next(), parts.next()) else { return false };
    let plain = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && !part.contains(['\\', ':'])
            && !hidden(part.as_ref())
    };
    plain(folder) && plain(file) && file.to_ascii_lowercase().ends_with(".json")
}

/// Refuses to write `relative` (the file of `key`) through a symlink, or over a file export
/// did not write unless that file holds the same object.
fn check_writable(
    dir: &Path,
    relative: &Path,
    owned: &BTreeSet<String>,
    key: &ObjectKey,
) -> Result<(), TenantError> {
    if let Some(folder) = relative.parent().filter(|p| !p.as_os_str().is_empty()) {
        let folder = dir.join(folder);
        if fs::symlink_metadata(&folder).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(TenantError::Symlink { path: folder });
        }
    }
    let path = dir.join(relative);
    let meta = match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(TenantError::io(&path, e)),
        Ok(meta) => meta,
    };
    if meta.file_type().is_symlink() {
        return Err(TenantError::Symlink { path });
    }
    if !meta.is_file() {
        return Err(TenantError::FileTaken { path, reason: "it is not a regular file".into() });
    }
    if owned.contains(&relative_text(relative)) {
        return Ok(());
    }
    let holds = read_json_file(&path).and_then(|v| SnapshotEntry::from_file(&path, relative, v));
    match holds {
        Ok(entry) if &entry.key == key => Ok(()),
        Ok(entry) => Err(TenantError::FileTaken {
            path,
            reason: format!("it holds {} (not written by export)", entry.key),
        }),
        Err(_) => {
            Err(TenantError::FileTaken { path, reason: "it is not a snapshot file export wrote".into() })
        }
    }
}

/// Writes `bytes` to `path` whole: a temporary file next to it, then a rename, so that an
/// export that is interrupted leaves the old file or the new one, never half of one.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), TenantError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&temporary, bytes).map_err(|e| TenantError::io(&temporary, e))?;
    fs::rename(&temporary, path).map_err(|e| {
        let _ = fs::remove_file(&temporary);
        TenantError::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ROOT: &str = "#microsoft.graph.iosTrustedRootCertificate";

    /// A fresh folder under the system's temporary folder.
    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("intune-graph-folder-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn snapshot(names: &[&str]) -> Snapshot {
        Snapshot::new(
            names
                .iter()
                .map(|n| SnapshotEntry::from_object(&json!({"@odata.type": ROOT, "displayName": n})).unwrap())
                .collect(),
        )
    }

    fn tree(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for folder in fs::read_dir(dir).unwrap() {
            let folder = folder.unwrap().path();
            let name = folder.file_name().unwrap().to_string_lossy().into_owned();
            if folder.is_dir() {
                for file in fs::read_dir(&folder).unwrap() {
                    out.push(format!("{name}/{}", file.unwrap().file_name().to_string_lossy()));
                }
            } else {
                out.push(name);
            }
        }
        out.sort();
        out
    }

    #[test]
    fn export_writes_a_manifest_replaces_its_own_files_and_leaves_the_rest() {
        let dir = temp("own");
        let written = snapshot(&["A", "B"]).write_dir(&dir, |_| true).unwrap();
        assert_eq!(written.written.len(), 2);
        let manifest = fs::read(dir.join(MANIFEST)).unwrap();
        assert_eq!(
            String::from_utf8(manifest.clone()).unwrap(),
            "{\n  \"files\": [\n    \"iosTrustedRootCertificate/A.json\",\n    \"iosTrustedRootCertificate/B.json\"\n  ],\n  \"format\": 1\n}\n"
        );
        // A file of the user's own in a type folder, and one in a hidden folder.
        fs::write(dir.join("iosTrustedRootCertificate/notes.json"), b"{\"mine\": true}").unwrap();
        fs::create_dir_all(dir.join(".vscode")).unwrap();
        fs::write(dir.join(".vscode/settings.json"), b"{}").unwrap();
        // B is gone from the tenant, C is new.
        let again = snapshot(&["A", "C"]).write_dir(&dir, |_| true).unwrap();
        assert_eq!(again.removed, [PathBuf::from("iosTrustedRootCertificate/B.json")]);
        assert_eq!(
            tree(&dir),
            [
                ".intune-snapshot.json",
                ".vscode/settings.json",
                "iosTrustedRootCertificate/A.json",
                "iosTrustedRootCertificate/C.json",
                "iosTrustedRootCertificate/notes.json"
            ]
        );
        assert_eq!(fs::read(dir.join("iosTrustedRootCertificate/notes.json")).unwrap(), b"{\"mine\": true}");
        // A filtered export replaces only what it selected.
        let only_a = snapshot(&[]).write_dir(&dir, |key| key.display_name == "A").unwrap();
        assert_eq!(only_a.removed, [PathBuf::from("iosTrustedRootCertificate/A.json")]);
        assert!(dir.join("iosTrustedRootCertificate/C.json").is_file());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_folder_holding_other_things_is_refused_before_anything_is_written() {
        let dir = temp("project");
        fs::create_dir_all(dir.join("config")).unwrap();
        fs::write(dir.join("config/prod.json"), b"{\"db\": \"x\"}").unwrap();
        fs::create_dir_all(dir.join(".vscode")).unwrap();
        fs::write(dir.join(".vscode/settings.json"), b"{}").unwrap();
        let err = snapshot(&["A"]).write_dir(&dir, |_| true).unwrap_err();
        assert!(
            matches!(&err, TenantError::NotASnapshot { found, .. } if found.ends_with("config/prod.json")),
            "{err}"
        );
        assert_eq!(tree(&dir), [".vscode/settings.json", "config/prod.json"]);
        fs::remove_dir_all(dir).unwrap();

        // A folder of snapshot files (an earlier export, or hand-written) is a snapshot.
        let dir = temp("earlier");
        fs::create_dir_all(dir.join("iosTrustedRootCertificate")).unwrap();
        let file = SnapshotEntry::from_object(&json!({"@odata.type": ROOT, "displayName": "Old"}))
            .unwrap()
            .to_file();
        fs::write(dir.join("iosTrustedRootCertificate/Old.json"), canonical_bytes(&file)).unwrap();
        let written = snapshot(&["A"]).write_dir(&dir, |_| true).unwrap();
        assert_eq!(written.removed, [PathBuf::from("iosTrustedRootCertificate/Old.json")]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_file_export_did_not_write_is_replaced_only_when_it_holds_the_same_object() {
        let dir = temp("taken");
        snapshot(&["A"]).write_dir(&dir, |_| true).unwrap();
        let other =
            SnapshotEntry::from_object(&json!({"@odata.type": ROOT, "displayName": "Z"})).unwrap().to_file();
        fs::write(dir.join("iosTrustedRootCertificate/B.json"), canonical_bytes(&other)).unwrap();
        let err = snapshot(&["A", "B"]).write_dir(&dir, |_| true).unwrap_err();
        assert!(matches!(&err, TenantError::FileTaken { .. }), "{err}");
        assert!(err.to_string().contains("it holds iosTrustedRootCertificate \"Z\""), "{err}");
        let same =
            SnapshotEntry::from_object(&json!({"@odata.type": ROOT, "displayName": "B"})).unwrap().to_file();
        fs::write(dir.join("iosTrustedRootCertificate/B.json"), canonical_bytes(&same)).unwrap();
        snapshot(&["A", "B"]).write_dir(&dir, |_| true).unwrap();
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_manifest_cannot_point_export_outside_the_folder() {
        let dir = temp("manifest");
        fs::write(dir.join(MANIFEST), b"{\"format\": 1, \"files\": [\"../../etc/x.json\"]}").unwrap();
        let err = snapshot(&["A"]).write_dir(&dir, |_| true).unwrap_err();
        assert!(
            err.to_string()
                .contains("lists \"../../etc/x.json\", which is not a `<folder>/<name>.json` path"),
            "{err}"
        );
        assert!(!dir.join("iosTrustedRootCertificate").exists());
        fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn export_never_writes_through_a_symlink() {
        let outside = temp("outside");
        let dir = temp("symlinked");
        std::os::unix::fs::symlink(&outside, dir.join("iosTrustedRootCertificate")).unwrap();
        let err = snapshot(&["A"]).write_dir(&dir, |_| true).unwrap_err();
        assert!(matches!(err, TenantError::Symlink { .. }), "{err}");
        assert!(fs::read_dir(&outside).unwrap().next().is_none(), "nothing written outside");
        assert!(!dir.join(MANIFEST).exists());
        fs::remove_file(dir.join("iosTrustedRootCertificate")).unwrap();

        snapshot(&["A"]).write_dir(&dir, |_| true).unwrap();
        let file = dir.join("iosTrustedRootCertificate/A.json");
        fs::remove_file(&file).unwrap();
        std::os::unix::fs::symlink(outside.join("target.json"), &file).unwrap();
        let err = snapshot(&["A"]).write_dir(&dir, |_| true).unwrap_err();
        assert!(matches!(err, TenantError::Symlink { .. }), "{err}");
        assert!(!outside.join("target.json").exists());
        fs::remove_dir_all(dir).unwrap();
        fs::remove_dir_all(outside).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn every_entry_is_read_or_refused() {
        use std::os::unix::fs::symlink;
        type Make = fn(&Path);
        let cases: [(&str, Make); 4] = [
            ("dangling", |p| symlink(p.with_file_name("nowhere"), p).unwrap()),
            ("loop", |p| symlink(p, p).unwrap()),
            ("folder", |p| fs::create_dir(p).unwrap()),
            ("fifo", |p| {
                let made = std::process::Command::new("mkfifo").arg(p).status().unwrap();
                assert!(made.success());
            }),
        ];
        for (name, make) in cases {
            let dir = temp(&format!("entry-{name}"));
            snapshot(&["A"]).write_dir(&dir, |_| true).unwrap();
            let bad = dir.join(format!("iosTrustedRootCertificate/{name}.json"));
            make(&bad);
            let err = Snapshot::read_dir(&dir).unwrap_err();
            assert!(matches!(&err, TenantError::Io { path, .. } if path == &bad), "{name}: {err}");
            fs::remove_dir_all(dir).unwrap();
        }
    }
}
