use staged::prelude::*;

// Every mistake is reported in one compile.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub struct Reminder {
        #[attribute(uniq)]
        pub uid: String,
        pub views: usize,
        #[attribute(default = true)]
        pub title: String,
    }
}

fn main() {}
