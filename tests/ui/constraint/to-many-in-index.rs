use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    #[model(index(title, notes))]
    pub struct Folder {
        pub title: String,
        #[relationship(inverse = "folder")]
        pub notes: ToMany<Note>,
    }

    #[model]
    pub struct Note {
        pub folder: Ref<Folder>,
    }
}

fn main() {}
