//! A 200-version plan for the planner benchmark.
//!
//! `V<N>` is schema version `N.0.0`: an `Item` entity with `title` and a
//! sliding window of ten optional attributes `f{N-9}..=f{N}`, so each
//! version adds one optional attribute and removes one (a lightweight
//! change, declared with `removed`). Every 20th version also has a custom stage jumping 5 versions
//! ahead, so the path from 1.0.0 alternates compressed lightweight runs and
//! custom stages (19 steps).

use std::sync::OnceLock;

use staged::prelude::*;
use staged::schema::{
    AttributeDescriptor, AttributeType, Checksum, EntityDescriptor, SchemaDescriptor,
};

/// The number of versions.
pub const VERSIONS: u64 = 200;

/// Schema version `N.0.0` (1 ≤ N ≤ [`VERSIONS`]).
#[derive(Debug)]
pub struct V<const N: u64>;

fn all() -> &'static [(SchemaDescriptor, Checksum)] {
    static ALL: OnceLock<Vec<(SchemaDescriptor, Checksum)>> = OnceLock::new();
    ALL.get_or_init(|| {
        (1..=VERSIONS)
            .map(|n| {
                let mut attributes = vec![AttributeDescriptor::new("title", AttributeType::Text)];
                for k in n.saturating_sub(9).max(1)..=n {
                    attributes.push(
                        AttributeDescriptor::named(format!("f{k}"), AttributeType::I64)
                            .with_optional(true),
                    );
                }
                // The attribute that slides out of the window is deleted on purpose.
                let removed = if n > 10 {
                    vec![format!("f{}", n - 10)]
                } else {
                    Vec::new()
                };
                let descriptor = SchemaDescriptor::from_entities(
                    Version::new(n, 0, 0),
                    vec![
                        EntityDescriptor::from_parts("Item", None, attributes)
                            .with_removed(removed),
                    ],
                );
                let checksum = descriptor.checksum();
                (descriptor, checksum)
            })
            .collect()
    })
}

impl<const N: u64> VersionedSchema for V<N> {
    const VERSION: Version = Version::new(N, 0, 0);

    fn descriptor() -> &'static SchemaDescriptor {
        &all()[N as usize - 1].0
    }

    fn checksum() -> Checksum {
        all()[N as usize - 1].1
    }
}

macro_rules! plan_of {
    ($($n:literal)*) => {
        SchemaMigrationPlan::builder()$(.schema::<V<$n>>())*
    };
}

macro_rules! custom_jumps {
    ($builder:expr; $($from:literal => $to:literal)*) => {
        $builder$(.stage(MigrationStage::custom::<V<$from>, V<$to>>().did_migrate(|_| Ok(()))))*
    };
}

/// Builds the 200-version plan (checks every gap, as an app does at launch).
pub fn plan() -> staged::Result<SchemaMigrationPlan<V<200>>> {
    let builder = plan_of!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127 128 129 130 131 132 133 134 135 136 137 138 139 140 141 142 143 144 145 146 147 148 149 150 151 152 153 154 155 156 157 158 159 160 161 162 163 164 165 166 167 168 169 170 171 172 173 174 175 176 177 178 179 180 181 182 183 184 185 186 187 188 189 190 191 192 193 194 195 196 197 198 199 200);
    custom_jumps!(builder; 20 => 25 40 => 45 60 => 65 80 => 85 100 => 105 120 => 125 140 => 145 160 => 165 180 => 185)
        .build()
}
