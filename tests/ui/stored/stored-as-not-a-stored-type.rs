use staged::prelude::*;

pub struct Tags(pub Vec<String>);

impl StoredValue for Tags {
    type Stored = Vec<String>;
    const NAME: &'static str = "Tags";

    fn to_stored(&self) -> Vec<String> {
        self.0.clone()
    }

    fn from_stored(stored: Vec<String>) -> Result<Self, staged::BoxError> {
        Ok(Tags(stored))
    }
}

fn main() {}
