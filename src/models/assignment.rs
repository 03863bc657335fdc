//! Assignments of a device configuration: who gets it (`deviceConfigurationAssignment` with
//! a polymorphic `target`) and the legacy `deviceConfigurationGroupAssignment`.

use std::fmt;

use serde::{
    Deserialize, Deserializer, Serialize, Serializer,
    de::{self, MapAccess},
};
use serde_json::Value;

use super::{
    AdditionalData,
    object::{Held, decode_polymorphic, decode_rest_after, strip_hash},
};

graph_enum! {
    /// Whether an assignment applies or removes the configuration (`deviceConfigAssignmentIntent`).
    pub enum DeviceConfigAssignmentIntent {
        Apply = "apply",
        Remove = "remove",
    }
}

graph_enum! {
    /// Where an assignment comes from (`deviceAndAppManagementAssignmentSource`).
    pub enum AssignmentSource {
        Direct = "direct",
        PolicySets = "policySets",
    }
}

graph_enum! {
    /// How an assignment filter is used (`deviceAndAppManagementAssignmentFilterType`).
    pub enum AssignmentFilterType {
        None = "none",
        Include = "include",
        Exclude = "exclude",
    }
}

graph_fields! {
    /// The assignment filter every target type carries.
    pub struct AssignmentFilter {
        /// Id of the assignment filter.
        filter_id: String = "deviceAndAppManagementAssignmentFilterId",
        /// Whether the filter includes or excludes devices (`none` when there is no filter).
        filter_type: AssignmentFilterType = "deviceAndAppManagementAssignmentFilterType",
    }
}

graph_object! {
    /// Targets the members of an Entra ID group (`#microsoft.graph.groupAssignmentTarget`).
    pub struct GroupAssignmentTarget ("#microsoft.graph.groupAssignmentTarget") {
        groups {
            /// The assignment filter.
            filter: AssignmentFilter,
        }
        fields {
            /// The group's object id.
            group_id: String = "groupId",
        }
    }
}

graph_object! {
    /// Excludes the members of an Entra ID group
    /// (`#microsoft.graph.exclusionGroupAssignmentTarget`).
    pub struct ExclusionGroupAssignmentTarget ("#microsoft.graph.exclusionGroupAssignmentTarget") {
        groups {
            /// The assignment filter.
            filter: AssignmentFilter,
        }
        fields {
            /// The group's object id.
            group_id: String = "groupId",
        }
    }
}

graph_object! {
    /// Targets all devices (`#microsoft.graph.allDevicesAssignmentTarget`).
    pub struct AllDevicesAssignmentTarget ("#microsoft.graph.allDevicesAssignmentTarget") {
        groups {
            /// The assignment filter.
            filter: AssignmentFilter,
        }
        fields {}
    }
}

graph_object! {
    /// Targets all licensed users (`#microsoft.graph.allLicensedUsersAssignmentTarget`).
    pub struct AllLicensedUsersAssignmentTarget ("#microsoft.graph.allLicensedUsersAssignmentTarget") {
        groups {
            /// The assignment filter.
            filter: AssignmentFilter,
        }
        fields {}
    }
}

graph_object! {
    /// Targets a Configuration Manager collection
    /// (`#microsoft.graph.configurationManagerCollectionAssignmentTarget`).
    pub struct ConfigurationManagerCollectionAssignmentTarget ("#microsoft.graph.configurationManagerCollectionAssignmentTarget") {
        groups {
            /// The assignment filter.
            filter: AssignmentFilter,
        }
        fields {
            /// The collection id.
            collection_id: String = "collectionId",
        }
    }
}

graph_object! {
    /// A target type this crate does not model (e.g. `scopeTagGroupAssignmentTarget`),
    /// kept whole and written back unchanged.
    pub struct OtherAssignmentTarget {
        groups {
            /// The assignment filter (every target type has it).
            filter: AssignmentFilter,
        }
        fields {
            /// The `@odata.type` exactly as read (`None` if the object had none).
            odata_type: String = "@odata.type",
        }
    }
}

/// Who an assignment targets, keyed on `@odata.type`
/// (`deviceAndAppManagementAssignmentTarget`).
///
/// ```
/// use intune_graph::models::{AssignmentFilterType, AssignmentTarget};
///
/// let target = AssignmentTarget::group("6f0c7f36-0000-0000-0000-2a3b2b1c0d11")
///     .with_filter("filter-id", AssignmentFilterType::Include);
/// let json = serde_json::to_value(&target).unwrap();
/// assert_eq!(json["@odata.type"], "#microsoft.graph.groupAssignmentTarget");
/// assert_eq!(json["deviceAndAppManagementAssignmentFilterType"], "include");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AssignmentTarget {
    /// `#microsoft.graph.groupAssignmentTarget`
    Group(GroupAssignmentTarget),
    /// `#microsoft.graph.exclusionGroupAssignmentTarget`
    ExclusionGroup(ExclusionGroupAssignmentTarget),
    /// `#microsoft.graph.allDevicesAssignmentTarget`
    AllDevices(AllDevicesAssignmentTarget),
    /// `#microsoft.graph.allLicensedUsersAssignmentTarget`
    AllLicensedUsers(AllLicensedUsersAssignmentTarget),
    /// `#microsoft.graph.configurationManagerCollectionAssignmentTarget`
    ConfigurationManagerCollection(ConfigurationManagerCollectionAssignmentTarget),
    /// Any other target type, kept whole.
    Other(Box<OtherAssignmentTarget>),
}

macro_rules! each_target {
    ($value:expr, $bind:ident => $body:expr) => {
        match $value {
            AssignmentTarget::Group($bind) => $body,
            AssignmentTarget::ExclusionGroup($bind) => $body,
            AssignmentTarget::AllDevices($bind) => $body,
            AssignmentTarget::AllLicensedUsers($bind) => $body,
            AssignmentTarget::ConfigurationManagerCollection($bind) => $body,
            AssignmentTarget::Other($bind) => $body,
        }
    };
}

impl AssignmentTarget {
    /// The members of a group.
    pub fn group(group_id: impl Into<String>) -> Self {
        AssignmentTarget::Group(GroupAssignmentTarget {
            group_id: Some(group_id.into()),
            ..Default::default()
        })
    }

    /// Excludes the members of a group.
    pub fn exclude_group(group_id: impl Into<String>) -> Self {
        AssignmentTarget::ExclusionGroup(ExclusionGroupAssignmentTarget {
            group_id: Some(group_id.into()),
            ..Default::default()
        })
    }

    /// All devices.
    pub fn all_devices() -> Self {
        AssignmentTarget::AllDevices(AllDevicesAssignmentTarget::default())
    }

    /// All licensed users.
    pub fn all_licensed_users() -> Self {
        AssignmentTarget::AllLicensedUsers(AllLicensedUsersAssignmentTarget::default())
    }

    /// A Configuration Manager collection.
    pub fn configuration_manager_collection(collection_id: impl Into<String>) -> Self {
        AssignmentTarget::ConfigurationManagerCollection(ConfigurationManagerCollectionAssignmentTarget {
            collection_id: Some(collection_id.into()),
            ..Default::default()
        })
    }

    /// Adds an assignment filter.
    #[must_use]
    pub fn with_filter(mut self, filter_id: impl Into<String>, filter_type: AssignmentFilterType) -> Self {
        let filter = self.filter_mut();
        filter.filter_id = Some(filter_id.into());
        filter.filter_type = Some(filter_type);
        self
    }

    /// The assignment filter fields.
    pub fn filter(&self) -> &AssignmentFilter {
        each_target!(self, t => &t.filter)
    }

    /// The assignment filter fields, mutably.
    pub fn filter_mut(&mut self) -> &mut AssignmentFilter {
        each_target!(self, t => &mut t.filter)
    }

    /// The group id of a group or exclusion-group target.
    pub fn group_id(&self) -> Option<&str> {
        match self {
            AssignmentTarget::Group(t) => t.group_id.as_deref(),
            AssignmentTarget::ExclusionGroup(t) => t.group_id.as_deref(),
            _ => None,
        }
    }

    /// True for an exclusion-group target.
    pub fn is_exclusion(&self) -> bool {
        matches!(self, AssignmentTarget::ExclusionGroup(_))
    }

    /// The `@odata.type`, with the leading `#` for the modelled types (an unmodelled one as
    /// read, empty when it had none).
    pub fn odata_type(&self) -> &str {
        match self {
            AssignmentTarget::Group(_) => GroupAssignmentTarget::ODATA_TYPE,
            AssignmentTarget::ExclusionGroup(_) => ExclusionGroupAssignmentTarget::ODATA_TYPE,
            AssignmentTarget::AllDevices(_) => AllDevicesAssignmentTarget::ODATA_TYPE,
            AssignmentTarget::AllLicensedUsers(_) => AllLicensedUsersAssignmentTarget::ODATA_TYPE,
            AssignmentTarget::ConfigurationManagerCollection(_) => {
                ConfigurationManagerCollectionAssignmentTarget::ODATA_TYPE
            }
            AssignmentTarget::Other(t) => t.odata_type.as_deref().unwrap_or(""),
        }
    }

    /// The unmodelled properties of the target.
    pub fn additional_data(&self) -> &AdditionalData {
        each_target!(self, t => &t.additional_data)
    }
}

impl super::field_type::FieldType for AssignmentTarget {}

impl Serialize for AssignmentTarget {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        each_target!(self, t => t.serialize(serializer))
    }
}

/// Decodes the rest of a target whose `@odata.type` has been read (`None`: it has none).
fn dispatch<'de, A: MapAccess<'de>>(
    odata_type: Option<&str>,
    held: Held,
    map: A,
) -> Result<AssignmentTarget, A::Error> {
    // The type strings are those the target models declare (their `ODATA_TYPE`).
    let is = |expected: &str| odata_type.map(strip_hash) == Some(strip_hash(expected));
    Ok(if is(GroupAssignmentTarget::ODATA_TYPE) {
        AssignmentTarget::Group(decode_rest_after(held, map)?)
    } else if is(ExclusionGroupAssignmentTarget::ODATA_TYPE) {
        AssignmentTarget::ExclusionGroup(decode_rest_after(held, map)?)
    } else if is(AllDevicesAssignmentTarget::ODATA_TYPE) {
        AssignmentTarget::AllDevices(decode_rest_after(held, map)?)
    } else if is(AllLicensedUsersAssignmentTarget::ODATA_TYPE) {
        AssignmentTarget::AllLicensedUsers(decode_rest_after(held, map)?)
    } else if is(ConfigurationManagerCollectionAssignmentTarget::ODATA_TYPE) {
        AssignmentTarget::ConfigurationManagerCollection(decode_rest_after(held, map)?)
    } else {
        let mut other: OtherAssignmentTarget = decode_rest_after(held, map)?;
        other.odata_type = odata_type.map(str::to_owned);
        AssignmentTarget::Other(Box::new(other))
    })
}

impl<'de> Deserialize<'de> for AssignmentTarget {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = AssignmentTarget;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an assignment target object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AssignmentTarget, A::Error> {
                decode_polymorphic(map, dispatch)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

graph_object! {
    /// One assignment of a device configuration (`#microsoft.graph.deviceConfigurationAssignment`).
    pub struct DeviceConfigurationAssignment ("#microsoft.graph.deviceConfigurationAssignment") {
        groups {}
        fields {
            /// Server-assigned key. Not sent by `assign`.
            [read_only] id: String = "id",
            /// Apply or remove.
            intent: DeviceConfigAssignmentIntent = "intent",
            /// Direct or through a policy set.
            source: AssignmentSource = "source",
            /// Id of the policy set, when `source` is `policySets`.
            source_id: String = "sourceId",
            /// Who is targeted.
            target: AssignmentTarget = "target",
        }
    }
}

impl DeviceConfigurationAssignment {
    /// An assignment to `target`.
    pub fn new(target: AssignmentTarget) -> Self {
        DeviceConfigurationAssignment { target: Some(target), ..Default::default() }
    }

    /// Sets the intent.
    #[must_use]
    pub fn with_intent(mut self, intent: DeviceConfigAssignmentIntent) -> Self {
        self.intent = Some(intent);
        self
    }
}

impl From<AssignmentTarget> for DeviceConfigurationAssignment {
    fn from(target: AssignmentTarget) -> Self {
        DeviceConfigurationAssignment::new(target)
    }
}

graph_object! {
    /// A legacy group assignment (`#microsoft.graph.deviceConfigurationGroupAssignment`).
    pub struct DeviceConfigurationGroupAssignment ("#microsoft.graph.deviceConfigurationGroupAssignment") {
        groups {}
        fields {
            /// Server-assigned key. Not sent by `assign`.
            [read_only] id: String = "id",
            /// The group's object id.
            target_group_id: String = "targetGroupId",
            /// True to exclude the group.
            exclude_group: bool = "excludeGroup",
            /// Navigation: the configuration (never written).
            [read_only] device_configuration: Value = "deviceConfiguration",
        }
    }
}

impl DeviceConfigurationGroupAssignment {
    /// Includes (`exclude = false`) or excludes a group.
    pub fn new(group_id: impl Into<String>, exclude: bool) -> Self {
        DeviceConfigurationGroupAssignment {
            target_group_id: Some(group_id.into()),
            exclude_group: Some(exclude),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::models::object::write_json;

    #[test]
    fn every_modelled_target_round_trips() {
        let cases = [
            json!({"@odata.type": "#microsoft.graph.groupAssignmentTarget", "deviceAndAppManagementAssignmentFilterId": null, "deviceAndAppManagementAssignmentFilterType": "none", "groupId": "g1"}),
            json!({"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "deviceAndAppManagementAssignmentFilterId": "f", "deviceAndAppManagementAssignmentFilterType": "exclude", "groupId": "g2"}),
            json!({"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget", "deviceAndAppManagementAssignmentFilterType": "include", "deviceAndAppManagementAssignmentFilterId": "f2"}),
            json!({"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}),
            json!({"@odata.type": "#microsoft.graph.configurationManagerCollectionAssignmentTarget", "collectionId": "SMS00001"}),
        ];
        let expected = [
            "#microsoft.graph.groupAssignmentTarget",
            "#microsoft.graph.exclusionGroupAssignmentTarget",
            "#microsoft.graph.allDevicesAssignmentTarget",
            "#microsoft.graph.allLicensedUsersAssignmentTarget",
            "#microsoft.graph.configurationManagerCollectionAssignmentTarget",
        ];
        for (case, odata_type) in cases.iter().zip(expected) {
            let target: AssignmentTarget = serde_json::from_value(case.clone()).unwrap();
            assert!(!matches!(target, AssignmentTarget::Other(_)), "{case}");
            assert_eq!(target.odata_type(), odata_type);
            assert_eq!(&serde_json::to_value(&target).unwrap(), case);
        }
        let target: AssignmentTarget = serde_json::from_value(cases[1].clone()).unwrap();
        assert!(target.is_exclusion());
        assert_eq!(target.group_id(), Some("g2"));
        assert_eq!(target.filter().filter_type, Some(AssignmentFilterType::Exclude));
    }

    #[test]
    fn unknown_and_untyped_targets_are_kept() {
        let scope_tag = json!({
            "@odata.type": "#microsoft.graph.scopeTagGroupAssignmentTarget",
            "targetType": "group",
            "entraObjectId": "e1",
            "deviceAndAppManagementAssignmentFilterType": "brandNewFilterKind"
        });
        let target: AssignmentTarget = serde_json::from_value(scope_tag.clone()).unwrap();
        let AssignmentTarget::Other(other) = &target else { panic!("{target:?}") };
        assert_eq!(other.odata_type.as_deref(), Some("#microsoft.graph.scopeTagGroupAssignmentTarget"));
        assert_eq!(
            target.filter().filter_type,
            Some(AssignmentFilterType::Other("brandNewFilterKind".into()))
        );
        assert_eq!(serde_json::to_value(&target).unwrap(), scope_tag);

        // `@odata.type` late, and missing altogether.
        let late = json!({"groupId": "g", "@odata.type": "microsoft.graph.groupAssignmentTarget"});
        let target: AssignmentTarget = serde_json::from_value(late).unwrap();
        assert_eq!(target.group_id(), Some("g"));
        let untyped = json!({"groupId": "g"});
        let target: AssignmentTarget = serde_json::from_value(untyped.clone()).unwrap();
        assert!(matches!(target, AssignmentTarget::Other(_)));
        assert_eq!(serde_json::to_value(&target).unwrap(), untyped);
    }

    #[test]
    fn constructors() {
        let json = |t: AssignmentTarget| serde_json::to_value(t).unwrap();
        assert_eq!(
            json(AssignmentTarget::exclude_group("g")),
            json!({"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": "g"})
        );
        assert_eq!(
            json(AssignmentTarget::all_devices().with_filter("f", AssignmentFilterType::Include)),
            json!({
                "@odata.type": "#microsoft.graph.allDevicesAssignmentTarget",
                "deviceAndAppManagementAssignmentFilterId": "f",
                "deviceAndAppManagementAssignmentFilterType": "include"
            })
        );
        assert_eq!(
            json(AssignmentTarget::all_licensed_users()),
            json!({"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"})
        );
        assert_eq!(
            json(AssignmentTarget::configuration_manager_collection("c")),
            json!({"@odata.type": "#microsoft.graph.configurationManagerCollectionAssignmentTarget", "collectionId": "c"})
        );
    }

    #[test]
    fn assignment_write_body_leaves_out_the_id() {
        let read = json!({
            "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
            "id": "cfg_g1",
            "intent": "apply",
            "source": "direct",
            "sourceId": null,
            "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}
        });
        let assignment: DeviceConfigurationAssignment = serde_json::from_value(read.clone()).unwrap();
        assert_eq!(assignment.target.as_ref().and_then(AssignmentTarget::group_id), Some("g1"));
        assert_eq!(serde_json::to_value(&assignment).unwrap(), read, "lossless");
        let written: Value = serde_json::from_slice(&write_json(&assignment).unwrap()).unwrap();
        let mut expected = read;
        expected.as_object_mut().unwrap().remove("id");
        assert_eq!(written, expected);

        let group = DeviceConfigurationGroupAssignment::new("g", true);
        assert_eq!(
            serde_json::to_value(&group).unwrap(),
            json!({"@odata.type": "#microsoft.graph.deviceConfigurationGroupAssignment", "targetGroupId": "g", "excludeGroup": true})
        );
        let assignment = DeviceConfigurationAssignment::from(AssignmentTarget::all_devices())
            .with_intent(DeviceConfigAssignmentIntent::Remove);
        assert_eq!(assignment.intent, Some(DeviceConfigAssignmentIntent::Remove));
    }
}
