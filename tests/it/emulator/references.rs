//! Emulator: references between configurations, every edge of the schema: `@odata.bind` on
//! create and update, the navigation and `$ref` routes, `$expand`, and deletes.

use super::harness::{DC, Harness, assert_error, ids, minimal, phrase, url, with};
use intune_graph::models::schema::REFERENCES;
use reqwest::Method;
use serde_json::{Value, json};

/// A type that can be created for `ty`: itself, or a subtype of an abstract base.
fn concrete(ty: &str) -> &str {
    match ty {
        "androidCertificateProfileBase" => "androidPkcsCertificateProfile",
        "androidDeviceOwnerCertificateProfileBase" => "androidDeviceOwnerScepCertificateProfile",
        "androidForWorkCertificateProfileBase" => "androidForWorkScepCertificateProfile",
        "androidForWorkEasEmailProfileBase" => "androidForWorkGmailEasConfiguration",
        "androidWorkProfileCertificateProfileBase" => "androidWorkProfileScepCertificateProfile",
        "androidWorkProfileEasEmailProfileBase" => "androidWorkProfileGmailEasConfiguration",
        "aospDeviceOwnerCertificateProfileBase" => "aospDeviceOwnerPkcsCertificateProfile",
        "iosCertificateProfile" => "iosImportedPFXCertificateProfile",
        "iosCertificateProfileBase" => "iosPkcsCertificateProfile",
        "macOSCertificateProfileBase" => "macOSScepCertificateProfile",
        "windowsCertificateProfileBase" => "windows81SCEPCertificateProfile",
        "windowsPhone81CertificateProfileBase" => "windowsPhone81SCEPCertificateProfile",
        other => other,
    }
}

/// Creates a `short_type` whose reference `navigation` is bound to `target`.
async fn linked(h: &Harness, short_type: &str, name: &str, navigation: &str, target: &str) -> String {
    h.create(with(minimal(short_type, name), json!({format!("{navigation}@odata.bind"): url(target)}))).await
}

/// Whether an answer has the property `navigation` or an annotation of it (a typed read has
/// properties whose names start like one: `smimeSigningCertificateUserOverrideEnabled`).
fn shows(body: &Value, navigation: &str) -> bool {
    body.as_object().is_some_and(|o| o.keys().any(|k| k.split('@').next() == Some(navigation)))
}

const WIFI: &str = "iosEnterpriseWiFiConfiguration";
const WIFI_CAST: &str = "microsoft.graph.iosEnterpriseWiFiConfiguration";
const SERVER_ROOTS: &str = "rootCertificatesForServerValidation";
const IDENTITY: &str = "identityCertificateForClientAuthentication";

#[tokio::test]
async fn every_edge_of_the_schema_binds_on_create_and_reads_back() {
    let h = Harness::start().await;
    assert_eq!(REFERENCES.len(), 57);
    for r in REFERENCES {
        let (source, target) = (concrete(r.source), concrete(r.target));
        let t1 = h.create(minimal(target, "t1")).await;
        let t2 = h.create(minimal(target, "t2")).await;
        let bind =
            if r.many { json!([url(&t1), format!("deviceConfigurations/{t2}")]) } else { json!(url(&t1)) };
        let created = h
            .call(Method::POST, DC, Some(with(minimal(source, "s"), json!({r.bind_property(): bind}))))
            .await;
        assert_eq!(created.status, 201, "{source}.{}: {}", r.navigation, created.text);
        let id = created.body["id"].as_str().expect("id").to_owned();
        assert!(!shows(&created.body, r.navigation), "never echoed: {}", created.text);
        let expected = if r.many { vec![t1.clone(), t2.clone()] } else { vec![t1.clone()] };
        let stored = h.emu.state().references(&id).expect("stored");
        assert_eq!(stored.get(r.navigation), Some(&expected), "{source}.{}", r.navigation);
        assert!(!shows(&h.get(&format!("{DC}/{id}")).await.body, r.navigation), "a plain GET shows none");

        let nav = h.get(&format!("{DC}/{id}/microsoft.graph.{source}/{}", r.navigation)).await;
        assert_eq!(nav.status, 200, "{}", nav.text);
        if r.many {
            assert_eq!(ids(&nav.body), [t1.as_str(), t2.as_str()]);
            assert!(nav.body["@odata.context"].as_str().is_some_and(|c| c.ends_with(&format!(
                "$metadata#deviceManagement/deviceConfigurations('{id}')/microsoft.graph.{source}/{}",
                r.navigation
            ))));
        } else {
            assert_eq!(nav.body["id"], t1.as_str());
            assert_eq!(nav.body["@odata.type"], format!("#microsoft.graph.{target}"));
        }
    }
}

#[tokio::test]
async fn binds_are_checked_like_graph_and_nothing_is_stored() {
    let h = Harness::start().await;
    let root = h.create(minimal("iosTrustedRootCertificate", "root")).await;
    let mac_root = h.create(minimal("macOSTrustedRootCertificate", "mac root")).await;
    let scep = h.create(minimal("iosScepCertificateProfile", "scep")).await;
    let wifi = h.create(minimal(WIFI, "wifi")).await;
    let cases = [
        (
            json!({"rootCertificate@odata.bind": url(&root)}),
            "'rootCertificate' is not a navigation property of 'iosEnterpriseWiFiConfiguration'",
        ),
        (json!({"assignments@odata.bind": [url(&root)]}), "'assignments' is not a navigation property"),
        (
            json!({SERVER_ROOTS.to_owned() + "@odata.bind": [url("00000000-0000-0000-0000-000000000000")]}),
            "does not exist",
        ),
        (
            json!({SERVER_ROOTS.to_owned() + "@odata.bind": [url(&mac_root)]}),
            "is a 'macOSTrustedRootCertificate', not a 'iosTrustedRootCertificate'",
        ),
        (json!({SERVER_ROOTS.to_owned() + "@odata.bind": url(&root)}), "must be an array"),
        (json!({IDENTITY.to_owned() + "@odata.bind": [url(&scep)]}), "must be one URL string"),
        (
            json!({IDENTITY.to_owned() + "@odata.bind": url(&root)}),
            "is a 'iosTrustedRootCertificate', not a 'iosCertificateProfileBase'",
        ),
        (json!({SERVER_ROOTS.to_owned() + "@odata.bind": [url(&root), url(&root)]}), "already exist"),
        (
            json!({IDENTITY.to_owned() + "@odata.bind": "https://example.com/nothing"}),
            "does not reference a deviceConfiguration",
        ),
    ];
    for (bind, expected) in &cases {
        let r = h.call(Method::POST, DC, Some(with(minimal(WIFI, "new"), bind.clone()))).await;
        assert_error(&r, 400, "BadRequest");
        assert!(phrase(&r).contains(expected), "{bind}: {}", phrase(&r));
        let r = h
            .call(
                Method::PATCH,
                &format!("{DC}/{wifi}"),
                Some(with(json!({"displayName": "renamed"}), bind.clone())),
            )
            .await;
        assert_error(&r, 400, "BadRequest");
    }
    assert_eq!(h.emu.state().len(), 4, "nothing created");
    let stored = h.emu.state().get(&wifi).expect("stored");
    assert_eq!(
        (stored["displayName"].as_str(), stored["version"].as_i64()),
        (Some("wifi"), Some(1)),
        "nothing updated"
    );
    assert_eq!(h.emu.state().references(&wifi), Some(Default::default()));
    assert_eq!(h.emu.state().references("missing"), None);
}

/// Creates the trusted roots `r1` and `r2`; their ids.
async fn two_roots(h: &Harness) -> (String, String) {
    let root = |name| minimal("iosTrustedRootCertificate", name);
    (h.create(root("r1")).await, h.create(root("r2")).await)
}

#[tokio::test]
async fn patch_binds_replace_a_single_reference_and_add_to_a_collection() {
    let h = Harness::start().await;
    let (r1, r2) = two_roots(&h).await;
    let (s1, s2) = (
        h.create(minimal("iosScepCertificateProfile", "s1")).await,
        h.create(minimal("iosPkcsCertificateProfile", "s2")).await,
    );
    let wifi = h
        .create(with(minimal(WIFI, "wifi"), json!({SERVER_ROOTS.to_owned() + "@odata.bind": [url(&r1)], IDENTITY.to_owned() + "@odata.bind": url(&s1)})))
        .await;
    let patch = json!({SERVER_ROOTS.to_owned() + "@odata.bind": [url(&r2)], IDENTITY.to_owned() + "@odata.bind": url(&s2)});
    let r = h.call(Method::PATCH, &format!("{DC}/{wifi}"), Some(patch)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let refs = h.emu.state().references(&wifi).expect("stored");
    assert_eq!(refs[SERVER_ROOTS], [r1.clone(), r2.clone()], "a collection bind adds");
    assert_eq!(refs[IDENTITY], [s2], "a single bind replaces");
    assert_eq!(h.emu.state().get(&wifi).expect("stored")["version"], 2);

    let r = h
        .call(
            Method::PATCH,
            &format!("{DC}/{wifi}"),
            Some(json!({SERVER_ROOTS.to_owned() + "@odata.bind": [url(&r1)]})),
        )
        .await;
    assert_error(&r, 400, "BadRequest");
    assert!(phrase(&r).contains("already exist"), "{}", phrase(&r));
    assert_eq!(h.emu.state().references(&wifi).expect("stored")[SERVER_ROOTS], [r1, r2]);
}

#[tokio::test]
async fn ref_routes_set_add_list_and_remove() {
    let h = Harness::start().await;
    let (r1, r2) = two_roots(&h).await;
    let scep = h.create(minimal("iosScepCertificateProfile", "scep")).await;
    let wifi = h.create(minimal(WIFI, "wifi")).await;
    let base = format!("{DC}/{wifi}/{WIFI_CAST}");
    let roots = format!("{base}/{SERVER_ROOTS}");
    let identity = format!("{base}/{IDENTITY}");
    let body = |id: &str| Some(json!({"@odata.id": url(id)}));

    assert_error(&h.get(&identity).await, 404, "ResourceNotFound");
    assert_eq!(h.get(&roots).await.body["value"], json!([]));
    assert_eq!(h.call(Method::PUT, &format!("{identity}/$ref"), body(&scep)).await.status, 204);
    assert_eq!(h.get(&identity).await.body["id"], scep.as_str());
    let r = h.get(&format!("{identity}/$ref")).await;
    assert!(
        r.body["@odata.id"].as_str().is_some_and(|u| u.ends_with(&format!("deviceConfigurations('{scep}')"))),
        "{}",
        r.text
    );

    for id in [&r1, &r2] {
        assert_eq!(h.call(Method::POST, &format!("{roots}/$ref"), body(id)).await.status, 204);
    }
    assert_eq!(ids(&h.get(&roots).await.body), [r1.as_str(), r2.as_str()]);
    let refs = h.get(&format!("{roots}/$ref")).await;
    assert!(refs.body["@odata.context"].as_str().is_some_and(|c| c.ends_with("$metadata#Collection($ref)")));
    assert!(refs.body["value"][1]["@odata.id"].as_str().is_some_and(|u| u.ends_with(&format!("('{r2}')"))));

    // Wrong verb for the kind, a member twice, a bad body: 400, nothing changes.
    for (method, path, sent) in [
        (Method::PUT, format!("{roots}/$ref"), body(&r1)),
        (Method::POST, format!("{identity}/$ref"), body(&scep)),
        (Method::POST, format!("{roots}/$ref"), body(&r1)),
        (Method::POST, format!("{roots}/$ref"), Some(json!({"url": "x"}))),
        (Method::DELETE, format!("{roots}/$ref"), None),
    ] {
        assert_error(&h.call(method, &path, sent).await, 400, "BadRequest");
    }
    assert_eq!(h.emu.state().references(&wifi).expect("stored")[SERVER_ROOTS], [r1.clone(), r2.clone()]);

    assert_eq!(h.call(Method::DELETE, &format!("{roots}/{r1}/$ref"), None).await.status, 204);
    assert_error(&h.call(Method::DELETE, &format!("{roots}/{r1}/$ref"), None).await, 404, "ResourceNotFound");
    let by_id = format!("{roots}/$ref?$id={}", url(&r2).replace('\'', "%27"));
    assert_eq!(h.call(Method::DELETE, &by_id, None).await.status, 204);
    assert_eq!(h.call(Method::DELETE, &format!("{identity}/$ref"), None).await.status, 204);
    assert_eq!(h.emu.state().references(&wifi), Some(Default::default()));
    assert_error(&h.get(&identity).await, 404, "ResourceNotFound");
}

#[tokio::test]
async fn the_cast_may_name_the_type_or_a_base_that_has_the_navigation() {
    let h = Harness::start().await;
    let root = h.create(minimal("androidTrustedRootCertificate", "root")).await;
    let scep = linked(&h, "androidScepCertificateProfile", "scep", "rootCertificate", &root).await;
    for cast in ["androidScepCertificateProfile", "androidCertificateProfileBase"] {
        let r = h.get(&format!("{DC}/{scep}/microsoft.graph.{cast}/rootCertificate")).await;
        assert_eq!((r.status, r.body["id"].as_str()), (200, Some(root.as_str())), "{cast}: {}", r.text);
    }
    let other =
        h.get(&format!("{DC}/{scep}/microsoft.graph.androidPkcsCertificateProfile/rootCertificate")).await;
    assert_error(&other, 400, "BadRequest");
    let none = h.get(&format!("{DC}/{scep}/microsoft.graph.iosPkcsCertificateProfile/rootCertificate")).await;
    assert_error(&none, 400, "No method match route template");
}

#[tokio::test]
async fn expand_names_references_on_one_object_and_on_the_list() {
    let h = Harness::start().await;
    let root = h.create(minimal("iosTrustedRootCertificate", "root")).await;
    let with_root = linked(&h, "iosScepCertificateProfile", "linked", "rootCertificate", &root).await;
    let unlinked = h.create(minimal("iosScepCertificateProfile", "unlinked")).await;
    let wifi = h
        .create(with(minimal(WIFI, "wifi"), json!({SERVER_ROOTS.to_owned() + "@odata.bind": [url(&root)]})))
        .await;

    let r = h.get(&format!("{DC}/{with_root}?$expand=rootCertificate,assignments")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["rootCertificate"]["id"], root.as_str());
    assert_eq!(r.body["rootCertificate"]["trustedRootCertificate"], "TUlJQmtUQ0IrUUlKQUtI");
    assert_eq!(r.body["assignments"], json!([]));
    let r = h
        .get(&format!("{DC}/{unlinked}?$expand=microsoft.graph.iosScepCertificateProfile/rootCertificate"))
        .await;
    assert!(r.body.get("rootCertificate").is_some_and(Value::is_null), "{}", r.text);
    assert_error(&h.get(&format!("{DC}/{root}?$expand=rootCertificate")).await, 400, "BadRequest");
    let r = h
        .get(&format!("{DC}/{root}?$expand=microsoft.graph.iosScepCertificateProfile/rootCertificate"))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.get("rootCertificate").is_none(), "another type's cast item is ignored: {}", r.text);

    let list = h
        .get(&format!(
            "{DC}?$expand=microsoft.graph.iosScepCertificateProfile/rootCertificate,{WIFI_CAST}/{SERVER_ROOTS}"
        ))
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    let by_id =
        |id: &str| list.body["value"].as_array().unwrap().iter().find(|o| o["id"] == id).cloned().unwrap();
    assert_eq!(by_id(&with_root)["rootCertificate"]["id"], root.as_str());
    assert!(by_id(&unlinked)["rootCertificate"].is_null());
    assert!(by_id(&root).get("rootCertificate").is_none());
    assert_eq!(by_id(&wifi)[SERVER_ROOTS].as_array().map(|a| a.len()), Some(1));
    let bare = h.get(&format!("{DC}?$expand=rootCertificate")).await;
    assert_error(&bare, 400, "BadRequest");
    assert!(
        phrase(&bare).contains("microsoft.graph.iosScepCertificateProfile/rootCertificate"),
        "{}",
        phrase(&bare)
    );
}

#[tokio::test]
async fn a_referenced_object_cannot_be_deleted_and_a_deleted_referrer_takes_its_edges() {
    let h = Harness::start().await;
    let root = h.create(minimal("iosTrustedRootCertificate", "root")).await;
    let scep = linked(&h, "iosScepCertificateProfile", "Corp SCEP", "rootCertificate", &root).await;
    let r = h.call(Method::DELETE, &format!("{DC}/{root}"), None).await;
    assert_error(&r, 400, "BadRequest");
    assert!(
        phrase(&r).contains(&format!("'{scep}' (Corp SCEP) references it through 'rootCertificate'")),
        "{}",
        phrase(&r)
    );
    assert_eq!(h.emu.state().len(), 2);

    assert_eq!(h.call(Method::DELETE, &format!("{DC}/{scep}"), None).await.status, 204);
    assert_eq!(h.call(Method::DELETE, &format!("{DC}/{root}"), None).await.status, 204);
    assert!(h.emu.state().is_empty());
}

#[tokio::test]
async fn seeded_references_are_served_unchecked() {
    let h = Harness::start().await;
    let root = h.create(minimal("iosTrustedRootCertificate", "root")).await;
    let scep = h.create(minimal("iosScepCertificateProfile", "scep")).await;
    assert!(h.emu.state().set_reference(&scep, "rootCertificate", vec![root.clone()]));
    assert_eq!(h.emu.state().root_certificate(&scep), Some(root.clone()));
    assert_eq!(
        h.get(&format!("{DC}/{scep}/microsoft.graph.iosScepCertificateProfile/rootCertificate")).await.body["id"],
        root.as_str()
    );
    assert!(h.emu.state().set_reference(&scep, "rootCertificate", vec![]));
    assert_eq!(h.emu.state().root_certificate(&scep), None);
    assert!(!h.emu.state().set_reference("missing", "rootCertificate", vec![root]));
}
