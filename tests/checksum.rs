//! Schema checksums: a golden value that pins the canonical form, what the
//! checksum ignores (order, docs, version, rename hints, transient fields),
//! and what changes it (every property of the stored shape).

use serde::{Deserialize, Serialize};
use staged::prelude::*;
use staged::schema::canonical_form;
use staged::{AttributeDescriptor, AttributeType, Checksum, EntityDescriptor, SchemaDescriptor};

/// A serde type stored as JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Style {
    /// A color name.
    pub color: String,
}

/// The small schema of the canonical form's documentation.
#[versioned_schema(version = "1.0.0")]
pub mod small {
    /// A reminder.
    #[model]
    pub struct Reminder {
        /// Unique.
        #[attribute(unique)]
        pub uid: String,
        /// Optional.
        pub notes: Option<String>,
    }
}

/// A schema using every type, option and kind of default.
#[versioned_schema(version = "1.2.3")]
pub mod golden {
    use super::Style;

    /// Every kind of attribute.
    #[model]
    pub struct Reminder {
        /// Unique text.
        #[attribute(unique)]
        pub uid: String,
        /// Renamed: the hint is not part of the shape.
        #[attribute(original_name = "name")]
        pub title: String,
        /// Optional text.
        pub notes: Option<String>,
        /// JSON.
        #[attribute(json)]
        pub style: Style,
        /// Optional JSON with a default.
        #[attribute(json, default = "[\"a\"]")]
        pub tags: Option<Vec<String>>,
        /// Indexed integer with a default.
        #[attribute(index, default = -3)]
        pub priority: i64,
        /// Bool default.
        #[attribute(default = true)]
        pub active: bool,
        /// Real default.
        #[attribute(default = 1.5)]
        pub weight: f64,
        /// Integer literal as a real default.
        #[attribute(default = 2)]
        pub scale: f32,
        /// Text default with characters JSON escapes.
        #[attribute(default = "say \"hi\"\n")]
        pub greeting: String,
        /// Optional bytes.
        pub photo: Option<Vec<u8>>,
        /// Required bytes.
        pub thumbnail: Vec<u8>,
        /// `i8`.
        pub tiny: i8,
        /// `i16`.
        pub short: i16,
        /// `i32`, unique and indexed.
        #[attribute(unique, index)]
        pub medium: i32,
        /// `u8`.
        pub byte: u8,
        /// `u16`.
        pub word: u16,
        /// `u32`.
        pub dword: u32,
        /// Not stored.
        #[transient]
        pub cache: Vec<String>,
    }

    /// An entity with a non-ASCII name.
    #[model(name = "Étiquette")]
    pub struct Tag {
        /// Unique.
        #[attribute(unique)]
        pub name: String,
    }
}

const GOLDEN_CANONICAL_FORM: &str = r#"staged-schema 1
entity "Reminder"
attribute "Reminder" "active" bool required unique=0 index=0 default=bool:true
attribute "Reminder" "byte" u8 required unique=0 index=0 default=none
attribute "Reminder" "dword" u32 required unique=0 index=0 default=none
attribute "Reminder" "greeting" text required unique=0 index=0 default=text:"say \"hi\"\n"
attribute "Reminder" "medium" i32 required unique=1 index=1 default=none
attribute "Reminder" "notes" text optional unique=0 index=0 default=none
attribute "Reminder" "photo" bytes optional unique=0 index=0 default=none
attribute "Reminder" "priority" i64 required unique=0 index=1 default=int:-3
attribute "Reminder" "scale" f32 required unique=0 index=0 default=real:0x4000000000000000
attribute "Reminder" "short" i16 required unique=0 index=0 default=none
attribute "Reminder" "style" json required unique=0 index=0 default=none
attribute "Reminder" "tags" json optional unique=0 index=0 default=text:"[\"a\"]"
attribute "Reminder" "thumbnail" bytes required unique=0 index=0 default=none
attribute "Reminder" "tiny" i8 required unique=0 index=0 default=none
attribute "Reminder" "title" text required unique=0 index=0 default=none
attribute "Reminder" "uid" text required unique=1 index=0 default=none
attribute "Reminder" "weight" f64 required unique=0 index=0 default=real:0x3ff8000000000000
attribute "Reminder" "word" u16 required unique=0 index=0 default=none
entity "Étiquette"
attribute "Étiquette" "name" text required unique=1 index=0 default=none
"#;

/// SHA-256 of [`GOLDEN_CANONICAL_FORM`] (also what `sha256sum` prints for
/// that text). If this changes, every store ever
/// created with this schema stops opening: a change to the canonical form
/// needs a new revision of it, not an edit.
const GOLDEN_CHECKSUM: &str = "3fd5c1dc662e744ddb3f95ad96a9411b62127c8a9ef1ef75aba9765641716411";

/// SHA-256 of the small schema's canonical form.
const SMALL_CHECKSUM: &str = "e4fdbff770a646aee473609f3678f56eca1007b070e04952243ecd6630075c20";

fn checksum_of<S: VersionedSchema>() -> Checksum {
    S::checksum()
}

#[test]
fn canonical_form_of_a_small_schema() {
    assert_eq!(
        canonical_form(<small::Schema as VersionedSchema>::descriptor()),
        "staged-schema 1\n\
         entity \"Reminder\"\n\
         attribute \"Reminder\" \"notes\" text optional unique=0 index=0 default=none\n\
         attribute \"Reminder\" \"uid\" text required unique=1 index=0 default=none\n"
    );
}

#[test]
fn canonical_form_of_every_type_option_and_default() {
    let form = canonical_form(<golden::Schema as VersionedSchema>::descriptor());
    assert_eq!(form, GOLDEN_CANONICAL_FORM, "\n{form}");
}

#[test]
fn golden_checksums() {
    assert_eq!(checksum_of::<golden::Schema>().to_string(), GOLDEN_CHECKSUM);
    assert_eq!(checksum_of::<small::Schema>().to_string(), SMALL_CHECKSUM);
}

#[test]
fn checksum_agrees_with_the_descriptor_and_parses_back() {
    let checksum = checksum_of::<golden::Schema>();
    let descriptor = <golden::Schema as VersionedSchema>::descriptor();
    assert_eq!(checksum, descriptor.checksum());
    assert_eq!(checksum, Checksum::of(descriptor));
    let text = checksum.to_string();
    assert_eq!(text.len(), 64);
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{text}"
    );
    assert_eq!(text.parse::<Checksum>().expect("parses"), checksum);
    assert_eq!(format!("{checksum:?}"), format!("Checksum({text})"));
    let hex: String = checksum
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hex, text);
    for bad in [
        text.to_uppercase(),
        text[..63].to_owned(),
        format!("{}g", &text[..63]),
        format!("{}é", &text[..62]),
    ] {
        assert_eq!(
            bad.parse::<Checksum>().unwrap_err().to_string(),
            format!("invalid checksum `{bad}`: expected 64 lowercase hex digits")
        );
    }
}

#[test]
fn a_descriptor_built_at_run_time_has_the_macro_checksum() {
    let descriptor = SchemaDescriptor::from_entities(
        Version::new(9, 9, 9),
        vec![EntityDescriptor::from_parts(
            "Reminder",
            None,
            vec![
                AttributeDescriptor::named("uid", AttributeType::Text).with_unique(true),
                AttributeDescriptor::named("notes", AttributeType::Text).with_optional(true),
            ],
        )],
    );
    assert_eq!(descriptor.checksum(), checksum_of::<small::Schema>());
    assert_eq!(descriptor.checksum().to_string(), SMALL_CHECKSUM);
}

/// The reference shape for the independence checks.
#[versioned_schema(version = "1.0.0")]
pub mod shape_a {
    use super::Style;

    /// A project.
    #[model]
    pub struct Project {
        /// Unique name.
        #[attribute(unique)]
        pub name: String,
        /// Indexed.
        #[attribute(index, default = 0)]
        pub rank: i64,
        /// JSON.
        #[attribute(json)]
        pub style: Style,
        /// Optional.
        pub archived_at: Option<i64>,
    }

    /// A task.
    #[model]
    pub struct Task {
        /// The title.
        pub title: String,
        /// Done or not.
        #[attribute(default = false)]
        pub done: bool,
    }
}

/// The same shape as [`shape_a`]: models and fields in another order,
/// other doc comments, another version, another Rust struct name, rename
/// hints and transient fields.
#[versioned_schema(version = "7.3.1")]
pub mod shape_b {
    use super::Style;

    /// Tasks are listed first here.
    #[model]
    pub struct Task {
        /// Whether it's finished (a different comment).
        #[attribute(default = false)]
        pub done: bool,
        /// Was called `name` once.
        #[attribute(original_name = "name")]
        pub title: String,
        /// Not stored.
        #[transient]
        pub selected: bool,
    }

    /// Another struct name, the same entity name.
    #[model(name = "Project", original_name = "Folder")]
    pub struct ProjectModel {
        /// Style first.
        #[attribute(json)]
        pub style: Style,
        /// When it was archived.
        pub archived_at: Option<i64>,
        /// Rank, indexed.
        #[attribute(index, default = 0)]
        pub rank: i64,
        /// The unique name comes last here.
        #[attribute(unique)]
        pub name: String,
    }
}

#[test]
fn checksum_ignores_order_docs_version_hints_and_transient_fields() {
    assert_ne!(
        <shape_a::Schema as VersionedSchema>::VERSION,
        <shape_b::Schema as VersionedSchema>::VERSION
    );
    assert_eq!(
        canonical_form(<shape_a::Schema as VersionedSchema>::descriptor()),
        canonical_form(<shape_b::Schema as VersionedSchema>::descriptor())
    );
    assert_eq!(
        checksum_of::<shape_a::Schema>(),
        checksum_of::<shape_b::Schema>()
    );
}

/// Declares a variant of [`shape_a`]'s `Project` (with `Task` unchanged) as
/// module `$module`.
macro_rules! project_variant {
    ($module:ident, $version:literal, { $($fields:tt)* }) => {
        /// A variant of `shape_a`.
        #[versioned_schema(version = $version)]
        #[allow(missing_docs)]
        pub mod $module {
            /// A project.
            #[model]
            pub struct Project {
                $($fields)*
            }

            /// A task.
            #[model]
            pub struct Task {
                /// The title.
                pub title: String,
                /// Done or not.
                #[attribute(default = false)]
                pub done: bool,
            }
        }
    };
}

project_variant!(type_changed, "1.0.0", {
    #[attribute(unique)] pub name: String,
    #[attribute(index, default = 0)] pub rank: i32,
    #[attribute(json)] pub style: super::Style,
    pub archived_at: Option<i64>,
});
project_variant!(optional_changed, "1.0.0", {
    #[attribute(unique)] pub name: String,
    #[attribute(index, default = 0)] pub rank: i64,
    #[attribute(json)] pub style: super::Style,
    pub archived_at: i64,
});
project_variant!(unique_changed, "1.0.0", {
    pub name: String,
    #[attribute(index, default = 0)] pub rank: i64,
    #[attribute(json)] pub style: super::Style,
    pub archived_at: Option<i64>,
});
project_variant!(index_changed, "1.0.0", {
    #[attribute(unique)] pub name: String,
    #[attribute(default = 0)] pub rank: i64,
    #[attribute(json)] pub style: super::Style,
    pub archived_at: Option<i64>,
});
project_variant!(default_changed, "1.0.0", {
    #[attribute(unique)] pub name: String,
    #[attribute(index, default = 1)] pub rank: i64,
    #[attribute(json)] pub style: super::Style,
    pub archived_at: Option<i64>,
});
project_variant!(default_removed, "1.0.0", {
    #[attribute(unique)] pub name: String,
    #[attribute(index)] pub rank: i64,
    #[attribute(json)] pub style: super::Style,
    pub archived_at: Option<i64>,
});
project_variant!(json_changed, "1.0.0", {
    #[attribute(unique)] pub name: String,
    #[attribute(index, default = 0)] pub rank: i64,
    pub style: String,
    pub archived_at: Option<i64>,
});
project_variant!(attribute_renamed, "1.0.0", {
    #[attribute(unique)] pub title: String,
    #[attribute(index, default = 0)] pub rank: i64,
    #[attribute(json)] pub style: super::Style,
    pub archived_at: Option<i64>,
});
project_variant!(attribute_added, "1.0.0", {
    #[attribute(unique)] pub name: String,
    #[attribute(index, default = 0)] pub rank: i64,
    #[attribute(json)] pub style: super::Style,
    pub archived_at: Option<i64>,
    pub color: Option<String>,
});
project_variant!(attribute_removed, "1.0.0", {
    #[attribute(unique)] pub name: String,
    #[attribute(index, default = 0)] pub rank: i64,
    #[attribute(json)] pub style: super::Style,
});

/// `shape_a` with the `Project` entity renamed.
#[versioned_schema(version = "1.0.0")]
pub mod entity_renamed {
    use super::Style;

    /// A project, stored under another name.
    #[model(name = "Folder")]
    pub struct Project {
        /// Unique name.
        #[attribute(unique)]
        pub name: String,
        /// Indexed.
        #[attribute(index, default = 0)]
        pub rank: i64,
        /// JSON.
        #[attribute(json)]
        pub style: Style,
        /// Optional.
        pub archived_at: Option<i64>,
    }

    /// A task.
    #[model]
    pub struct Task {
        /// The title.
        pub title: String,
        /// Done or not.
        #[attribute(default = false)]
        pub done: bool,
    }
}

/// `shape_a` with one more entity.
#[versioned_schema(version = "1.0.0")]
pub mod entity_added {
    use super::Style;

    /// A project.
    #[model]
    pub struct Project {
        /// Unique name.
        #[attribute(unique)]
        pub name: String,
        /// Indexed.
        #[attribute(index, default = 0)]
        pub rank: i64,
        /// JSON.
        #[attribute(json)]
        pub style: Style,
        /// Optional.
        pub archived_at: Option<i64>,
    }

    /// A task.
    #[model]
    pub struct Task {
        /// The title.
        pub title: String,
        /// Done or not.
        #[attribute(default = false)]
        pub done: bool,
    }

    /// A new entity without attributes.
    #[model]
    pub struct Marker {}
}

#[test]
fn every_change_of_the_stored_shape_changes_the_checksum() {
    let base = checksum_of::<shape_a::Schema>();
    let variants = [
        ("type", checksum_of::<type_changed::Schema>()),
        ("optional", checksum_of::<optional_changed::Schema>()),
        ("unique", checksum_of::<unique_changed::Schema>()),
        ("index", checksum_of::<index_changed::Schema>()),
        ("default value", checksum_of::<default_changed::Schema>()),
        ("default removed", checksum_of::<default_removed::Schema>()),
        ("json", checksum_of::<json_changed::Schema>()),
        (
            "attribute renamed",
            checksum_of::<attribute_renamed::Schema>(),
        ),
        ("attribute added", checksum_of::<attribute_added::Schema>()),
        (
            "attribute removed",
            checksum_of::<attribute_removed::Schema>(),
        ),
        ("entity renamed", checksum_of::<entity_renamed::Schema>()),
        ("entity added", checksum_of::<entity_added::Schema>()),
    ];
    for (i, (change, checksum)) in variants.iter().enumerate() {
        assert_ne!(*checksum, base, "changing the {change} kept the checksum");
        for (other, other_checksum) in &variants[i + 1..] {
            assert_ne!(checksum, other_checksum, "{change} and {other} collide");
        }
    }
}

#[test]
fn each_change_shows_in_its_canonical_line() {
    let line = |descriptor: &SchemaDescriptor| -> String {
        canonical_form(descriptor)
            .lines()
            .find(|l| l.starts_with("attribute \"Project\" \"rank\""))
            .expect("a rank line")
            .to_owned()
    };
    let base = line(<shape_a::Schema as VersionedSchema>::descriptor());
    assert_eq!(
        base,
        "attribute \"Project\" \"rank\" i64 required unique=0 index=1 default=int:0"
    );
    assert_eq!(
        line(<type_changed::Schema as VersionedSchema>::descriptor()),
        "attribute \"Project\" \"rank\" i32 required unique=0 index=1 default=int:0"
    );
    assert_eq!(
        line(<index_changed::Schema as VersionedSchema>::descriptor()),
        "attribute \"Project\" \"rank\" i64 required unique=0 index=0 default=int:0"
    );
    assert_eq!(
        line(<default_changed::Schema as VersionedSchema>::descriptor()),
        "attribute \"Project\" \"rank\" i64 required unique=0 index=1 default=int:1"
    );
    assert_eq!(
        line(<default_removed::Schema as VersionedSchema>::descriptor()),
        "attribute \"Project\" \"rank\" i64 required unique=0 index=1 default=none"
    );
}

#[test]
fn float_defaults_are_compared_by_bits() {
    // 0.1 + 0.2 and 0.3 print alike at low precision but are different
    // defaults; the canonical form keeps the bits.
    let with_default = |value: f64| {
        let descriptor = SchemaDescriptor::from_entities(
            Version::new(1, 0, 0),
            vec![EntityDescriptor::from_parts(
                "E",
                None,
                vec![
                    AttributeDescriptor::named("x", AttributeType::F64)
                        .with_default(staged::DefaultValue::Real(value)),
                ],
            )],
        );
        (canonical_form(&descriptor), descriptor.checksum())
    };
    let (form_a, a) = with_default(0.1 + 0.2);
    let (form_b, b) = with_default(0.3);
    assert_ne!(a, b);
    assert!(
        form_a.ends_with("default=real:0x3fd3333333333334\n"),
        "{form_a}"
    );
    assert!(
        form_b.ends_with("default=real:0x3fd3333333333333\n"),
        "{form_b}"
    );
    // The two zeros are different defaults too.
    assert_ne!(with_default(0.0).1, with_default(-0.0).1);
}
