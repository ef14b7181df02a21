use staged::prelude::*;

#[derive(StoredEnum)]
pub struct Status {
    pub active: bool,
}

fn main() {}
