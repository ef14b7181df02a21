//! The serde shape of every `#[attribute(json)]` type is recorded in the
//! schema snapshot: editing the type after a version shipped fails the
//! snapshot check, naming the attribute and the field.

mod common;

use std::path::PathBuf;

use common::store::TempStore;
use staged::prelude::*;
use staged::schema::snapshot::{
    self, SchemaDifference, SnapshotError, SnapshotMode, SnapshotProblem,
};

mod shipped_types {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Style {
        pub bold: bool,
        pub size: i64,
        pub shape: Shape,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub enum Shape {
        Square,
        Circle { radius: f64 },
    }
}

mod edited_types {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Style {
        pub bold: bool,
        pub size: String,
        pub shape: Shape,
        pub font: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub enum Shape {
        Square,
    }
}

mod compatible_types {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Style {
        pub bold: bool,
        pub size: i64,
        pub shape: super::shipped_types::Shape,
        pub font: Option<String>,
    }
}

#[versioned_schema(version = "1.0.0")]
mod v1 {
    use super::shipped_types::Style;

    #[model]
    pub struct Note {
        pub title: String,
        #[attribute(json)]
        pub style: Style,
        #[attribute(json)]
        pub tags: Option<Vec<String>>,
    }
}

#[versioned_schema(version = "1.0.0")]
mod v1_edited {
    use super::edited_types::Style;

    #[model]
    pub struct Note {
        pub title: String,
        #[attribute(json)]
        pub style: Style,
        #[attribute(json)]
        pub tags: Option<Vec<String>>,
    }
}

#[versioned_schema(version = "1.0.0")]
mod v1_compatible {
    use super::compatible_types::Style;

    #[model]
    pub struct Note {
        pub title: String,
        #[attribute(json)]
        pub style: Style,
        #[attribute(json)]
        pub tags: Option<Vec<String>>,
    }
}

fn schemas_dir() -> (TempStore, PathBuf) {
    let store = TempStore::new();
    let dir = store.dir().join("schemas");
    (store, dir)
}

fn problems(error: SnapshotError) -> Vec<SnapshotProblem> {
    match error {
        SnapshotError::Problems(problems) => problems,
        other => panic!("expected snapshot problems, got {other}"),
    }
}

#[test]
fn the_snapshot_records_each_json_attributes_shape() {
    let (_store, dir) = schemas_dir();
    snapshot::check([v1::Schema::descriptor()], &dir, SnapshotMode::WriteNew).unwrap();
    let json = std::fs::read_to_string(dir.join("1.0.0.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&json).unwrap();
    let attributes = &file["entities"][0]["attributes"];
    let style = attributes
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "style")
        .unwrap();
    assert_eq!(
        style["json_shape"]["root"],
        serde_json::json!({"TYPENAME": "Style"})
    );
    assert_eq!(
        style["json_shape"]["types"]["Style"],
        serde_json::json!({"STRUCT": [
            {"bold": "BOOL"},
            {"size": "I64"},
            {"shape": {"TYPENAME": "Shape"}},
        ]})
    );
    assert!(
        style["json_shape"]["types"]["Shape"]["ENUM"].is_object(),
        "{json}"
    );
    let tags = attributes
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "tags")
        .unwrap();
    assert_eq!(
        tags["json_shape"]["root"],
        serde_json::json!({"SEQ": "STR"})
    );
    // The shape is not part of the checksum.
    assert_eq!(v1::Schema::checksum(), v1_edited::Schema::checksum());
    // Read back, the snapshot still matches.
    let read = snapshot::read(&dir.join("1.0.0.json")).unwrap();
    assert_eq!(read.descriptor(), v1::Schema::descriptor());
    assert_eq!(
        snapshot::diff(read.descriptor(), v1::Schema::descriptor()),
        []
    );
}

#[test]
fn editing_a_shipped_json_type_fails_naming_the_attribute_and_the_fields() {
    let (_store, dir) = schemas_dir();
    snapshot::check([v1::Schema::descriptor()], &dir, SnapshotMode::WriteNew).unwrap();
    let error = snapshot::check(
        [v1_edited::Schema::descriptor()],
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap_err();
    let problems = problems(error);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let SnapshotProblem::Edited { differences, .. } = &problems[0] else {
        panic!("{problems:#?}")
    };
    assert!(matches!(
        &differences[..],
        [SchemaDifference::JsonShapeChanged { entity, attribute, .. }]
            if entity == "Note" && attribute == "style"
    ));
    assert_eq!(
        problems[0].to_string(),
        format!(
            "you edited schema 1.0.0 after shipping it: the JSON shape of `Note.style` changed: \
             `Shape::Circle` removed, `Style.size` changed from \"I64\" to \"STR\", `Style.font` \
             added (optional: old payloads decode it as `None`) (old payloads no longer decode) \
             (snapshot `{}`). Stores at 1.0.0 still open (the shape is not part of the checksum), \
             but JSON they hold was written with the shipped shape: restore the shipped type and \
             make the change in a new schema version with a custom stage that rewrites the \
             values. If 1.0.0 never shipped, record it again with `STAGED_SNAPSHOTS=overwrite` \
             or by deleting the snapshot",
            dir.join("1.0.0.json").display()
        )
    );
}

#[test]
fn a_compatible_edit_is_still_reported_and_says_old_payloads_decode() {
    let (_store, dir) = schemas_dir();
    snapshot::check([v1::Schema::descriptor()], &dir, SnapshotMode::WriteNew).unwrap();
    let read = snapshot::read(&dir.join("1.0.0.json")).unwrap();
    let differences = snapshot::diff(read.descriptor(), v1_compatible::Schema::descriptor());
    assert_eq!(differences.len(), 1, "{differences:#?}");
    assert_eq!(
        differences[0].to_string(),
        "the JSON shape of `Note.style` changed: `Style.font` added (optional: old payloads \
         decode it as `None`) (old payloads still decode)"
    );
}
