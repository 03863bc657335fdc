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
macro_rules! graph_fields {
    (@ro) => { false };
    (@ro read_only) => { true };
    (@ro not_null) => { false };
    (@nn) => { false };
    (@nn read_only) => { false };
    (@nn not_null) => { true };
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
                self.additional_data.insert(key.to_owned(), value);
                Ok(())
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
                #[allow(unused_mut, unused_assignments)]
                let mut type_written = false;
                $( sink.entry("@odata.type", $odata)?; type_written = true; )?
                $(
                    if $wire == "@odata.type" && !type_written {
                        if let Some(value) = &self.$field {
                            sink.entry("@odata.type", value)?;
                            type_written = true;
                        } else if self.explicit_nulls.contains(null_bit!($wire)) {
                            sink.entry("@odata.type", &())?;
                            type_written = true;
                        }
                    }
                )*
                if !type_written {
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
                $crate::models::object::encode_additional(sink, mode, &self.additional_data, |k| self.field_state(k))
            }
        }

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
