//! A client-secret credential configured by the Azure environment variables.

use url::Url;

use super::{AuthError, ClientSecretCredential, Secret};
use crate::cloud::NationalCloud;

/// Reads a [`ClientSecretCredential`] from the Azure SDK convention's environment
/// variables:
///
/// | variable | |
/// |---|---|
/// | `AZURE_TENANT_ID` | required |
/// | `AZURE_CLIENT_ID` | required |
/// | `AZURE_CLIENT_SECRET` | required |
/// | `AZURE_AUTHORITY_HOST` | optional, e.g. `https://login.microsoftonline.us` |
/// | `GRAPH_CLOUD` | optional, e.g. `usgov`: that cloud's authority, unless `AZURE_AUTHORITY_HOST` is set |
///
/// With neither of the last two, the credential signs in at the cloud of the
/// [`GraphClient`](crate::GraphClient) it is given to (the global cloud on its own). With
/// `GRAPH_CLOUD`, the client must be built for the same cloud (as the `intune` CLI does
/// with `GRAPH_CLOUD`), or its `build()` fails rather than use a token for another cloud.
///
/// This type has no values; it only groups the constructors.
///
/// ```
/// use intune_graph::auth::EnvironmentCredential;
///
/// let vars = [("AZURE_TENANT_ID", "contoso.onmicrosoft.com"), ("AZURE_CLIENT_ID", "app")];
/// let err = EnvironmentCredential::from_lookup(|name| {
///     vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
/// })
/// .unwrap_err();
/// assert!(err.to_string().contains("AZURE_CLIENT_SECRET"));
/// ```
#[derive(Debug)]
pub enum EnvironmentCredential {}

impl EnvironmentCredential {
    /// The directory (tenant) ID variable.
    pub const TENANT_ID: &'static str = "AZURE_TENANT_ID";
    /// The application (client) ID variable.
    pub const CLIENT_ID: &'static str = "AZURE_CLIENT_ID";
    /// The client secret variable.
    pub const CLIENT_SECRET: &'static str = "AZURE_CLIENT_SECRET";
    /// The optional sign-in authority variable.
    pub const AUTHORITY_HOST: &'static str = "AZURE_AUTHORITY_HOST";
    /// The optional national cloud variable (a [`NationalCloud`] name).
    pub const CLOUD: &'static str = "GRAPH_CLOUD";

    /// Reads the process environment.
    ///
    /// Missing, empty or whitespace-only variables give [`AuthError::NotConfigured`]
    /// naming every one of them, never a credential with an empty secret.
    pub fn from_env() -> Result<ClientSecretCredential, AuthError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (so tests do not
    /// have to mutate the process environment).
    ///
    /// Values are trimmed: Entra IDs and generated secrets never contain whitespace, and a
    /// trailing newline from `$(cat file)` is a common accident.
    pub fn from_lookup(
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<ClientSecretCredential, AuthError> {
        let mut get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let tenant = get(Self::TENANT_ID);
        let client = get(Self::CLIENT_ID);
        let secret = get(Self::CLIENT_SECRET);
        let authority = get(Self::AUTHORITY_HOST);
        let cloud = get(Self::CLOUD);
        let (tenant, client, secret) = match (tenant, client, secret) {
            (Some(tenant), Some(client), Some(secret)) => (tenant, client, secret),
            (tenant, client, secret) => {
                let missing: Vec<&str> = [
                    (Self::TENANT_ID, tenant.is_none()),
                    (Self::CLIENT_ID, client.is_none()),
                    (Self::CLIENT_SECRET, secret.is_none()),
                ]
                .into_iter()
                .filter_map(|(name, missing)| missing.then_some(name))
                .collect();
                return Err(AuthError::NotConfigured(format!(
                    "missing or empty environment variable{}: {}",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                )));
            }
        };
        let credential = ClientSecretCredential::new(tenant, client, Secret::new(secret))?;
        match authority {
            None => match cloud {
                None => Ok(credential),
                Some(name) => {
                    let cloud: NationalCloud = name
                        .parse()
                        .map_err(|e| AuthError::NotConfigured(format!("{}: {e}", Self::CLOUD)))?;
                    Ok(credential.with_cloud(cloud))
                }
            },
            Some(raw) => {
                // Accept a bare host name, as some tooling writes it.
                let with_scheme = if raw.contains("://") { raw.clone() } else { format!("https://{raw}") };
                let url = Url::parse(&with_scheme).map_err(|e| {
                    AuthError::NotConfigured(format!(
                        "{} {raw:?} is not a valid URL: {e}",
                        Self::AUTHORITY_HOST
                    ))
                })?;
                credential.authority_host(url).map_err(|e| match e {
                    AuthError::NotConfigured(message) => {
                        AuthError::NotConfigured(format!("{}: {message}", Self::AUTHORITY_HOST))
                    }
                    other => other,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl FnMut(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn reads_all_variables() {
        let vars = [
            ("AZURE_TENANT_ID", " contoso.onmicrosoft.com\n"),
            ("AZURE_CLIENT_ID", "app-id"),
            ("AZURE_CLIENT_SECRET", "s3cret\n"),
            ("AZURE_AUTHORITY_HOST", "login.microsoftonline.us"),
        ];
        let c = EnvironmentCredential::from_lookup(lookup(&vars)).unwrap();
        assert_eq!(c.tenant_id(), "contoso.onmicrosoft.com");
        assert_eq!(c.client_id(), "app-id");
        assert_eq!(
            c.token_url().as_str(),
            "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
    }

    #[test]
    fn graph_cloud_chooses_the_authority_unless_one_is_given() {
        let base = [("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c"), ("AZURE_CLIENT_SECRET", "s")];
        let with = |extra: &[(&'static str, &'static str)]| {
            let vars: Vec<(&str, &str)> = base.iter().chain(extra).copied().collect();
            EnvironmentCredential::from_lookup(lookup(&vars))
        };
        let c = with(&[("GRAPH_CLOUD", "usgov")]).unwrap();
        assert_eq!(c.token_url().as_str(), "https://login.microsoftonline.us/t/oauth2/v2.0/token");
        let c = with(&[("GRAPH_CLOUD", "china"), ("AZURE_AUTHORITY_HOST", "http://127.0.0.1:9")]).unwrap();
        assert_eq!(c.token_url().as_str(), "http://127.0.0.1:9/t/oauth2/v2.0/token");
        let c = with(&[]).unwrap();
        assert_eq!(c.token_url().as_str(), "https://login.microsoftonline.com/t/oauth2/v2.0/token");
        let err = with(&[("GRAPH_CLOUD", "germany")]).unwrap_err();
        assert!(
            err.to_string().starts_with("credential not configured: GRAPH_CLOUD: unknown national cloud"),
            "{err}"
        );
    }

    #[test]
    fn names_every_missing_variable() {
        let err = EnvironmentCredential::from_lookup(|_| None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "credential not configured: missing or empty environment variables: \
             AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET"
        );
        let vars = [("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c"), ("AZURE_CLIENT_SECRET", "  ")];
        let err = EnvironmentCredential::from_lookup(lookup(&vars)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "credential not configured: missing or empty environment variable: AZURE_CLIENT_SECRET"
        );
    }
}
