//! Property: under any sequence of inserts, deletes, links and unlinks, the
//! store agrees with a plain in-memory model of the delete rules, and both
//! sides of every relationship agree with each other. The same holds with
//! foreign keys off, as in a migration's hooks, where `delete` applies the
//! rules itself, and the store then has no foreign key violations.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{plans, sql};
use proptest::collection::vec;
use proptest::prelude::*;
use staged::prelude::*;

/// Parents own items (cascade), are referred to by children (nullify);
/// children and tags are many-to-many.
#[versioned_schema(version = "1.0.0")]
pub mod family {
    use staged::prelude::*;

    /// A parent.
    #[model]
    pub struct Parent {
        /// A label.
        pub n: i64,
        /// Children that name this parent.
        #[relationship(inverse = "parent")]
        pub children: ToMany<Child>,
        /// Items, deleted with the parent.
        #[relationship(inverse = "owner")]
        pub items: ToMany<Item>,
    }

    /// A child; its parent is cleared when the parent is deleted.
    #[model]
    pub struct Child {
        /// A label.
        pub n: i64,
        /// The parent, if any.
        #[relationship(inverse = "children")]
        pub parent: Option<Ref<Parent>>,
        /// Tags.
        #[relationship(inverse = "children")]
        pub tags: ToMany<Tag>,
    }

    /// An item, deleted with its owner.
    #[model]
    pub struct Item {
        /// A label.
        pub n: i64,
        /// The owner.
        #[relationship(inverse = "items", delete_rule = "cascade")]
        pub owner: Ref<Parent>,
    }

    /// A tag.
    #[model]
    pub struct Tag {
        /// A label.
        pub n: i64,
        /// Tagged children.
        #[relationship(inverse = "tags")]
        pub children: ToMany<Child>,
    }
}

use family::{Child, Item, Parent, Tag};

/// One operation; indexes pick among the records that exist (modulo their count).
#[derive(Debug, Clone)]
enum Op {
    AddParent,
    AddChild(Option<u8>),
    AddItem(u8),
    AddTag,
    DeleteParent(u8),
    DeleteChild(u8),
    DeleteTag(u8),
    Adopt(u8, u8),
    Orphan(u8),
    Link(u8, u8),
    Unlink(u8, u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::AddParent),
        any::<Option<u8>>().prop_map(Op::AddChild),
        any::<u8>().prop_map(Op::AddItem),
        Just(Op::AddTag),
        any::<u8>().prop_map(Op::DeleteParent),
        any::<u8>().prop_map(Op::DeleteChild),
        any::<u8>().prop_map(Op::DeleteTag),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Adopt(a, b)),
        any::<u8>().prop_map(Op::Orphan),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Link(a, b)),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Unlink(a, b)),
    ]
}

/// The expected state: ids of each entity, child -> parent, item -> owner, links.
#[derive(Default)]
struct Expected {
    parents: BTreeSet<PersistentId>,
    children: BTreeMap<PersistentId, Option<PersistentId>>,
    items: BTreeMap<PersistentId, PersistentId>,
    tags: BTreeSet<PersistentId>,
    links: BTreeSet<(PersistentId, PersistentId)>,
}

fn pick<T: Copy>(items: impl IntoIterator<Item = T>, k: u8) -> Option<T> {
    let items: Vec<T> = items.into_iter().collect();
    (!items.is_empty()).then(|| items[usize::from(k) % items.len()])
}

fn apply(
    ctx: &mut ModelContext<family::Schema>,
    model: &mut Expected,
    op: &Op,
) -> staged::Result<()> {
    match *op {
        Op::AddParent => {
            let id = ctx.insert(Parent {
                n: 0,
                children: ToMany::new(),
                items: ToMany::new(),
            })?;
            model.parents.insert(id);
        }
        Op::AddChild(k) => {
            let parent = k.and_then(|k| pick(model.parents.iter().copied(), k));
            let id = ctx.insert(Child {
                n: 0,
                parent: parent.map(Ref::new),
                tags: ToMany::new(),
            })?;
            model.children.insert(id, parent);
        }
        Op::AddItem(k) => {
            if let Some(owner) = pick(model.parents.iter().copied(), k) {
                let id = ctx.insert(Item {
                    n: 0,
                    owner: Ref::new(owner),
                })?;
                model.items.insert(id, owner);
            }
        }
        Op::AddTag => {
            let id = ctx.insert(Tag {
                n: 0,
                children: ToMany::new(),
            })?;
            model.tags.insert(id);
        }
        Op::DeleteParent(k) => {
            if let Some(parent) = pick(model.parents.iter().copied(), k) {
                ctx.delete::<Parent>(parent)?;
                model.parents.remove(&parent);
                model.items.retain(|_, owner| *owner != parent);
                for p in model.children.values_mut() {
                    if *p == Some(parent) {
                        *p = None;
                    }
                }
            }
        }
        Op::DeleteChild(k) => {
            if let Some(child) = pick(model.children.keys().copied(), k) {
                ctx.delete::<Child>(child)?;
                model.children.remove(&child);
                model.links.retain(|(c, _)| *c != child);
            }
        }
        Op::DeleteTag(k) => {
            if let Some(tag) = pick(model.tags.iter().copied(), k) {
                ctx.delete::<Tag>(tag)?;
                model.tags.remove(&tag);
                model.links.retain(|(_, t)| *t != tag);
            }
        }
        Op::Adopt(p, c) => {
            if let (Some(parent), Some(child)) = (
                pick(model.parents.iter().copied(), p),
                pick(model.children.keys().copied(), c),
            ) {
                let record = ctx.get::<Parent>(parent)?.expect("exists");
                ctx.add_related(&record.children, child)?;
                model.children.insert(child, Some(parent));
            }
        }
        Op::Orphan(c) => {
            if let Some(child) = pick(model.children.keys().copied(), c) {
                ctx.set(child, Child::fields().parent, None)?;
                model.children.insert(child, None);
            }
        }
        Op::Link(c, t) | Op::Unlink(c, t) => {
            if let (Some(child), Some(tag)) = (
                pick(model.children.keys().copied(), c),
                pick(model.tags.iter().copied(), t),
            ) {
                // Alternate the side the link is made from.
                let link = matches!(op, Op::Link(..));
                if (c ^ t) % 2 == 0 {
                    let record = ctx.get::<Child>(child)?.expect("exists");
                    if link {
                        ctx.add_related(&record.tags, tag)?;
                    } else {
                        ctx.remove_related(&record.tags, tag)?;
                    }
                } else {
                    let record = ctx.get::<Tag>(tag)?.expect("exists");
                    if link {
                        ctx.add_related(&record.children, child)?;
                    } else {
                        ctx.remove_related(&record.children, child)?;
                    }
                }
                if link {
                    model.links.insert((child, tag));
                } else {
                    model.links.remove(&(child, tag));
                }
            }
        }
    }
    Ok(())
}

fn check(ctx: &mut ModelContext<family::Schema>, model: &Expected) -> staged::Result<()> {
    let ids = |records: &[PersistentId]| records.iter().copied().collect::<BTreeSet<_>>();
    let parents: Vec<_> = ctx.fetch_all::<Parent>()?;
    assert_eq!(
        ids(&parents.iter().map(Record::id).collect::<Vec<_>>()),
        model.parents
    );
    let children = ctx.fetch_all::<Child>()?;
    let stored: BTreeMap<_, _> = children
        .iter()
        .map(|c| (c.id(), c.parent.map(Ref::id)))
        .collect();
    assert_eq!(stored, model.children);
    let items = ctx.fetch_all::<Item>()?;
    let stored: BTreeMap<_, _> = items.iter().map(|i| (i.id(), i.owner.id())).collect();
    assert_eq!(stored, model.items);
    // Both sides agree: each parent's to-manys are exactly the records naming it.
    for parent in &parents {
        let kids: BTreeSet<_> = ctx
            .related(&parent.children)?
            .iter()
            .map(Record::id)
            .collect();
        let naming: BTreeSet<_> = model
            .children
            .iter()
            .filter(|(_, p)| **p == Some(parent.id()))
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(kids, naming);
        let owned: BTreeSet<_> = ctx.related(&parent.items)?.iter().map(Record::id).collect();
        let by_filter: BTreeSet<_> = ctx
            .fetch(FetchDescriptor::new().filter(Item::fields().owner.refers_to(parent)))?
            .iter()
            .map(Record::id)
            .collect();
        assert_eq!(owned, by_filter);
    }
    let mut links = BTreeSet::new();
    for child in &children {
        for tag in ctx.related(&child.tags)? {
            links.insert((child.id(), tag.id()));
        }
    }
    assert_eq!(links, model.links);
    let mut from_tags = BTreeSet::new();
    for tag in ctx.fetch_all::<Tag>()? {
        for child in ctx.related(&tag.children)? {
            from_tags.insert((child.id(), tag.id()));
        }
    }
    assert_eq!(from_tags, model.links);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        // `PROPTEST_CASES=…` runs more.
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            ProptestConfig::default().cases
        } else {
            64
        },
        ..ProptestConfig::default()
    })]

    #[test]
    fn store_matches_the_delete_rules_and_both_sides_agree(ops in vec(op(), 1..40)) {
        let container = ModelContainer::in_memory(plans::single::<family::Schema>()).unwrap();
        let mut ctx = container.context();
        let mut model = Expected::default();
        for op in &ops {
            apply(&mut ctx, &mut model, op).unwrap();
            check(&mut ctx, &model).unwrap();
        }
    }

    #[test]
    fn without_foreign_keys_delete_applies_the_same_rules(ops in vec(op(), 1..40)) {
        let container = ModelContainer::in_memory(plans::single::<family::Schema>()).unwrap();
        let mut ctx = container.context();
        ctx.connection().pragma_update(None, "foreign_keys", false).unwrap();
        let mut model = Expected::default();
        for op in &ops {
            apply(&mut ctx, &mut model, op).unwrap();
            check(&mut ctx, &model).unwrap();
        }
        prop_assert_eq!(sql::foreign_key_violations(&ctx.connection()), 0);
    }
}
