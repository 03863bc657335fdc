//! Declarative generators for Graph models: evolvable enums, flag sets, field groups and
//! objects. Each generated type reads leniently and writes back what it read.

/// A string enum with a variant that keeps any value this crate does not know.
macro_rules! graph_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// Unknown values are kept in [`Other`](Self::Other) and written back verbatim.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "`")] $variant, )+
            /// A value this version of the crate does not know, kept as sent.
            Other(String),
        }

        impl $name {
            /// Every member this crate knows, in schema order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(value) => value,
                }
            }

            /// Reads a wire name; unknown names become [`Other`](Self::Other).
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// False for [`Other`](Self::Other) values.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::models::field_type::FieldType for $name {}

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from_wire(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " member name"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from_wire(v))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

/// A flags enum (`IsFlags="true"`): a set of members written `"a,b"` in schema order.
macro_rules! graph_flags {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            none: $none:expr,
            $( $(#[$vmeta:meta])* $member:ident = $bit:literal => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// Written as member names joined by `,` in schema order without spaces; read
        /// leniently (spaces trimmed, empty pieces skipped, a JSON array of names accepted).
        /// Members this crate does not know are kept and written back after the known ones.
        #[derive(Clone, Default)]
        pub struct $name {
            bits: u32,
            unknown: Vec<String>,
        }

        // Sets are equal when they have the same members, whatever order unknown members
        // were read in (they are still written back in that order).
        impl PartialEq for $name {
            fn eq(&self, other: &$name) -> bool {
                self.bits == other.bits
                    && self.unknown.len() == other.unknown.len()
                    && self.unknown.iter().all(|u| other.unknown.contains(u))
            }
        }

        impl Eq for $name {}

        impl ::std::hash::Hash for $name {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                self.bits.hash(state);
                let mut unknown: Vec<&String> = self.unknown.iter().collect();
                unknown.sort();
                unknown.hash(state);
            }
        }

        impl $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "`")] pub const $member: $name = $name { bits: 1 << $bit, unknown: Vec::new() }; )+

            const MEMBERS: &'static [(u32, &'static str)] = &[$((1 << $bit, $wire)),+];

            /// The wire name of the empty set, when the schema has one (`none`).
            pub const NONE_NAME: Option<&'static str> = $none;

            /// The empty set.
            pub const fn empty() -> Self {
                $name { bits: 0, unknown: Vec::new() }
            }

            /// True when no member is set.
            pub fn is_empty(&self) -> bool {
                self.bits == 0 && self.unknown.is_empty()
            }

            /// True when every member of `other` is in `self`.
            pub fn contains(&self, other: &$name) -> bool {
                self.bits & other.bits == other.bits && other.unknown.iter().all(|u| self.unknown.contains(u))
            }

            /// Adds the members of `other`.
            pub fn insert(&mut self, other: $name) {
                self.bits |= other.bits;
                for name in other.unknown {
                    if !self.unknown.contains(&name) {
                        self.unknown.push(name);
                    }
                }
            }

            /// Members this crate does not know, as read.
            pub fn unknown_members(&self) -> &[String] {
                &self.unknown
            }

            /// Member names: the known ones in schema order, then the unknown ones.
            pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
                Self::MEMBERS
                    .iter()
                    .filter(move |(bit, _)| self.bits & bit != 0)
                    .map(|(_, name)| *name)
                    .chain(self.unknown.iter().map(String::as_str))
            }

            /// Reads a comma-separated list of member names (never fails).
            pub fn parse(value: &str) -> Self {
                let mut set = $name::empty();
                for piece in value.split(',') {
                    set.add_name(piece.trim());
                }
                set
            }

            fn add_name(&mut self, name: &str) {
                if name.is_empty() || Some(name) == Self::NONE_NAME {
                    return;
                }
                match Self::MEMBERS.iter().find(|(_, wire)| *wire == name) {
                    Some((bit, _)) => self.bits |= bit,
                    None => {
                        if !self.unknown.iter().any(|u| u == name) {
                            self.unknown.push(name.to_owned());
                        }
                    }
                }
            }
        }

        impl $crate::models::field_type::FieldType for $name {
            const FLAGS: bool = true;
        }

        impl ::std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(mut self, rhs: $name) -> $name {
                self.insert(rhs);
                self
            }
        }

        impl ::std::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, rhs: $name) {
                self.insert(rhs);
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                if self.is_empty() {
                    return f.write_str(Self::NONE_NAME.unwrap_or(""));
                }
                for (i, name) in self.names().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(name)?;
                }
                Ok(())
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::parse(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // The usual set has one known member: its name is the whole text, so it is
                // written directly instead of through `Display`'s formatting machinery.
                if self.unknown.is_empty() && self.bits.count_ones() <= 1 {
                    if let Some(name) = self.names().next() {
                        return serializer.serialize_str(name);
                    }
                }
                serializer.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a comma-separated list of ", stringify!($name), " members"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::parse(v))
                    }
                    fn visit_seq<A: ::serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<$name, A::Error> {
                        let mut set = $name::empty();
                        // Each element is read like the string form, so `["a,b"]` and `"a,b"`
                        // are the same set and a re-encoding reads back equal.
                        while let Some(names) = seq.next_element::<::std::borrow::Cow<'de, str>>()? {
                            for name in names.split(',') {
                                set.add_name(name.trim());
                            }
                        }
                        Ok(set)
                    }
                }
                deserializer.deserialize_any(Visitor)
            }
        }
    };
}

/// The bit of the field named `$wire` in its struct's `NullFields`, fixed at compile time
/// (a name that is not in the struct's `WIRE_NAMES` fails the build).
macro_rules! null_bit {
    ($wire:literal) => {
        const { $crate::models::object::bit_of(Self::WIRE_NAMES, $wire) }
    };
}

/// Whether a field goes into an encoding of `mode`.
pub(crate) fn field_included(mode: crate::models::object::WriteMode, read_only: bool) -> bool {
    mode == crate::models::object::WriteMode::Full || !read_only
}

/// A group of inherited fields (no `additional_data`; the enclosing object keeps it).
///
/// Field markers: `[read_only]` (server-owned: never written), `[navigation]` (a
/// navigation property: read-only too, and listed apart), `[not_null]` (the service refuses
/// an explicit null). The read-only and navigation names of every model, its groups'
/// included, are compiled into `READ_ONLY_KEYS` and `NAVIGATION_KEYS`.
macro_rules! graph_fields {
    (@ro) => { false };
    (@ro read_only) => { true };
    (@ro navigation) => { true };
    (@ro not_null) => { false };
    (@nn) => { false };
    (@nn read_only) => { false };
    (@nn navigation) => { false };
    (@nn not_null) => { true };
    (@nav) => { false };
    (@nav read_only) => { false };
    (@nav navigation) => { true };
    (@nav not_null) => { false };
    (@prop) => { true };
    (@prop read_only) => { true };
    (@prop navigation) => { false };
    (@prop not_null) => { true };
    // The distinct names of the groups' `$list`, then of the fields whose marker `$marker`
    // selects, computed at compile time.
    (@keys $marker:ident $list:ident [$($gty:ty),*] [$($wire:literal $($ro:ident)?),*]) => {
        graph_fields!(@marked $list [$($gty),*] [$(($wire, graph_fields!(@ $marker $($ro)?))),*])
    };
    // The same for the fields whose type is a flag set (asked of the type, so no field can
    // be forgotten).
    (@flag_keys [$($gty:ty),*] [$($wire:literal : $ty:ty),*]) => {
        graph_fields!(@marked FLAG_KEYS [$($gty),*]
            [$(($wire, <$ty as $crate::models::field_type::FieldType>::FLAGS)),*])
    };
    (@marked $list:ident [$($gty:ty),*] [$(($wire:literal, $selected:expr)),*]) => {{
        const GROUPS: &[&[&str]] = &[$(<$gty>::$list),*];
        const FIELDS: &[(&str, bool)] = &[$(($wire, $selected)),*];
        const N: usize = $crate::models::object::marked_len(GROUPS, FIELDS);
        const KEYS: [&str; N] = $crate::models::object::marked_names(GROUPS, FIELDS);
        &KEYS
    }};
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $([$ro:ident])? $field:ident : $ty:ty = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* #[doc = concat!("\n\nJSON: `", $wire, "`.")] pub $field: Option<$ty>, )+
            /// Which of these fields were read as an explicit `null` (written back as null
            /// while the field stays `None`).
            pub explicit_nulls: $crate::models::NullFields<{ $crate::models::object::null_words(<[&str]>::len(&[$($wire),*])) }>,
        }

        impl $name {
            const WIRE_NAMES: &'static [&'static str] = &[$($wire),+];

            /// JSON names of the fields marked `[read_only]` or `[navigation]`.
            #[allow(dead_code)]
            pub(crate) const READ_ONLY_KEYS: &'static [&'static str] =
                graph_fields!(@keys ro READ_ONLY_KEYS [] [$($wire $($ro)?),+]);

            /// JSON names of the fields marked `[navigation]`.
            #[allow(dead_code)]
            pub(crate) const NAVIGATION_KEYS: &'static [&'static str] =
                graph_fields!(@keys nav NAVIGATION_KEYS [] [$($wire $($ro)?),+]);

            /// JSON names of the fields that hold a flag set.
            #[allow(dead_code)]
            pub(crate) const FLAG_KEYS: &'static [&'static str] =
                graph_fields!(@flag_keys [] [$($wire : $ty),+]);

            /// JSON names of every field but the navigation properties.
            #[allow(dead_code)]
            pub(crate) const PROPERTY_KEYS: &'static [&'static str] =
                graph_fields!(@keys prop PROPERTY_KEYS [] [$($wire $($ro)?),+]);

            /// Whether the field named `wire` (its JSON name) holds an explicit null: it was
            /// read as `null` and has no value since. False for names of other types' fields.
            pub fn is_explicit_null(&self, wire: &str) -> bool {
                match wire {
                    $( $wire => self.$field.is_none()
                        && self.explicit_nulls.contains(null_bit!($wire)), )+
                    _ => false,
                }
            }

            /// Reports the explicit nulls of fields marked `[not_null]` (the service refuses
            /// null there).
            #[allow(dead_code)]
            pub(crate) fn null_problems(&self, problems: &mut $crate::models::validation::Problems) {
                $(
                    if graph_fields!(@nn $($ro)?) && self.is_explicit_null($wire) {
                        problems.push($wire, "cannot be null");
                    }
                )+
            }
        }

        impl $crate::models::object::Fields for $name {
            fn decode_field<'de, A: ::serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> Result<bool, A::Error> {
                match key {
                    $( $wire => {
                        self.$field = $crate::models::object::decode_nullable(
                            map,
                            &mut self.explicit_nulls,
                            null_bit!($wire),
                        )?;
                        Ok(true)
                    } )+
                    _ => Ok(false),
                }
            }

            fn encode_fields<S: $crate::models::entries::EntrySink>(
                &self,
                sink: &mut S,
                mode: $crate::models::object::WriteMode,
            ) -> Result<(), S::Error> {
                $(
                    if $crate::models::macros::field_included(mode, graph_fields!(@ro $($ro)?)) {
                        const KEY: &str = $crate::models::entries::plain_key($wire);
                        if let Some(value) = &self.$field {
                            sink.entry(KEY, value)?;
                        } else if self.explicit_nulls.contains(null_bit!($wire)) {
                            sink.entry(KEY, &())?;
                        }
                    }
                )+
                Ok(())
            }

            fn field_state(&self, key: &str) -> $crate::models::object::FieldState {
                use $crate::models::object::FieldState;
                match key {
                    $( $wire => if self.$field.is_some()
                        || self.explicit_nulls.contains(null_bit!($wire))
                    {
                        FieldState::Set
                    } else {
                        FieldState::Unset { read_only: graph_fields!(@ro $($ro)?) }
                    }, )+
                    _ => FieldState::Unknown,
                }
            }
        }
    };
}

/// A whole object (entity or complex type): optional fixed `@odata.type`, inherited field
/// groups, its own fields and `additional_data`.
macro_rules! graph_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(($odata:literal))? {
            groups { $( $(#[$gmeta:meta])* $group:ident : $gty:ty, )* }
            fields { $( $(#[$fmeta:meta])* $([$ro:ident])? $field:ident : $ty:ty = $wire:literal, )* }
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name {
            $( $(#[$gmeta])* pub $group: $gty, )*
            $( $(#[$fmeta])* #[doc = concat!("\n\nJSON: `", $wire, "`.")] pub $field: Option<$ty>, )*
            /// Which of this type's own fields (not those of `groups`) were read as an
            /// explicit `null`; see `is_explicit_null`.
            pub explicit_nulls: $crate::models::NullFields<{ $crate::models::object::null_words(<[&str]>::len(&[$($wire),*])) }>,
            /// Properties this crate does not model (with their explicit `null`s), kept so
            /// that a read → write round trip loses nothing.
            /// Each is kept as its JSON text and parsed on demand.
            pub additional_data: $crate::models::AdditionalData,
        }

        impl $name {
            #[allow(dead_code)]
            const WIRE_NAMES: &'static [&'static str] = &[$($wire),*];

            $(
                /// The `@odata.type` of this model.
                pub const ODATA_TYPE: &'static str = $odata;
            )?

            /// JSON names of the fields marked `[read_only]` or `[navigation]`, its groups'
            /// included: what a write never sends.
            #[allow(dead_code)]
            pub(crate) const READ_ONLY_KEYS: &'static [&'static str] =
                graph_fields!(@keys ro READ_ONLY_KEYS [$($gty),*] [$($wire $($ro)?),*]);

            /// JSON names of the fields marked `[navigation]`, its groups' included.
            #[allow(dead_code)]
            pub(crate) const NAVIGATION_KEYS: &'static [&'static str] =
                graph_fields!(@keys nav NAVIGATION_KEYS [$($gty),*] [$($wire $($ro)?),*]);

            /// JSON names of the fields that hold a flag set (`"a,b"`), its groups' included:
            /// found from the field types, so a new flags field is listed by the compiler.
            #[allow(dead_code)]
            pub(crate) const FLAG_KEYS: &'static [&'static str] =
                graph_fields!(@flag_keys [$($gty),*] [$($wire : $ty),*]);

            /// JSON names of every field but the navigation properties, its groups' first:
            /// the properties a read of this type carries.
            #[allow(dead_code)]
            pub(crate) const PROPERTY_KEYS: &'static [&'static str] =
                graph_fields!(@keys prop PROPERTY_KEYS [$($gty),*] [$($wire $($ro)?),*]);

            /// Whether the field named `wire` (its JSON name) holds an explicit null: it was
            /// read as `null` and has no value since. Unmodelled properties read as null are
            /// in `additional_data` instead.
            pub fn is_explicit_null(&self, wire: &str) -> bool {
                match wire {
                    $( $wire => return self.$field.is_none()
                        && self.explicit_nulls.contains(null_bit!($wire)), )*
                    _ => {}
                }
                $( if self.$group.is_explicit_null(wire) { return true; } )*
                false
            }

            /// Reports the explicit nulls of fields marked `[not_null]`, its groups' too.
            #[allow(dead_code)]
            pub(crate) fn null_problems(&self, problems: &mut $crate::models::validation::Problems) {
                $( self.$group.null_problems(problems); )*
                $(
                    if graph_fields!(@nn $($ro)?) && self.is_explicit_null($wire) {
                        problems.push($wire, "cannot be null");
                    }
                )*
            }

            #[allow(unused_variables)]
            fn field_state(&self, key: &str) -> $crate::models::object::FieldState {
                #[allow(unused_imports)]
                use $crate::models::object::{FieldState, Fields};
                match key {
                    $( $wire => return if self.$field.is_some()
                        || self.explicit_nulls.contains(null_bit!($wire))
                    {
                        FieldState::Set
                    } else {
                        FieldState::Unset { read_only: graph_fields!(@ro $($ro)?) }
                    }, )*
                    _ => {}
                }
                $(
                    match Fields::field_state(&self.$group, key) {
                        FieldState::Unknown => {}
                        state => return state,
                    }
                )*
                FieldState::Unknown
            }
        }

        impl $crate::models::object::Object for $name {
            fn decode_entry<'de, A: ::serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
                #[allow(unused_imports)]
                use $crate::models::object::Fields;
                match key {
                    $( $wire => {
                        self.$field = $crate::models::object::decode_nullable(
                            map,
                            &mut self.explicit_nulls,
                            null_bit!($wire),
                        )?;
                        return Ok(());
                    } )*
                    $( "@odata.type" => return $crate::models::object::check_odata_type(map, $odata), )?
                    _ => {}
                }
                $(
                    if self.$group.decode_field(key, map)? {
                        return Ok(());
                    }
                )*
                let value: $crate::models::RawJson = map.next_value()?;
                self.additional_data.push_unordered(key.to_owned(), value);
                Ok(())
            }

            fn finish_decode(&mut self) {
                self.additional_data.restore_order();
            }

            fn encode_entries<S: $crate::models::entries::EntrySink>(
                &self,
                sink: &mut S,
                mode: $crate::models::object::WriteMode,
            ) -> Result<(), S::Error> {
                #[allow(unused_imports)]
                use $crate::models::object::Fields;
                // `@odata.type` goes first: OData readers need it before the properties of a
                // derived type. It comes from the model's fixed type, a typed field, or
                // `additional_data`, in that order.
                // The type written is also what a write body's references are looked up by.
                #[allow(unused_mut, unused_assignments)]
                let mut type_written = false;
                #[allow(unused_mut, unused_assignments)]
                let mut written_type: Option<&str> = None;
                $( sink.entry("@odata.type", $odata)?; type_written = true; written_type = Some($odata); )?
                $(
                    if $wire == "@odata.type" && !type_written {
                        if let Some(value) = &self.$field {
                            sink.entry("@odata.type", value)?;
                            type_written = true;
                            written_type = $crate::models::field_type::FieldType::as_text(value);
                        } else if self.explicit_nulls.contains(null_bit!($wire)) {
                            sink.entry("@odata.type", &())?;
                            type_written = true;
                        }
                    }
                )*
                if !type_written {
                    // (`encode_additional` reads this one itself, only when it needs it.)
                    if let Some(value) = self.additional_data.get("@odata.type") {
                        sink.entry("@odata.type", value)?;
                    }
                }
                $( self.$group.encode_fields(sink, mode)?; )*
                $(
                    if $wire != "@odata.type" && $crate::models::macros::field_included(mode, graph_fields!(@ro $($ro)?)) {
                        const KEY: &str = $crate::models::entries::plain_key($wire);
                        if let Some(value) = &self.$field {
                            sink.entry(KEY, value)?;
                        } else if self.explicit_nulls.contains(null_bit!($wire)) {
                            sink.entry(KEY, &())?;
                        }
                    }
                )*
                $crate::models::object::encode_additional(
                    sink,
                    mode,
                    &self.additional_data,
                    written_type,
                    |k| self.field_state(k),
                )
            }
        }

        impl $crate::models::field_type::FieldType for $name {}

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // Inside a write body (a nested object), the body's rules apply.
                ::serde::Serialize::serialize(
                    &$crate::models::object::Encoded(self, $crate::models::object::encoding_mode()),
                    serializer,
                )
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::models::object::deserialize_object(deserializer)
            }
        }
    };
}

/// A polymorphic entity keyed on `@odata.type` (e.g. `deviceConfiguration`): one line per
/// typed subtype generates its enum variant, the `@odata.type` dispatch on read, `From`,
/// its `GraphEntity` impl, the base accessors and the family's read-only and navigation
/// property sets. Each typed subtype is a `graph_object!` with a fixed `@odata.type`, the
/// common fields in a group named `base` (whose type has `check`, the common write rules)
/// and an inherent `check(&self, &mut Problems)` with its own rules. Objects of any other
/// type decode into the last variant, which keeps the type it was read with.
macro_rules! graph_subtypes {
    // `$body` once per variant, with the variant's value bound to `$bind`.
    (@each $name:ident [$($variant:ident)+] $value:expr, $bind:ident => $body:expr) => {
        match $value {
            $( $name::$variant($bind) => $body, )+
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            base: $base:ty,
            accessors: $accessors:ident,
            typed {
                $( $(#[$vmeta:meta])* $variant:ident($ty:ident), )+
            }
            $(#[$ometa:meta])*
            other: $other:ident($other_ty:ident),
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("\n\nSee [`", stringify!($ty), "`] for its `@odata.type`.")]
                $variant(Box<$ty>),
            )+
            $(#[$ometa])*
            $other(Box<$other_ty>),
        }

        impl $name {
            /// JSON names of the properties of every typed subtype (and of the common
            /// fields) that are read-only or navigation properties: never written.
            pub(crate) const READ_ONLY_KEYS: &'static [&'static str] =
                graph_fields!(@keys ro READ_ONLY_KEYS [$($ty,)+ $other_ty] []);

            /// JSON names of the navigation properties of every typed subtype.
            pub(crate) const NAVIGATION_KEYS: &'static [&'static str] =
                graph_fields!(@keys nav NAVIGATION_KEYS [$($ty,)+ $other_ty] []);

            /// Every typed subtype: its `@odata.type`, read-only and navigation properties
            /// (what tests hold the lists and the emulator to).
            #[allow(dead_code)]
            pub(crate) const TYPED: &'static [(&'static str, &'static [&'static str], &'static [&'static str])] =
                &[$(($ty::ODATA_TYPE, $ty::READ_ONLY_KEYS, $ty::NAVIGATION_KEYS)),+];

            /// The JSON names of the flag-set properties (`"a,b"`) of an object of type
            /// `odata_type` (with or without the namespace, in any case): those of its
            /// typed model, found from the field types; an unmodelled type has those of the
            /// common fields.
            #[allow(dead_code)]
            pub(crate) fn flag_properties(odata_type: &str) -> &'static [&'static str] {
                $(
                    if $crate::models::schema::same(odata_type, $ty::ODATA_TYPE) {
                        return $ty::FLAG_KEYS;
                    }
                )+
                $other_ty::FLAG_KEYS
            }

            /// Every typed subtype: its `@odata.type` and all its properties but the
            /// navigation ones (what a read of it carries, `null` when unset).
            #[allow(dead_code)]
            pub(crate) const TYPED_PROPERTIES: &'static [(&'static str, &'static [&'static str])] =
                &[$(($ty::ODATA_TYPE, $ty::PROPERTY_KEYS)),+];

            /// The common fields.
            pub fn base(&self) -> &$base {
                graph_subtypes!(@each $name [$($variant)+ $other] self, c => &c.base)
            }

            /// The common fields, mutably.
            pub fn base_mut(&mut self) -> &mut $base {
                graph_subtypes!(@each $name [$($variant)+ $other] self, c => &mut c.base)
            }

            /// The object's id, when it has one.
            pub fn id(&self) -> Option<&str> {
                graph_subtypes!(@each $name [$($variant)+ $other] self, c => c.id())
            }

            /// The display name, when present.
            pub fn display_name(&self) -> Option<&str> {
                graph_subtypes!(@each $name [$($variant)+ $other] self, c => c.display_name())
            }

            /// The `@odata.type`, with the leading `#` (as read, for an untyped object).
            pub fn odata_type(&self) -> &str {
                graph_subtypes!(@each $name [$($variant)+ $other] self,
                    c => $crate::models::GraphEntity::odata_type(c.as_ref()))
            }

            /// The unmodelled properties of the object.
            pub fn additional_data(&self) -> &$crate::models::AdditionalData {
                graph_subtypes!(@each $name [$($variant)+ $other] self, c => &c.additional_data)
            }

            /// The unmodelled properties of the object, mutably.
            pub fn additional_data_mut(&mut self) -> &mut $crate::models::AdditionalData {
                graph_subtypes!(@each $name [$($variant)+ $other] self, c => &mut c.additional_data)
            }

            /// Whether the modelled property named `wire` (its JSON name) was read as an
            /// explicit `null` and has no value since. Unmodelled properties read as null
            /// are in [`additional_data`](Self::additional_data) instead.
            pub fn is_explicit_null(&self, wire: &str) -> bool {
                graph_subtypes!(@each $name [$($variant)+ $other] self, c => c.is_explicit_null(wire))
            }
        }

        impl $crate::models::field_type::FieldType for $name {}

        impl $crate::models::GraphEntity for $name {
            fn odata_type(&self) -> &str {
                $name::odata_type(self)
            }

            fn validate(&self) -> Result<(), $crate::models::ValidationError> {
                graph_subtypes!(@each $name [$($variant)+ $other] self, c => c.validate())
            }

            fn to_write_json(&self) -> Result<Vec<u8>, serde_json::Error> {
                graph_subtypes!(@each $name [$($variant)+ $other] self, c => c.to_write_json())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                graph_subtypes!(@each $name [$($variant)+ $other] self, c => c.serialize(serializer))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use $crate::models::object::{Held, decode_rest_after, strip_hash};

                // Decodes an object whose `@odata.type` has been read (`None`: it has
                // none): the entries `held` from before the type, then the rest of `map`.
                fn dispatch<'de, A: ::serde::de::MapAccess<'de>>(
                    odata_type: Option<&str>,
                    held: Held,
                    map: A,
                ) -> Result<$name, A::Error> {
                    let bare = odata_type.map(strip_hash);
                    $(
                        if bare == Some(strip_hash($ty::ODATA_TYPE)) {
                            return Ok($name::$variant(Box::new(decode_rest_after(held, map)?)));
                        }
                    )+
                    let mut other: $other_ty = decode_rest_after(held, map)?;
                    other.odata_type = odata_type.map(str::to_owned);
                    Ok($name::$other(Box::new(other)))
                }

                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, map: A) -> Result<$name, A::Error> {
                        $crate::models::object::decode_polymorphic(map, dispatch)
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }

        $(
            impl From<$ty> for $name {
                fn from(value: $ty) -> Self {
                    $name::$variant(Box::new(value))
                }
            }

            impl $crate::models::GraphEntity for $ty {
                fn odata_type(&self) -> &str {
                    Self::ODATA_TYPE
                }

                fn validate(&self) -> Result<(), $crate::models::ValidationError> {
                    let mut problems = $crate::models::validation::Problems::default();
                    self.null_problems(&mut problems);
                    self.base.check(&mut problems);
                    self.check(&mut problems);
                    problems.into_result()
                }

                fn to_write_json(&self) -> Result<Vec<u8>, serde_json::Error> {
                    $crate::models::object::write_json(self)
                }
            }
        )+

        impl From<$other_ty> for $name {
            fn from(value: $other_ty) -> Self {
                $name::$other(Box::new(value))
            }
        }

        $accessors!($($ty,)+ $other_ty);
    };
}
