//! National clouds: one choice drives the Graph base URL, the sign-in authority and the
//! token scope, so the three cannot disagree (a mismatched audience is the classic
//! "Invalid audience" failure on US Government tenants).

use std::{fmt, str::FromStr};

use url::Url;

/// A Microsoft Graph deployment and its matching Entra ID sign-in authority.
///
/// ```
/// use intune_graph::cloud::NationalCloud;
///
/// let cloud: NationalCloud = "usgov".parse().unwrap();
/// assert_eq!(cloud.graph_base_url().as_str(), "https://graph.microsoft.us/beta");
/// assert_eq!(cloud.authority_host().as_str(), "https://login.microsoftonline.us/");
/// assert_eq!(cloud.scope(), "https://graph.microsoft.us/.default");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NationalCloud {
    /// The global service: `graph.microsoft.com`, `login.microsoftonline.com`.
    #[default]
    Global,
    /// US Government L4 (GCC High): `graph.microsoft.us`, `login.microsoftonline.us`.
    UsGov,
    /// US Government L5 (DoD): `dod-graph.microsoft.us`, `login.microsoftonline.us`.
    UsGovDod,
    /// Microsoft Graph operated by 21Vianet in China: `microsoftgraph.chinacloudapi.cn`,
    /// `login.chinacloudapi.cn`.
    China,
}

impl NationalCloud {
    /// Every cloud, in declaration order.
    pub const ALL: [NationalCloud; 4] =
        [NationalCloud::Global, NationalCloud::UsGov, NationalCloud::UsGovDod, NationalCloud::China];

    /// The Graph host name, e.g. `graph.microsoft.com`.
    pub fn graph_host(self) -> &'static str {
        match self {
            NationalCloud::Global => "graph.microsoft.com",
            NationalCloud::UsGov => "graph.microsoft.us",
            NationalCloud::UsGovDod => "dod-graph.microsoft.us",
            NationalCloud::China => "microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The Entra ID sign-in host name, e.g. `login.microsoftonline.com`.
    pub fn login_host(self) -> &'static str {
        match self {
            NationalCloud::Global => "login.microsoftonline.com",
            // L4 and L5 share one authority; only the Graph host differs.
            NationalCloud::UsGov | NationalCloud::UsGovDod => "login.microsoftonline.us",
            NationalCloud::China => "login.chinacloudapi.cn",
        }
    }

    /// The Graph beta base URL, e.g. `https://graph.microsoft.com/beta`.
    pub fn graph_base_url(self) -> Url {
        https_url(self.graph_host(), "/beta")
    }

    /// The sign-in authority, e.g. `https://login.microsoftonline.com/`.
    pub fn authority_host(self) -> Url {
        https_url(self.login_host(), "/")
    }

    /// The app-only token scope for this cloud's Graph, e.g.
    /// `https://graph.microsoft.com/.default`.
    pub fn scope(self) -> String {
        format!("https://{}/.default", self.graph_host())
    }

    /// The short name used by [`FromStr`] and [`Display`](fmt::Display), e.g. `usgov-dod`.
    pub fn as_str(self) -> &'static str {
        match self {
            NationalCloud::Global => "global",
            NationalCloud::UsGov => "usgov",
            NationalCloud::UsGovDod => "usgov-dod",
            NationalCloud::China => "china",
        }
    }
}

fn https_url(host: &str, path: &str) -> Url {
    // The hosts are compile-time constants; a parse failure would be a typo caught by tests.
    Url::parse(&format!("https://{host}{path}")).expect("national cloud URLs are valid")
}

/// The `.default` token scope for a Graph base URL that is not one of the national
/// clouds (an emulator, a proxy, a canary host): `<scheme>://<host[:port]>/.default`.
///
/// The path, user info, query and fragment are ignored; a default port is omitted. A URL
/// without a host (which [`GraphOrigin`](crate::origin::GraphOrigin) refuses anyway)
/// yields `null/.default`, which no token endpoint accepts.
///
/// ```
/// # use url::Url;
/// use intune_graph::cloud::scope_for;
///
/// let base = Url::parse("http://127.0.0.1:8080/beta").unwrap();
/// assert_eq!(scope_for(&base), "http://127.0.0.1:8080/.default");
/// ```
pub fn scope_for(base: &Url) -> String {
    // `Origin::ascii_serialization` is exactly `scheme://host[:port]`, with the host
    // lower-cased and punycoded and the default port dropped.
    format!("{}/.default", base.origin().ascii_serialization())
}

impl fmt::Display for NationalCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no known national cloud.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown national cloud {0:?}; expected one of: global, usgov, usgov-dod, china")]
pub struct ParseCloudError(String);

impl FromStr for NationalCloud {
    type Err = ParseCloudError;

    /// Parses the short names (`global`, `usgov`, `usgov-dod`, `china`) case-insensitively,
    /// plus the Azure CLI cloud names (`AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`)
    /// and a few common spellings (`public`, `gcc-high`, `dod`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        Ok(match key.as_str() {
            "global" | "public" | "azurecloud" | "azurepubliccloud" => NationalCloud::Global,
            "usgov" | "us-gov" | "usgovernment" | "azureusgovernment" | "gcc-high" | "l4" => {
                NationalCloud::UsGov
            }
            "usgov-dod" | "us-gov-dod" | "usgovdod" | "dod" | "l5" => NationalCloud::UsGovDod,
            "china" | "azurechinacloud" => NationalCloud::China,
            _ => return Err(ParseCloudError(s.to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloud_agrees_with_itself() {
        for cloud in NationalCloud::ALL {
            let base = cloud.graph_base_url();
            assert_eq!(base.scheme(), "https");
            assert_eq!(base.host_str(), Some(cloud.graph_host()));
            assert_eq!(base.path(), "/beta");
            assert_eq!(cloud.scope(), scope_for(&base), "{cloud}");
            assert_eq!(cloud.authority_host().host_str(), Some(cloud.login_host()));
            assert_eq!(cloud.as_str().parse::<NationalCloud>(), Ok(cloud));
            assert_eq!(cloud.to_string(), cloud.as_str());
        }
    }

    #[test]
    fn known_hosts() {
        use NationalCloud::*;
        assert_eq!(Global.scope(), "https://graph.microsoft.com/.default");
        assert_eq!(UsGov.graph_base_url().as_str(), "https://graph.microsoft.us/beta");
        assert_eq!(UsGovDod.scope(), "https://dod-graph.microsoft.us/.default");
        assert_eq!(UsGovDod.authority_host().as_str(), "https://login.microsoftonline.us/");
        assert_eq!(China.graph_host(), "microsoftgraph.chinacloudapi.cn");
        assert_eq!(China.authority_host().as_str(), "https://login.chinacloudapi.cn/");
        assert_eq!(NationalCloud::default(), Global);
    }

    #[test]
    fn parse_is_lenient_about_case_and_aliases() {
        assert_eq!("GLOBAL".parse(), Ok(NationalCloud::Global));
        assert_eq!("AzureUSGovernment".parse(), Ok(NationalCloud::UsGov));
        assert_eq!(" usgov_dod ".parse(), Ok(NationalCloud::UsGovDod));
        assert_eq!("AzureChinaCloud".parse(), Ok(NationalCloud::China));
        let err = "germany".parse::<NationalCloud>().unwrap_err();
        assert!(err.to_string().contains("\"germany\""), "{err}");
    }

    #[test]
    fn scope_for_custom_bases() {
        let cases = [
            ("https://graph.microsoft.com/beta", "https://graph.microsoft.com/.default"),
            ("HTTPS://Graph.Microsoft.COM:443/v1.0?x=1#f", "https://graph.microsoft.com/.default"),
            ("https://canary.graph.microsoft.com:8443/", "https://canary.graph.microsoft.com:8443/.default"),
            ("http://[::1]:9000/beta", "http://[::1]:9000/.default"),
            ("http://user:pw@localhost:80/", "http://localhost/.default"),
        ];
        for (base, scope) in cases {
            assert_eq!(scope_for(&Url::parse(base).unwrap()), scope, "{base}");
        }
        assert_eq!(scope_for(&Url::parse("data:text/plain,x").unwrap()), "null/.default");
    }
}
