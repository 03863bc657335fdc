//! The tenants file of `intune plan|apply DIR --tenants FILE`: TOML, a `[[tenant]]` table per
//! tenant.
//!
//! ```toml
//! [[tenant]]
//! name = "contoso"
//! base_url = "https://graph.microsoft.com/beta"
//! token_env = "CONTOSO_GRAPH_TOKEN"     # or token = "…" (then keep the file private)
//! group_map = "maps/contoso.json"       # optional, relative to this file
//!
//! [[tenant]]
//! name = "fabrikam"
//! tenant_id = "fabrikam.onmicrosoft.com"
//! client_id = "6731de76-14a6-49ae-97bc-6eba6914391e"
//! client_secret_env = "FABRIKAM_CLIENT_SECRET"
//! cloud = "usgov"                        # optional, as --cloud
//! ```
//!
//! A file that is not such a list — an unknown key, a tenant with no way to sign in or two,
//! a name used twice, a variable that is not set — is refused whole (exit 2, nothing sent),
//! and the refusal never quotes a secret.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

use intune_graph::{auth::Secret, cloud::NationalCloud, tenant::GroupMap};
use serde::Deserialize;

/// One `[[tenant]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    base_url: Option<String>,
    token: Option<String>,
    token_env: Option<String>,
    tenant_id: Option<String>,
    client_id: Option<String>,
    client_secret_env: Option<String>,
    cloud: Option<String>,
    authority_host: Option<String>,
    group_map: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    tenant: Vec<Entry>,
}

/// How a tenant signs in (its `Debug` never shows a secret).
#[derive(Debug)]
pub(crate) enum SignIn {
    /// A bearer token sent to `base_url`.
    Token { token: Secret, base_url: String },
    /// The client-credentials flow.
    ClientSecret { tenant_id: String, client_id: String, secret: Secret, authority_host: Option<String> },
}

/// One tenant, checked.
#[derive(Debug)]
pub(crate) struct TenantSpec {
    pub name: String,
    pub sign_in: SignIn,
    /// The Graph base URL (with a client secret: when not the cloud's).
    pub base_url: Option<String>,
    pub cloud: Option<NationalCloud>,
    pub group_map: GroupMap,
}

impl TenantSpec {
    /// What it holds that must never be printed.
    pub(crate) fn secret(&self) -> &Secret {
        match &self.sign_in {
            SignIn::Token { token, .. } => token,
            SignIn::ClientSecret { secret, .. } => secret,
        }
    }
}

/// The tenants of `path`, and warnings (a file holding a token that others may read).
///
/// # Errors
/// One line saying what is wrong and where, never quoting a secret.
pub(crate) fn read(
    path: &Path,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(Vec<TenantSpec>, Vec<String>), String> {
    let at = |message: String| format!("tenants file {}: {message}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| at(e.to_string()))?;
    // toml's own message quotes the offending line, which may hold a token: say where instead.
    let document: Document = toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(0, |span| text[..span.start.min(text.len())].lines().count().max(1));
        at(format!("line {line}: {}", e.message()))
    })?;
    if document.tenant.is_empty() {
        return Err(at("it lists no [[tenant]]".into()));
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut names = BTreeSet::new();
    let mut tenants = Vec::new();
    let mut literal_token = false;
    for (n, entry) in document.tenant.into_iter().enumerate() {
        let which = format!("tenant {} ({:?})", n + 1, entry.name);
        if entry.name.trim().is_empty() || entry.name.chars().any(char::is_control) {
            return Err(at(format!("tenant {}: `name` must be a non-empty line of text", n + 1)));
        }
        if !names.insert(entry.name.to_lowercase()) {
            return Err(at(format!("{which}: the name is used twice")));
        }
        literal_token |= entry.token.is_some();
        tenants.push(spec(entry, folder, &env).map_err(|message| at(format!("{which}: {message}")))?);
    }
    let mut warnings = Vec::new();
    if literal_token && readable_by_others(path) {
        warnings.push(format!(
            "{} holds a token and other users may read it: make it private (chmod 600) or use token_env",
            path.display()
        ));
    }
    Ok((tenants, warnings))
}

fn spec(entry: Entry, folder: &Path, env: &impl Fn(&str) -> Option<String>) -> Result<TenantSpec, String> {
    let variable = |name: &str| -> Result<Secret, String> {
        env(name)
            .filter(|v| !v.trim().is_empty())
            .map(Secret::new)
            .ok_or_else(|| format!("the variable {name} is not set"))
    };
    let by_token = entry.token.is_some() || entry.token_env.is_some();
    let by_secret =
        entry.tenant_id.is_some() || entry.client_id.is_some() || entry.client_secret_env.is_some();
    let sign_in = match (by_token, by_secret) {
        (true, true) => return Err("give a token or a client secret, not both".into()),
        (false, false) => {
            return Err("give `base_url` and `token` (or `token_env`), or `tenant_id`, `client_id` and `client_secret_env`".into());
        }
        (true, false) => {
            let token = match (entry.token, &entry.token_env) {
                (Some(_), Some(_)) => return Err("give `token` or `token_env`, not both".into()),
                (Some(token), None) if !token.trim().is_empty() => Secret::new(token.trim()),
                (Some(_), None) => return Err("`token` is empty".into()),
                (None, Some(name)) => variable(name)?,
                (None, None) => unreachable!("by_token"),
            };
            let base_url = entry.base_url.clone().ok_or("a token needs `base_url`")?;
            SignIn::Token { token, base_url }
        }
        (false, true) => {
            let need = |value: Option<String>, key: &str| value.ok_or_else(|| format!("`{key}` is missing"));
            SignIn::ClientSecret {
                tenant_id: need(entry.tenant_id, "tenant_id")?,
                client_id: need(entry.client_id, "client_id")?,
                secret: variable(&need(entry.client_secret_env, "client_secret_env")?)?,
                authority_host: entry.authority_host.clone(),
            }
        }
    };
    if entry.authority_host.is_some() && matches!(sign_in, SignIn::Token { .. }) {
        return Err("`authority_host` is for a client secret".into());
    }
    let cloud =
        entry.cloud.as_deref().map(str::parse::<NationalCloud>).transpose().map_err(|e| e.to_string())?;
    let group_map = match &entry.group_map {
        Some(file) => GroupMap::from_file(&folder.join(file)).map_err(|e| e.to_string())?,
        None => GroupMap::new(),
    };
    Ok(TenantSpec { name: entry.name, sign_in, base_url: entry.base_url, cloud, group_map })
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("intune-tenants-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tenants.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn env(name: &str) -> Option<String> {
        match name {
            "A_TOKEN" => Some("token-of-a-0123456789".into()),
            "B_SECRET" => Some("secret-of-b-0123456789".into()),
            _ => None,
        }
    }

    #[test]
    fn tenants_sign_in_with_a_token_or_a_client_secret() {
        let path = file(
            "good",
            r#"
[[tenant]]
name = "a"
base_url = "http://127.0.0.1:1/beta"
token_env = "A_TOKEN"

[[tenant]]
name = "b"
tenant_id = "b.onmicrosoft.com"
client_id = "c"
client_secret_env = "B_SECRET"
cloud = "usgov"
"#,
        );
        let (tenants, warnings) = read(&path, env).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(tenants.len(), 2);
        assert!(
            matches!(&tenants[0].sign_in, SignIn::Token { base_url, .. } if base_url == "http://127.0.0.1:1/beta")
        );
        assert_eq!(tenants[0].secret().expose(), "token-of-a-0123456789");
        assert!(
            matches!(&tenants[1].sign_in, SignIn::ClientSecret { tenant_id, .. } if tenant_id == "b.onmicrosoft.com")
        );
        assert_eq!(tenants[1].cloud, Some(NationalCloud::UsGov));
    }

    #[test]
    fn a_bad_file_is_refused_whole_naming_the_tenant_and_never_a_secret() {
        let cases = [
            ("[[tenant]]\nname = \"a\"\n", "tenant 1 (\"a\"): give `base_url` and `token`"),
            (
                "[[tenant]]\nname = \"a\"\ntoken = \"t0ken-very-secret\"\n",
                "tenant 1 (\"a\"): a token needs `base_url`",
            ),
            (
                "[[tenant]]\nname = \"a\"\nbase_url = \"u\"\ntoken_env = \"NOPE\"\n",
                "the variable NOPE is not set",
            ),
            (
                "[[tenant]]\nname = \"a\"\nbase_url = \"u\"\ntoken_env = \"A_TOKEN\"\n[[tenant]]\nname = \"A\"\nbase_url = \"u\"\ntoken_env = \"A_TOKEN\"\n",
                "tenant 2 (\"A\"): the name is used twice",
            ),
            (
                "[[tenant]]\nname = \"a\"\nbase_url = \"u\"\ntoken_env = \"A_TOKEN\"\ncolour = 1\n",
                "unknown field `colour`",
            ),
            ("[[tenant]]\nname = \"a\"\nbase_url = \"u\"\ntoken = \"t0ken-very-secret\nnext = 1\n", "line 4"),
            ("", "it lists no [[tenant]]"),
            (
                "[[tenant]]\nname = \"a\"\ntenant_id = \"t\"\nclient_id = \"c\"\n",
                "`client_secret_env` is missing",
            ),
        ];
        for (n, (text, message)) in cases.iter().enumerate() {
            let err = read(&file(&format!("bad{n}"), text), env).unwrap_err();
            assert!(err.contains(message), "{text:?}: {err}");
            assert!(!err.contains("t0ken-very-secret"), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_file_holding_a_token_that_others_may_read_gets_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let path =
            file("perm", "[[tenant]]\nname = \"a\"\nbase_url = \"u\"\ntoken = \"t0ken-very-secret\"\n");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (_, warnings) = read(&path, env).unwrap();
        assert!(warnings[0].contains("holds a token and other users may read it"), "{warnings:?}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(read(&path, env).unwrap().1.is_empty());
    }
}
