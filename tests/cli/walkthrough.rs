//! The README's walkthrough, pasted into bash and into zsh (the default shell on macOS),
//! run as it stands: two emulator tenants, the samples applied to the first, exported,
//! planned, saved and applied to the second.

use std::{path::Path, process::Stdio, time::Duration};

use crate::{iac::temp, support::intune_bin};

/// The first `sh` block after the README's heading of the `intune` command.
fn walkthrough() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme.find("## The `intune` command").expect("the heading")..];
    let block = &section[section.find("```sh\n").expect("a sh block") + "```sh\n".len()..];
    block[..block.find("```").expect("the block's end")].to_owned()
}

/// `from` copied into `to`, folders and all.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Where `shell` is, if the machine has it.
fn find(shell: &str) -> Option<std::path::PathBuf> {
    ["/bin", "/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        .iter()
        .map(|d| Path::new(d).join(shell))
        .find(|p| p.is_file())
}

/// Waits until nothing listens on the walkthrough's ports (the emulators it killed are gone).
async fn ports_free() {
    for _ in 0..100 {
        let busy =
            ["127.0.0.1:8080", "127.0.0.1:8081"].iter().any(|a| std::net::TcpStream::connect(a).is_ok());
        if !busy {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the walkthrough's emulators still listen");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walkthrough_runs_as_pasted_in_bash_and_zsh() {
    let script = walkthrough();
    assert!(script.contains("GRAPH_BASE_URL=$B intune apply --plan plan.json --yes"), "{script}");
    for shell in ["bash", "zsh"] {
        let Some(path) = find(shell) else {
            // CI installs zsh (`.ci/run`); a developer machine without it runs bash only.
            assert!(std::env::var_os("CI").is_none(), "{shell} is not installed");
            eprintln!("skipping {shell}: not installed");
            continue;
        };
        let dir = temp(&format!("walkthrough-{shell}"));
        copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples"), &dir.join("samples"));
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(intune_bin(), bin.join("intune")).unwrap();
        let output = tokio::process::Command::new(path)
            .args(["-c", &script])
            .current_dir(&dir)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("HOME", &dir)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(Duration::from_secs(180), output).await.expect("finishes").unwrap();
        let (stdout, stderr) =
            (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        let shown = format!("{shell}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(output.status.success(), "{shown}");
        assert!(!stderr.contains("unexpected argument") && !stderr.contains("error:"), "{shown}");
        assert!(
            stdout.contains("3 to create, 0 to update, 0 to delete, 0 unchanged, 0 conflicts, 0 skipped"),
            "{shown}"
        );
        assert!(
            stdout.contains("0 to create, 0 to update, 0 to delete, 3 unchanged, 0 conflicts, 0 skipped"),
            "{shown}"
        );
        assert!(stderr.contains("nothing to apply"), "{shown}");
        let verified = stdout
            .lines()
            .filter(|l| l.contains("\"event\":\"verified\"") && l.contains("\"verified\":true"))
            .count();
        assert_eq!(verified, 6, "3 objects verified in each tenant: {shown}");
        assert!(
            dir.join("tenant-a/iosEnterpriseWiFiConfiguration/Corporate Wi-Fi.json").is_file()
                && dir.join("plan.json").is_file()
        );
        ports_free().await;
        std::fs::remove_dir_all(dir).unwrap();
    }
}
